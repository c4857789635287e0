"""Incentives: money a plan promises, with caps and shares; amounts that only qualify who
gets it are no incentive, and an amount taken as an incentive is never also a target."""

from __future__ import annotations

from policygraph.extract import extract
from policygraph.pipeline import load_document

from ..conftest import MEASURES, write_measures


def _measures(tmp_path, rules):
    return extract(load_document(write_measures(tmp_path), rules), rules)


def test_amounts_caps_and_shares(tmp_path, rules):
    ex = _measures(tmp_path, rules)
    got = {(i.task, i.amount, i.unit, i.max, i.rate) for i in ex.incentives}
    assert got == {
        ("1", 6, "%", False, True), ("1", 500, "万元", True, False),  # rate + its cap
        ("2", 100, "万元", False, False),
        ("3", 50, "万元", True, False),
        ("3", 50, "%", False, True), ("3", 100, "%", False, True),  # a range: both ends
    }
    for i in ex.incentives:
        assert MEASURES[i.prov.start:i.prov.end] == i.prov.quote
        assert i.prov.quote.endswith(("万元", "%"))
    reward = next(i for i in ex.incentives if i.amount == 100 and i.unit == "万元")
    assert "奖励" not in reward.what and "一次性" in reward.what


def test_a_threshold_is_neither_incentive_nor_target_and_money_is_no_target(tmp_path, rules):
    ex = _measures(tmp_path, rules)
    assert all(i.amount != 10 for i in ex.incentives)  # 年营业收入首次超过10亿元的企业
    assert {(t.value, t.unit, t.year) for t in ex.targets} == {(300, "家", 2025)}


def test_gold_view_prints_incentives(tmp_path, rules):
    from policygraph.gold import to_gold

    view = to_gold(_measures(tmp_path, rules))
    cap = next(i for i in view["incentives"] if i["max"])
    assert cap == {"task": "1", "what": cap["what"], "amount": 500, "unit": "万元",
                   "max": True, "rate": False, "quote": "最高不超过500万元"}


def test_a_rate_per_person_keeps_its_measure(rules, tmp_path):
    path = tmp_path / "m.txt"
    path.write_text("某市人才若干措施\n一、引进人才\n1．支持引才。对引进博士的企业，按照引进人才数量"
                    "给予企业10万元/人的一次性奖励。\n", encoding="utf-8")
    ex = extract(load_document(path, rules), rules)
    assert [(i.amount, i.unit, i.max) for i in ex.incentives] == [(10, "万元/人", False)]


def _measures_of(body: str, tmp_path, rules):
    """The extraction of a 若干措施 whose first section holds ``body``."""
    path = tmp_path / "m.txt"
    path.write_text("某市若干措施\n一、支持企业\n" + body, encoding="utf-8")
    return extract(load_document(path, rules), rules)


def test_listed_amounts_share_a_unit_and_loan_thresholds_are_no_promise(rules, tmp_path):
    ex = _measures_of("1．支持认证。对通过3级、4级、5级认证的企业分别给予20、30、40万元奖励。\n"
                      "2．支持融资。对年单笔贷款额不低于50万元(含50万元)的企业，给予最高100万元贴息。\n",
                      tmp_path, rules)
    assert sorted((i.amount, i.unit, i.max) for i in ex.incentives) == [
        (20, "万元", False), (30, "万元", False), (40, "万元", False), (100, "万元", True)]


def test_a_loan_between_two_bounds_is_a_condition_not_a_promise_nor_a_target(rules, tmp_path):
    """不低于50万元（含50万元），且不超过1000万元（含1000万元）的流动资金贷款 says which
    loans qualify: neither bound, nor the bound noted again in brackets, is a promise or a
    target; the 30万元 cap promised after it is."""
    ex = _measures_of("1．帮扶企业使用银行贷款。年单笔贷款额不低于50万元(含50万元)，且不超过1000万元"
                      "（含1000万元）的流动资金贷款，可按实际支付利息的40%申请融资费用补贴，每个企业"
                      "年补贴额最高不超过30万元。\n", tmp_path, rules)
    assert sorted((i.amount, i.unit, i.max) for i in ex.incentives) == [
        (30, "万元", True), (40, "%", False)]
    assert not ex.targets
