"""Cleaning: rendered lines → the cleaned text the structure stage reads, with a line map.

``clean`` removes conversion debris by the patterns in ``knowledge/cleaning.yml``, drops
page furniture and joins lines that a page break or a title layout cut apart. The lines of
table cells are kept as they are (never dropped, never joined), and where each one ends up
in the cleaned text is returned, so the tables can be laid over the cleaned text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..rules import Rules

# Full-width digits and Latin letters print the same facts as ASCII ones (２０２５年 = 2025年).
_FULLWIDTH = {c: c - 0xFEE0 for c in range(ord("０"), ord("９") + 1)}
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(ord("Ａ"), ord("Ｚ") + 1)})
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(ord("ａ"), ord("ｚ") + 1)})
_FULLWIDTH[0x3000] = 0x20  # ideographic space
# Only runs of those characters are translated: str.translate costs ~100 ns a character
# through a dict, and most of a text has none of them.
_FULLWIDTH_RUN = re.compile("[" + "".join(map(chr, sorted(_FULLWIDTH))) + "]+")
_SPACES = re.compile(r"[ \t]{2,}")  # runs of blanks left by conversion
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # all but \t, \n (CRLF: the \r goes)
_LINE_LIKE = re.compile("[\x85\u2028\u2029]")  # breaks for str.splitlines, not for grep


# -------------------------------------------------------------------------- cleaning
@dataclass
class Cleaned:
    text: str
    line_map: list[tuple[int, int]]
    # Rendered line of a table cell → its (start, end) in ``text``.
    cell_spans: dict[int, tuple[int, int]]


@dataclass
class _Line:
    text: str
    segments: list[tuple[int, int]]  # (offset inside this line, rendered line number)
    cell: bool  # prints (part of) a table cell

    def join(self, other: "_Line") -> None:
        shift = len(self.text)
        self.text += other.text
        self.segments += [(off + shift, no) for off, no in other.segments]


def clean(raw: str, rules: Rules, wrapped: set[int] | frozenset[int] = frozenset(),
          cells: set[int] | frozenset[int] = frozenset()) -> Cleaned:
    """Remove debris, drop page furniture, join broken lines; keep a line map. The
    ``wrapped`` lines (a fixed-layout reader's) go on from the line before; the ``cells``
    lines print table cells."""
    raw = rules.cleaning.to_simplified(raw)
    raw = _FULLWIDTH_RUN.sub(lambda m: m.group(0).translate(_FULLWIDTH), raw)
    raw = rules.cleaning.strip_debris(raw)  # one pass, not one a line: none spans a line
    lines = [_clean_line(line, no, no in cells) for no, line in enumerate(_lines(raw), 1)]
    if wrapped:
        lines = _rewrap(lines, wrapped)
    lines = [ln for k, ln in enumerate(lines) if ln.cell or not rules.cleaning.is_dropped(ln.text)
             or _table_cell(lines, k, rules)]
    lines = _join_broken(lines, rules, _wrap_width(lines))
    return _assemble(lines)


def _width(text: str) -> int:
    """Printed width: a Chinese character takes two columns, a digit or a space one."""
    return len(text) + sum(1 for c in text if c >= "\u2e80")


def _wrap_width(lines: list[_Line]) -> int | None:
    """The width at which a converter broke every line of a paragraph (pdftotext prints a
    page's lines as they are printed): most long lines end within a few columns of the
    widest ones. None for a text with a paragraph a line."""
    widths = sorted(_width(ln.text) for ln in lines if ln.text and not ln.cell)
    if len(widths) < 10:
        return None
    widest = widths[int(len(widths) * 0.9)]
    full = widest - WRAP_SLACK
    if widest < WRAP_MIN or sum(full <= w <= widest for w in widths) < len(widths) * 0.4:
        return None
    return full


WRAP_MIN = 40  # columns: narrower lines are a list, not wrapped prose
WRAP_SLACK = 6  # a full line ends short of the widest when a wide character did not fit


def _rewrap(lines: list[_Line], wrapped: set[int] | frozenset[int]) -> list[_Line]:
    out: list[_Line] = []
    for no, line in enumerate(lines, 1):
        if no in wrapped and out:
            out[-1].join(line)
        else:
            out.append(line)
    return out


def _lines(text: str) -> list[str]:
    """The text's lines as grep counts them (a line ends at \n only, so a provenance line
    number is the one an editor shows), without control characters: a NUL below the
    binary threshold would reach the facts, and one engine cuts strings at it. Lines are
    the rendered ones, each with its origin: old Mac \r line ends are the text reader's
    to turn into \n (here a \r is a control character, as in an HTML page's text)."""
    text = _LINE_LIKE.sub(" ", _CONTROL_CHARS.sub("", text))
    return text.split("\n")


def _table_cell(lines: list["_Line"], k: int, rules: Rules) -> bool:
    """A bare number whose nearest lines on both sides are short: a cell of a table
    flattened one cell per line (基数 132 目标值 230), not a page number."""
    if not lines[k].text.isdigit():
        return False
    limit = rules.cleaning.table_cell_max
    before = next((ln.text for ln in reversed(lines[max(0, k - 3):k]) if ln.text), None)
    after = next((ln.text for ln in lines[k + 1:k + 4] if ln.text), None)
    return before is not None and after is not None and len(before) <= limit \
        and len(after) <= limit


def _clean_line(line: str, number: int, cell: bool) -> _Line:
    line = _SPACES.sub(" ", line.replace("\t", " ")).strip()
    return _Line(line, [(0, number)], cell and bool(line))


def _next_text(lines: list[_Line], i: int) -> tuple[int, int]:
    """Index of the next non-blank line after i, and how many blank lines lie between."""
    j = i + 1
    while j < len(lines) and not lines[j].text:
        j += 1
    return j, j - i - 1


def _join_broken(lines: list[_Line], rules: Rules, wrap: int | None) -> list[_Line]:
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.text and not line.cell:
            i = _absorb_continuations(lines, i, rules, wrap)
        out.append(line)
        i += 1
    return out


def _absorb_continuations(lines: list[_Line], i: int, rules: Rules, wrap: int | None) -> int:
    """Join into lines[i] the lines that continue it; return the last index consumed."""
    line = lines[i]
    while True:
        j, blanks = _next_text(lines, i)
        if j >= len(lines) or lines[j].cell or rules.cleaning.is_complete(line.text):
            return i
        parts = _title_parts(lines, i, j, rules)
        if not parts and blanks >= 2 and not rules.headings.starts_block(lines[j].text):
            parts = [j]  # a paragraph cut by a page break
        if (not parts and not blanks and wrap and _width(lines[i].text) >= wrap
                and not rules.headings.starts_block(lines[j].text)):
            parts = [j]  # a line the converter broke at the page's width
        if not parts:
            return i
        for k in parts:
            line.join(lines[k])
        i = parts[-1]


def _title_parts(lines: list[_Line], i: int, j: int, rules: Rules) -> list[int]:
    """Indices of the short lines that, joined to lines[i], end like a plan title."""
    c = rules.cleaning
    head = lines[i].text
    if len(head) > c.title_part_max or c.ends_title(head) or rules.headings.starts_block(head):
        return []
    nxt = lines[j].text
    if rules.headings.starts_block(nxt) or rules.metadata.rx["issuer"].match(head):
        return []  # an issuing office on its line (中共石家庄市委) is no part of a title
    if len(nxt) <= c.title_part_max * 2 and c.ends_title(head + nxt):
        return [j]
    k, _ = _next_text(lines, j)  # a title in three parts
    if (len(nxt) <= c.title_part_max and k < len(lines) and not lines[k].cell
            and not c.is_complete(nxt) and not rules.headings.starts_block(lines[k].text)
            and c.ends_title(head + nxt + lines[k].text)):
        return [j, k]
    return []


def _assemble(lines: list[_Line]) -> Cleaned:
    while lines and not lines[-1].text:
        lines = lines[:-1]
    parts: list[str] = []
    line_map: list[tuple[int, int]] = []
    cell_spans: dict[int, tuple[int, int]] = {}
    offset = 0
    previous_blank = True
    for line in lines:
        if not line.text:
            if previous_blank:
                continue  # collapse runs of blank lines; keep one as a separator
            previous_blank = True
        else:
            previous_blank = False
        if line.cell:  # never joined: one segment, its rendered line
            cell_spans[line.segments[0][1]] = (offset, offset + len(line.text))
        line_map += [(offset + off, no) for off, no in line.segments]
        parts.append(line.text)
        offset += len(line.text) + 1
    text = "\n".join(parts)
    return Cleaned(text, line_map, cell_spans)
