"""OCR of scanned pages with Tesseract and its Simplified Chinese data (Debian's
``tesseract-ocr`` and ``tesseract-ocr-chi-sim``), called as a program: its TSV output
gives each word's box, so OCR'd lines go through the same layout rules as a text layer.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
from typing import IO, Iterator, TypeVar

from ..errors import Errors, InputError, short_reason
from .layout import PLine, tidy

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
        raise InputError(Errors.E014, name, tool="Tesseract", reason=short_reason(exc)) from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
        raise InputError(Errors.E014, name, tool="Tesseract", reason=reason[0][:120])
    lines: dict[tuple[str, str, str], list[tuple[str, float, float, float, float]]] = {}
    for row in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) == 12 and cols[0] == "5" and cols[11].strip() and float(cols[10]) >= 0:
            left, top, width, height = map(float, cols[6:10])
            word = (cols[11].strip(), left, left + width, top, top + height)
            lines.setdefault((cols[2], cols[3], cols[4]), []).append(word)  # block, par, line
    return [_line(words, no) for no, words in enumerate(lines.values(), 1)]


def _line(words: list[tuple[str, float, float, float, float]], no: int) -> PLine:
    """Tesseract's line, its words joined: with a blank only between Latin words."""
    text = words[0][0]
    for prev, word in zip(words, words[1:]):
        text += (" " if prev[0][-1].isascii() and word[0][0].isascii() else "") + word[0]
    return PLine(fix_punctuation(tidy(text)), words[0][1], max(w[2] for w in words),
                 min(w[3] for w in words), max(w[4] for w in words), no)


# Tesseract's chi_sim model prints half-width punctuation in Chinese text, and reads a
# rule or a cursor-like stroke as "|". Beside a CJK character, the full-width form is the
# one a printed plan uses (and the one the rules and the plain texts have).
_HALF = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "?": "？",
                       "!": "！"})
_CJK = r"[\u4e00-\u9fff（）《》“”、。，：；]"
_HALF_BY_CJK = re.compile(rf"(?<={_CJK})[(),:;?!]|[(),:;?!](?={_CJK})")
_STRAY_BAR = re.compile(r"\s*\|\s*")


_QUOTES = re.compile("[“”\"]")


def fix_punctuation(text: str) -> str:
    text = _STRAY_BAR.sub("", text)
    text = _HALF_BY_CJK.sub(lambda m: m.group(0).translate(_HALF), text)
    # It also mistakes a quote's direction (“小巨人“). A line with an even count of
    # quotes holds whole pairs: open, close, open, close.
    if len(quotes := _QUOTES.findall(text)) % 2 == 0 and quotes:
        marks = iter("“”" * (len(quotes) // 2))
        text = _QUOTES.sub(lambda _: next(marks), text)
    return text


def progress(items: list[T], label: str, stream: IO[str]) -> Iterator[T]:
    """``items`` with a progress bar on a terminal (OCR takes seconds a page)."""
    if not stream.isatty():
        yield from items
        return
    from rich.progress import track

    yield from track(items, description=label, transient=True)

