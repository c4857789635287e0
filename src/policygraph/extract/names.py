"""Finding where a name begins: shared by platforms and organisations.

Chinese names have no capital letters or spaces to mark them. A name ends in a known kind
(实验室, 有限公司 ...) and runs left until punctuation, an unbalanced bracket, or a verb or
function word from ``knowledge/platforms.yml`` (支持, 依托, 建设, 的 ...).
"""

from __future__ import annotations

import re

HARD_STOPS = set("，。、；：,;:！？!?“”《》\n 　\t")
MAX_NAME = 60  # no platform or organisation name is longer; bounds the scan on long lines


def name_start(text: str, end: int, floor: int, stops: re.Pattern,
               soft: re.Pattern | None = None, proper: re.Pattern | None = None) -> int:
    """Where the name that ends at ``end`` begins (not before ``floor``).

    A soft stop (与) ends the name only when a proper name follows it: "单位与怀柔…基地"
    gives 怀柔…基地, but 光伏材料与电池全国重点实验室 stays whole."""
    i, depth = end, 0
    floor = max(floor, end - MAX_NAME)
    while i > floor:
        ch = text[i - 1]
        if ch in HARD_STOPS:
            break
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            if depth == 0:
                break
            depth -= 1
        i -= 1
    last = None
    for m in stops.finditer(text, i, end):
        if m["stop"] is not None:  # not a word of a name that only holds a stop character
            last = m
    start = last.end() if last is not None else i
    if soft is not None and proper is not None:
        for m in soft.finditer(text, start, end):
            if proper.match(text, m.end()):
                start = m.end()
    return start


def first_name(text: str, kinds: re.Pattern, lead: re.Pattern, tail: re.Pattern) -> str | None:
    """The first name ending in one of ``kinds`` and followed by ``tail`` (a verb, 、, end)."""
    m = lead.match(text)
    rest = text[m.end():] if m else text
    for k in kinds.finditer(rest):
        if tail.match(rest, k.end()):
            return rest[:k.end()]
    return None
