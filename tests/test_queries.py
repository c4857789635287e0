"""The named queries on the real corpus, on both engines, and the two engines agree."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from policygraph.cli import app
from policygraph.errors import DatabaseError, QueryError
from policygraph.queries import QUERIES, ROLES, CypherEngine, GraphEngine
from policygraph.store.neo4j import load_graph, writes

from .conftest import RAW

runner = CliRunner()
HITECH = "乌鲁木齐高新区（新市区）"


# Loaded into an emptied database: a plan of the same content loaded by an earlier test
# from another folder would keep that folder's file paths (its ids are the same).
@pytest.fixture
def loaded(empty_db, corpus_graph):
    load_graph(empty_db, corpus_graph)
    return empty_db


@pytest.fixture
def loaded_neo4j(neo4j_db, corpus_graph):
    load_graph(neo4j_db, corpus_graph)
    return neo4j_db


@pytest.fixture(params=["graphs", "falkordb", "neo4j"])
def engine(request, corpus_graph):
    if request.param == "graphs":
        return GraphEngine(corpus_graph, root=RAW)
    return CypherEngine(request.getfixturevalue(
        "loaded" if request.param == "falkordb" else "loaded_neo4j"), root=RAW)


CASES = [("owners", {"unit": "市科技局"}), ("owners", {"region": "昌吉市"}),
         ("owners", {"indicator": "高新技术企业"}), ("owners", {"unit": "市科技局",
                                                        "indicator": "高新技术企业"}),
         ("compare", {"metric": "高新技术企业"}), ("unassigned", {}),
         ("platforms", {}), ("platforms", {"shared": True}), ("workload", {}),
         ("timeline", {}), ("timeline", {"region": HITECH})]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{'-'.join(k)}" for n, k in CASES])
def test_every_engine_gives_the_same_rows(name, kwargs, corpus_graph, loaded, loaded_neo4j):
    on_graph = QUERIES[name].run(GraphEngine(corpus_graph), **kwargs)
    assert on_graph
    assert QUERIES[name].run(CypherEngine(loaded), **kwargs) == on_graph
    assert QUERIES[name].run(CypherEngine(loaded_neo4j), **kwargs) == on_graph


def test_owners_of_the_science_bureau_span_two_cities(engine):
    rows = QUERIES["owners"].run(engine, unit="市科技局")
    assert {r["unit_region"] for r in rows} == {"昌吉市", "乌鲁木齐市"}
    assert len({r["unit_id"] for r in rows}) == 2  # one Unit node per region
    changji = [r for r in rows if r["region"] == "昌吉市"]
    assert any(r["metric"] == "高新技术企业" and r["value"] == 50 and r["comparator"] == ">"
               and r["year"] == 2023 for r in changji)
    assert {r["role"] for r in rows} <= set(ROLES.values())


def test_compare_aligns_high_tech_enterprises_across_three_plans(engine):
    rows = QUERIES["compare"].run(engine, metric="高新技术企业")
    seen = {(r["region"], r["value"], r["year"], r["baseline"]) for r in rows}
    assert ("乌鲁木齐市", 1000, 2025, None) in seen
    assert ("昌吉市", 50, 2023, None) in seen
    assert (HITECH, 234, 2023, 168) in seen
    assert all(r["measure"] == "家" for r in rows)  # the 12% share is another indicator


def test_unassigned_rows_have_no_owner_in_the_graph(engine, corpus_graph):
    rows = QUERIES["unassigned"].run(engine)
    g = corpus_graph
    for r in rows:
        if r["kind"] == "plan":  # one row for a plan that names no unit anywhere
            tasks = [t for t in g.successors(r["id"]) if g.nodes[t]["label"] == "Task"]
            assert tasks and not any(k in ROLES for t in tasks
                                     for _, _, k in g.in_edges(t, data="type"))
            assert r["task"].startswith(f"names no units: {len(tasks)} tasks")
            continue
        node = r["id"] if r["kind"] == "task" else next(
            (t for t in g.predecessors(r["id"]) if g.nodes[t]["label"] == "Task"), None)
        if node:
            assert not [k for _, _, k in g.in_edges(node, data="type") if k in ROLES]
    assert {"plan", "target"} <= {r["kind"] for r in rows}
    assert len({r["plan_id"] for r in rows if r["kind"] == "plan"}) == len(
        [r for r in rows if r["kind"] == "plan"]) >= 2
    assert len(rows) < 20  # it listed 122 rows, most of them the silent plans' work


def test_a_goal_that_restates_a_tasks_target_is_not_listed_again(engine):
    """Changji's 发展目标 repeats targets its tasks set: where a task's owners cover one, the
    goal is not unassigned; where none do, the task's row says restated, listed once."""
    targets = QUERIES["compare"].run(engine, metric="高新技术企业")
    changji = [r for r in targets if r["region"] == "昌吉市" and r["value"] == 50]
    assert {r["task_key"] for r in changji} >= {None, "二.（二）"}  # a goal and a task
    rows = QUERIES["unassigned"].run(engine, plan="昌吉市")
    same = [r for r in rows if r["metric"] and "高新技术企业" in r["metric"] and r["value"] == 50]
    assert not same  # the task's units own it, so the goal's restatement is owned too
    seen = [(r["metric"], r["value"], r["year"]) for r in rows if r["kind"] == "target"]
    assert len(seen) == len(set(seen))


def test_shared_platforms_are_named_by_two_plans_or_more(engine):
    rows = QUERIES["platforms"].run(engine, shared=True)
    assert rows and all(r["n_plans"] >= 2 and r["n_plans"] == len(r["plans"]) for r in rows)
    assert "怀柔实验室新疆基地" in {r["platform"] for r in rows}


def test_workload_counts_match_the_role_links(engine, corpus_graph):
    rows = QUERIES["workload"].run(engine)
    leads = {(u, t) for u, t, k in corpus_graph.edges(data="type") if k == "LEADS"}
    assert sum(r["lead"] for r in rows) == len(leads)
    changji = next(r for r in rows if r["unit"] == "市科技局" and r["unit_region"] == "昌吉市")
    assert changji["lead"] > 0 and changji["targets"] > 0


def test_timeline_is_ordered_by_year(engine):
    rows = QUERIES["timeline"].run(engine, region=HITECH)
    years = [r["year"] for r in rows]
    assert years == sorted(years) and None not in years
    assert {r["region"] for r in rows} == {HITECH}


def test_explain_shows_the_source_line_around_the_quote(engine, corpus_graph):
    target = next(n for n, d in corpus_graph.nodes(data=True)
                  if d["label"] == "Target" and d["value"] == 50 and d["metric"] == "高新技术企业")
    rows = QUERIES["explain"].run(engine, node=target)
    own = rows[0]
    assert own["quote"] in own["context"] and "高新技术企业超过50家" in own["quote"]
    # named relative to the folder the build read, found again under the engine's root
    assert own["file"] == "changji-2021-2023-tech-innovation-action-plan.txt"


def test_unknown_names_suggest_the_closest(engine):
    with pytest.raises(QueryError) as exc:
        QUERIES["owners"].run(engine, unit="市科技")
    assert "did you mean" in exc.value.line() and "市科技局" in exc.value.line()
    with pytest.raises(QueryError):
        QUERIES["explain"].run(engine, node="task:000000000000")


def test_a_plan_or_region_that_matches_nothing_is_an_error(engine):
    """Not an empty answer a user reads as "nobody": the store has 昌吉市, not 昌吉."""
    assert QUERIES["timeline"].run(engine, region="昌吉市")
    with pytest.raises(QueryError) as exc:
        QUERIES["timeline"].run(engine, region="昌吉")
    assert exc.value.code == "E501" and "did you mean: 昌吉市" in exc.value.line()
    with pytest.raises(QueryError) as exc:
        QUERIES["unassigned"].run(engine, plan="不存在的计划")
    assert "no plan named" in exc.value.line()
    assert QUERIES["owners"].run(engine, plan="昌吉市科技创新")


# --------------------------------------------------------------------------- CLI
def test_cli_owners_json_on_the_build(tmp_path):
    runner.invoke(app, ["build", str(RAW), "--out", str(tmp_path)])
    result = runner.invoke(app, ["query", "owners", "--unit", "市科技局", "--graphs",
                                 str(tmp_path), "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert any(r["region"] == "昌吉市" and r["value"] == 50 for r in rows)
    assert any(r["region"] == "乌鲁木齐市" for r in rows)


def test_cli_unknown_query_and_unknown_unit(tmp_path):
    runner.invoke(app, ["build", str(RAW), "--out", str(tmp_path)])
    bad = runner.invoke(app, ["query", "owner", "--graphs", str(tmp_path)])
    assert bad.exit_code == 2 and "choose from" in bad.output
    unknown = runner.invoke(app, ["query", "owners", "--unit", "市科技", "-g", str(tmp_path)])
    assert unknown.exit_code == 3 and "did you mean" in unknown.output
    # A filter the question does not take is refused, not ignored.
    for args in (["compare", "高新技术企业", "--region", "昌吉市"],
                 ["workload", "--region", "昌吉市"], ["timeline", "--plan", "昌吉"]):
        refused = runner.invoke(app, ["query", *args, "-g", str(tmp_path)])
        assert refused.exit_code == 2 and "does not apply" in refused.output, args


def test_cli_query_on_neo4j_matches_the_store(tmp_path, loaded, bolt_server):
    runner.invoke(app, ["build", str(RAW), "--out", str(tmp_path)])
    args = ["query", "compare", "高新技术企业", "-f", "json"]
    on_store = runner.invoke(app, args + ["-g", str(tmp_path)])
    on_db = runner.invoke(app, args + ["--neo4j", bolt_server.uri])
    assert on_db.exit_code == 0, on_db.output
    assert json.loads(on_store.stdout) == json.loads(on_db.stdout)


def test_cypher_is_read_only_unless_asked(loaded, bolt_server):
    uri = bolt_server.uri
    refused = runner.invoke(app, ["cypher", "CREATE (n:Plan {id: 'x'})", "--neo4j", uri])
    assert refused.exit_code == 4 and "[E405]" in refused.output
    read = runner.invoke(app, ["cypher", "MATCH (u:Unit {name: $n}) RETURN u.region AS r",
                               "-p", "n=市科技局", "--neo4j", uri, "-f", "json"])
    assert read.exit_code == 0, read.output
    assert {r["r"] for r in json.loads(read.stdout)} == {"昌吉市", "乌鲁木齐市"}
    with loaded.session() as s:
        assert s.run("MATCH (p:Plan {id: 'x'}) RETURN count(p) AS c").single()["c"] == 0


def test_write_detection_ignores_string_literals():
    assert writes("MATCH (n) DETACH DELETE n")
    assert writes("match (n) set n.x = 1")
    assert writes("MERGE (n:Plan {id: 'x'})") and writes("DETACH DELETE n")
    assert not writes("MATCH (u:Unit) WHERE u.name = 'CREATE SET' RETURN u")
    assert not writes("MATCH (n:Plan) RETURN n.created // DELETE later")


def test_procedures_that_write_are_told_from_those_that_list():
    assert not writes("CALL db.indexes()") and not writes("CALL db.labels() YIELD label")
    assert writes("CALL db.idx.fulltext.createNodeIndex('Unit', 'name')")  # FalkorDB's
    assert writes("CALL db.index.fulltext.createNodeIndex('u', ['Unit'], ['name'])")
    assert writes("CALL dbms.setConfigValue('x', '1')")
    assert writes("call apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})")


def test_database_errors_are_typed(loaded):
    from policygraph.store.neo4j import run_cypher

    with pytest.raises(DatabaseError) as exc:
        run_cypher(loaded, "MATCH (n RETURN n", {})
    assert exc.value.code == "E404"


@pytest.fixture
def with_measures(tmp_path, bolt_driver):
    """The seed plans and a 若干措施 that promises money, built and loaded."""
    import shutil

    from policygraph.build import build

    from .conftest import write_measures

    for f in RAW.glob("*.txt"):
        shutil.copy(f, tmp_path / f.name)
    write_measures(tmp_path)
    g = build(tmp_path).graph
    load_graph(bolt_driver, g)
    return g


@pytest.mark.parametrize("kwargs", [{}, {"region": "临沂市"}, {"min_amount": 100},
                                    {"unit": "市人社局"}])
def test_incentives_on_both_engines(with_measures, bolt_driver, kwargs):
    on_graph = QUERIES["incentives"].run(GraphEngine(with_measures), **kwargs)
    on_neo4j = QUERIES["incentives"].run(CypherEngine(bolt_driver), **kwargs)
    assert on_graph and on_graph == on_neo4j
    if "min_amount" in kwargs:  # 100万元 and 500万元, never a share
        assert sorted(r["amount"] for r in on_graph) == [100, 500]
        assert all(r["measure"] == "万元" for r in on_graph)
    if "unit" in kwargs:
        assert {r["task_key"] for r in on_graph} == {"3"}
        assert all("市人社局" in r["units"] for r in on_graph)
    if not kwargs:
        cap = next(r for r in on_graph if r["max"] and r["amount"] == 500)
        assert cap["quote"] == "最高不超过500万元" and cap["units"] == ["市大数据局", "市财政局"]


def test_rows_come_in_the_plans_document_order(engine):
    """Task keys sort as the plan prints them (2 before 10, （二） before （十）), not as
    strings (1, 10, 11, 2)."""
    from policygraph.queries import document_order

    groups: dict[tuple, list[str]] = {}
    for r in QUERIES["owners"].run(engine):
        keys = groups.setdefault((r["unit_region"], r["unit"], r["plan"]), [])
        if r["task_key"] not in keys:
            keys.append(r["task_key"])
    assert all(keys == sorted(keys, key=document_order) for keys in groups.values())
    assert any(keys != sorted(keys) for keys in groups.values())  # strings would differ
    assert document_order("二.（十）") > document_order("二.（二）") > document_order("一.（十一）")


def test_listings_name_what_the_questions_take(engine):
    from policygraph.queries import listing

    plans = listing(engine, "plans")
    assert len(plans) == len(engine.latest_plans()) >= 4
    for p in plans:  # a listed id is a --plan the questions accept
        assert QUERIES["unassigned"].run(engine, plan=p["plan_id"]) is not None
    regions = {r["region"]: r["plans"] for r in listing(engine, "regions")}
    assert regions["昌吉市"] == 1 and sum(regions.values()) == len(plans)
    top = listing(engine, "indicators")[0]
    assert top["indicator"] == "高新技术企业数量" and top["plans"] == 3
    assert QUERIES["compare"].run(engine, metric=top["indicator"])
    units = listing(engine, "units")
    assert any(u["unit"] == "市科技局" and u["plans"] >= 1 for u in units)
    assert all(QUERIES["owners"].run(engine, unit=u["unit"]) for u in units[:5])


def test_who_owns_the_targets_of_one_indicator(engine):
    """owners --indicator, and compare's owners column, say who answers for each target."""
    rows = QUERIES["owners"].run(engine, indicator="高新技术企业")
    assert rows and {r["target_id"] for r in rows} <= {
        r["target_id"] for r in QUERIES["compare"].run(engine, metric="高新技术企业")}
    assert {("市科技局", "lead"), ("市商务和工信局", "lead")} <= {(r["unit"], r["role"])
                                                                for r in rows}
    compared = QUERIES["compare"].run(engine, metric="高新技术企业")
    task_row = next(r for r in compared if r["task_key"] == "二.（二）" and r["value"] == 50)
    assert "市科技局" in task_row["owners"]
    assert all(r["owners"] == [] for r in compared if r["task_key"] is None)  # goals
    with pytest.raises(QueryError):
        QUERIES["owners"].run(engine, indicator="不存在的指标名称")
