"""The Neo4j loader against a real Bolt server (FalkorDB, started by the fixtures)."""

from __future__ import annotations


import pytest

from policygraph.build import build
from policygraph.errors import DatabaseError
from policygraph.graph import LABELS, RELATIONSHIPS
from policygraph.store.neo4j import (FALKORDB, Loader, batches, connect, detect_profile,
                                     load_graph, split_long)
from tests.bolt_server import BoltServer, CuttableLink
from tests.conftest import PLANS, RAW, raise_changji_target

CHANGJI = PLANS["changji"]


def graph_counts(g) -> dict[str, int]:
    out = dict.fromkeys(LABELS + RELATIONSHIPS, 0)
    for _, d in g.nodes(data=True):
        out[d["label"]] += 1
    for _, _, d in g.edges(data=True):
        out[d["type"]] += 1
    return out


def db_counts(driver) -> dict[str, int]:
    return Loader(driver).counts()


def active_plans(driver) -> set[str]:
    with driver.session() as s:
        return {r["id"] for r in s.run("MATCH (p:Plan {active: true}) RETURN p.id AS id")}


def changji_targets(driver) -> list[float]:
    with driver.session() as s:
        return sorted(r["v"] for r in s.run(
            "MATCH (p:Plan {active: true})-[:HAS_TASK]->(:Task)-[:SETS]->(t:Target) "
            "WHERE p.source ENDS WITH $file AND t.metric = $metric RETURN t.value AS v",
            file=CHANGJI, metric="高新技术企业"))


def test_the_server_is_told_apart_from_neo4j(bolt_driver, neo4j_driver):
    assert detect_profile(bolt_driver).name == "falkordb"
    assert detect_profile(neo4j_driver).name == "neo4j"


def test_loading_twice_gives_the_same_counts_as_once(db, corpus_graph):
    first = load_graph(db, corpus_graph)
    once = db_counts(db)
    assert once == graph_counts(corpus_graph)
    assert first.plans_loaded == 5 and first.nodes_written == corpus_graph.number_of_nodes()

    again = load_graph(db, corpus_graph)
    # Nothing is rewritten but the five Plan nodes (a new version changes `latest`).
    assert (again.plans_loaded, again.plans_unchanged, again.nodes_written) == (0, 5, 5)
    forced = load_graph(db, corpus_graph, force=True)
    assert forced.plans_loaded == 5
    assert db_counts(db) == once
    assert len(active_plans(db)) == 5


def test_loading_a_changed_plan_replaces_its_subgraph(db, raw_copy):
    before = build(raw_copy).graph
    load_graph(db, before)
    assert changji_targets(db) == [50.0]

    raise_changji_target(raw_copy)
    after = build(raw_copy).graph
    report = load_graph(db, after)
    assert (report.plans_loaded, report.plans_unchanged) == (1, 4)
    assert changji_targets(db) == [60.0]
    assert db_counts(db) == graph_counts(after)  # no stale nodes, no duplicates
    assert active_plans(db) == {n for n, d in after.nodes(data=True) if d["label"] == "Plan"}


def test_a_removed_plan_leaves_the_database(db, raw_copy):
    load_graph(db, build(raw_copy).graph)
    (raw_copy / CHANGJI).unlink()
    smaller = build(raw_copy).graph
    report = load_graph(db, smaller)
    assert report.plans_removed == 1
    assert db_counts(db) == graph_counts(smaller)
    assert changji_targets(db) == []


def test_a_build_with_a_failed_file_keeps_that_plans_last_version(db, raw_copy):
    load_graph(db, build(raw_copy).graph)
    (raw_copy / CHANGJI).write_bytes(b"")  # the new draft arrived broken
    partial = build(raw_copy)
    assert len(partial.errors) == 1
    load_graph(db, partial.graph, prune=False)
    assert changji_targets(db) == [50.0]
    assert len(active_plans(db)) == 5


def test_a_link_cut_mid_load_leaves_the_previous_graph(bolt_server, empty_db, raw_copy):
    before = build(raw_copy).graph
    raise_changji_target(raw_copy)
    after = build(raw_copy).graph
    load_graph(empty_db, before)
    loaded = db_counts(empty_db)

    link = CuttableLink(bolt_server.port).start()
    driver = connect(link.uri, retry_seconds=1)
    try:
        def cut_after_first_batch(stage: str, done: int, total: int) -> None:
            if stage == "nodes":
                link.cut()

        with pytest.raises(DatabaseError) as lost:
            load_graph(driver, after, progress=cut_after_first_batch)
    finally:
        driver.close()
    assert lost.value.code == "E403"
    assert "previously loaded graph is still the active one" in lost.value.line()

    # The server kept the half-written new version (FalkorDB has no rollback) ...
    assert db_counts(empty_db)["Plan"] == loaded["Plan"] + 1
    # ... but it is inactive: every query still sees the previous graph.
    assert active_plans(empty_db) == {n for n, d in before.nodes(data=True) if d["label"] == "Plan"}
    assert changji_targets(empty_db) == [50.0]

    load_graph(empty_db, after)  # the re-run finishes the job and clears the leftovers
    assert db_counts(empty_db) == graph_counts(after)
    assert changji_targets(empty_db) == [60.0]


@pytest.mark.parametrize("kind", ["falkordb", "neo4j"])
def test_a_server_killed_mid_load_gives_one_clear_error(tmp_path, corpus_graph, kind):
    from tests.neo4j_server import Neo4jServer

    server = (BoltServer if kind == "falkordb" else Neo4jServer)(tmp_path / "db").start()
    driver = connect(server.uri, getattr(server, "user", None),
                     getattr(server, "password", None), retry_seconds=1)
    try:
        with pytest.raises(DatabaseError) as lost:
            load_graph(driver, corpus_graph,
                       progress=lambda stage, done, total: server.stop(kill=True))
    finally:
        driver.close()
        server.stop(kill=True)
    assert lost.value.code == "E403" and lost.value.exit_code == 4
    assert len(lost.value.line().splitlines()) == 1


def test_a_server_that_is_not_there_gives_one_clear_error(tmp_path):
    server = BoltServer(tmp_path / "db")  # chosen a port, never started
    with pytest.raises(DatabaseError) as exc:
        connect(server.uri, timeout=1)
    assert exc.value.code == "E401" and server.uri in exc.value.line()


def test_a_bad_uri_is_a_usage_error():
    with pytest.raises(DatabaseError) as exc:
        connect("http://127.0.0.1:7474")
    assert exc.value.code == "E406"


# ------------------------------------------------------------------- batching rules
def test_batches_respect_rows_and_bytes():
    rows = [{"id": str(i), "props": {"t": "字" * 100}} for i in range(10)]
    by_rows = list(batches(rows, 4, None))
    assert [len(b) for b in by_rows] == [4, 4, 2]
    by_bytes = list(batches(rows, 100, 700))
    assert all(sum(len(str(r).encode()) for r in b) < 1400 for b in by_bytes)
    assert sum(map(len, by_bytes)) == 10 and len(by_bytes) > 2


def test_long_strings_are_split_into_whole_characters():
    row = {"id": "x", "props": {"text": "任务" * 2000, "level": 2}}
    small, pieces = split_long(row, 1800)
    assert small["props"] == {"text": "", "level": 2}
    assert "".join(p for _, p in pieces) == "任务" * 2000
    assert all(len(p.encode()) <= 1800 for _, p in pieces)


def test_a_task_longer_than_a_message_is_stored_whole(empty_db, tmp_path):
    """FalkorDB aborts on a message over ~4 KB; a 12 KB task must still arrive whole."""
    text = (RAW / CHANGJI).read_text(encoding="utf-8")
    long_task = "（二）推动高新技术企业提质增量。" + "落实各级高新技术企业优惠政策，调动企业积极性。" * 160
    (tmp_path / "plan.txt").write_text(
        text.replace("（二）推动高新技术企业提质增量。", long_task, 1), encoding="utf-8")
    g = build(tmp_path).graph
    longest = max((d for _, d in g.nodes(data=True) if d["label"] == "Task"),
                  key=lambda d: len(d["quote"]))
    assert len(longest["quote"].encode()) > 3 * FALKORDB.max_message_bytes
    load_graph(empty_db, g)
    with empty_db.session() as s:
        stored = s.run("MATCH (t:Task {id: $id}) RETURN t.quote AS quote",
                       id=longest["id"]).single()["quote"]
    assert stored == longest["quote"]
    assert db_counts(empty_db) == graph_counts(g)


def test_a_changed_plan_loaded_without_pruning_has_one_active_version(db, raw_copy):
    """What `build --neo4j` does when some other file failed: prune=False. The switch must
    still leave exactly one active version of each source file."""
    load_graph(db, build(raw_copy).graph)
    raise_changji_target(raw_copy)
    after = build(raw_copy).graph
    load_graph(db, after, prune=False)
    with db.session() as s:
        rows = s.run("MATCH (p:Plan {active: true}) RETURN p.source AS source, p.id AS id").data()
    sources = [r["source"] for r in rows]
    assert len(sources) == len(set(sources)) == 5
    new = next(n for n, d in after.nodes(data=True) if d["label"] == "Plan"
               and d["source"].endswith(CHANGJI))
    assert new in {r["id"] for r in rows}
    assert changji_targets(db) == [60.0]


# ------------------------------------------------------- what only Neo4j itself can show
def test_a_duplicate_id_is_rejected_by_the_constraint(neo4j_db, corpus_graph):
    import neo4j

    load_graph(neo4j_db, corpus_graph)  # creates a uniqueness constraint per label
    unit = next(n for n, d in corpus_graph.nodes(data=True) if d["label"] == "Unit")
    with neo4j_db.session() as s:
        names = {r["labelsOrTypes"][0] for r in s.run(
            "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type "
            "WHERE type = 'UNIQUENESS' AND properties = ['id'] RETURN labelsOrTypes")}
        assert set(LABELS) <= names
        with pytest.raises(neo4j.exceptions.ConstraintError):
            s.run("CREATE (:Unit {id: $id})", id=unit).consume()


def test_a_wrong_password_is_one_line_and_exit_4(neo4j_server, tmp_path):
    from typer.testing import CliRunner

    from policygraph.cli import app

    build(RAW, tmp_path / "g", workers=1)
    result = CliRunner().invoke(
        app, ["load", "--graphs", str(tmp_path / "g"), "--neo4j", neo4j_server.uri],
        env={"NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "not-the-password"})
    assert result.exit_code == 4
    assert "[E402] the graph database refused the credentials of user 'neo4j'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_write_in_a_read_session_is_refused_by_the_server(neo4j_db, monkeypatch):
    """The clause check is the second guard; Neo4j's READ access mode is the first."""
    from policygraph.store import neo4j as store

    monkeypatch.setattr(store, "writes", lambda statement: False)  # the first guard off
    with pytest.raises(DatabaseError) as refused:
        store.run_cypher(neo4j_db, "CREATE (:Plan {id: 'sneaked'})", {})
    assert refused.value.code == "E404"
    with neo4j_db.session() as s:
        assert s.run("MATCH (p:Plan {id: 'sneaked'}) RETURN count(p) AS c").single()["c"] == 0


def test_a_load_that_fails_midway_leaves_the_previous_graph(neo4j_db, raw_copy):
    """A failure while a changed plan's relationships are written, inside the transaction
    that writes its subgraph and switches to it: Neo4j rolls it all back, so the database
    holds exactly the previous graph (no inactive leftover either)."""
    before = build(raw_copy).graph
    load_graph(neo4j_db, before)
    loaded = db_counts(neo4j_db)
    raise_changji_target(raw_copy)
    after = build(raw_copy).graph

    class Broken(Exception):
        pass

    def fail_midway(stage: str, done: int, total: int) -> None:
        if stage == "relationships":
            raise Broken
    with pytest.raises(Broken):
        load_graph(neo4j_db, after, progress=fail_midway)
    assert db_counts(neo4j_db) == loaded
    assert active_plans(neo4j_db) == {n for n, d in before.nodes(data=True) if d["label"] == "Plan"}
    assert changji_targets(neo4j_db) == [50.0]
    load_graph(neo4j_db, after)
    assert db_counts(neo4j_db) == graph_counts(after) and changji_targets(neo4j_db) == [60.0]


def test_a_statement_failing_mid_transaction_writes_nothing_of_it(neo4j_db, raw_copy):
    """A Task property Neo4j cannot store (a map) fails the batch of the new plan's tasks:
    the transaction rolls back every row of it, and the previous graph stays active."""
    before = build(raw_copy).graph
    load_graph(neo4j_db, before)
    raise_changji_target(raw_copy)
    after = build(raw_copy).graph
    new = next(n for n, d in after.nodes(data=True) if d["label"] == "Plan"
               and d["source"].endswith(CHANGJI))
    task = next(n for n, d in after.nodes(data=True) if d["label"] == "Task" and d["plan"] == new)
    after.nodes[task]["title"] = {"not": "storable"}
    with pytest.raises(DatabaseError) as failed:
        load_graph(neo4j_db, after)
    assert failed.value.code == "E404" and len(failed.value.line().splitlines()) == 1
    with neo4j_db.session() as s:
        assert s.run("MATCH (t:Task {plan: $p}) RETURN count(t) AS c", p=new).single()["c"] == 0
    assert active_plans(neo4j_db) == {n for n, d in before.nodes(data=True) if d["label"] == "Plan"}
    assert changji_targets(neo4j_db) == [50.0]


def test_each_transaction_switches_whole_plans(neo4j_db, raw_copy):
    """One plan per transaction (chunk_rows=1), two plans changed, a failure in the second
    transaction: the first plan has its new version, the second its previous one, and
    nothing of the second's new version was kept."""
    before = build(raw_copy).graph
    load_graph(neo4j_db, before)
    raise_changji_target(raw_copy)
    ten = raw_copy / PLANS["ten_actions"]
    ten.write_text(ten.read_text(encoding="utf-8") + "\n本方案自印发之日起施行。\n",
                   encoding="utf-8")
    after = build(raw_copy).graph
    changed = sorted((set(after) - set(before)) & {n for n, d in after.nodes(data=True)
                                                   if d["label"] == "Plan"})
    assert len(changed) == 2
    switched = []

    class Broken(Exception):
        pass

    def fail_in_second(stage: str, done: int, total: int) -> None:
        if stage == "plans":
            switched.append(done)
        elif stage == "nodes" and switched:
            raise Broken

    with pytest.raises(Broken):
        load_graph(neo4j_db, after, chunk_rows=1, progress=fail_in_second)
    first, second = changed  # the loader takes changed plans in id order
    old_second = next(n for n, d in before.nodes(data=True) if d["label"] == "Plan"
                      and d["source"] == after.nodes[second]["source"])
    assert first in active_plans(neo4j_db) and old_second in active_plans(neo4j_db)
    with neo4j_db.session() as s:
        assert s.run("MATCH (n {plan: $p}) RETURN count(n) AS c", p=second).single()["c"] == 0
        assert s.run("MATCH (p:Plan {id: $p}) RETURN count(p) AS c", p=second
                     ).single()["c"] == 0
    load_graph(neo4j_db, after)
    assert db_counts(neo4j_db) == graph_counts(after)


def test_neo4j_killed_mid_load_restarts_with_the_previous_graph(tmp_path, raw_copy):
    """SIGKILL while a changed plan's transaction is open; the restarted server holds
    exactly the graph of the load before (read back: counts, active plans, the value)."""
    from tests.neo4j_server import Neo4jServer

    before = build(raw_copy).graph
    raise_changji_target(raw_copy)
    after = build(raw_copy).graph
    server = Neo4jServer(tmp_path / "db").start()
    try:
        driver = connect(server.uri, server.user, server.password, retry_seconds=1)
        try:
            load_graph(driver, before)
            loaded = db_counts(driver)

            def kill_in_transaction(stage: str, done: int, total: int) -> None:
                if stage == "relationships":
                    server.stop(kill=True)

            with pytest.raises(DatabaseError) as lost:
                load_graph(driver, after, progress=kill_in_transaction)
            assert lost.value.code == "E403"
        finally:
            driver.close()
        server.start()
        driver = connect(server.uri, server.user, server.password)
        try:
            assert db_counts(driver) == loaded
            assert active_plans(driver) == {n for n, d in before.nodes(data=True)
                                            if d["label"] == "Plan"}
            assert changji_targets(driver) == [50.0]
        finally:
            driver.close()
    finally:
        server.stop(kill=True)
