"""``eval --corpus``: how a directory of documents without gold reads.

For each document: did it fail, and does it yield a region, a title, tasks, targets and
units. Shares are taken over the documents where each is expected: local plans for region,
title and tasks; local plans that print a deadline (到20XX年) and a figure with a unit for
targets (one that prints only qualitative goals sets none); documents that
print 牵头单位/责任单位/配合单位 as labels (责任单位：…) for units. A *local plan* is a
document whose title or head names a plan kind (方案, 计划, 规划, 措施 …) and whose issuer
or title is no central organ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .build import Job, run_jobs
from .errors import PolicyGraphError
from .ingest import DEFAULT_MAX_MB, path_text
from .models import Extraction
from .pipeline import plan_files
from .rules import Rules, load_rules

PLAN_KINDS = re.compile(r"方案|计划|规划|措施|政策|意见|办法|细则|要点")
# Central organs: their plans govern the country, not a region.
CENTRAL = re.compile(r"^(?:国务院|中共中央|全国|国家(?!级)|工业和信息化部|财政部|科技部|"
                     r"生态环境部|住房和城乡建设部|商务部|教育部|[^省市县区州]{2,12}部(?:办公厅)?$)")
DEADLINE = re.compile(r"到\s*20\d\d\s*年")
# A figure with a unit: a plan whose 到2025年 sentences are all qualitative sets no target.
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|万|亿|个|家|项|吨|人|千瓦|平方米|公里|座|台|条)")
# Units printed as labels (责任单位：…); not 各牵头单位要… in running text, nor a blank
# form's column header.
UNIT_LABELS = re.compile(r"(?:牵头单位|责任单位|配合单位)\s*[：:]")
MEASURES = ("region", "title", "tasks", "targets", "units")


@dataclass
class Row:
    path: str
    error: str | None = None
    local_plan: bool = False
    expects_targets: bool = False
    expects_units: bool = False
    found: dict[str, bool] = field(default_factory=dict)


@dataclass
class Survey:
    rows: list[Row]

    def plans(self) -> list[Row]:
        return [r for r in self.rows if r.local_plan and not r.error]

    def _pool(self, measure: str) -> list[Row]:
        ok = [r for r in self.rows if not r.error]
        if measure == "units":
            return [r for r in ok if r.expects_units]
        if measure == "targets":
            return [r for r in self.plans() if r.expects_targets]
        return self.plans()

    def share_counts(self) -> dict[str, tuple[float, int, int]]:
        out = {"no failure": (1 - len(self.failed()) / len(self.rows) if self.rows else 1.0,
                              len(self.rows) - len(self.failed()), len(self.rows))}
        for m in MEASURES:
            pool = self._pool(m)
            n = sum(r.found[m] for r in pool)
            out[m] = (n / len(pool) if pool else 1.0, n, len(pool))
        return out

    def shares(self) -> dict[str, float]:
        return {k: v[0] for k, v in self.share_counts().items()}

    def failed(self) -> dict[str, str]:
        return {r.path: r.error for r in self.rows if r.error}

    def missing(self) -> dict[str, list[str]]:
        return {m: [r.path for r in self._pool(m) if not r.found[m]] for m in MEASURES}


def _row(path: Path, ex: Extraction, text: str) -> Row:
    head = text[:600]
    title = ex.plan.title or ""
    local = bool(PLAN_KINDS.search(title or head)) and not CENTRAL.search(
        ex.plan.issuer or title or "")
    targets = bool(DEADLINE.search(text) and FIGURE.search(text))
    return Row(path_text(path), local_plan=local, expects_targets=targets,
               expects_units=bool(UNIT_LABELS.search(text)),
               found={"region": bool(ex.plan.region), "title": bool(ex.plan.title),
                      "tasks": bool(ex.tasks), "targets": bool(ex.targets),
                      "units": bool(ex.units)})


def survey(folder: str | Path, rules: Rules | None = None, workers: int = 2,
           max_mb: float = DEFAULT_MAX_MB) -> Survey:
    rules = rules or load_rules()
    files = plan_files(folder)
    rows = []
    for path, got in run_jobs([Job(f, rules, max_mb) for f in files], workers):
        if isinstance(got, PolicyGraphError):
            rows.append(Row(path_text(path), error=got.line()))
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
            rows.append(_row(path, got, text))
    return Survey(rows)
