"""What every reader returns: typed blocks with their place in the original.

A reader turns a file into :class:`Block` s — headings, paragraphs and tables with cells —
each carrying the page (paged formats) and line where it starts in the original. ``render``
is the one place that lays blocks out as the lines the cleaning stage reads (a table as
one line per line of each cell, a blank line between rows), and it keeps for every rendered
line the (page, line) it came from, so a fact's quote can be found again there, and for
every table which rendered lines print each of its cells: the structure stage takes a
table's rows and cells from there, never guesses them from the layout of the text.
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
    # Tables: the line each cell starts on (a plain text's line, a PDF page's line); when
    # empty, every cell takes the table's line.
    cell_lines: list[list[int]] = field(default_factory=list)
    # A table that goes on from the table block before it (its next page): its rows are
    # that table's further rows; with ``cut_row``, its first row the rest of that table's
    # last row, which the page break cut.
    continues: bool = False
    cut_row: bool = False


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
    # Each table block's rows of cells, a cell as the 1-based rendered lines printing it
    # (none for an empty cell).
    tables: list[list[list[list[int]]]]

    @property
    def cell_lines(self) -> set[int]:
        return {no for t in self.tables for row in t for cell in row for no in cell}


def render(blocks: list[Block]) -> Rendered:
    """The blocks as lines, for each line its (page, line) in the original, and for each
    table the lines printing each of its cells."""
    out = Rendered("", [], set(), [])
    lines: list[str] = []

    def put(text: str, page: int | None, line: int) -> None:
        lines.append(text)
        out.origins.append((page, line or len(lines)))

    head: list[str] | None = None  # the header of the table being rendered
    for b in blocks:
        if b.kind == "table":
            if not (b.continues and out.tables):
                out.tables.append([])
                head = b.rows[0] if b.rows else None
            table = out.tables[-1]
            repeated = b.continues and bool(b.rows) and b.rows[0] == head
            for r, row in enumerate(b.rows):
                put("", b.page, b.line)
                cells: list[list[int]] = [[] for _ in row]
                if r == 0 and b.cut_row and table:
                    cells = table[-1] + cells[len(table[-1]):]
                    table[-1] = cells
                elif r or not repeated:  # a header printed again on the next page is no row
                    table.append(cells)
                for c, cell in enumerate(row):
                    for k, text in enumerate(cell.split("\n")):
                        put(text, b.page, b.cell_lines[r][c] + k if b.cell_lines else b.line)
                        if text.strip():
                            cells[c].append(len(lines))
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
