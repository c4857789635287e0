"""The rules' compiled patterns: the shortcuts that make them fast never change a match
(rules.py's compile_fast and end-anchored search, gazetteer.py's per-character tries)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from policygraph.rules import _EndPattern, _alternation, compile_fast, load_rules

RULES = load_rules()
SEEDS = sorted((Path(__file__).resolve().parents[1] / "data" / "raw").glob("*.txt"))
# Every compiled pattern of the rules that compile_fast led with a lookahead.
HINTED = {f"{group}.{name}": rx for group, table in (
    ("targets", RULES.targets.rx), ("incentives", RULES.incentives.rx),
    ("platforms", RULES.platforms.rx), ("units", RULES.units.rx),
    ("metadata", RULES.metadata.rx), ("headings", RULES.headings.rx))
    for name, rx in table.items() if rx.pattern.startswith("(?=[")}
# Text that reaches the patterns' branches: numbers, units, comparators, years, places.
PIECES = st.sampled_from([
    "到", "2025", "年", "比", "较", " ", "达到", "500", "家", "万元", "%", "以上", "的", "二〇三五",
    "累计", "不少于", "1.5", "亿元", "—", "个百分点", "牵头单位", "：", "（", "）", "一是", "。",
    "力争", "年内", "全年", "科技局", "北京市", "朝阳区", "南宁", "柳州市", "兴宾区", "、", "以及",
])
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=30).map("".join)


def _spans(rx: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


def test_the_slow_patterns_are_led_by_a_lookahead():
    # The quantity and deadline patterns open with an optional word and lookbehinds: the
    # ones extraction runs over every line of every plan.
    assert {"targets.quantity", "targets.deadline"} <= set(HINTED)
    assert not compile_fast(r"\d+家").pattern.startswith("(?=")  # already a first character
    assert not compile_fast(r"(?:达到)?\s*").pattern.startswith("(?=")  # can match nothing


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_a_lookahead_never_changes_a_match(text):
    for name, fast in HINTED.items():
        plain = re.compile(fast.pattern[fast.pattern.index("])(?:") + 5:-1])
        assert _spans(fast, text) == _spans(plain, text), name


def test_a_lookahead_never_changes_a_match_on_the_seed_plans():
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        for name, fast in HINTED.items():
            plain = re.compile(fast.pattern[fast.pattern.index("])(?:") + 5:-1])
            assert _spans(fast, text) == _spans(plain, text), (path.name, name)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_an_end_pattern_searches_only_its_reach(text):
    for pattern in (RULES.cleaning.title_end, RULES.cleaning.complete_end):
        end = _EndPattern(pattern)
        assert end.width is not None  # bounded: the shortcut is on
        got, want = end.search(text), re.search(pattern, text)
        assert (got and got.span()) == (want and want.span())


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_gazetteer_finds_what_one_longest_first_alternation_finds(text):
    gaz = RULES.metadata.gazetteer
    one = re.compile(_alternation(list(gaz.spellings)))
    assert [m.span() for m, _ in gaz.find(text)] == _spans(one, text)
    first = one.search(text)
    assert (gaz.search(text) and gaz.search(text).span()) == (first and first.span())


def test_gazetteer_on_a_seed_plan():
    gaz = RULES.metadata.gazetteer
    one = re.compile(_alternation(list(gaz.spellings)))
    text = SEEDS[0].read_text(encoding="utf-8")
    found = [m.span() for m, _ in gaz.find(text)]
    assert found and found == _spans(one, text)
