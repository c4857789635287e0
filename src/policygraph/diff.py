"""What changed between two versions of a plan: targets, units, tasks and platforms.

Facts are matched on what identifies them across versions, not on offsets: tasks on their
numbering key, targets on (task, canonical indicator), units on (task, canonical name,
role), platforms on their normalised name. A matched target whose value moved is raised or
lowered; one whose deadline moved is "moved" (both can happen at once).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .errors import Errors, QueryError
from .extract import extract
from .graph import canonical_metric, platform_key
from .lang import key_form
from .models import Extraction, TargetFact
from .pipeline import load_document, source_label
from .rules import Rules, load_rules
from .store.manifest import cached_extraction, file_sha256, read_manifest

Change = dict[str, object]


def _row(change: str, kind: str, task: str | None, what: str, old: object = None,
         new: object = None) -> Change:
    return {"change": change, "kind": kind, "task": task, "what": what, "old": old, "new": new}


def _number(t: TargetFact) -> str:
    value = f"{t.value:g}" + (f"–{t.value_max:g}" if t.value_max is not None else "")
    return f"{t.comparator}{value}{t.unit or ''}"


def diff_tasks(old: Extraction, new: Extraction) -> list[Change]:
    before = {key_form(t.key): t for t in old.tasks}
    after = {key_form(t.key): t for t in new.tasks}
    rows = [_row("removed", "task", before[k].key, before[k].title)
            for k in before.keys() - after.keys()]
    rows += [_row("added", "task", after[k].key, after[k].title)
             for k in after.keys() - before.keys()]
    rows += [_row("renamed", "task", after[k].key, after[k].title, before[k].title,
                  after[k].title)
             for k in before.keys() & after.keys() if before[k].title != after[k].title]
    return rows


def diff_targets(old: Extraction, new: Extraction, rules: Rules) -> list[Change]:
    def grouped(ex: Extraction) -> dict[tuple, list[TargetFact]]:
        groups: dict[tuple, list[TargetFact]] = defaultdict(list)
        for t in ex.targets:
            groups[key_form(t.task), canonical_metric(t.metric, rules)].append(t)
        return groups

    before, after = grouped(old), grouped(new)
    rows = []
    for key in sorted(before.keys() | after.keys(), key=str):
        olds, news = before.get(key, []), after.get(key, [])
        for a, b in zip(olds, news):
            if (a.value, a.value_max) != (b.value, b.value_max) or a.unit != b.unit:
                change = "raised" if b.value > a.value else "lowered" if b.value < a.value \
                    else "changed"
                rows.append(_row(change, "target", b.task, b.metric, _number(a), _number(b)))
            if a.year != b.year:
                rows.append(_row("moved", "target", b.task, b.metric, a.year, b.year))
        rows += [_row("dropped", "target", t.task, t.metric, _number(t), None)
                 for t in olds[len(news):]]
        rows += [_row("added", "target", t.task, t.metric, None, _number(t))
                 for t in news[len(olds):]]
    return rows


def diff_units(old: Extraction, new: Extraction) -> list[Change]:
    before = {(key_form(u.task), u.canonical, u.role): u for u in old.units}
    after = {(key_form(u.task), u.canonical, u.role): u for u in new.units}
    gone = [before[k] for k in before.keys() - after.keys()]
    came = [after[k] for k in after.keys() - before.keys()]
    return ([_row("removed", "unit", u.task, f"{u.name} ({u.role})") for u in gone]
            + [_row("added", "unit", u.task, f"{u.name} ({u.role})") for u in came])


def diff_platforms(old: Extraction, new: Extraction, rules: Rules) -> list[Change]:
    before = {platform_key(p.name, rules): p for p in old.platforms}
    after = {platform_key(p.name, rules): p for p in new.platforms}
    return ([_row("removed", "platform", before[k].task, before[k].name)
             for k in before.keys() - after.keys()]
            + [_row("added", "platform", after[k].task, after[k].name)
               for k in after.keys() - before.keys()])


def diff(old: Extraction, new: Extraction, rules: Rules | None = None) -> list[Change]:
    """Every change from ``old`` to ``new``, ordered by kind, task and change."""
    rules = rules or load_rules()
    rows = (diff_tasks(old, new) + diff_targets(old, new, rules) + diff_units(old, new)
            + diff_platforms(old, new, rules))
    order = {"task": 0, "target": 1, "unit": 2, "platform": 3}
    return sorted(rows, key=lambda r: (order[r["kind"]], str(r["task"]), r["change"],
                                       str(r["what"])))


def resolve_version(ref: str, graphs: Path, rules: Rules | None = None) -> Extraction:
    """A plan version from a file path, or from a plan id or source (absolute, or as the
    graph names it) of the store."""
    rules = rules or load_rules()
    if Path(ref).is_file():
        return extract(load_document(ref, rules), rules)
    manifest = read_manifest(graphs)
    for source, entry in manifest.files.items():
        names = (entry.plan_id, source, source_label(Path(source), Path(manifest.root)))
        if ref in names or str(Path(ref).absolute()) == source:
            ex = cached_extraction(graphs, entry)
            if ex is None and Path(source).is_file() and file_sha256(Path(source)) == entry.sha256:
                ex = extract(load_document(source, rules), rules)  # a damaged cache file
            if ex is not None:
                return ex
    raise QueryError(Errors.E503, ref, graphs=str(graphs))
