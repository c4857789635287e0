"""Load the corpus graph into Neo4j, or any server that speaks Bolt, with the official driver.

After ``load_graph(driver, g)`` the database holds exactly ``g``: loading twice changes
nothing, a changed plan replaces its subgraph, a removed plan disappears. A failure leaves
the previously loaded graph in place:

1. The shared nodes (units, indicators, platforms …) are MERGEd: harmless if the rest fails.
2. Plan ids derive from the file's content, so a changed plan gets all-new ids and is
   written *beside* the old version; in the same transaction (whole plans, ~20,000 rows
   each) a last statement switches ``active`` from each source file's old version to its
   new one. On Neo4j a failure rolls the transaction back: those plans keep their previous
   version, the plans of earlier transactions have their new one. Queries only ever
   start from active plans, so on a server without rollback (FalkorDB) the half-written
   version of a failed transaction is an inactive leftover that the next load removes.
3. Then stale plans, and the shared nodes and links no plan uses any more, are deleted.

Labels and relationship types in statements come only from the fixed lists of
``graph.py``; every value travels as a parameter.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import networkx as nx
import neo4j
import orjson
from neo4j import GraphDatabase
from neo4j import exceptions as nx4j

from ..errors import DatabaseError, Errors
from ..graph import (LABELS, OWNED_LABELS, RELATIONSHIPS, SHARED_EDGES, SHARED_LABELS,
                     owner_plan)
from .files import owned_by_plan

Progress = Callable[[str, int, int], None]  # (stage, done, total)
# Neo4j warns of every label or type a MATCH names before any exists (an empty database):
# expected here, not worth a screen of log lines.
logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
_BOLT_URI = re.compile(r"^(bolt|neo4j)(\+s|\+ssc)?://[^/\s:]*(\[[^\]/\s]*\])?[^/\s:]*"
                       r"(?::(?P<port>\d+))?(?:[/?]\S*)?$")
# Properties that every fact of one plan shares: sent once per batch, not once per row.
COMMON_PROPS = ("plan", "file")
TX_STATEMENTS = 20  # statements per write transaction (shared nodes, deletions)
CHUNK_ROWS = 20_000  # nodes and relationships of changed plans per transaction
_PROP_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ServerProfile:
    """What the server accepts. The one place where the test server's defects are handled."""

    name: str
    batch_rows: int  # rows per UNWIND statement
    max_message_bytes: int | None  # FalkorDB aborts on a Bolt message over ~4 KB
    constraints: bool  # Neo4j's CREATE CONSTRAINT … IS UNIQUE
    inlines_strings: bool = False  # pastes string parameters into '…' without escaping
    # Undoes a failed transaction. Without it a retried transaction finds the rows it wrote
    # before the failure, so nodes are never CREATEd, only MERGEd (no duplicates).
    rollback: bool = False

    def prepare(self, statement: str, params: dict) -> dict:
        """Parameters ready to send with ``statement``: refused whole if the message
        would pass the server's limit (FalkorDB crashed on a 6 KB id or a 60 KB value,
        taking every later statement with it), else as ``wire`` makes them."""
        if self.max_message_bytes:
            size = len(statement.encode()) + _size(params)
            if size > self.max_message_bytes:
                raise DatabaseError(Errors.E408, size=size, limit=self.max_message_bytes)
        return self.wire(params)

    def wire(self, value: object) -> object:
        """A parameter value as this server needs it: FalkorDB puts string parameters
        into the query text between single quotes, so a quote or backslash in a value
        would end the literal (an error, a changed value, or worse). Escaping them makes
        the server read back exactly the value sent."""
        if not self.inlines_strings:
            return value
        if isinstance(value, str):
            return value.replace("\\", "\\\\").replace("'", "\\'")
        if isinstance(value, list):
            return [self.wire(v) for v in value]
        if isinstance(value, dict):
            # Map keys are pasted as they are, unquoted: {"a: 1} CREATE (:Pwn) //": 1} ran
            # the CREATE. A key that is not a plain name is refused before it is sent.
            return {_key(k, "parameter map key"): self.wire(v) for k, v in value.items()}
        return value


NEO4J = ServerProfile("neo4j", batch_rows=1000, max_message_bytes=None, constraints=True,
                      rollback=True)
# FalkorDB 4.16 (the test server): small messages, no constraint syntax, inlined strings.
FALKORDB = ServerProfile("falkordb", batch_rows=40, max_message_bytes=3600, constraints=False,
                         inlines_strings=True)


# ------------------------------------------------------------------------------ connecting
def connect(uri: str, user: str | None = None, password: str | None = None, *,
            timeout: float = 3.0, retry_seconds: float = 15.0,
            attempts: int = 3) -> neo4j.Driver:
    """A driver that has proved it can reach the server; errors become DatabaseError.

    ``retry_seconds`` bounds how long a transaction is retried on transient errors. The
    first contact is tried ``attempts`` times: FalkorDB leaves every other handshake that
    follows a closed connection hanging, and the next attempt then succeeds.
    """
    m = _BOLT_URI.match(uri)
    if not m or (m["port"] and not 0 < int(m["port"]) < 65536):  # 99999 wrapped to 34463
        raise DatabaseError(Errors.E406, uri)
    auth = (user, password or "") if user else None
    try:
        driver = GraphDatabase.driver(uri, auth=auth, connection_timeout=timeout,
                                      connection_acquisition_timeout=timeout,
                                      max_transaction_retry_time=retry_seconds)
    except ValueError:  # what the driver's URL parsing refuses: bolt://[::1
        raise DatabaseError(Errors.E406, uri) from None
    for _ in range(attempts):
        try:
            with database_errors("connect", uri, user):
                driver.verify_connectivity()
            return driver
        except DatabaseError as exc:
            failure = exc
            if exc.code != "E401":  # refused credentials will not change on a retry
                break
    driver.close()
    raise failure


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0][:200]


@contextlib.contextmanager
def database_errors(stage: str, uri: str | None = None, user: str | None = None):
    """Turn the driver's exceptions into one coded DatabaseError."""
    try:
        yield
    except DatabaseError:
        raise
    except nx4j.AuthError:
        raise DatabaseError(Errors.E402, uri, user=user or "") from None
    except (nx4j.ServiceUnavailable, nx4j.SessionExpired, OSError) as exc:
        if stage == "connect":
            raise DatabaseError(Errors.E401, uri, reason=_reason(exc)) from None
        # Only a load can promise the previous graph: a question changes nothing.
        hint = "" if stage == "query" else ("; the previously loaded graph is still the "
                                            "active one, run the load again")
        raise DatabaseError(Errors.E403, uri, stage=stage, reason=_reason(exc),
                            hint=hint) from None
    except (nx4j.Neo4jError, nx4j.DriverError) as exc:
        raise DatabaseError(Errors.E404, uri, stage=stage, reason=_reason(exc)) from None


def detect_profile(driver: neo4j.Driver, database: str | None = None) -> ServerProfile:
    """Neo4j answers ``dbms.components()``; FalkorDB does not, but lists its algo.* procedures."""
    with database_errors("connect"), driver.session(database=database) as s:
        try:
            s.run("CALL dbms.components() YIELD name RETURN name").consume()
            return NEO4J
        except nx4j.Neo4jError:
            pass
        names = [r["name"] for r in s.run("CALL dbms.procedures() YIELD name RETURN name")]
    if any(n.startswith("algo.") for n in names):
        return FALKORDB
    return ServerProfile("bolt", FALKORDB.batch_rows, FALKORDB.max_message_bytes, False)


# ------------------------------------------------------------------------------ batching
def _size(obj: object) -> int:
    """Bytes a value takes on the wire, near enough (Packstream is no larger than JSON)."""
    return len(orjson.dumps(obj))


def batches(rows: Iterable[dict], max_rows: int, max_bytes: int | None) -> Iterator[list[dict]]:
    """Consecutive groups of rows under both limits (a single row always forms a batch)."""
    batch: list[dict] = []
    size = 0
    for row in rows:
        n = _size(row)
        if batch and (len(batch) >= max_rows or (max_bytes and size + n > max_bytes)):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += n
    if batch:
        yield batch


def split_long(row: dict, max_bytes: int) -> tuple[dict, list[tuple[str, str]]]:
    """A row over the byte limit, with its long strings emptied, and those strings cut
    into pieces (whole characters) to append one statement each."""
    if _size(row) <= max_bytes:
        return row, []
    piece = max(1, max_bytes // 8)  # characters: ≤ 4 bytes each, ≤ 6 when JSON-escaped
    props = dict(row["props"])
    appends = []
    for key, value in row["props"].items():
        if isinstance(value, str) and len(value) > piece:
            props[key] = ""
            appends += [(key, value[i:i + piece]) for i in range(0, len(value), piece)]
    return {**row, "props": props}, appends


def _key(key: object, what: str) -> str:
    if not isinstance(key, str) or not _PROP_KEY.match(key):
        raise DatabaseError(Errors.E407, what=what, key=key)
    return key


def _prop(key: str) -> str:
    return f"`{_key(key, 'property name')}`"


def _label(name: str, allowed: Iterable[str]) -> str:
    if name not in allowed:  # labels and types cannot be parameters: allow-list them
        raise ValueError(f"not a label or relationship type of the model: {name!r}")
    return f"`{name}`"


# ------------------------------------------------------------------------------ statements
def node_statement(label: str, fresh: bool = False) -> str:
    """``fresh``: the nodes of a plan version the database has never held, which cannot
    exist yet: CREATE spares MERGE's lookup (the constraint still guards the id)."""
    lab = _label(label, LABELS)
    if label == "Plan":  # a new version stays inactive until the switch
        return (f"MERGE (n:{lab} {{id: r.id}}) ON CREATE SET n.active = false "
                f"SET n += r.props, n += $common")
    if fresh:
        return f"CREATE (n:{lab} {{id: r.id}}) SET n += r.props, n += $common"
    return f"MERGE (n:{lab} {{id: r.id}}) SET n += r.props, n += $common"


def edge_statement(rel: str, la: str, lb: str, fresh: bool = False) -> str:
    """``fresh``: an edge of a node that did not exist before this load, so none of its
    edges can: CREATE, not MERGE (which scans the node's relationships for a twin)."""
    verb = "CREATE" if fresh else "MERGE"
    return (f"MATCH (a:{_label(la, LABELS)} {{id: r.a}}) MATCH (b:{_label(lb, LABELS)} "
            f"{{id: r.b}}) {verb} (a)-[x:{_label(rel, RELATIONSHIPS)}]->(b) "
            f"SET x += r.props, x += $common")


SWITCH = "MATCH (p:Plan {source: r.source}) SET p.active = (p.id = r.id)"
DEACTIVATE = "MATCH (p:Plan {id: r.id}) SET p.active = false"


# ------------------------------------------------------------------------------ the loader
@dataclass
class LoadReport:
    server: str = ""
    plans_loaded: int = 0
    plans_unchanged: int = 0
    plans_removed: int = 0
    nodes_written: int = 0
    relationships_written: int = 0
    nodes_deleted: int = 0
    statements: int = 0
    seconds: float = 0.0


@dataclass
class _State:
    """What the database holds before the load."""

    plans: dict[str, bool]  # plan id → active
    shared: dict[str, set[str]]  # label → ids
    shared_edges: dict[tuple[str, str, str], set[tuple[str, str]]]


class Loader:
    """Writes rows in batches (``batched``) or one statement per entity (``single``, the
    naive way, kept for the benchmark)."""

    def __init__(self, driver: neo4j.Driver, database: str | None = None,
                 profile: ServerProfile | None = None, batch_rows: int | None = None,
                 mode: str = "batched", progress: Progress | None = None) -> None:
        if mode not in ("batched", "single"):
            raise ValueError(f"mode must be 'batched' or 'single', not {mode!r}")
        self.driver = driver
        self.database = database
        self.profile = profile or detect_profile(driver, database)
        self.batch_rows = batch_rows or self.profile.batch_rows
        self.mode = mode
        self.progress = progress
        self.statements = 0

    @property
    def _budget(self) -> int | None:
        return self.profile.max_message_bytes

    def session(self) -> neo4j.Session:
        return self.driver.session(database=self.database)

    def read(self, query: str, stage: str, **params) -> list[dict]:
        with database_errors(stage), self.session() as s:
            self.statements += 1
            return s.execute_read(lambda tx: [r.data() for r in
                                              tx.run(query, self.profile.prepare(query, params))])

    def run(self, query: str, stage: str, **params) -> None:
        with database_errors(stage), self.session() as s:
            self.statements += 1
            s.execute_write(lambda tx: tx.run(query, self.profile.prepare(query, params)).consume())

    def jobs(self, body: str, rows: list[dict],
             append_match: str | None = None) -> list[tuple[str, dict]]:
        """The batched statements that run ``body`` (written against a row ``r`` and a map
        ``$common``) for every row.

        The properties every row of a batch shares (one plan's id and file) travel once,
        as ``$common``, where messages are small. ``append_match`` (a MATCH binding ``n``
        for a row) lets a row over the message limit be written in pieces: the row with
        its long strings emptied, then one append per piece."""
        appends: list[tuple[dict, str, str]] = []
        if self._budget and append_match:
            fitted = []
            for row in rows:
                small, pieces = split_long(row, self._budget // 2)
                fitted.append(small)
                appends += [(row, k, piece) for k, piece in pieces]
            rows = fitted
        query = "UNWIND $rows AS r " + body
        return [(query, {"rows": batch, "common": common})
                for batch, common in self._batches(query, rows)] + [
            (f"WITH $row AS r {append_match} SET n.{_prop(key)} = "
             f"coalesce(n.{_prop(key)}, '') + $piece",
             {"row": {k: v for k, v in row.items() if k != "props"}, "piece": piece})
            for row, key, piece in appends]

    def write(self, body: str, rows: list[dict], stage: str,
              append_match: str | None = None) -> int:
        """``body`` for every row, in transactions of a few statements; returns the number
        of rows. In ``single`` mode, one auto-committed statement per row."""
        with database_errors(stage), self.session() as s:
            if self.mode == "single":
                for row in rows:
                    s.run("WITH $row AS r " + body,
                          self.profile.wire({"row": row, "common": {}})).consume()
                    self.statements += 1
            else:
                self._in_transactions(s, self.jobs(body, rows, append_match))
        return len(rows)

    def write_together(self, groups: list[tuple[str, str, list[dict], str | None]],
                       stage: str) -> None:
        """(progress stage, body, rows, append_match) groups in ONE transaction: on a
        server that rolls back, all of them or none. Progress ticks after each statement
        (a failure there aborts the transaction like any other)."""
        if self.mode == "single":  # the naive baseline: no transaction to speak of
            for tick, body, rows, append_match in groups:
                self.write(body, rows, stage, append_match)
                self.tick(tick, len(rows), len(rows))
            return
        jobs = [(tick, job) for tick, body, rows, append_match in groups
                for job in self.jobs(body, rows, append_match)]

        def work(tx) -> None:
            for i, (tick, (query, params)) in enumerate(jobs, 1):
                tx.run(query, self.profile.wire(params)).consume()
                self.tick(tick, i, len(jobs))

        with database_errors(stage), self.session() as s:
            s.execute_write(work)
        self.statements += len(jobs)

    def _batches(self, query: str, rows: list[dict]) -> Iterator[tuple[list[dict], dict]]:
        """(rows, common) pairs. Under a message limit (FalkorDB) rows are grouped by the
        properties they share, sent once per batch, then cut to size; one plan's rows per
        batch is the price, which Neo4j need not pay."""
        if not self._budget:  # no message limit: thousands of rows, each with its props
            for batch in batches(rows, self.batch_rows, None):
                yield batch, {}
            return

        def shared(row: dict) -> tuple:
            return tuple(row.get("props", {}).get(k) for k in COMMON_PROPS)

        for key, group in itertools.groupby(sorted(rows, key=lambda r: str(shared(r))), shared):
            common = {k: v for k, v in zip(COMMON_PROPS, key) if v is not None}
            group = [{**r, "props": {k: v for k, v in r["props"].items() if k not in common}}
                     if common else r for r in group]
            budget = self._budget and self._budget - len(query.encode()) - _size(common)
            for batch in batches(group, self.batch_rows, budget):
                yield batch, common

    def _in_transactions(self, s: neo4j.Session, jobs: list[tuple[str, dict]]) -> None:
        """Several statements per transaction: each BEGIN/COMMIT costs a round trip."""
        for i in range(0, len(jobs), TX_STATEMENTS):
            group = jobs[i:i + TX_STATEMENTS]
            s.execute_write(lambda tx, g=group: [tx.run(q, self.profile.wire(p)).consume()
                                                 for q, p in g])
            self.statements += len(group)

    # ---------------------------------------------------------------------- schema
    def prepare_schema(self) -> None:
        """Uniqueness on every label's id (Neo4j); plain indexes where that is all there is."""
        lookups = ([(label, "id") for label in LABELS]
                   + [(label, "plan") for label in OWNED_LABELS if label != "Plan"]
                   + [("Plan", "source")])
        if self.profile.constraints:
            for label in LABELS:
                self.run(f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:"
                         f"{_label(label, LABELS)}) REQUIRE n.id IS UNIQUE", "schema")
            for label, prop in lookups[len(LABELS):]:
                self.run(f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:"
                         f"{_label(label, LABELS)}) ON (n.{_prop(prop)})", "schema")
            return
        existing = {(r["label"], p) for r in self.read("CALL db.indexes() YIELD label, "
                                                       "properties RETURN label, properties",
                                                       "schema")
                    for p in r["properties"]}
        for label, prop in lookups:
            if (label, prop) not in existing:
                self.run(f"CREATE INDEX FOR (n:{_label(label, LABELS)}) ON "
                         f"(n.{_prop(prop)})", "schema")

    # ---------------------------------------------------------------------- state
    def state(self) -> _State:
        plans = {r["id"]: bool(r["active"]) for r in
                 self.read("MATCH (p:Plan) RETURN p.id AS id, p.active AS active", "reading")}
        shared = {label: {r["id"] for r in self.read(
            f"MATCH (n:{_label(label, LABELS)}) RETURN n.id AS id", "reading")}
            for label in SHARED_LABELS}
        edges = {(rel, la, lb): {(r["a"], r["b"]) for r in self.read(
            f"MATCH (a:{_label(la, LABELS)})-[:{_label(rel, RELATIONSHIPS)}]->"
            f"(b:{_label(lb, LABELS)}) RETURN a.id AS a, b.id AS b", "reading")}
            for rel, la, lb in SHARED_EDGES}
        return _State(plans, shared, edges)

    def counts(self) -> dict[str, int]:
        """Nodes per label and relationships per type, as the database holds them."""
        out = {}
        for label in LABELS:
            out[label] = self.read(f"MATCH (n:{_label(label, LABELS)}) RETURN count(n) AS c",
                                   "counting")[0]["c"]
        for rel in RELATIONSHIPS:
            out[rel] = self.read(f"MATCH ()-[x:{_label(rel, RELATIONSHIPS)}]->() "
                                 f"RETURN count(x) AS c", "counting")[0]["c"]
        return out

    # ---------------------------------------------------------------------- deleting
    def delete_plans(self, plan_ids: list[str]) -> int:
        rows = [{"id": pid} for pid in plan_ids]
        for label in OWNED_LABELS:
            key = "id" if label == "Plan" else "plan"
            self.write(f"MATCH (n:{_label(label, LABELS)} {{{key}: r.id}}) DETACH DELETE n",
                       rows, "deleting stale plans")
        return len(rows)

    def delete_nodes(self, label: str, ids: Iterable[str]) -> int:
        rows = [{"id": i} for i in sorted(ids)]
        if rows:
            self.write(f"MATCH (n:{_label(label, LABELS)} {{id: r.id}}) DETACH DELETE n",
                       rows, "deleting unused nodes")
        return len(rows)

    def delete_edges(self, rel: str, la: str, lb: str, pairs: Iterable[tuple[str, str]]) -> None:
        rows = [{"a": a, "b": b} for a, b in sorted(pairs)]
        if rows:
            self.write(f"MATCH (a:{_label(la, LABELS)} {{id: r.a}})-[x:"
                       f"{_label(rel, RELATIONSHIPS)}]->(b:{_label(lb, LABELS)} {{id: r.b}}) "
                       f"DELETE x", rows, "deleting unused links")

    def tick(self, stage: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(stage, done, total)


# ------------------------------------------------------------------------------ the load
def _props(data: dict) -> dict:
    """The properties to store: not the model's bookkeeping, and no None (Neo4j stores no
    nulls)."""
    return {_key(k, "property name"): v for k, v in data.items()
            if v is not None and k not in ("label", "id", "type")}


def load_graph(driver: neo4j.Driver, g: nx.MultiDiGraph, *, database: str | None = None,
               profile: ServerProfile | None = None, force: bool = False,
               mode: str = "batched", batch_rows: int | None = None, prune: bool = True,
               chunk_rows: int = CHUNK_ROWS, progress: Progress | None = None) -> LoadReport:
    """Make the database hold exactly ``g`` (see the module's docstring for how).

    ``prune=False`` keeps active plans that ``g`` lacks (a build where some file failed),
    and with them every shared node; only changed versions and leftovers are replaced.
    ``chunk_rows``: about how many nodes and relationships of changed plans one
    transaction writes (whole plans, with their switch)."""
    started = time.perf_counter()
    loader = Loader(driver, database, profile, batch_rows, mode, progress)
    report = LoadReport(server=loader.profile.name)
    loader.prepare_schema()
    before = loader.state()

    plans = {n: d for n, d in g.nodes(data=True) if d["label"] == "Plan"}
    active = {pid for pid, on in before.plans.items() if on}
    to_load = set(plans) if force else set(plans) - active
    report.plans_loaded, report.plans_unchanged = len(to_load), len(plans) - len(to_load)
    owned_by = {p: mine for p, mine in owned_by_plan(g).items() if p in to_load}
    owned = set().union(*owned_by.values())
    shared_in_db = set().union(*before.shared.values())
    shared = {n for n, d in g.nodes(data=True) if owner_plan(n, d) is None and (
        n not in shared_in_db or any(m in owned for m in nx.all_neighbors(g, n)))}
    # Nodes the database cannot hold yet, written with CREATE (no MERGE lookup) where a
    # failed transaction leaves nothing behind: those of versions it never held (ids derive
    # from content: a new version's owned nodes are new; a failed load leaves a version
    # inactive, so it is only "new" when no node of the plan is there at all), and the
    # shared nodes it lacks.
    fresh: set[str] = set()
    if loader.profile.rollback:
        new_plans = to_load - set(before.plans)
        fresh = {n for n in owned if owner_plan(n, g.nodes[n]) in new_plans}
        fresh |= shared - shared_in_db

    def node_groups(nodes: Iterable[str]) -> list[tuple[str, str, list[dict], str]]:
        by_label: dict[tuple[str, bool], list[dict]] = {}
        for n in sorted(nodes, key=lambda n: (g.nodes[n]["label"] != "Plan", n)):
            d = g.nodes[n]
            by_label.setdefault((d["label"], n in fresh), []).append({"id": n, "props": _props(d)})
        return [("nodes", node_statement(label, new), rows,
                 f"MATCH (n:{_label(label, LABELS)} {{id: r.id}})")
                for (label, new), rows in by_label.items()]

    def edge_groups(edges: Iterable[tuple[str, str, dict]]) -> list[tuple[str, str, list, None]]:
        by_type: dict[tuple[str, str, str, bool], list[dict]] = {}
        for a, b, d in edges:
            key = (d["type"], g.nodes[a]["label"], g.nodes[b]["label"], a in fresh or b in fresh)
            by_type.setdefault(key, []).append({"a": a, "b": b, "props": _props(d)})
        for (rel, la, lb, new), rows in by_type.items():
            if new:  # MERGE keeps one edge of a type between two nodes, the last written
                by_type[rel, la, lb, new] = list({(r["a"], r["b"]): r for r in rows}.values())
        return [("relationships", edge_statement(rel, la, lb, new), rows, None)
                for (rel, la, lb, new), rows in sorted(by_type.items())]

    def count(groups: list) -> int:
        return sum(len(rows) for _, _, rows, _ in groups)

    def run(groups: list, stage: str) -> int:
        for _, body, rows, append_match in groups:
            loader.write(body, rows, stage, append_match)
        return count(groups)

    # 1. the shared nodes and the links between them: MERGE, harmless if a later step fails.
    report.nodes_written += run(node_groups(shared), "writing nodes")
    loader.tick("shared nodes", report.nodes_written, report.nodes_written)
    report.relationships_written += run(edge_groups(
        (a, b, d) for a, b, d in g.edges(data=True) if a in shared and b in shared),
        "writing relationships")
    loader.tick("shared relationships", report.relationships_written,
                report.relationships_written)

    # 2. each changed plan's subgraph and the switch to it, whole plans to a transaction:
    # a failure rolls the transaction back and leaves those plans' previous versions.
    inner: dict[str, list] = {p: [] for p in to_load}  # within one plan, or to shared nodes
    across = []  # between two plans' nodes (SUPERSEDES): once every plan is there
    for a, b, d in g.edges(data=True):
        pa, pb = owner_plan(a, g.nodes[a]), owner_plan(b, g.nodes[b])
        if pa is not None and pb is not None and pa != pb:
            if pa in to_load or pb in to_load:
                across.append((a, b, d))
        elif (pa or pb) in to_load:
            inner[pa or pb].append((a, b, d))
    chunk: list[str] = []
    size = 0
    for i, p in enumerate(sorted(to_load), 1):
        chunk.append(p)
        size += len(owned_by[p]) + len(inner[p])
        if size < chunk_rows and i < len(to_load):
            continue
        nodes = node_groups(set().union(*(owned_by[q] for q in chunk)))
        edges = edge_groups(e for q in chunk for e in inner[q])
        switch = ("switch", SWITCH, [{"source": plans[q].get("source"), "id": q}
                                     for q in chunk], None)
        loader.write_together(nodes + edges + [switch], "writing plans")
        report.nodes_written += count(nodes)
        report.relationships_written += count(edges)
        loader.tick("plans", i, len(to_load))
        chunk, size = [], 0

    # 3. the other plans' nodes (a new version changes its predecessors' ``latest``) and
    # the links between versions.
    report.nodes_written += run(node_groups(set(plans) - to_load), "writing nodes")
    report.relationships_written += run(edge_groups(across), "writing relationships")
    gone = sorted(p for p in set(before.plans) - set(plans) if prune or not before.plans[p])
    loader.write(DEACTIVATE, [{"id": p} for p in gone], "switching to the new versions")

    # 4. remove what no active plan uses any more.
    report.plans_removed = len([p for p in gone if before.plans[p]])
    loader.delete_plans(gone)
    if prune:
        ids: dict[str, set[str]] = {}
        for n, d in g.nodes(data=True):
            ids.setdefault(d["label"], set()).add(n)
        for label in SHARED_LABELS:
            report.nodes_deleted += loader.delete_nodes(
                label, before.shared[label] - ids.get(label, set()))
        pairs_of: dict[str, set[tuple[str, str]]] = {}
        for a, b, rel in g.edges(data="type"):
            pairs_of.setdefault(rel, set()).add((a, b))
        for (rel, la, lb), pairs in before.shared_edges.items():
            loader.delete_edges(rel, la, lb, pairs - pairs_of.get(rel, set()))

    report.statements = loader.statements
    report.seconds = time.perf_counter() - started
    return report


# ------------------------------------------------------------------------------ ad-hoc Cypher
# Clauses that write. Checked outside string literals and comments, on top of the read
# access mode, because a server may not enforce read mode (FalkorDB does not).
# A procedure writes when a word of its dotted name says so (db.index.fulltext.createNodeIndex,
# FalkorDB's db.idx.fulltext.createNodeIndex, dbms.setConfigValue, apoc.periodic.iterate,
# gds.pageRank.write); db.indexes() only lists.
_WRITES = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE|DROP|DETACH|LOAD\s+CSV|FOREACH)\b"
                     r"|\bCALL\s+[\w.]*?(create|drop|delete|remove|merge|set[A-Z]|clear|kill|"
                     r"terminate|write|mutate|periodic|refactor|import|load)", re.I)
_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)


def writes(statement: str) -> bool:
    """Whether a statement has a clause that writes (string literals ignored)."""
    return bool(_WRITES.search(_LITERALS.sub(" ", statement)))


def _plain(value: object) -> object:
    """Driver values → JSON-able ones (nodes and relationships as their properties)."""
    if isinstance(value, (neo4j.graph.Node, neo4j.graph.Relationship)):
        return dict(value.items())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def run_cypher(driver: neo4j.Driver, statement: str, params: dict, *, write: bool = False,
               database: str | None = None) -> list[dict]:
    """One statement with parameters, in a read transaction unless ``write``."""
    if not write and writes(statement):
        raise DatabaseError(Errors.E405)
    params = detect_profile(driver, database).prepare(statement, params)
    mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
    with database_errors("query"), driver.session(database=database,
                                                  default_access_mode=mode) as s:
        work = s.execute_write if write else s.execute_read
        return work(lambda tx: [{k: _plain(v) for k, v in r.items()}
                                for r in tx.run(statement, params)])
