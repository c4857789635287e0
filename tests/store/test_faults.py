"""Database faults and hostile values, against the real Bolt server."""

from __future__ import annotations

import threading

import networkx as nx
import pytest
from typer.testing import CliRunner

from policygraph.cli import app
from policygraph.errors import DatabaseError
from policygraph.graph import node_id
from policygraph.store.neo4j import (_prop, connect, edge_statement, load_graph,
                                     node_statement)
from tests.bolt_server import CuttableLink, free_port

runner = CliRunner()
HOSTILE = ["市科技局'}) DETACH DELETE n //", 'say "hi"', "back`tick` MATCH (n) DELETE n",
           "\\'; DROP", "})-[:X]->() RETURN 1 //"]


def hostile_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    pid = node_id("Plan", "hostile")
    g.add_node(pid, label="Plan", title=HOSTILE[0], source="hostile.txt", region="昌吉市")
    for i, name in enumerate(HOSTILE):
        tid = node_id("Task", pid, i)
        uid = node_id("Unit", "昌吉市", name)
        g.add_node(tid, label="Task", key=str(i), title=name, plan=pid, quote=name)
        g.add_node(uid, label="Unit", name=name, canonical=name, region="昌吉市")
        g.add_edge(pid, tid, key="HAS_TASK", type="HAS_TASK")
        g.add_edge(uid, tid, key="LEADS", type="LEADS", plan=pid, quote=name)
    return g


def test_hostile_names_are_stored_as_values(db):
    g = hostile_graph()
    load_graph(db, g)
    with db.session() as s:
        names = {r["n"] for r in s.run("MATCH (u:Unit) RETURN u.name AS n")}
        quotes = {r["q"] for r in s.run("MATCH (:Unit)-[r:LEADS]->(:Task) RETURN r.quote AS q")}
    assert names == set(HOSTILE) == quotes
    load_graph(db, g)  # and again: still all there, nothing deleted
    with db.session() as s:
        assert s.run("MATCH (t:Task) RETURN count(t) AS c").single()["c"] == len(HOSTILE)


def test_a_hostile_unit_name_reaches_the_query_as_a_value(empty_db):
    """The name exists, so it is not refused before the query: it travels as a parameter,
    finds its unit on both engines, and deletes nothing."""
    from policygraph.queries import QUERIES, CypherEngine, GraphEngine

    g = hostile_graph()
    load_graph(empty_db, g)
    for name in HOSTILE:
        for engine in (GraphEngine(g), CypherEngine(empty_db)):
            rows = QUERIES["owners"].run(engine, unit=name)
            assert {r["unit"] for r in rows} == {name}, (engine.name, name)
    with empty_db.session() as s:
        assert s.run("MATCH (u:Unit) RETURN count(u) AS c").single()["c"] == len(HOSTILE)


def test_labels_types_and_keys_come_only_from_the_model():
    with pytest.raises(ValueError):
        node_statement("Unit`) DETACH DELETE n //")
    with pytest.raises(ValueError):
        edge_statement("LEADS]->() DELETE a //", "Unit", "Task")
    with pytest.raises(DatabaseError, match="E407"):
        _prop("name` = 1 DELETE n //")
    assert node_statement("Unit").startswith("MERGE (n:`Unit` {id: r.id})")


def test_transient_loss_is_retried(bolt_server, empty_db, corpus_graph):
    """The link drops after the first batch and comes back 0.5 s later: the load retries
    within its bound and finishes."""
    link = CuttableLink(bolt_server.port).start()
    driver = connect(link.uri, retry_seconds=20)
    cut = threading.Event()

    def drop_once(stage, done, total):
        if stage == "nodes" and not cut.is_set():
            cut.set()
            link.cut()
            threading.Timer(0.5, link.start).start()

    try:
        report = load_graph(driver, corpus_graph, progress=drop_once)
    finally:
        driver.close()
        link.cut()
    assert cut.is_set() and report.plans_loaded == 5
    with empty_db.session() as s:
        assert s.run("MATCH (p:Plan {active: true}) RETURN count(p) AS c").single()["c"] == 5


def test_the_password_is_never_printed(tmp_path, monkeypatch):
    runner.invoke(app, ["build", "data/raw", "--out", str(tmp_path), "-w", "1"])
    monkeypatch.setenv("NEO4J_PASSWORD", "pa55-w0rd-never-shown")
    result = runner.invoke(app, ["load", "-g", str(tmp_path), "--user", "neo4j",
                                 "--neo4j", f"bolt://127.0.0.1:{free_port()}"])
    assert result.exit_code == 4
    assert "pa55-w0rd-never-shown" not in result.output
    no_option = runner.invoke(app, ["load", "--password", "x", "--neo4j", "bolt://h"])
    assert no_option.exit_code == 2  # there is no --password to leak into shell history


def test_retries_are_bounded(bolt_server, empty_db, corpus_graph):
    link = CuttableLink(bolt_server.port).start()
    driver = connect(link.uri, retry_seconds=1)
    try:
        with pytest.raises(DatabaseError) as exc:
            load_graph(driver, corpus_graph,
                       progress=lambda stage, done, total: link.cut())
    finally:
        driver.close()
    assert exc.value.code == "E403"


def test_a_quote_in_a_query_parameter_is_only_a_value(empty_db):
    """FalkorDB pastes string parameters into the query text; policygraph escapes them."""
    from policygraph.store.neo4j import run_cypher

    load_graph(empty_db, hostile_graph())
    for name in HOSTILE:
        rows = run_cypher(empty_db, "MATCH (u:Unit {name: $n}) RETURN u.name AS name", {"n": name})
        assert rows == [{"name": name}]


def pwned(driver) -> int:
    with driver.session() as s:
        return s.run("MATCH (n:Pwn) RETURN count(n) AS c").single()["c"]


def test_a_parameter_map_key_cannot_write(bolt_server, empty_db):
    """FalkorDB pastes map keys into the statement unquoted: this key ran a CREATE."""
    key = '{"a: 1} CREATE (:Pwn) RETURN 1 AS m //": 1}'
    result = runner.invoke(app, ["cypher", "RETURN $m AS m", "-p", f"m={key}",
                                 "--neo4j", bolt_server.uri])
    assert result.exit_code == 4 and "[E407] parameter map key" in result.output
    assert pwned(empty_db) == 0
    fine = runner.invoke(app, ["cypher", "RETURN $m.a AS a", "-p", 'm={"a": 1}',
                               "--neo4j", bolt_server.uri, "-f", "json"])
    assert fine.exit_code == 0 and '"a": 1' in fine.output


def test_a_tampered_property_name_is_refused_on_load(empty_db):
    g = hostile_graph()
    pid = next(n for n, d in g.nodes(data=True) if d["label"] == "Plan")
    g.nodes[pid]["x: 1} CREATE (:Pwn) //"] = "1"  # as a hand-edited corpus.json could hold
    with pytest.raises(DatabaseError, match="E407"):
        load_graph(empty_db, g)
    assert pwned(empty_db) == 0


def test_a_long_argument_is_refused_and_the_server_lives(bolt_server, empty_db):
    """A 6 KB id or a 60 KB parameter crashed the test server; now they are refused
    before they are sent, and the message does not speak of a load."""
    uri = bolt_server.uri
    explain = runner.invoke(app, ["query", "explain", "task:" + "a" * 6000, "--neo4j", uri])
    assert explain.exit_code == 4 and "[E408]" in explain.output
    big = runner.invoke(app, ["cypher", "RETURN $v AS v", "-p", "v=" + "长" * 20_000,
                              "--neo4j", uri])
    assert big.exit_code == 4 and "[E408]" in big.output and "loaded graph" not in big.output
    after = runner.invoke(app, ["cypher", "RETURN 1 AS one", "--neo4j", uri, "-f", "json"])
    assert after.exit_code == 0 and '"one": 1' in after.output
