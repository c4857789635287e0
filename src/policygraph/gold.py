"""The gold view of an extraction and its scoring (``../shared/gold/SCHEMA.md``).

``to_gold`` prints what the extractor found in the gold format; ``score`` compares such
views with hand-made gold files by the schema's matching rules and reports precision,
recall and F1 per kind, with the misses, so extraction quality is a number.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import Errors, GoldError, PolicyGraphError, file_error
from .models import Extraction

ROLES = ("lead", "support", "responsible")
KINDS = ("tasks", "units", "targets", "platforms", "incentives")
# Plan fields scored per document (SCHEMA.md, "Scoring"); period is start and end together.
PLAN_FIELDS = ("title", "region", "issuer", "doc_number", "status", "period")
_WS = re.compile(r"\s+")


def _number(x: float | None) -> float | int | None:
    return int(x) if x is not None and float(x).is_integer() else x


def to_gold(ex: Extraction, source_name: str | None = None) -> dict:
    """An Extraction in the gold annotation format."""
    by_task: dict[tuple, list[str]] = {}
    for u in ex.units:  # one pass: a 20 MB plan has tens of thousands of both
        by_task.setdefault((u.task, u.role), []).append(u.name)
    tasks = [{"key": t.key, "title": t.title,
              **{role: by_task.get((t.key, role), []) for role in ROLES}} for t in ex.tasks]
    targets = []
    for g in ex.targets:
        row = {"task": g.task, "metric": g.metric, "value": _number(g.value), "unit": g.unit,
               "comparator": g.comparator, "year": g.year, "quote": g.prov.quote}
        if g.value_max is not None:
            row["value_max"] = _number(g.value_max)
        if g.baseline is not None:
            row["baseline"], row["baseline_year"] = _number(g.baseline), g.baseline_year
        targets.append(row)
    plan = ex.plan.model_dump(include={"title", "region", "issuer", "doc_number", "status",
                                       "period_start", "period_end"})
    return {
        "source": source_name or Path(ex.source).name,
        "plan": plan,
        "tasks": tasks,
        "targets": targets,
        "platforms": [{"name": p.name, "host": p.host} for p in ex.platforms],
        "incentives": [{"task": i.task, "what": i.what, "amount": _number(i.amount),
                        "unit": i.unit, "max": i.max, "rate": i.rate, "quote": i.prov.quote}
                       for i in ex.incentives],
    }


# ---------------------------------------------------------------------- gold files
class _GoldTask(BaseModel):
    model_config = ConfigDict(extra="allow")
    key: str
    title: str
    lead: list[str] = []
    support: list[str] = []
    responsible: list[str] = []


class _GoldTarget(BaseModel):
    model_config = ConfigDict(extra="allow")
    task: str | None = None
    metric: str
    value: float
    unit: str | None = None  # an index has no unit (version 2)
    year: int | None = None


class _GoldPlatform(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    host: str | None = None


class _GoldIncentive(BaseModel):
    model_config = ConfigDict(extra="allow")
    task: str | None = None
    what: str = ""
    amount: float
    unit: str
    max: bool = False
    rate: bool = False
    quote: str = ""


class GoldFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    source: str
    plan: dict = {}
    tasks: list[_GoldTask] = []
    targets: list[_GoldTarget] = []
    platforms: list[_GoldPlatform] = []
    # None: the file predates version 2 and does not annotate incentives, so they are not
    # scored for it (an empty list says the document promises no money).
    incentives: list[_GoldIncentive] | None = None


def load_gold(path: Path) -> GoldFile:
    try:
        return GoldFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldError(Errors.E201, str(path), reason=str(exc).splitlines()[0]) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise GoldError(Errors.E201, str(path), reason=f"{where}: {first['msg']}") from None


# ------------------------------------------------------------------------- scoring
@dataclass
class KindScore:
    kind: str
    tp: int = 0
    predicted: int = 0
    gold: int = 0
    missed: list[str] = field(default_factory=list)  # in gold, not found
    extra: list[str] = field(default_factory=list)  # found, not in gold

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, tp: int, predicted: int, gold: int, missed: list[str], extra: list[str]) -> None:
        self.tp += tp
        self.predicted += predicted
        self.gold += gold
        self.missed += missed
        self.extra += extra


def _squash(s: str | None) -> str:
    """Text as SCHEMA.md compares it: no white space, no half-/full-width difference."""
    return _WS.sub("", unicodedata.normalize("NFKC", s or ""))


def _shared_chars(a: str, b: str) -> int:
    return len(set(a) & set(b))


def _match(gold: list[dict], pred: list[dict], fits, closeness
           ) -> tuple[int, list[dict], list[dict]]:
    """Each gold fact takes the free prediction that ``fits`` it and is closest to it.
    Returns (matches, gold missed, predictions unmatched)."""
    free = list(range(len(pred)))
    missed = []
    for g in gold:
        candidates = [i for i in free if fits(g, pred[i])]
        if not candidates:
            missed.append(g)
            continue
        free.remove(max(candidates, key=lambda i: closeness(g, pred[i])))
    return len(gold) - len(missed), missed, [pred[i] for i in free]


def match_targets(gold: list[dict], pred: list[dict]) -> tuple[int, list[dict], list[dict]]:
    """Equal value and unit, equal year when both give one; the metric sharing most
    characters wins. Returns (matches, gold missed, predictions unmatched)."""
    return _match(gold, pred, lambda g, p: (
        float(p["value"]) == float(g["value"]) and _squash(p["unit"]) == _squash(g["unit"])
        and (g.get("year") is None or p.get("year") is None
             or int(g["year"]) == int(p["year"]))),
        lambda g, p: _shared_chars(p["metric"], g["metric"]))


def _platform_match(a: str, b: str) -> bool:
    a, b = _squash(a), _squash(b)
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return bool(short) and short in long and len(short) >= 0.7 * len(long)


def match_platforms(gold: list[str], pred: list[str]) -> tuple[int, list[str], list[str]]:
    free = list(pred)
    missed = []
    for g in gold:
        hit = next((p for p in free if _platform_match(g, p)), None)
        if hit is None:
            missed.append(g)
        else:
            free.remove(hit)
    return len(gold) - len(missed), missed, free


def match_incentives(gold: list[dict], pred: list[dict]) -> tuple[int, list[dict], list[dict]]:
    """Equal amount and unit; the ``what`` or quote sharing most characters wins."""
    return _match(gold, pred, lambda g, p: (
        float(p["amount"]) == float(g["amount"]) and _squash(p["unit"]) == _squash(g["unit"])),
        lambda g, p: max(_shared_chars(p.get("what") or "", g.get("what") or ""),
                         _shared_chars(p.get("quote") or "", g.get("quote") or "")))


def _unit_keys(tasks: list[dict]) -> set[tuple[str, str, str]]:
    return {(_squash(t["title"])[:8], _squash(u), role)
            for t in tasks for role in ROLES for u in t.get(role, [])}


def _plan_value(plan: dict, name: str) -> object:
    if name == "period":
        return plan.get("period_start"), plan.get("period_end")
    value = plan.get(name)
    return _squash(value) if isinstance(value, str) else value


@dataclass
class DocScore:
    """One document's scores, and which plan fields it got right."""

    source: str
    kinds: dict[str, KindScore]
    plan: dict[str, bool]


def score_document(gold: GoldFile, pred: dict) -> DocScore:
    g = gold.model_dump()
    scored = [k for k in KINDS if k != "incentives" or g["incentives"] is not None]
    kinds = {k: KindScore(k) for k in scored}
    gold_tasks = {(_squash(t["key"]), _squash(t["title"])) for t in g["tasks"]}
    pred_tasks = {(_squash(t["key"]), _squash(t["title"])) for t in pred["tasks"]}
    kinds["tasks"].add(len(gold_tasks & pred_tasks), len(pred_tasks), len(gold_tasks),
                       [f"{k} {t}" for k, t in sorted(gold_tasks - pred_tasks)],
                       [f"{k} {t}" for k, t in sorted(pred_tasks - gold_tasks)])
    gu, pu = _unit_keys(g["tasks"]), _unit_keys(pred["tasks"])
    kinds["units"].add(len(gu & pu), len(pu), len(gu), [" ".join(x) for x in sorted(gu - pu)],
                       [" ".join(x) for x in sorted(pu - gu)])
    tp, missed, extra = match_targets(g["targets"], pred["targets"])
    kinds["targets"].add(tp, len(pred["targets"]), len(g["targets"]),
                         [_target_line(t) for t in missed], [_target_line(t) for t in extra])
    tp, missed_p, extra_p = match_platforms([p["name"] for p in g["platforms"]],
                                            [p["name"] for p in pred["platforms"]])
    kinds["platforms"].add(tp, len(pred["platforms"]), len(g["platforms"]), missed_p, extra_p)
    if g["incentives"] is not None:
        found = pred.get("incentives", [])
        tp, missed_i, extra_i = match_incentives(g["incentives"], found)
        kinds["incentives"].add(tp, len(found), len(g["incentives"]),
                                [_incentive_line(i) for i in missed_i],
                                [_incentive_line(i) for i in extra_i])
    found = pred.get("plan", {})
    plan = {f: _plan_value(g["plan"], f) == _plan_value(found, f) for f in PLAN_FIELDS
            if f == "period" or f in g["plan"]}
    return DocScore(gold.source, kinds, plan)


def total(docs: list[DocScore]) -> dict[str, KindScore]:
    """All documents' counts added up: precision, recall and F1 over every fact (of the
    kinds some document annotates)."""
    kinds = {k: KindScore(k) for k in KINDS if any(k in d.kinds for d in docs)}
    for d in docs:
        for k, s in d.kinds.items():
            kinds[k].add(s.tp, s.predicted, s.gold, [f"{d.source}: {x}" for x in s.missed],
                         [f"{d.source}: {x}" for x in s.extra])
    return kinds


def plan_accuracy(docs: list[DocScore]) -> dict[str, float]:
    """The share of documents whose plan field equals the gold, per field."""
    out = {}
    for f in PLAN_FIELDS:
        scored = [d.plan[f] for d in docs if f in d.plan]
        if scored:
            out[f] = sum(scored) / len(scored)
    return out


def score(pairs: list[tuple[GoldFile, dict]]) -> dict[str, KindScore]:
    """Score (gold file, predicted gold view) pairs over all documents together."""
    return total([score_document(g, p) for g, p in pairs])


def _target_line(t: dict) -> str:
    return f"{t['metric']} {_number(t['value'])}{t['unit'] or ''} ({t.get('year')})"


def _incentive_line(i: dict) -> str:
    cap = "最高" if i.get("max") else ""
    return f"{i.get('what')} {cap}{_number(i['amount'])}{i['unit']}"


def default_raw_dirs(gold_dir: Path) -> list[Path]:
    """Where a gold file's source may be: ../seeds beside the gold (shared/gold), the
    corpus beside it (shared/gold/corpus → shared/corpus/docs), else data/raw."""
    here = gold_dir.resolve()
    dirs = [here.parent / "seeds", here.parent.parent / "corpus" / "docs",
            here.parent.parent / "seeds"]
    return [d for d in dirs if d.is_dir()] or [Path("data/raw")]


@dataclass
class Evaluation:
    documents: list[DocScore]
    # Documents whose extraction failed: scored as finding nothing, named here.
    errors: list[PolicyGraphError] = field(default_factory=list)

    @property
    def kinds(self) -> dict[str, KindScore]:
        return total(self.documents)

    @property
    def plan(self) -> dict[str, float]:
        return plan_accuracy(self.documents)


def gold_files(gold_dirs: list[Path]) -> list[Path]:
    """The gold files of the directories, in order; a file named like one of an earlier
    directory replaces it (a corrected copy: SCHEMA.md says the conventions win)."""
    by_name: dict[str, Path] = {}
    for d in gold_dirs:
        for f in sorted(d.glob("*.json")):
            by_name[f.name] = f
    files = list(by_name.values())
    if not files:
        raise GoldError(Errors.E201, ", ".join(map(str, gold_dirs)), reason="no *.json gold files")
    return files


def evaluate(gold_dirs: Path | list[Path], raw_dirs: Path | list[Path] | None = None,
             rules=None) -> Evaluation:
    """Extract the source of every gold file in ``gold_dirs`` and score it, document by
    document. A source is looked up in ``raw_dirs`` (default: beside each gold dir)."""
    from .extract import extract
    from .pipeline import load_document

    from .rules import load_rules

    rules = rules or load_rules()  # a broken rules file is one error, not one per document
    gold_dirs = [gold_dirs] if isinstance(gold_dirs, Path) else list(gold_dirs)
    raw = [raw_dirs] if isinstance(raw_dirs, Path) else list(raw_dirs or [])
    result = Evaluation([])
    for f in gold_files(gold_dirs):
        gold = load_gold(f)
        search = raw or default_raw_dirs(f.parent)
        source = next((d / gold.source for d in search if (d / gold.source).is_file()), None)
        if source is None:
            raise GoldError(Errors.E202, str(f), raw=", ".join(map(str, search)))
        try:
            view = to_gold(extract(load_document(source, rules), rules), gold.source)
        except Exception as exc:  # noqa: BLE001 - one surprising document must not stop it
            result.errors.append(file_error(str(source), exc))
            view = {"tasks": [], "targets": [], "platforms": [], "incentives": []}
        result.documents.append(score_document(gold, view))
    return result
