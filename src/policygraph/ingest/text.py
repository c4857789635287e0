"""Plain text in any of the encodings Chinese offices save in."""

from __future__ import annotations

import codecs
import re
from typing import Callable

from ..errors import Errors, InputError
from .blocks import Block

_MAGIC = [
    (b"\x89PNG", "PNG image"), (b"GIF8", "GIF image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"\x7fELF", "executable"), (b"PK\x03\x04", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "Office file that is not a Word document"),
]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode text bytes: BOMs first, then strict UTF-8, UTF-16, GB18030, then a guess."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(Errors.E005, name, kind=kind)
    text, encoding = _decode(data)
    if text is None:
        raise InputError(Errors.E007, name)
    if _looks_binary(text):
        raise InputError(Errors.E005, name, kind="control characters")
    return text, encoding


def _decode(data: bytes) -> tuple[str | None, str]:
    boms = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
            (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16")]
    for bom, enc in boms:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                break
    candidates = ["utf-8"]
    nul_even, nul_odd = data[0::2].count(0), data[1::2].count(0)
    half = max(len(data) // 2, 1)
    if nul_odd / half > 0.2:  # ASCII-heavy UTF-16 without BOM: zeros in the high bytes
        candidates.insert(0, "utf-16-le")
    elif nul_even / half > 0.2:
        candidates.insert(0, "utf-16-be")
    candidates.append("gb18030")
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None, ""
    return str(best), best.encoding


def _looks_binary(text: str) -> bool:
    sample = text[:200_000]
    if not sample:
        return False
    return len(_CONTROL.findall(sample)) / len(sample) > 0.01


# --------------------------------------------------------------------------- blocks
def text_blocks(text: str, starts_block: Callable[[str], bool]) -> list[Block]:
    """A plain text as blocks: one paragraph a line, but for the tables a text saved from
    Word prints (each cell a line led by a tab, a cell's further lines untabbed, a blank
    line between rows). ``starts_block`` tells a heading, which no cell runs on into."""
    lines = text.split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("\t") and lines[i].strip():
            table, end = _tab_table(lines, i, starts_block)
            if table is not None:
                blocks.append(table)
                i = end
                continue
        blocks.append(Block("paragraph", lines[i], line=i + 1))
        i += 1
    return blocks


def _tab_table(lines: list[str], i: int,
               starts_block: Callable[[str], bool]) -> tuple[Block | None, int]:
    """The tab-led table from lines[i], and the index after it; None when it is not two
    rows of two cells at least (a lone tab-led line is a boxed heading, 专栏1 …)."""
    rows: list[list[str]] = []
    at: list[list[int]] = []  # the line of each cell
    row: list[str] = []
    row_at: list[int] = []
    j = i
    while j < len(lines):
        line = lines[j]
        if not line.strip():
            if row:
                rows.append(row)
                at.append(row_at)
                row, row_at = [], []
            nxt = next((lines[k] for k in range(j + 1, len(lines)) if lines[k].strip()), "")
            if not nxt.startswith("\t"):
                break
        elif line.startswith("\t"):
            row.append(line[1:])
            row_at.append(j + 1)
        elif row and not starts_block(line.strip()):
            row[-1] += "\n" + line  # a cell's further line
        else:
            break
        j += 1
    if row:
        rows.append(row)
        at.append(row_at)
    if len(rows) < 2 or len(rows[0]) < 2:
        return None, i
    return Block("table", rows=rows, line=i + 1, cell_lines=at), j
