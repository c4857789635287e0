"""Extraction quality on the plans with hand-made gold, scored by SCHEMA.md's rules."""

from __future__ import annotations

import json

from policygraph.gold import evaluate, load_gold, match_targets, score, to_gold

from ..conftest import GOLD


def test_f1_against_gold(seeds_dir, rules):
    scores, n = evaluate(GOLD, seeds_dir, rules)
    assert n == 2
    assert scores["tasks"].f1 == 1.0
    assert scores["units"].f1 >= 0.98, scores["units"].missed + scores["units"].extra
    assert scores["targets"].f1 >= 0.95, scores["targets"].missed + scores["targets"].extra
    assert scores["platforms"].f1 >= 0.90, scores["platforms"].missed + scores["platforms"].extra


def test_gold_view_follows_the_schema(extractions):
    view = to_gold(extractions["changji"], "003_053fecb476c7a117.txt")
    gold = json.loads((GOLD / "003_053fecb476c7a117.json").read_text(encoding="utf-8"))
    assert view["plan"] == gold["plan"]
    assert set(view) == {"source", "plan", "tasks", "targets", "platforms"}
    first = view["tasks"][0]
    assert first == gold["tasks"][0]
    target = next(t for t in view["targets"] if t["quote"] == "高新技术企业数量超过50家")
    assert target == {"task": None, "metric": "高新技术企业数量", "value": 50, "unit": "家",
                      "comparator": ">", "year": 2023, "quote": "高新技术企业数量超过50家"}


def test_scoring_rules_count_what_they_should():
    gold = [{"metric": "高新技术企业", "value": 50, "unit": "家", "year": 2023}]
    assert match_targets(gold, [{"metric": "高企", "value": 50.0, "unit": "家", "year": None}])[0] == 1
    assert match_targets(gold, [{"metric": "高新技术企业", "value": 50, "unit": "家", "year": 2025}])[0] == 0
    assert match_targets(gold, [{"metric": "高新技术企业", "value": 50, "unit": "个", "year": 2023}])[0] == 0
    g = load_gold(GOLD / "004_81b5b327c271bba8.json")
    empty = {"tasks": [], "targets": [], "platforms": []}
    s = score([(g, empty)])
    assert s["tasks"].recall == 0 and s["platforms"].recall == 0 and s["units"].f1 == 0
