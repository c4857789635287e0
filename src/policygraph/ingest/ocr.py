"""OCR of scanned pages with Tesseract and its Simplified Chinese data (Debian's
``tesseract-ocr`` and ``tesseract-ocr-chi-sim``), called as a program: its TSV output
gives each word's box, so OCR'd lines go through the same layout rules as a text layer.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from typing import IO, Iterator, TypeVar

from ..errors import Errors, InputError
from .layout import PLine, group_lines

DPI = 300  # Tesseract reads Chinese body text well from 300 dpi up
LANG = "chi_sim"
HOW = "apt install tesseract-ocr tesseract-ocr-chi-sim"
T = TypeVar("T")


@functools.lru_cache(maxsize=1)
def available() -> str | None:
    """Why OCR cannot run here, or None when it can."""
    exe = shutil.which("tesseract")
    if exe is None:
        return "Tesseract is not installed"
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True,
                               timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Tesseract does not run ({exc})"
    return None if LANG in langs else "Tesseract has no Simplified Chinese data (chi_sim)"


def require(name: str) -> None:
    """Raise the one-line error naming the file when scanned pages cannot be read."""
    if (why := available()) is not None:
        raise InputError(Errors.E013, name, what="scanned pages (no text layer)",
                         why=why, how=HOW)


def image_lines(image, name: str) -> list[PLine]:
    """The lines Tesseract reads on one page image, with their boxes in pixels."""
    buf = io.BytesIO()
    image.convert("L").save(buf, format="PNG")
    try:
        done = subprocess.run(["tesseract", "stdin", "stdout", "-l", LANG, "--psm", "6",
                               "tsv"], input=buf.getvalue(), capture_output=True,
                              timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        raise InputError(Errors.E014, name, tool="Tesseract", reason=str(exc)[:120]) from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
        raise InputError(Errors.E014, name, tool="Tesseract", reason=reason[0][:120])
    words = []
    for row in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) == 12 and cols[0] == "5" and cols[11].strip() and float(cols[10]) >= 0:
            left, top, width, height = map(float, cols[6:10])
            words.append((cols[11].strip(), left, left + width, top, top + height))
    return group_lines(words)


def progress(items: list[T], label: str, stream: IO[str]) -> Iterator[T]:
    """``items`` with a progress bar on a terminal (OCR takes seconds a page)."""
    if not stream.isatty():
        yield from items
        return
    from rich.progress import track

    yield from track(items, description=label, transient=True)

