"""Fixed-layout pages (PDF, OCR, OFD) → blocks: the printed lines put back into paragraphs.

A fixed-layout format knows only where each line is printed. Three layout facts, not
wording, recover the text: a line that runs to the right margin continues on the next line
when that line starts at the left margin (a new paragraph is indented, a heading is short);
lines printed in the top or bottom band of most pages (running headers, 第 3 页, — 3 —) are
page furniture; a table is a grid of two or more columns found by the reader.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from typing import Callable

from .blocks import Block


@dataclass(slots=True)
class PLine:
    """One printed line: its text and box (x to the right, y downwards, in points)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    line: int  # 1-based order on its page, as pdftotext numbers lines


@dataclass(slots=True)
class PTable:
    top: float
    rows: list[list[str]]
    cell_lines: list[list[int]]  # the page line each cell starts on


@dataclass(slots=True)
class Page:
    number: int
    width: float
    height: float
    lines: list[PLine]
    tables: list[PTable] = field(default_factory=list)


_PAGE_NUMBER = re.compile(r"^[-—–－\s·]*(第\s*)?\d{1,4}(\s*页)?([/／]\s*\d+\s*页?)?[-—–－\s·]*$")
_DIGITS = re.compile(r"\d+")
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f]) +(?=[^\x00-\x7f])")
BAND = 0.09  # share of the page height at the top and at the bottom where furniture sits


def is_page_number(text: str) -> bool:
    """— 3 —, 第3页, 3/12: a line that only numbers its page."""
    return _PAGE_NUMBER.match(text) is not None


def tidy(text: str) -> str:
    """A line's text without the blanks a layout puts between CJK characters
    (合 肥 市, letter-spaced titles); blanks between Latin letters or digits stay."""
    return _CJK_GAP.sub("", text.strip())


def blocks_from_pages(pages: list[Page],
                      starts_block: Callable[[str], bool] = lambda _: False) -> list[Block]:
    """Body lines joined into paragraphs across lines and pages, tables in their place.
    ``starts_block`` tells a line that opens a heading or a 牵头单位 line: it is never
    joined to the line before, even when that one runs to the margin."""
    furniture = _furniture(pages)
    body = [[ln for ln in p.lines if (p.number, ln.line) not in furniture and ln.text]
            for p in pages]
    flat = [ln for lines in body for ln in lines]
    if not flat:
        return [Block("table", rows=t.rows, page=p.number, line=1, cell_lines=t.cell_lines)
                for p in pages for t in p.tables]
    size = median(ln.bottom - ln.top for ln in flat) or 10.0
    left = _quantile([ln.x0 for ln in flat], 0.1)
    right = _quantile([ln.x1 for ln in flat], 0.8)
    blocks: list[Block] = []
    open_para: Block | None = None
    last: PLine | None = None
    for page, lines in zip(pages, body):
        items: list[tuple[float, PLine | PTable]] = [(ln.top, ln) for ln in lines]
        items += [(t.top, t) for t in page.tables]
        items.sort(key=lambda it: it[0])
        for k, (top, item) in enumerate(items):
            if isinstance(item, PTable):
                table = Block("table", rows=item.rows, page=page.number,
                              line=_line_at(lines, top), cell_lines=item.cell_lines)
                if k == 0 and blocks and _goes_on(blocks[-1], table):
                    table.continues = True
                    table.cut_row = _cut_row(blocks[-1].rows, table.rows)
                blocks.append(table)
                open_para, last = None, None
                continue
            if (open_para is not None and last is not None
                    and last.x1 >= right - 1.5 * size and item.x0 <= left + 0.6 * size
                    and not starts_block(item.text)):
                open_para.wraps.append((len(open_para.text), page.number, item.line))
                open_para.text += item.text  # a wrapped line: the sentence goes on
            else:
                open_para = Block("paragraph", item.text, page=page.number, line=item.line)
                blocks.append(open_para)
            last = item
    return blocks


def _goes_on(before: Block, table: Block) -> bool:
    """A table first on its page goes on from one last on the page before when they have
    as many columns: a page break cut it."""
    def width(b: Block) -> int:
        return max(map(len, b.rows), default=0)
    return (before.kind == "table" and before.page is not None and table.page == before.page + 1
            and width(before) == width(table))


def _cut_row(before: list[list[str]], after: list[list[str]]) -> bool:
    """Is the first row on the new page the rest of the last row on the page before? A row
    with no number where the rows are numbered (序号 1, 2, 3 …), or one mostly empty."""
    first = after[0] if after else []
    if not first or not before or first == before[0]:
        return False
    numbered = sum(row[0].strip().isdigit() for row in before[1:] if row) > len(before) // 2
    empty = sum(not c.strip() for c in first)
    return (numbered and not first[0].strip()) or empty * 2 > len(first)


def _line_at(lines: list[PLine], top: float) -> int:
    """The page line number a table starting at ``top`` takes: that of the first line
    below it, else one past the last line above it."""
    below = [ln.line for ln in lines if ln.top >= top]
    return min(below) if below else max((ln.line for ln in lines), default=0) + 1


def _furniture(pages: list[Page]) -> set[tuple[int, int]]:
    """(page, line) of running headers, footers and page numbers: lines in the top or
    bottom band that are page numbers, or that repeat (digits aside) on most pages."""
    def banded(p: Page) -> list[PLine]:
        return [ln for ln in p.lines
                if ln.bottom <= p.height * BAND or ln.top >= p.height * (1 - BAND)]

    shapes = Counter(_DIGITS.sub("#", ln.text) for p in pages
                     for ln in _one_per_shape(banded(p)))
    repeated = {s for s, n in shapes.items() if len(pages) >= 3 and n >= max(3, len(pages) * 0.4)}
    return {(p.number, ln.line) for p in pages for ln in banded(p)
            if is_page_number(ln.text) or _DIGITS.sub("#", ln.text) in repeated}


def _one_per_shape(lines: list[PLine]) -> list[PLine]:
    """One line per distinct text on a page: a shape counts once a page."""
    seen: dict[str, PLine] = {}
    for ln in lines:
        seen.setdefault(_DIGITS.sub("#", ln.text), ln)
    return list(seen.values())


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def group_lines(chars: list[tuple[str, float, float, float, float]]) -> list[PLine]:
    """Characters or runs (text, x0, x1, top, bottom) → lines, top to bottom: a run joins
    the line whose vertical middle it shares. Used by formats that give no lines."""
    rows: list[list[tuple[str, float, float, float, float]]] = []
    for ch in sorted(chars, key=lambda c: (c[3] + c[4]) / 2):
        mid = (ch[3] + ch[4]) / 2
        if rows and abs(mid - _mid(rows[-1])) <= max(1.0, (ch[4] - ch[3]) * 0.45):
            rows[-1].append(ch)
        else:
            rows.append([ch])
    out = []
    for no, row in enumerate(rows, 1):
        row.sort(key=lambda c: c[1])
        text = ""
        for k, c in enumerate(row):
            gap = c[1] - row[k - 1][2] if k else 0
            text += (" " if gap > (c[4] - c[3]) * 0.5 else "") + c[0]
        out.append(PLine(tidy(text), row[0][1], max(c[2] for c in row),
                         min(c[3] for c in row), max(c[4] for c in row), no))
    return out


def _mid(row: list[tuple[str, float, float, float, float]]) -> float:
    return sum((c[3] + c[4]) / 2 for c in row) / len(row)
