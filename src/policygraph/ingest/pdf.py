"""PDF: the text layer through pdfplumber, scanned pages through Tesseract OCR.

pdfplumber (MIT, on pdfminer.six with the Adobe-GB1 CMaps) was chosen over pypdfium2
(faster, but no tables and no lines: these PDFs place each character on its own) and
PyMuPDF (AGPL). Lines and tables come from it; ``layout`` rebuilds paragraphs.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from ..errors import Errors, InputError, short_reason
from ..rules import Rules
from . import ocr
from .blocks import Read
from .layout import PTable, Page, PLine, blocks_from_pages, tidy

MIN_TABLE_COLUMNS = 2  # a one-column grid is ruled paper around the text, not a table


def read_pdf(data: bytes, name: str, rules: Rules) -> Read:
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds on broken or encrypted files
        raise InputError(Errors.E008, name, kind="PDF", reason=_reason(exc)) from None
    with pdf:
        try:
            pages = [_page(p, n) for n, p in enumerate(pdf.pages, 1)]
        except Exception as exc:
            raise InputError(Errors.E008, name, kind="PDF", reason=_reason(exc)) from None
    if None in pages:  # scanned pages: OCR, or the error that says how to enable it
        pages = _ocr_pages(data, name, pages)
    return Read(blocks_from_pages(pages, rules.headings.starts_block), "pdf", paged=True)  # type: ignore[arg-type]


def _page(page: Any, number: int) -> Page | None:
    """One page's lines and tables; None for a page with images and no text (a scan)."""
    if not page.chars:
        return None if page.images else Page(number, page.width, page.height, [])
    raw = page.extract_text_lines(return_chars=False)
    tables: list[tuple[tuple[float, float, float, float], PTable]] = []
    if page.rects or page.lines:  # no ruling, no table: skip the costly search
        for t in page.find_tables():
            rows = [[tidy((c or "").replace("\n", "")) for c in row] for row in t.extract()]
            inside = [(k, ln) for k, ln in enumerate(raw, 1) if _inside(ln, t.bbox)]
            if _is_grid(rows) and _complete(rows, [ln for _, ln in inside]):
                tables.append((t.bbox, PTable(t.bbox[1], rows, _cell_lines(t, inside))))
    lines = [PLine(tidy(ln["text"]), ln["x0"], ln["x1"], ln["top"], ln["bottom"], k)
             for k, ln in enumerate(raw, 1)
             if not any(_inside(ln, bbox) for bbox, _ in tables)]  # cells: read as a table
    return Page(number, page.width, page.height, lines, [t for _, t in tables])


def _cell_lines(table: Any, lines: list[tuple[int, dict]]) -> list[list[int]]:
    """The page line each cell's text starts on (the table's first line for an empty or
    merged cell), so a fact read from a cell leads back to its own line."""
    first = lines[0][0] if lines else 0
    out = []
    for row in table.rows:
        out.append([])
        for box in row.cells:
            at = next((k for k, ln in lines if box is not None and _inside(ln, box)), None)
            out[-1].append(at or (out[-1][-1] if out[-1] else first))
    return out


def _is_grid(rows: list[list[str]]) -> bool:
    """A table holds text in two columns or more on most of its rows (and two at least);
    ruled paper around the text (one column, a second one left empty, or a page-high
    frame whose rows are the text's lines) is not one."""
    filled = [sum(1 for c in r if c) for r in rows]
    wide = sum(1 for n in filled if n >= MIN_TABLE_COLUMNS)
    return wide >= 2 and wide * 2 >= sum(1 for n in filled if n)


def _inside(line: dict, bbox: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = bbox
    return y0 <= (line["top"] + line["bottom"]) / 2 <= y1 and line["x0"] < x1 and line["x1"] > x0


def _complete(rows: list[list[str]], lines: list[dict]) -> bool:
    """Do the cells hold the text printed inside the table? A grid found with cells
    missing (merged or unruled ones) would lose text: its lines are read as lines."""
    printed = sum(len("".join(ln["text"].split())) for ln in lines)
    held = sum(len("".join(c.split())) for row in rows for c in row)
    return held >= printed * 0.98


def _ocr_pages(data: bytes, name: str, pages: list[Page | None]) -> list[Page]:
    import pdfplumber

    todo = [n for n, p in enumerate(pages, 1) if p is None]
    ocr.require(name)
    out: list[Page] = [p for p in pages if p is not None]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n in ocr.progress(todo, f"OCR {name}", sys.stderr):
            page = pdf.pages[n - 1]
            image = page.to_image(resolution=ocr.DPI).original
            scale = page.width / image.width
            lines = [PLine(ln.text, ln.x0 * scale, ln.x1 * scale, ln.top * scale,
                           ln.bottom * scale, ln.line) for ln in ocr.image_lines(image, name)]
            out.append(Page(n, page.width, page.height, lines))
    return sorted(out, key=lambda p: p.number)


def _reason(exc: Exception) -> str:
    said = (str(exc) or type(exc).__name__).lower()
    if "password" in said or "encrypt" in type(exc).__name__.lower():
        return "encrypted: open it with its password and save an unprotected copy"
    return short_reason(exc)
