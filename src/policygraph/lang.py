"""Generic Chinese text tools the stages share: numerals, and the one form of a task key.

Language knowledge that is data (units, kinds, places) lives in ``knowledge/*.yml``; what
is here is the arithmetic of writing numbers in Chinese.
"""

from __future__ import annotations

import unicodedata

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}


def cn_number(text: str) -> int | None:
    """一 → 1, 十三 → 13, 二十 → 20, 23 → 23; digits written one by one (二〇二一) too."""
    if text.isdigit():
        return int(text)
    if text and all(c in _CN_DIGITS for c in text) and len(text) > 1:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _CN_DIGITS.get(tens, 1 if not tens else None)
        o = _CN_DIGITS.get(ones, 0 if not ones else None)
        return None if t is None or o is None else t * 10 + o
    return _CN_DIGITS.get(text)


def key_form(key: str | None) -> str | None:
    """A task key as compared across versions and against gold: a plan prints its brackets
    half- or full-width ((一) / （一）), and its key keeps them as printed; NFKC makes them
    one."""
    return None if key is None else unicodedata.normalize("NFKC", key)
