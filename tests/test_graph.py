"""The corpus graph: stable ids, entity resolution, metrics aligned across plans."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from policygraph.build import build
from policygraph.graph import build_graph, plan_fragment
from policygraph.store.files import atomic_write, read_json

from .conftest import PLANS, RAW, as_sets


def _nodes(g, label, **props):
    return [d for _, d in g.nodes(data=True) if d["label"] == label
            and all(d.get(k) == v for k, v in props.items())]


def test_ids_are_stable_across_runs(extractions, rules):
    first = build_graph(list(extractions.values()), rules)
    second = build_graph(list(extractions.values()), rules)
    assert set(first.nodes) == set(second.nodes)
    assert first.number_of_edges() == second.number_of_edges()


def test_units_resolve_per_region(extractions, rules):
    g = build_graph(list(extractions.values()), rules)
    bureaus = _nodes(g, "Unit", name="市科技局")
    assert sorted(u["region"] for u in bureaus) == ["乌鲁木齐市", "昌吉市"]


def test_metric_aligns_high_tech_enterprises_across_plans(extractions, rules):
    g = build_graph(list(extractions.values()), rules)
    metric = _nodes(g, "Metric", name="高新技术企业数量")[0]["id"]
    plans = {g.nodes[t]["plan"] for t, _ in g.in_edges(metric)}
    titles = {g.nodes[p]["region"] for p in plans}
    assert titles == {"乌鲁木齐市", "昌吉市", "乌鲁木齐高新区（新市区）"}


def test_platforms_merge_across_plans_by_alias(extractions, rules):
    g = build_graph(list(extractions.values()), rules)
    huairou = _nodes(g, "Platform", name="怀柔国家实验室新疆基地") + \
        _nodes(g, "Platform", name="怀柔实验室新疆基地")
    assert len(huairou) == 1
    mentions = {d["plan"] for _, _, d in g.in_edges(huairou[0]["id"], data=True)}
    assert len(mentions) == 3  # the services draft, the ten actions, the measures draft


def test_the_corpus_merged_from_fragments_is_the_graph_built_in_memory(tmp_path):
    in_memory = build(RAW).graph
    result = build(RAW, tmp_path, exports=["graphml", "csv"])
    assert not result.errors and len(result.summaries) == 5
    merged = read_json(tmp_path / "corpus.json")
    assert as_sets(merged) == as_sets(in_memory)
    assert (result.nodes, result.relationships) == (merged.number_of_nodes(),
                                                    merged.number_of_edges())
    # plans name the Huairou platform two ways; the merge kept the first, as in memory
    names = {d["name"] for f in (tmp_path / "plans").glob("*.json")
             for _, d in read_json(f).nodes(data=True) if "怀柔" in d.get("name", "")
             and d["label"] == "Platform"}
    assert names == {"怀柔国家实验室新疆基地", "怀柔实验室新疆基地"}
    graphml = nx.read_graphml(tmp_path / "corpus.graphml")
    assert graphml.number_of_nodes() == in_memory.number_of_nodes()
    assert graphml.number_of_edges() == in_memory.number_of_edges()


def test_each_plan_file_is_that_plan_alone(tmp_path, extractions, rules):
    build(RAW, tmp_path)
    changji = read_json(tmp_path / "plans" / f"{Path(PLANS['changji']).stem}.json")
    alone = plan_fragment(extractions["changji"], rules)
    assert as_sets(changji) == as_sets(alone)


def test_atomic_write_leaves_the_old_file_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "corpus.json"
    atomic_write(path, json.dumps({"ok": 1}))

    class Boom(Exception):
        pass

    def fail(*_a, **_k):
        raise Boom

    monkeypatch.setattr("os.replace", fail)
    try:
        atomic_write(path, "half")
    except Boom:
        pass
    assert json.loads(path.read_text()) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.json"]
