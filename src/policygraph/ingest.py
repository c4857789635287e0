"""Stage 1, ingest: file bytes → cleaned :class:`Source` text with a map back to source lines.

Readers turn each supported format into plain lines (Word tables become one tab-led line per
cell, a blank line between rows, as converters print them); ``clean`` then removes conversion
debris by the patterns in ``knowledge/cleaning.yml`` and joins lines that a page break or a
title layout cut apart.
"""

from __future__ import annotations

import codecs
import hashlib
import html.parser
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Errors, InputError
from .rules import Rules, load_rules

if TYPE_CHECKING:
    from .models import Source

TEXT_EXTS = {".txt", ".text", ".md", ".markdown"}
HTML_EXTS = {".html", ".htm"}
DOCX_EXTS = {".docx"}
SUPPORTED = sorted(TEXT_EXTS | HTML_EXTS | DOCX_EXTS)
DEFAULT_MAX_MB = 20.0

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

_MAGIC = [
    (b"\x89PNG", "PNG image"), (b"%PDF", "PDF"), (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"), (b"\x7fELF", "executable"),
    (b"PK\x03\x04", "ZIP archive"), (b"\xd0\xcf\x11\xe0", "legacy Office file (.doc/.xls)"),
]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


# ----------------------------------------------------------------------- public API
def path_text(path: str | Path) -> str:
    """A path as text every output can hold: a name that is not valid UTF-8 (bytes Python
    keeps as lone surrogates) shows its bad bytes as \\xff escapes instead of failing
    the JSON, the terminal or the database that receives it."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_source(path: str | Path, rules: Rules | None = None,
                max_mb: float = DEFAULT_MAX_MB) -> Source:
    """Read one plan file of any supported format into a cleaned Source."""
    from .models import Source

    rules = rules or load_rules()
    p = Path(path)
    name = path_text(path)
    if p.is_dir():
        raise InputError(Errors.E009, name, reason="a directory that cannot be listed")
    if p.exists() and not p.is_file():
        raise InputError(Errors.E012, name, kind=_special_kind(p))
    if not p.is_file():
        raise InputError(Errors.E001, name)
    ext = p.suffix.lower()
    if ext not in SUPPORTED:
        raise InputError(Errors.E002, name, ext=ext or "(none)", supported=", ".join(SUPPORTED))
    size = p.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise InputError(Errors.E006, name, size_mb=size / 1048576, limit_mb=max_mb)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(Errors.E009, name, reason=exc.strerror or str(exc)) from None
    if not data:
        raise InputError(Errors.E003, name)
    if ext in DOCX_EXTS:
        _check_unpacked(data, name, max_mb)
        raw, encoding = read_docx(data, name), "docx"
    else:
        raw, encoding = decode_bytes(data, name)
        if ext in HTML_EXTS:
            raw = html_to_text(raw)
    cleaned = clean(raw, rules)
    if not cleaned.text.strip():
        raise InputError(Errors.E004, name)
    return Source(path=name, sha256=hashlib.sha256(data).hexdigest(), encoding=encoding,
                  text=cleaned.text, line_map=cleaned.line_map, tab_lines=cleaned.tab_lines)


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


def _special_kind(p: Path) -> str:
    return ("a named pipe" if p.is_fifo() else "a character device" if p.is_char_device()
            else "a block device" if p.is_block_device() else "a socket" if p.is_socket()
            else "not a regular file")


def _check_unpacked(data: bytes, name: str, max_mb: float) -> None:
    """--max-mb holds for what an archive unpacks to, too: a 382 KB .docx whose
    document.xml unpacks to 100 MB took 4 minutes and 4.9 GB to read. The sizes come from
    the zip's directory, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # read_docx names what is wrong with it
    if unpacked > max_mb * 1024 * 1024:
        raise InputError(Errors.E011, name, size_mb=unpacked / 1048576, limit_mb=max_mb)


def read_docx(data: bytes, name: str = "<docx>") -> str:
    """Paragraphs and tables of a .docx in document order, tables as tab-led cell lines."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(Errors.E008, name, reason=_short(exc)) from None
    except Exception as exc:  # lxml and python-docx raise many kinds on broken parts
        raise InputError(Errors.E008, name, reason=_short(exc)) from None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if not isinstance(block.tag, str):
            continue  # an XML comment or processing instruction, not a block
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                lines.append("")
                for cell in row.cells:
                    cell_lines = cell.text.splitlines() or [""]
                    lines.append("\t" + cell_lines[0])
                    lines.extend(cell_lines[1:])
            lines.append("")
    return "\n".join(lines)


def _short(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0][:120]


class _HTMLText(html.parser.HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\n\t")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


# -------------------------------------------------------------------------- cleaning
@dataclass
class Cleaned:
    text: str
    line_map: list[tuple[int, int]]
    tab_lines: list[int]


@dataclass
class _Line:
    text: str
    segments: list[tuple[int, int]]  # (offset inside this line, source line number)
    tab: bool

    def join(self, other: "_Line") -> None:
        shift = len(self.text)
        self.text += other.text
        self.segments += [(off + shift, no) for off, no in other.segments]


def clean(raw: str, rules: Rules) -> Cleaned:
    """Remove debris, drop page furniture, join broken lines; keep a line map."""
    raw = rules.cleaning.to_simplified(raw)
    raw = _FULLWIDTH_RUN.sub(lambda m: m.group(0).translate(_FULLWIDTH), raw)
    raw = rules.cleaning.strip_debris(raw)  # one pass, not one a line: none spans a line
    lines = [_clean_line(line, no) for no, line in enumerate(_lines(raw), 1)]
    lines = [ln for k, ln in enumerate(lines) if ln.tab or not rules.cleaning.is_dropped(ln.text)
             or _table_cell(lines, k, rules)]
    lines = _join_broken(lines, rules)
    return _assemble(lines)


def _lines(text: str) -> list[str]:
    """The text's lines as grep counts them (a line ends at \n only, so a provenance line
    number is the one an editor shows), without control characters: a NUL below the
    binary threshold would reach the facts, and one engine cuts strings at it. A text
    with only \r line ends (old Mac files) is read with those as line ends."""
    if "\n" not in text:
        text = text.replace("\r", "\n")
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


def _clean_line(line: str, number: int) -> _Line:
    tab = line.startswith("\t")
    line = _SPACES.sub(" ", line.replace("\t", " ")).strip()
    return _Line(line, [(0, number)], tab and bool(line))


def _next_text(lines: list[_Line], i: int) -> tuple[int, int]:
    """Index of the next non-blank line after i, and how many blank lines lie between."""
    j = i + 1
    while j < len(lines) and not lines[j].text:
        j += 1
    return j, j - i - 1


def _join_broken(lines: list[_Line], rules: Rules) -> list[_Line]:
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.text and not line.tab:
            i = _absorb_continuations(lines, i, rules)
        out.append(line)
        i += 1
    return out


def _absorb_continuations(lines: list[_Line], i: int, rules: Rules) -> int:
    """Join into lines[i] the lines that continue it; return the last index consumed."""
    line = lines[i]
    while True:
        j, blanks = _next_text(lines, i)
        if j >= len(lines) or lines[j].tab or rules.cleaning.is_complete(line.text):
            return i
        parts = _title_parts(lines, i, j, rules)
        if not parts and blanks >= 2 and not rules.headings.starts_block(lines[j].text):
            parts = [j]  # a paragraph cut by a page break
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
    if rules.headings.starts_block(nxt):
        return []
    if len(nxt) <= c.title_part_max * 2 and c.ends_title(head + nxt):
        return [j]
    k, _ = _next_text(lines, j)  # a title in three parts
    if (len(nxt) <= c.title_part_max and k < len(lines) and not lines[k].tab
            and not c.is_complete(nxt) and not rules.headings.starts_block(lines[k].text)
            and c.ends_title(head + nxt + lines[k].text)):
        return [j, k]
    return []


def _assemble(lines: list[_Line]) -> Cleaned:
    while lines and not lines[-1].text:
        lines = lines[:-1]
    parts: list[str] = []
    line_map: list[tuple[int, int]] = []
    tab_lines: list[int] = []
    offset = 0
    previous_blank = True
    for line in lines:
        if not line.text:
            if previous_blank:
                continue  # collapse runs of blank lines; keep one as a separator
            previous_blank = True
        else:
            previous_blank = False
        if line.tab:
            tab_lines.append(offset)
        line_map += [(offset + off, no) for off, no in line.segments]
        parts.append(line.text)
        offset += len(line.text) + 1
    text = "\n".join(parts)
    return Cleaned(text, line_map, tab_lines)
