"""OFD (GB/T 33190-2016), China's fixed-layout format: a zip of XML. A small reader of its
documented structure (OFD.xml → DocRoot → Pages → each page's TextObject/TextCode) is
enough for text; easyofd, the one package, depends on PyMuPDF (AGPL) and failed to read
back its own output when measured here.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from xml.etree import ElementTree as ET

from ..errors import Errors, InputError, short_reason
from ..rules import Rules
from .blocks import Read
from .layout import Page, blocks_from_pages, group_lines

A4 = (210.0, 297.0)  # millimetres, OFD's unit, when a document states no page box


def read_ofd(data: bytes, name: str, rules: Rules) -> Read:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            pages = _pages(z)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, ValueError, IndexError) as exc:
        raise InputError(Errors.E008, name, kind="OFD",
                         reason=short_reason(exc)) from None
    return Read(blocks_from_pages(pages, rules.headings.starts_block), "ofd", paged=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if _local(e.tag) == name]


def _resolve(base: str, loc: str) -> str:
    return loc.lstrip("/") if loc.startswith("/") else posixpath.normpath(
        posixpath.join(posixpath.dirname(base), loc))


def _pages(z: zipfile.ZipFile) -> list[Page]:
    ofd = ET.fromstring(z.read("OFD.xml"))
    doc_path = _resolve("OFD.xml", _find(ofd, "DocRoot")[0].text.strip())
    doc = ET.fromstring(z.read(doc_path))
    box = _find(doc, "PhysicalBox")
    width, height = (tuple(map(float, box[0].text.split()[2:4])) if box else A4)
    pages = []
    for number, ref in enumerate(_find(doc, "Page"), 1):
        content = ET.fromstring(z.read(_resolve(doc_path, ref.get("BaseLoc", ""))))
        pages.append(Page(number, width, height, group_lines(list(_runs(content)))))
    return pages


def _runs(content: ET.Element):
    """(text, x0, x1, top, bottom) of every TextCode, in page coordinates."""
    for obj in _find(content, "TextObject"):
        bx, by = map(float, obj.get("Boundary", "0 0 0 0").split()[:2])
        size = float(obj.get("Size", "3.5"))
        for code in _find(obj, "TextCode"):
            text = code.text or ""
            if not text.strip():
                continue
            x = bx + float(code.get("X", "0"))
            y = by + float(code.get("Y", "0"))
            deltas = _deltas(code.get("DeltaX", ""))
            advance = sum(deltas[: len(text) - 1]) if deltas else size * (len(text) - 1)
            yield text, x, x + advance + size, y - size, y


def _deltas(spec: str) -> list[float]:
    """DeltaX with its ``g N d`` shorthand (N times d) expanded."""
    out: list[float] = []
    parts = spec.split()
    i = 0
    while i < len(parts):
        if parts[i] == "g" and i + 2 < len(parts):
            out += [float(parts[i + 2])] * int(parts[i + 1])
            i += 3
        else:
            out.append(float(parts[i]))
            i += 1
    return out
