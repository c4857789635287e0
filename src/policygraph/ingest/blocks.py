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


@dataclass(slots=True)
class Read:
    """A reader's result: the blocks, how the bytes were decoded, and metadata the file
    states outside its text (a web page's 发文机关 / 成文日期 / 发文字号 table)."""

    blocks: list[Block]
    encoding: str
    meta: dict[str, str] = field(default_factory=dict)
    paged: bool = False


def render(blocks: list[Block]) -> tuple[str, list[tuple[int | None, int]]]:
    """The blocks as lines, and for each line its (page, line) in the original."""
    lines: list[str] = []
    origins: list[tuple[int | None, int]] = []

    def put(text: str, b: Block, k: int = 0) -> None:
        lines.append(text)
        origins.append((b.page, b.line + k if b.line else len(lines)))

    for b in blocks:
        if b.kind != "table":
            for k, text in enumerate(b.text.split("\n")):
                put(text, b, k)
            continue
        for row in b.rows:
            put("", b)
            for cell in row:
                first, *rest = cell.split("\n")
                put("\t" + first, b)
                for text in rest:
                    put(text, b)
        put("", b)
    return "\n".join(lines), origins


def text_blocks(text: str) -> list[Block]:
    """A plain text as blocks: one paragraph per line, so rendering gives it back."""
    return [Block("paragraph", line_text, line=no)
            for no, line_text in enumerate(text.split("\n"), 1)]
