"""What every extractor needs to know about a place in a document.

A :class:`Segment` is one printed line of the tree (a heading line, a paragraph, a box item)
with the task that owns it and whether its section describes the past. Extractors read
segments, never the raw tree, so the rules of ownership live in one place.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from functools import cached_property

from ..models import Document, Node, Provenance
from ..rules import Rules
from ..lang import cn_number
from ..structure import parent_map

LINE_KINDS = ("section", "item", "box", "box_item", "paragraph", "annex")
CLAUSE_STOPS = "，。；：,;:！？!?\n"
CLAUSE_END = re.compile(f"[{CLAUSE_STOPS}]")
# How far back a clause, a sentence or a name may reach: keeps one pathological line
# (a megabyte without punctuation) linear instead of quadratic.
MAX_CLAUSE = 200
MAX_SENTENCE = 400
SENTENCE_STOPS = "。；;！？!?\n"
SENTENCE_END = re.compile(f"[{SENTENCE_STOPS}]")


@dataclass(slots=True)
class Segment:
    start: int
    end: int
    node: Node
    task: Node | None  # the task that owns this line, if any
    section: Node | None  # its top-level section
    past: bool  # the section describes the past (现有工作基础, 典型案例 ...)
    preamble: bool  # before the first top-level section


@dataclass
class Context:
    """A Document with the lookups extractors share."""

    doc: Document
    rules: Rules
    segments: list[Segment] = field(default_factory=list)
    # Spans an extractor has taken as its facts (an incentive's 30万元), sorted by start:
    # an extractor that runs later leaves them alone (it is not also a target).
    claimed: list[tuple[int, int]] = field(default_factory=list)
    text: str = field(init=False)  # the document's text (read everywhere: not a property)

    def __post_init__(self) -> None:
        self.text = self.doc.source.text

    def claim(self, start: int, end: int) -> None:
        insort(self.claimed, (start, end))

    def is_claimed(self, start: int, end: int) -> bool:
        return overlaps(self.claimed, start, end)

    def prov(self, start: int, end: int) -> Provenance:
        source = self.doc.source
        return Provenance(file=source.path, line=source.line_of(start), start=start, end=end,
                          quote=self.text[start:end], page=source.page_of(start))

    def line_end(self, start: int) -> int:
        """End of the printed line at ``start``, or of the part of a run-in line (a text
        with no line breaks) before the next block."""
        i = bisect_left(self.block_starts, start + 1)
        stop = self.block_starts[i] if i < len(self.block_starts) else len(self.text)
        # Only up to the next block: a text with few line breaks would otherwise make a
        # search from every line's start scan the rest of the text.
        end = self.text.find("\n", start, stop)
        return stop if end < 0 else end

    @cached_property
    def block_starts(self) -> list[int]:
        """Where each line-level block of the tree begins (not the items and unit tails
        that begin inside a line)."""
        return sorted({n.start for kind, nodes in self.nodes.items() if kind not in (
            "task", "document", "inline_item", "assignment") for n in nodes})

    @cached_property
    def nodes(self) -> dict[str, list[Node]]:
        """The tree's nodes by kind, and its tasks, from one walk (extractors ask often)."""
        out: dict[str, list[Node]] = {"task": []}
        for n in self.doc.root.walk():
            out.setdefault(n.kind, []).append(n)
            if n.is_task:
                out["task"].append(n)
        return out

    @property
    def tasks(self) -> list[Node]:
        return self.nodes["task"]

    @property
    def tables(self) -> list[Node]:
        return self.nodes.get("table", [])

    @cached_property
    def _deadlines(self) -> tuple[list[int], list[re.Match]]:
        found = list(self.rules.targets.rx["deadline"].finditer(self.text))
        return [m.start() for m in found], found

    def last_deadline(self, start: int, end: int) -> re.Match | None:
        """The last deadline (到2025年, 年内) printed wholly inside [start, end): found once
        for the document, so a target's look back costs a bisection, not a scan."""
        starts, found = self._deadlines
        i = bisect_left(starts, end) - 1
        while i >= 0 and found[i].start() >= start:
            if found[i].end() <= end:
                return found[i]
            i -= 1
        return None

    @cached_property
    def parent_of(self) -> dict[int, Node]:
        return parent_map(self.doc.root)

    def task_of(self, node: Node) -> Node | None:
        while node is not None:
            if node.is_task:
                return node
            node = self.parent_of.get(id(node))
        return None

    def own_span(self, task: Node) -> tuple[int, int]:
        """A task's heading line, paragraphs and unit lines: the text it owns directly."""
        end = self.line_end(task.start)
        for child in task.children:
            if child.kind in ("paragraph", "assignment") and child.start >= task.start:
                end = max(end, child.end)
        return task.start, end

    @cached_property
    def plan_year(self) -> int | None:
        """The year 年内/全年 refers to: the period's end, else the most cited deadline."""
        if self.doc.meta.period_end:
            return self.doc.meta.period_end
        counts: dict[int, int] = {}
        for seg in self.segments:
            if seg.past or seg.preamble:
                continue
            for m in self.rules.targets.rx["year"].finditer(self.text, seg.start, seg.end):
                year = cn_number(m["year"])  # 2035 or 二〇三五
                counts[year] = counts.get(year, 0) + 1
        return max(counts, key=counts.get) if counts else None


def build_context(doc: Document, rules: Rules) -> Context:
    ctx = Context(doc, rules)
    past_rx = rules.targets.rx["past_sections"]
    # A text with no sections at all (a news item on a plan) has no preamble to skip.
    sectioned = any(c.kind in ("section", "annex") for c in doc.root.children)

    # (node, its top-level section, in a past section, the task that owns it), depth first;
    # the owning task is carried down rather than looked up from each node.
    stack: list[tuple[Node, Node | None, bool, Node | None]] = [(doc.root, None, False, None)]
    while stack:
        node, section, past, task = stack.pop()
        for child in reversed(node.children):
            top = section or (child if child.kind in ("section", "annex") else None)
            is_past = past or (child.kind in ("section", "item")
                               and bool(past_rx.search(child.title)))
            owner = child if child.is_task else task
            if child.kind in LINE_KINDS and not (child.kind == "box" and not child.title):
                ctx.segments.append(Segment(
                    start=child.start, end=ctx.line_end(child.start), node=child,
                    task=owner, section=top, past=is_past, preamble=top is None and sectioned))
            stack.append((child, top, is_past, owner))
    ctx.segments.sort(key=lambda s: s.start)
    return ctx


def overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Does [start, end) overlap one of ``spans``? They are sorted and do not overlap each
    other, so only the last one starting before ``end`` can."""
    i = bisect_left(spans, (end,))
    return i > 0 and spans[i - 1][1] > start


def _start_after(text: str, pos: int, floor: int, stops: str, reach: int) -> int:
    """Just after the last ``stops`` character before ``pos``, within ``reach``, not before
    floor (one rfind a character: a regex tried at each position back cost more)."""
    floor = max(floor, pos - reach)
    return max(floor, max(text.rfind(c, floor, pos) for c in stops) + 1)


def clause_start(text: str, pos: int, floor: int) -> int:
    """Start of the clause that holds ``pos`` (after the last ，。；：)."""
    return _start_after(text, pos, floor, CLAUSE_STOPS, MAX_CLAUSE)


def sentence_start(text: str, pos: int, floor: int) -> int:
    """Start of the sentence that holds ``pos`` (after the last 。；！？)."""
    return _start_after(text, pos, floor, SENTENCE_STOPS, MAX_SENTENCE)


def sentence_end(text: str, pos: int, ceiling: int) -> int:
    m = SENTENCE_END.search(text, pos, min(ceiling, pos + MAX_SENTENCE))
    return m.start() if m else min(ceiling, pos + MAX_SENTENCE)


def clause_end(text: str, pos: int, ceiling: int) -> int:
    m = CLAUSE_END.search(text, pos, ceiling)
    return m.start() if m else ceiling
