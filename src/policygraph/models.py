"""Pydantic models shared by every stage: Source → Document → Extraction."""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal, Optional

from pydantic import BaseModel, Field


# --------------------------------------------------------------------------- ingest
class Source(BaseModel):
    """A cleaned document text with a map back to the lines of the file it came from."""

    path: str
    sha256: str
    encoding: str
    text: str
    # Sorted (offset in text, 1-based line in the source file) pairs: the character at
    # ``offset`` and those after it, up to the next pair, come from that source line.
    line_map: list[tuple[int, int]] = Field(default_factory=list)
    # The tables the reader found: each a list of rows, each row its cells, each cell the
    # (start, end) in ``text`` of every line printing it (none for an empty cell).
    tables: list[list[list[list[tuple[int, int]]]]] = Field(default_factory=list)
    # Paged formats (PDF, OFD): sorted (offset in text, 1-based page) pairs, and line_map
    # then counts lines on each page.
    page_map: list[tuple[int, int]] = Field(default_factory=list)
    # What the file states outside its text: a web page's title, issuer, date, number.
    meta: dict[str, str] = Field(default_factory=dict)

    def line_of(self, offset: int) -> int:
        """1-based source line of a character offset in ``text``."""
        if not self.line_map:
            return 1
        i = bisect_right(self.line_map, (offset, float("inf"))) - 1
        return self.line_map[max(i, 0)][1]

    def page_of(self, offset: int) -> int | None:
        """1-based page of a character offset, for paged formats; else None."""
        if not self.page_map:
            return None
        i = bisect_right(self.page_map, (offset, float("inf"))) - 1
        return self.page_map[max(i, 0)][1]


class Provenance(BaseModel):
    """Where a fact was read: ``quote == Source.text[start:end]``."""

    file: str
    line: int  # on its page, for paged formats
    start: int
    end: int
    quote: str
    page: Optional[int] = None  # PDF and OFD only


# ------------------------------------------------------------------------ structure
NodeKind = Literal[
    "document", "section", "item", "inline_item", "box", "box_item", "annex",
    "table", "paragraph", "assignment",
]


class Table(BaseModel):
    header: list[str]
    rows: list[list[str]]
    # (start, end) text span of every cell, row by row, header first.
    cell_spans: list[list[tuple[int, int]]] = Field(default_factory=list)


class Node(BaseModel):
    """One node of the document tree. ``start``/``end`` cover the node and its children."""

    kind: NodeKind
    label: Optional[str] = None  # numbering as printed, normalised: 二, （一）, 1, （1）, 一是
    number: Optional[int] = None
    style: Optional[str] = None  # heading pattern name from knowledge/headings.yml
    level: int = 0
    title: str = ""
    start: int = 0
    end: int = 0
    body_start: int = 0  # where the text after the number begins
    key: Optional[str] = None  # numbering path: 二.（一）, 一.（二）.4 or 4
    is_task: bool = False
    table: Optional[Table] = None
    children: list["Node"] = Field(default_factory=list)

    def walk(self):
        """This node and all below it, in document order (iterative: a deep tree of
        nested generators costs a call per level for every node)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


class PlanMeta(BaseModel):
    title: Optional[str] = None
    region: Optional[str] = None
    issuer: Optional[str] = None
    doc_number: Optional[str] = None
    status: Literal["draft", "final"] = "final"
    period_start: Optional[int] = None
    period_end: Optional[int] = None
    issued: Optional[str] = None  # ISO date


class Document(BaseModel):
    source: Source
    meta: PlanMeta
    root: Node

    def tasks(self) -> list[Node]:
        return [n for n in self.root.walk() if n.is_task]

    def tables(self) -> list[Node]:
        return [n for n in self.root.walk() if n.kind == "table"]


# ------------------------------------------------------------------------- extract
Role = Literal["lead", "support", "responsible"]
Comparator = Literal[">=", ">", "=", "~", "<=", "<"]


class TaskFact(BaseModel):
    key: str
    title: str
    text: str
    level: int
    parent: Optional[str] = None
    prov: Provenance


class UnitFact(BaseModel):
    task: Optional[str]
    role: Role
    name: str  # as written, shared prefix distributed
    canonical: str
    region: Optional[str] = None
    kind: str = "government"  # government | collective | organisation
    prov: Provenance


class TargetFact(BaseModel):
    task: Optional[str]
    metric: str
    value: float
    value_max: Optional[float] = None
    unit: Optional[str]  # None for an index (两化融合发展指数达到71)
    comparator: Comparator
    year: Optional[int] = None
    scope: Optional[str] = None  # 累计 | 新增 | 年均增长 | 每年 ...
    baseline: Optional[float] = None
    baseline_year: Optional[int] = None
    prov: Provenance


class PlatformFact(BaseModel):
    task: Optional[str]
    name: str
    kind: str
    level: Optional[str] = None
    host: Optional[str] = None
    prov: Provenance


class IncentiveFact(BaseModel):
    """Money a plan promises: "给予每家最高30万元奖励" → amount 30, unit 万元, max."""

    task: Optional[str]
    what: str  # the action or beneficiary, in a few words
    amount: float
    unit: str  # 万元, 亿元, 元, % (a rate)
    max: bool = False  # 最高 / 不超过: a cap, not a fixed sum
    rate: bool = False  # a share (按…的20%)
    prov: Provenance


class OrgFact(BaseModel):
    name: str
    kind: str
    prov: Provenance


class FieldFact(BaseModel):
    task: Optional[str]
    name: str
    prov: Provenance


class CitedDoc(BaseModel):
    title: str
    prov: Provenance


class Extraction(BaseModel):
    source: str
    sha256: str
    plan: PlanMeta
    tasks: list[TaskFact] = Field(default_factory=list)
    units: list[UnitFact] = Field(default_factory=list)
    targets: list[TargetFact] = Field(default_factory=list)
    platforms: list[PlatformFact] = Field(default_factory=list)
    incentives: list[IncentiveFact] = Field(default_factory=list)
    organizations: list[OrgFact] = Field(default_factory=list)
    fields: list[FieldFact] = Field(default_factory=list)
    cited: list[CitedDoc] = Field(default_factory=list)
