"""What every reader returns: typed blocks with their place in the original.

A reader turns a file into :class:`Block` s — headings, paragraphs and tables with cells —
each carrying the page (paged formats) and line where it starts in the original. ``render``
is the one place that lays blocks out as the lines the cleaning and structure stages read
(a table as one tab-led line per cell, a blank line between rows), and it keeps for every
rendered line the (page, line) it came from, so a fact's quote can be found again there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "table"]


@dataclass(slots=True)
class Block:
    kind: BlockKind
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)  # tables only
    page: int | None = None  # 1-based; None for formats without pages
    # 1-based line of the original where the block starts (on its page); 0 when the
    # format has no lines of its own (Word): the line it is rendered on is its line.
    line: int = 0
    # Where a paragraph goes on to another printed line: (offset in text, page, line).
    # Rendered as lines of their own that cleaning joins back, so each character keeps
    # the page and line it was printed on.
    wraps: list[tuple[int, int | None, int]] = field(default_factory=list)


@dataclass(slots=True)
class Read:
    """A reader's result: the blocks, how the bytes were decoded, and metadata the file
    states outside its text (a web page's 发文机关 / 成文日期 / 发文字号 table)."""

    blocks: list[Block]
    encoding: str
    meta: dict[str, str] = field(default_factory=dict)
    paged: bool = False


@dataclass(slots=True)
class Rendered:
    text: str
    origins: list[tuple[int | None, int]]  # (page, line) of each rendered line
    wrapped: set[int]  # 1-based rendered lines that go on from the line before


def render(blocks: list[Block]) -> Rendered:
    """The blocks as lines, and for each line its (page, line) in the original."""
    out = Rendered("", [], set())
    lines: list[str] = []

    def put(text: str, page: int | None, line: int) -> None:
        lines.append(text)
        out.origins.append((page, line or len(lines)))

    for b in blocks:
        if b.kind == "table":
            for row in b.rows:
                put("", b.page, b.line)
                for cell in row:
                    first, *rest = cell.split("\n")
                    put("\t" + first, b.page, b.line)
                    for text in rest:
                        put(text, b.page, b.line)
            put("", b.page, b.line)
        elif b.wraps:
            cuts = [(0, b.page, b.line), *b.wraps, (len(b.text), None, 0)]
            for (a, page, line), (z, _, _) in zip(cuts, cuts[1:]):
                if a:
                    out.wrapped.add(len(lines) + 1)
                put(b.text[a:z], page, line)
        else:
            for k, text in enumerate(b.text.split("\n")):
                put(text, b.page, b.line + k if b.line else 0)
    out.text = "\n".join(lines)
    return out


def text_blocks(text: str) -> list[Block]:
    """A plain text as blocks: one paragraph per line, so rendering gives it back."""
    return [Block("paragraph", line_text, line=no)
            for no, line_text in enumerate(text.split("\n"), 1)]
