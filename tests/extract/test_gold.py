"""Extraction quality on the plans with hand-made gold, scored by SCHEMA.md's rules."""

from __future__ import annotations

import json

from policygraph.gold import (PLAN_FIELDS, evaluate, load_gold, match_incentives,
                             match_targets, score, to_gold)

from ..conftest import GOLD


def test_f1_against_gold(seeds_dir, rules):
    result = evaluate(GOLD, seeds_dir, rules)
    scores = result.kinds
    assert len(result.documents) == 2
    # The README claims 1.000 on the seeds: any regression there must fail.
    for kind in ("tasks", "units", "targets", "platforms"):
        assert scores[kind].f1 == 1.0, (kind, scores[kind].missed + scores[kind].extra)
    assert result.plan == {f: 1.0 for f in PLAN_FIELDS}


def test_gold_view_follows_the_schema(extractions):
    view = to_gold(extractions["changji"], "003_053fecb476c7a117.txt")
    gold = json.loads((GOLD / "003_053fecb476c7a117.json").read_text(encoding="utf-8"))
    assert view["plan"] == gold["plan"]
    assert set(view) == {"source", "plan", "tasks", "targets", "platforms", "incentives"}
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


def test_version_2_gold_loads_and_scores_incentives():
    """SCHEMA.md version 2: an index's unit is null, incentives are scored by amount and
    unit; a version-1 file (no incentives key) does not score them."""
    g = load_gold(GOLD / "corpus" / "pkulaw-digecon-0185.json")
    assert g.incentives, "the Zibo measures promise money"
    first = g.model_dump()["incentives"][0]
    s = score([(g, {"tasks": [], "targets": [], "platforms": [], "incentives": [first]})])
    assert s["incentives"].tp == 1 and s["incentives"].recall < 1
    v1 = load_gold(GOLD / "004_81b5b327c271bba8.json")
    assert v1.incentives is None
    s = score([(v1, {"tasks": [], "targets": [], "platforms": [], "incentives": [first]})])
    assert "incentives" not in s
    assert match_incentives([{"amount": 30, "unit": "万元", "what": "奖励"}],
                            [{"amount": 30.0, "unit": "万元", "what": "x"}])[0] == 1
    assert match_incentives([{"amount": 30, "unit": "万元", "what": "奖励"}],
                            [{"amount": 30.0, "unit": "元", "what": "奖励"}])[0] == 0
