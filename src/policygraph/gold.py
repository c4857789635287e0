"""The gold view of an extraction and its scoring (``../shared/gold/SCHEMA.md``).

``to_gold`` prints what the extractor found in the gold format; ``score`` compares such
views with hand-made gold files by the schema's matching rules and reports precision,
recall and F1 per kind, with the misses, so extraction quality is a number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import Errors, GoldError
from .models import Extraction

ROLES = ("lead", "support", "responsible")
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
    unit: str
    year: int | None = None


class _GoldPlatform(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    host: str | None = None


class GoldFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    source: str
    plan: dict = {}
    tasks: list[_GoldTask] = []
    targets: list[_GoldTarget] = []
    platforms: list[_GoldPlatform] = []


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
    return _WS.sub("", s or "")


def _shared_chars(a: str, b: str) -> int:
    return len(set(a) & set(b))


def match_targets(gold: list[dict], pred: list[dict]) -> tuple[int, list[dict], list[dict]]:
    """Equal value and unit, equal year when both give one; the metric sharing most
    characters wins. Returns (matches, gold missed, predictions unmatched)."""
    free = list(range(len(pred)))
    missed = []
    for g in gold:
        candidates = [i for i in free if float(pred[i]["value"]) == float(g["value"])
                      and _squash(pred[i]["unit"]) == _squash(g["unit"])
                      and (g.get("year") is None or pred[i].get("year") is None
                           or int(g["year"]) == int(pred[i]["year"]))]
        if not candidates:
            missed.append(g)
            continue
        best = max(candidates, key=lambda i: _shared_chars(pred[i]["metric"], g["metric"]))
        free.remove(best)
    return len(gold) - len(missed), missed, [pred[i] for i in free]


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


def _unit_keys(tasks: list[dict]) -> set[tuple[str, str, str]]:
    return {(_squash(t["title"])[:8], _squash(u), role)
            for t in tasks for role in ROLES for u in t.get(role, [])}


def score(pairs: list[tuple[GoldFile, dict]]) -> dict[str, KindScore]:
    """Score (gold file, predicted gold view) pairs over all documents together."""
    kinds = {k: KindScore(k) for k in ("tasks", "units", "targets", "platforms")}
    for gold, pred in pairs:
        g = gold.model_dump()
        gold_tasks = {(t["key"], _squash(t["title"])) for t in g["tasks"]}
        pred_tasks = {(t["key"], _squash(t["title"])) for t in pred["tasks"]}
        kinds["tasks"].add(len(gold_tasks & pred_tasks), len(pred_tasks), len(gold_tasks),
                           [f"{k} {t}" for k, t in sorted(gold_tasks - pred_tasks)],
                           [f"{k} {t}" for k, t in sorted(pred_tasks - gold_tasks)])
        gu, pu = _unit_keys(g["tasks"]), _unit_keys(pred["tasks"])
        kinds["units"].add(len(gu & pu), len(pu), len(gu),
                           [" ".join(x) for x in sorted(gu - pu)],
                           [" ".join(x) for x in sorted(pu - gu)])
        tp, missed, extra = match_targets(g["targets"], pred["targets"])
        kinds["targets"].add(tp, len(pred["targets"]), len(g["targets"]),
                             [_target_line(t) for t in missed], [_target_line(t) for t in extra])
        tp, missed_p, extra_p = match_platforms([p["name"] for p in g["platforms"]],
                                                [p["name"] for p in pred["platforms"]])
        kinds["platforms"].add(tp, len(pred["platforms"]), len(g["platforms"]), missed_p, extra_p)
    return kinds


def _target_line(t: dict) -> str:
    return f"{t['metric']} {_number(t['value'])}{t['unit']} ({t.get('year')})"


def default_raw_dir(gold_dir: Path) -> Path:
    """Gold files name their source; look for it beside the gold (../seeds), else data/raw."""
    seeds = gold_dir.resolve().parent / "seeds"
    return seeds if seeds.is_dir() else Path("data/raw")


def evaluate(gold_dir: Path, raw_dir: Path | None = None,
             rules=None) -> tuple[dict[str, KindScore], int]:
    """Extract the source of every gold file in ``gold_dir`` and score it.
    Returns the scores and the number of documents scored."""
    from .extract import extract
    from .pipeline import load_document

    raw_dir = raw_dir or default_raw_dir(gold_dir)
    files = sorted(gold_dir.glob("*.json"))
    if not files:
        raise GoldError(Errors.E201, str(gold_dir), reason="no *.json gold files")
    pairs = []
    for f in files:
        gold = load_gold(f)
        source = raw_dir / gold.source
        if not source.is_file():
            raise GoldError(Errors.E202, str(f), raw=str(raw_dir))
        ex = extract(load_document(source, rules), rules)
        pairs.append((gold, to_gold(ex, gold.source)))
    return score(pairs), len(pairs)
