"""The corpus graph: stable ids, entity resolution, metrics aligned across plans."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import networkx as nx

from policygraph.build import build
from policygraph.graph import build_graph, owner_plan
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
    # Gephi names a node by its "label": the unit's name, the plan's title, not "Unit"
    for n, d in in_memory.nodes(data=True):
        shown = graphml.nodes[n]
        assert shown["type"] == d["label"]
        if d["label"] in ("Unit", "Plan", "Metric"):
            assert shown["label"] == (d.get("name") or d.get("title")), (n, shown["label"])
    assert {d["label"] for _, _, d in graphml.edges(data=True)} >= {"LEADS", "SETS"}


def test_each_plan_file_is_that_plan_alone(tmp_path, extractions):
    """Checked against the extraction, not against the function that wrote the file."""
    build(RAW, tmp_path)
    frag = read_json(tmp_path / "plans" / f"{Path(PLANS['changji']).stem}.json")
    ex = extractions["changji"]
    plans = [n for n, d in frag.nodes(data=True) if d["label"] == "Plan"]
    assert len(plans) == 1 and frag.nodes[plans[0]]["source"].endswith(PLANS["changji"])
    assert {owner_plan(n, d) for n, d in frag.nodes(data=True)} - {None} == set(plans)
    labels = Counter(d["label"] for _, d in frag.nodes(data=True))
    assert (labels["Task"], labels["Target"]) == (len(ex.tasks), len(ex.targets))
    assert {d["name"] for _, d in frag.nodes(data=True) if d["label"] == "Unit"} == \
        {u.name for u in ex.units}
    # Every shared node is there because this plan reaches it (a unit, its region ...).
    assert nx.node_connected_component(frag.to_undirected(), plans[0]) == set(frag.nodes)


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


def test_node_ids_are_the_same_in_every_process(tmp_path):
    """Ids derive from content, never from Python's per-process hash(): a second build
    (another process) must give the same ids, or one edit duplicates shared nodes."""
    import os
    import subprocess
    import sys

    ids = []
    for seed in ("1", "2"):
        out = tmp_path / f"g{seed}"
        run = subprocess.run([sys.executable, "-m", "policygraph.cli", "build", str(RAW),
                              "--out", str(out), "-w", "1"], capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300)
        assert run.returncode == 0, run.stderr
        ids.append(set(read_json(out / "corpus.json").nodes))
    assert ids[0] == ids[1]


def test_the_final_supersedes_the_draft_whatever_their_names(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    draft = (RAW / PLANS["measures_draft"]).read_text(encoding="utf-8")
    (raw / "z-draft.txt").write_text(draft, encoding="utf-8")  # sorts after the final
    (raw / "a-final.txt").write_text(draft.replace("（征求意见稿）", ""), encoding="utf-8")
    g = build(raw).graph
    by_source = {Path(d["source"]).name: n for n, d in g.nodes(data=True) if d["label"] == "Plan"}
    final, old = by_source["a-final.txt"], by_source["z-draft.txt"]
    assert g.has_edge(final, old, key="SUPERSEDES") and not g.has_edge(old, final)
    assert (g.nodes[final]["latest"], g.nodes[old]["latest"]) == (True, False)
