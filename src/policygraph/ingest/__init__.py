"""Stage 1, ingest: file bytes → cleaned :class:`Source` text with a map back to the original.

One reader per format, registered here with the extensions it answers to and the test of
content that claims a file for it (a PDF saved as ``.doc`` is still read as a PDF). Each
returns typed blocks (``blocks.py``) with their page and line; ``render`` lays them out,
``clean`` removes conversion debris, and the line map leads every character back to the
page and line of the original.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import Errors, InputError
from ..rules import Rules, load_rules
from .blocks import Block, Read, render
from .clean import Cleaned, clean
from .text import decode_bytes, text_blocks

if TYPE_CHECKING:
    from ..models import Source

DEFAULT_MAX_MB = 20.0


@dataclass(frozen=True)
class Reader:
    name: str
    exts: tuple[str, ...]
    claims: Callable[[bytes], bool]  # does the content say it is this format?
    read: Callable[[bytes, str, Rules], Read]
    zipped: bool = False  # its size limit holds for what it unpacks to


READERS: dict[str, Reader] = {}


def register(name: str, exts: tuple[str, ...], claims: Callable[[bytes], bool] = lambda _: False,
             zipped: bool = False) -> Callable:
    def deco(read: Callable[[bytes, str, Rules], Read]) -> Callable:
        READERS[name] = Reader(name, exts, claims, read, zipped)
        return read
    return deco


def _pdf(data: bytes, name: str, rules: Rules) -> Read:
    from .pdf import read_pdf
    return read_pdf(data, name, rules)


def _docx(data: bytes, name: str, rules: Rules) -> Read:
    from .office import read_docx
    return read_docx(data, name)


def _converted(kind: str) -> Callable[[bytes, str, Rules], Read]:
    def read(data: bytes, name: str, rules: Rules) -> Read:
        from .office import read_converted
        return read_converted(data, name, kind)
    return read


def _ofd(data: bytes, name: str, rules: Rules) -> Read:
    from .ofd import read_ofd
    return read_ofd(data, name, rules)


def _html(data: bytes, name: str, rules: Rules) -> Read:
    from .web import read_html
    markup, encoding = decode_bytes(data, name)
    return read_html(markup, encoding, rules)


def _text(data: bytes, name: str, rules: Rules) -> Read:
    text, encoding = decode_bytes(data, name)
    if "\n" not in text:
        text = text.replace("\r", "\n")  # old Mac line ends
    from .web import looks_like_html, read_html
    if looks_like_html(text):  # a page saved as .txt: its navigation is not the plan
        return read_html(text, encoding, rules)
    return Read(text_blocks(text, rules.headings.starts_block), encoding)


def _zip_with(member: str) -> Callable[[bytes], bool]:
    """A zip that holds ``member`` (word/document.xml: a .docx; OFD.xml: an OFD)."""
    def claims(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return member in z.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
    return claims


def _is_odt(data: bytes) -> bool:
    """OpenDocument names its type in an uncompressed first member, ``mimetype``."""
    return data[30:38] == b"mimetype" and b"opendocument.text" in data[38:120]


register("pdf", (".pdf",), lambda d: b"%PDF-" in d[:1024])(_pdf)
register("docx", (".docx",), _zip_with("word/document.xml"), zipped=True)(_docx)
register("ofd", (".ofd",), _zip_with("OFD.xml"), zipped=True)(_ofd)
register("odt", (".odt",), _is_odt, zipped=True)(_converted(".odt"))
register("doc", (".doc", ".wps"), lambda d: d.startswith(b"\xd0\xcf\x11\xe0"))(_converted(".doc"))
register("rtf", (".rtf",), lambda d: d.startswith(b"{\\rtf"))(_converted(".rtf"))
register("html", (".html", ".htm", ".shtml", ".xhtml"))(_html)
register("text", (".txt", ".text", ".md", ".markdown"))(_text)

SUPPORTED = sorted(ext for r in READERS.values() for ext in r.exts)


def reader_for(data: bytes, ext: str, name: str) -> Reader:
    """The content decides when it names a format; else the extension."""
    for reader in READERS.values():
        if reader.claims(data):
            return reader
    by_ext = next((r for r in READERS.values() if ext in r.exts), None)
    if by_ext is None:
        raise _unsupported(name, ext)
    if by_ext.name in ("text", "html"):
        return by_ext
    raise InputError(Errors.E008, name, kind=ext, reason="its content is not in that format")


def _unsupported(name: str, ext: str) -> InputError:
    return InputError(Errors.E002, name, ext=ext or "(none)", supported=", ".join(SUPPORTED))


# ----------------------------------------------------------------------- public API
def path_text(path: str | Path) -> str:
    """A path as text every output can hold: a name that is not valid UTF-8 (bytes Python
    keeps as lone surrogates) shows its bad bytes as \\xff escapes instead of failing
    the JSON, the terminal or the database that receives it."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_source(path: str | Path, rules: Rules | None = None,
                max_mb: float = DEFAULT_MAX_MB) -> Source:
    """Read one plan file of any supported format into a cleaned Source."""
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
    size = p.stat().st_size
    if size > max_mb * 1024 * 1024:  # not read: only its extension can tell what it is
        raise (_unsupported(name, ext) if ext not in SUPPORTED else
               InputError(Errors.E006, name, size_mb=size / 1048576, limit_mb=max_mb))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(Errors.E009, name, reason=exc.strerror or str(exc)) from None
    if not data:
        raise _unsupported(name, ext) if ext not in SUPPORTED else InputError(Errors.E003, name)
    return read_bytes(data, name, ext, rules, max_mb)


def read_bytes(data: bytes, name: str, ext: str, rules: Rules,
               max_mb: float = DEFAULT_MAX_MB) -> Source:
    """One file's bytes, read by the reader its content or extension selects."""
    from ..models import Source

    reader = reader_for(data, ext, name)
    if reader.zipped:
        _check_unpacked(data, name, max_mb)
    read = reader.read(data, name, rules)
    rendered = render(read.blocks)
    cleaned = clean(rendered.text, rules, rendered.wrapped, rendered.cell_lines)
    if not cleaned.text.strip():
        raise InputError(Errors.E004, name)
    return Source(path=name, sha256=hashlib.sha256(data).hexdigest(), encoding=read.encoding,
                  text=cleaned.text, meta=read.meta,
                  tables=_tables(rendered.tables, cleaned.cell_spans),
                  **_positions(cleaned, rendered.origins, read.paged))


def _tables(tables: list[list[list[list[int]]]],
            spans: dict[int, tuple[int, int]]) -> list[list[list[list[tuple[int, int]]]]]:
    """The tables laid over the cleaned text: each cell as the (start, end) of its lines.
    Rows with no text are left out, and tables with none."""
    out = []
    for table in tables:
        rows = [[[spans[no] for no in cell if no in spans] for cell in row] for row in table]
        rows = [row for row in rows if any(row)]
        if rows:
            out.append(rows)
    return out


def _positions(cleaned: Cleaned, origins: list[tuple[int | None, int]], paged: bool) -> dict:
    """The cleaned text's map to rendered lines, turned into lines (and pages) of the
    original."""
    line_map = [(off, origins[no - 1][1]) for off, no in cleaned.line_map]
    if not paged:
        return {"line_map": line_map}
    page_map: list[tuple[int, int]] = []
    for off, no in cleaned.line_map:
        page = origins[no - 1][0] or 1
        if not page_map or page_map[-1][1] != page:
            page_map.append((off, page))
    return {"line_map": line_map, "page_map": page_map}


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
        return  # the reader names what is wrong with it
    if unpacked > max_mb * 1024 * 1024:
        raise InputError(Errors.E011, name, size_mb=unpacked / 1048576, limit_mb=max_mb)


__all__ = ["DEFAULT_MAX_MB", "SUPPORTED", "READERS", "Block", "Read", "Reader", "clean",
           "decode_bytes", "path_text", "read_bytes", "read_source", "reader_for", "register"]
