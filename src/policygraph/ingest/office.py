"""Word processors' files: .docx read directly (python-docx); .doc, .wps, .odt and .rtf
converted to .docx by LibreOffice headless, each conversion cached by the file's hash.

LibreOffice reads the binary Word format that WPS also writes (a Kingsoft .wps is such a
file) far better than the light converters (antiword and catdoc lose tables and some
GB2312 text); it is slow to start (2–5 s), hence the cache.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import Errors, InputError, short_reason
from .blocks import Block, Read

HOW = "apt install libreoffice-writer-nogui"
CONVERT_TIMEOUT = 180  # seconds; a 300-page .doc converts in well under a minute here


def read_docx(data: bytes, name: str) -> Read:
    """Paragraphs and tables of a .docx in document order; Word's heading styles kept."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # lxml and python-docx raise many kinds on broken parts
        raise InputError(Errors.E008, name, kind=".docx", reason=short_reason(exc)) from None
    blocks: list[Block] = []
    for element in document.element.body.iterchildren():
        if not isinstance(element.tag, str):
            continue  # an XML comment or processing instruction, not a block
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(element, document)
            blocks.append(Block(_kind(p), p.text))
        elif tag == "tbl":
            blocks.append(Block("table", rows=_grid(Table(element, document))))
    return Read(blocks, "docx")


def _grid(table) -> list[list[str]]:
    """A table's rows, cell by grid column. python-docx gives a cell merged over columns or
    rows at each place it covers; its text is kept once, at its first, and its other places
    are empty, as a PDF's grid shows them (a title across the table is one text, not one a
    column)."""
    seen: set = set()  # the cells' XML elements (lxml compares them by identity)
    rows = []
    for row in table.rows:
        rows.append([])
        for cell in row.cells:
            fresh = cell._tc not in seen
            seen.add(cell._tc)
            rows[-1].append("\n".join(cell.text.splitlines()) if fresh else "")
    return rows


def _kind(paragraph) -> str:
    try:
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
    except (KeyError, ValueError):  # a style id the file names but does not define
        style = ""
    return "heading" if style.lower().startswith(("heading", "title", "标题")) else "paragraph"


def read_converted(data: bytes, name: str, kind: str) -> Read:
    """A .doc / .wps / .odt / .rtf through LibreOffice, then as a .docx."""
    read = read_docx(convert_to_docx(data, name, kind), name)
    read.encoding = kind
    return read


def convert_to_docx(data: bytes, name: str, kind: str) -> bytes:
    cached = cache_dir() / "converted" / (hashlib.sha256(data).hexdigest() + ".docx")
    if cached.is_file():
        return cached.read_bytes()
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise InputError(Errors.E013, name, what=f"a {kind} file",
                         why="LibreOffice is not installed", how=HOW)
    with tempfile.TemporaryDirectory(prefix="policygraph-lo-") as tmp:
        # Its own profile: LibreOffice instances sharing one refuse to run side by side.
        src = Path(tmp) / ("in" + _SUFFIX.get(kind, ".doc"))
        src.write_bytes(data)
        cmd = [exe, f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
               "--norestore", "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp,
               str(src)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise InputError(Errors.E014, name, tool="LibreOffice",
                             reason=f"no result in {CONVERT_TIMEOUT} s") from None
        except OSError as exc:
            raise InputError(Errors.E014, name, tool="LibreOffice", reason=str(exc)) from None
        out = Path(tmp) / "in.docx"
        if not out.is_file():
            said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            raise InputError(Errors.E014, name, tool="LibreOffice",
                             reason=(said.splitlines() or ["it wrote nothing"])[-1][:120])
        result = out.read_bytes()
    _store(cached, result)
    return result


# The name LibreOffice is shown: it picks its import filter by content, but an OLE file
# called .wps would be tried as Microsoft Works first.
_SUFFIX = {".doc": ".doc", ".wps": ".doc", ".odt": ".odt", ".rtf": ".rtf"}


def cache_dir() -> Path:
    """Where conversions are kept: $POLICYGRAPH_CACHE, else the XDG cache directory."""
    if env := os.environ.get("POLICYGRAPH_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "policygraph"


def _store(path: Path, data: bytes) -> None:
    """Write atomically; a cache that cannot be written only costs the next run time."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


