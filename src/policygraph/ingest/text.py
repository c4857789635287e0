"""Plain text in any of the encodings Chinese offices save in."""

from __future__ import annotations

import codecs
import re

from ..errors import Errors, InputError

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
