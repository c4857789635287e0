"""Targets on the real plans: values, ranges, comparators, years, baselines, and what
is not a target."""

from __future__ import annotations

import pytest

from policygraph.extract.targets import parse_number


def _find(ex, quote_part):
    hits = [t for t in ex.targets if quote_part in t.prov.quote]
    assert hits, quote_part
    return hits[0]


@pytest.mark.parametrize("plan, quote, value, value_max, unit, comparator, year", [
    ("ten_actions", "每季度走访重点企业1到2次", 1, 2, "次", "=", None),
    ("ten_actions", "高新技术企业达到1000家", 1000, None, "家", ">=", 2025),
    ("ten_actions", "技术合同成交额突破26亿元", 26, None, "亿元", ">=", 2025),
    ("ten_actions", "培训会1—2场", 1, 2, "场", "=", 2025),
    ("ten_actions", "全市研发投入占GDP比重达1.2%", 1.2, None, "%", ">=", 2025),
    ("measures_draft", "每年开展5项左右", 5, None, "项", "~", None),
    ("changji", "科普服务人数超过8万人次", 8, None, "万人次", ">", 2023),
    ("services_draft", "各类专业技术人员人数累计达到300名", 300, None, "名", ">=", 2028),
    ("hitech_zone", "高新技术企业数达234家", 234, None, "家", ">=", 2023),
])
def test_text_targets(extractions, plan, quote, value, value_max, unit, comparator, year):
    t = _find(extractions[plan], quote)
    assert (t.value, t.value_max, t.unit, t.comparator, t.year) == (
        value, value_max, unit, comparator, year)


def test_indicator_table_rows_carry_baselines(extractions):
    rows = [t for t in extractions["hitech_zone"].targets if t.baseline is not None]
    assert len(rows) == 13
    hte = next(t for t in rows if t.metric == "高新技术企业数")
    assert (hte.value, hte.baseline, hte.year, hte.baseline_year, hte.unit) == (234, 168, 2023, 2020, "家")
    rd = next(t for t in rows if t.unit == "%")
    assert (rd.value, rd.baseline) == (2.25, 2)


def test_numbers_in_names_and_the_past_are_not_targets(extractions):
    quotes = " ".join(t.prov.quote for ex in extractions.values() for t in ex.targets)
    for not_a_target in ("5+2", "6+8", "第六届", "193次", "10万亩", "2945家", "1763家", "31家"):
        assert not_a_target not in quotes
    assert len(extractions["measures_draft"].targets) == 1


def test_second_target_in_a_list_keeps_its_own_metric(extractions):
    t = _find(extractions["ten_actions"], "发布技术需求200条以上")
    assert t.metric == "发布技术需求" and t.value == 200


@pytest.mark.parametrize("text, value", [("12", 12), ("1.5", 1.5), ("十", 10), ("十二", 12),
                                         ("两", 2), ("三百", 300)])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_every_target_quote_is_the_source_text(extractions, docs):
    for name, ex in extractions.items():
        text = docs[name].source.text
        for t in ex.targets:
            assert text[t.prov.start:t.prov.end] == t.prov.quote
            assert str(int(t.value)) in t.prov.quote or str(t.value) in t.prov.quote
