"""The named questions of DESIGN.md, answered from the embedded store or from Neo4j.

Each query is defined once: a *fetch* of base rows, written twice side by side (networkx
and parameterised Cypher, same columns, same meaning), and one *shape* step in Python that
filters, aggregates and sorts them, shared by both engines, so the answers are identical by
construction. Cypher queries start from active plans only (see store/neo4j.py).
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

import networkx as nx

from .errors import Errors, PolicyGraphError, QueryError
from .graph import LABELS, canonical_metric
from .lang import cn_number
from .rules import load_rules

ROLES = {"LEADS": "lead", "SUPPORTS": "support", "RESPONSIBLE_FOR": "responsible"}
Row = dict[str, Any]


# ------------------------------------------------------------------------------ engines
class GraphEngine:
    """The embedded store: the corpus graph in memory, every version of every plan
    (``latest`` marks the current ones)."""

    name = "graphs"

    def __init__(self, g: nx.MultiDiGraph, root: Path | None = None) -> None:
        self.g = g
        self.root = root
        self._memo: dict[str, list] = {}

    def memo(self, key: str, fetch: Callable[[], list]) -> list:
        """Base rows computed once per engine: the store does not change under it, and
        this keeps each question well under 100 ms on a 1,000-plan corpus."""
        if key not in self._memo:
            self._memo[key] = fetch()
        return self._memo[key]

    def nodes(self, label: str):
        return ((n, d) for n, d in self.g.nodes(data=True) if d["label"] == label)

    def node(self, nid: str) -> dict:
        return {"id": nid, **self.g.nodes[nid]}

    def latest_plans(self) -> set[str]:
        return set(self.memo("latest", lambda: [n for n, d in self.nodes("Plan")
                                                if d.get("latest", True)]))

    def fetch(self, name: str, cypher: str, on_graph: Callable[["GraphEngine"], list[Row]],
              **narrow: object) -> list[Row]:
        return self.memo(name, lambda: on_graph(self))  # all rows, once: ``narrow`` unused

    def view(self, name: str, build: Callable[[], list[Row]]) -> list[Row]:
        return self.memo(f"view:{name}", build)

    def names(self, label: str) -> list[Row]:
        return self.memo(f"names:{label}", lambda: [
            {"id": n, "name": d.get("name"), "canonical": d.get("canonical")}
            for n, d in self.nodes(label)])

    def node_and_links(self, nid: str, label: str) -> tuple[Row | None, list[Row]]:
        if nid not in self.g:
            return None, []
        g, links = self.g, []
        for a, b, d in list(g.in_edges(nid, data=True)) + list(g.out_edges(nid, data=True)):
            if d.get("quote") is not None:
                other = a if b == nid else b
                od = g.nodes[other]
                links.append({"via": d["type"], "other": other,
                              "other_name": od.get("name") or od.get("title"),
                              **{k: d.get(k) for k in ("file", "page", "line", "start", "end",
                                                       "quote")}})
        return self.node(nid), links


class CypherEngine:
    """A Neo4j (or other Bolt) database loaded by ``policygraph load``."""

    name = "neo4j"

    def __init__(self, driver, database: str | None = None, root: Path | None = None) -> None:
        from .store.neo4j import detect_profile

        self.driver = driver
        self.database = database
        self.root = root
        self.profile = detect_profile(driver, database)

    def latest_plans(self) -> set[str]:
        return {r["id"] for r in self.rows("MATCH (p:Plan {active: true}) WHERE "
                                           "coalesce(p.latest, true) RETURN p.id AS id")}

    def rows(self, query: str, **params) -> list[Row]:
        from .store.neo4j import database_errors

        def read(tx) -> list[Row]:
            result = tx.run(query, self.profile.prepare(query, params))
            keys = result.keys()
            # Plain values only come back: zip, not Record.data(), which converts every
            # value as if it could be a node (two thirds of a question's time on Neo4j).
            return [dict(zip(keys, values)) for values in result]

        with database_errors("query"), self.driver.session(database=self.database,
                                                          default_access_mode="READ") as s:
            return s.execute_read(read)

    def fetch(self, name: str, cypher: str, on_graph: Callable, **narrow: object) -> list[Row]:
        return self.rows(cypher, **narrow)

    def view(self, name: str, build: Callable[[], list[Row]]) -> list[Row]:
        return build()  # the database may change between two questions

    def names(self, label: str) -> list[Row]:
        return self.rows(f"MATCH (n:`{_allowed(label)}`) RETURN n.id AS id, n.name AS name, "
                         f"n.canonical AS canonical")

    def node_and_links(self, nid: str, label: str) -> tuple[Row | None, list[Row]]:
        lab = _allowed(label)
        found = self.rows(f"MATCH (n:`{lab}` {{id: $id}}) RETURN properties(n) AS props", id=nid)
        if not found:
            return None, []
        links = self.rows(f"MATCH (n:`{lab}` {{id: $id}})-[r]-(m) WHERE r.quote IS NOT NULL "
                          f"RETURN type(r) AS via, m.id AS other, coalesce(m.name, m.title) AS "
                          f"other_name, r.file AS file, r.page AS page, r.line AS line, "
                          f"r.start AS start, "
                          f"r.end AS end, r.quote AS quote", id=nid)
        return {"label": label, **found[0]["props"]}, links


class Engine(Protocol):
    """What a question needs of a store: the embedded graph and a Bolt database both
    answer it, so no query or command asks which one it has."""

    name: str
    root: Path | None  # the folder the graph's relative file names start from

    def latest_plans(self) -> set[str]: ...

    def fetch(self, name: str, cypher: str, on_graph: Callable, **narrow: object) -> list[Row]:
        """Base rows: the Cypher on a database, or its networkx twin on the graph.
        ``narrow``: parameters of the Cypher that drop rows the caller filters out anyway
        (a database sends fewer rows; the store computes all of them once and keeps them)."""

    def view(self, name: str, build: Callable[[], list[Row]]) -> list[Row]:
        """Rows shaped and ordered once per store where the store cannot change."""

    def names(self, label: str) -> list[Row]:
        """id, name (and canonical) of every node of a label: to resolve user input."""

    def node_and_links(self, nid: str, label: str) -> tuple[Row | None, list[Row]]:
        """A node's properties and its relationships that carry provenance."""


# ------------------------------------------------------------------------------ fetches
def _plan(d: dict, pid: str) -> Row:
    return {"plan_id": pid, "plan": d.get("title"), "region": d.get("region"),
            "status": d.get("status")}


def _target(d: dict | None) -> Row:
    d = d or {}
    return {"target_id": d.get("id"), "metric": d.get("metric"), "value": d.get("value"),
            "value_max": d.get("value_max"), "measure": d.get("unit"),
            "comparator": d.get("comparator"), "year": d.get("year"),
            "baseline": d.get("baseline"), "baseline_year": d.get("baseline_year")}


_PLAN_COLS = "p.id AS plan_id, p.title AS plan, p.region AS region, p.status AS status"
_TARGET_COLS = ("g.id AS target_id, g.metric AS metric, g.value AS value, g.value_max AS "
                "value_max, g.unit AS measure, g.comparator AS comparator, g.year AS year, "
                "g.baseline AS baseline, g.baseline_year AS baseline_year")
_ROLE_TYPES = "|".join(ROLES)


def _fetch(e: Engine, name: str, cypher: str, on_graph: Callable[[GraphEngine], list[Row]],
           **narrow: object) -> list[Row]:
    """Base rows: the Cypher on the database, or the networkx twin (once per store)."""
    return e.fetch(name, cypher, on_graph, **narrow)


def _owners(g: nx.MultiDiGraph, task: str | None) -> int:
    return sum(1 for _, _, k in g.in_edges(task, data="type") if k in ROLES) if task else 0


def fetch_roles(e: Engine, units: list[str] | None = None, targets: list[str] | None = None,
                region: str | None = None) -> list[Row]:
    """(unit, role, task, target-or-none) for every task a unit leads, supports or answers
    for; a database sends only the rows of ``units``, ``targets`` and the plans of
    ``region`` when given."""
    return _fetch(e, "roles", (
            f"MATCH (p:Plan {{active: true}})-[:HAS_TASK]->(t:Task)<-[r:{_ROLE_TYPES}]-(u:Unit) "
            f"WHERE ($units IS NULL OR u.id IN $units) AND ($region IS NULL OR "
            f"p.region = $region) "
            f"OPTIONAL MATCH (t)-[:SETS]->(g:Target) "
            f"WITH p, t, r, u, g WHERE $targets IS NULL OR g.id IN $targets "
            f"RETURN u.id AS unit_id, u.name AS unit, u.canonical AS unit_canonical, "
            f"u.region AS unit_region, type(r) AS role, {_PLAN_COLS}, t.id AS task_id, "
            f"t.key AS task_key, t.title AS task, {_TARGET_COLS}"),
        _fetch_roles, units=units, targets=targets, region=region)


def _fetch_roles(e: GraphEngine) -> list[Row]:
    g, rows = e.g, []
    for u, t, d in g.edges(data=True):
        if d["type"] not in ROLES:
            continue
        ud, td = g.nodes[u], g.nodes[t]
        targets = [e.node(x) for x in g.successors(t) if g.nodes[x]["label"] == "Target"]
        for target in targets or [None]:
            rows.append({"unit_id": u, "unit": ud.get("name"),
                         "unit_canonical": ud.get("canonical"), "unit_region": ud.get("region"), "role": d["type"],
                         **_plan(g.nodes[td["plan"]], td["plan"]), "task_id": t,
                         "task_key": td.get("key"), "task": td.get("title"), **_target(target)})
    return rows


def fetch_targets(e: Engine, indicator: str | None = None, region: str | None = None
                  ) -> list[Row]:
    """Every target of a current plan, with its metric and whether any unit owns its task;
    a database sends only those of ``indicator`` and of the plans of ``region`` when given."""
    return _fetch(e, "targets", (
            f"MATCH (p:Plan {{active: true}}) WHERE $region IS NULL OR p.region = $region "
            f"MATCH (g:Target {{plan: p.id}}) "
            f"MATCH (g)-[:MEASURES]->(m:Metric) "
            f"WHERE $indicator IS NULL OR m.name = $indicator "
            f"OPTIONAL MATCH (t:Task)-[:SETS]->(g) "
            f"OPTIONAL MATCH (t)<-[r:{_ROLE_TYPES}]-(:Unit) "
            f"WITH p, g, m, t, count(r) AS owners "
            f"RETURN {_PLAN_COLS}, m.name AS indicator, t.key AS task_key, t.title AS task, "
            f"owners, {_TARGET_COLS}"),
        _fetch_targets, indicator=indicator, region=region)


def _fetch_targets(e: GraphEngine) -> list[Row]:
    g, rows = e.g, []
    for n, d in e.nodes("Target"):
        metric = next((g.nodes[m]["name"] for m in g.successors(n)
                       if g.nodes[m]["label"] == "Metric"), None)
        task = next((t for t in g.predecessors(n) if g.nodes[t]["label"] == "Task"), None)
        owners = _owners(g, task)
        td = g.nodes[task] if task else {}
        rows.append({**_plan(g.nodes[d["plan"]], d["plan"]), "indicator": metric,
                     "task_key": td.get("key"), "task": td.get("title"), "owners": owners,
                     **_target(e.node(n))})
    return rows


def fetch_tasks(e: Engine) -> list[Row]:
    """Every task of a current plan with its number of owning units."""
    return _fetch(e, "tasks", (
            f"MATCH (p:Plan {{active: true}})-[:HAS_TASK]->(t:Task) "
            f"OPTIONAL MATCH (t)<-[r:{_ROLE_TYPES}]-(:Unit) WITH p, t, count(r) AS owners "
            f"RETURN {_PLAN_COLS}, t.id AS task_id, t.key AS task_key, t.title AS task, owners"),
        _fetch_tasks)


def _fetch_tasks(e: GraphEngine) -> list[Row]:
    g = e.g
    return [{**_plan(g.nodes[d["plan"]], d["plan"]), "task_id": n, "task_key": d.get("key"),
             "task": d.get("title"),
             "owners": _owners(g, n)}
            for n, d in e.nodes("Task")]


def fetch_platforms(e: Engine) -> list[Row]:
    """(platform, plan mentioning it, host or none)."""
    return _fetch(e, "platforms", (
            f"MATCH (f:Platform)<-[m:MENTIONS]-() MATCH (p:Plan {{id: m.plan, active: true}}) "
            f"OPTIONAL MATCH (f)-[:HOSTED_BY]->(o:Organization) "
            f"RETURN DISTINCT f.id AS platform_id, f.name AS platform, f.kind AS kind, "
            f"f.level AS level, o.name AS host, {_PLAN_COLS}"),
        _fetch_platforms)


def _fetch_platforms(e: GraphEngine) -> list[Row]:
    g, rows = e.g, []
    for f, fd in e.nodes("Platform"):
        hosts = [g.nodes[o]["name"] for o in g.successors(f)
                 if g.nodes[o]["label"] == "Organization"] or [None]
        plans = {d["plan"] for _, _, d in g.in_edges(f, data=True) if d["type"] == "MENTIONS"}
        for pid in plans:
            for host in hosts:
                rows.append({"platform_id": f, "platform": fd.get("name"), "kind": fd.get("kind"),
                             "level": fd.get("level"), "host": host,
                             **_plan(g.nodes[pid], pid)})
    return rows


def fetch_incentives(e: Engine) -> list[Row]:
    """(incentive, its plan, its task, a unit that owns the task or none)."""
    return _fetch(e, "incentives", (
            f"MATCH (p:Plan {{active: true}}) MATCH (i:Incentive {{plan: p.id}}) "
            f"OPTIONAL MATCH (t:Task)-[:OFFERS]->(i) "
            f"OPTIONAL MATCH (t)<-[r:{_ROLE_TYPES}]-(u:Unit) "
            f"RETURN {_PLAN_COLS}, i.id AS incentive_id, i.what AS what, i.amount AS amount, "
            f"i.unit AS measure, i.max AS max, i.rate AS rate, i.quote AS quote, "
            f"t.key AS task_key, t.title AS task, u.id AS unit_id, u.name AS unit"),
        _fetch_incentives)


def _fetch_incentives(e: GraphEngine) -> list[Row]:
    g, rows = e.g, []
    for n, d in e.nodes("Incentive"):
        task = next((t for t in g.predecessors(n) if g.nodes[t]["label"] == "Task"), None)
        td = g.nodes[task] if task else {}
        units = [u for u, _, k in g.in_edges(task, data="type") if k in ROLES] if task else []
        for u in units or [None]:
            rows.append({**_plan(g.nodes[d["plan"]], d["plan"]), "incentive_id": n,
                         "what": d.get("what"), "amount": d.get("amount"),
                         "measure": d.get("unit"), "max": d.get("max"), "rate": d.get("rate"),
                         "quote": d.get("quote"), "task_key": td.get("key"),
                         "task": td.get("title"), "unit_id": u,
                         "unit": g.nodes[u].get("name") if u else None})
    return rows


def fetch_names(e: Engine, label: str) -> list[Row]:
    """id, name (and canonical) of every node of a label: for resolving user input."""
    return e.names(label)


def fetch_node(e: Engine, nid: str) -> tuple[Row | None, list[Row]]:
    """A node's properties and its relationships that carry provenance."""
    label = next((lb for lb in LABELS if nid.startswith(lb.lower() + ":")), None)
    return e.node_and_links(nid, label) if label is not None else (None, [])


def _allowed(label: str) -> str:
    if label not in LABELS:
        raise ValueError(f"not a label of the model: {label!r}")
    return label


# ------------------------------------------------------------------------------ resolving
def resolve(e: Engine, label: str, query: str, what: str) -> list[Row]:
    """Nodes whose name or canonical name is ``query`` (or ends with it); if none, a
    QueryError that suggests the closest known names."""
    known = fetch_names(e, label)
    hits = [r for r in known if query in (r["name"], r["canonical"])
            or (len(query) >= 4 and (r["canonical"] or "").endswith(query))]
    if not hits:
        _no_such(what, query, [r["name"] for r in known if r["name"]]
                 + [r["canonical"] for r in known if r["canonical"]])
    return hits


def fetch_plans(e: Engine) -> list[Row]:
    """Every current plan: id, title, region, status."""
    return _fetch(e, "plans", f"MATCH (p:Plan {{active: true}}) RETURN {_PLAN_COLS}",
                  lambda g: [_plan(d, n) for n, d in g.nodes("Plan")])


def check_filters(e: Engine, plan: str | None = None, region: str | None = None) -> None:
    """A --plan or --region that matches no plan of the store is an error that suggests
    the closest ones, not an empty answer a user takes for "none"."""
    plans = fetch_plans(e)
    if plan is not None and not any(_matches_plan(r, plan) for r in plans):
        _no_such("plan", plan, [r["plan"] for r in plans if r["plan"]])
    if region is not None and not any(r["region"] == region for r in plans):
        _no_such("region", region, [r["region"] for r in plans if r["region"]])


def _no_such(what: str, asked: str, known: list[str], probe: str | None = None) -> None:
    """E501 for ``asked``, suggesting the known names closest to it (or to ``probe``, its
    normalised form, when the names are normalised too)."""
    close = difflib.get_close_matches(probe or asked, sorted(set(known)), n=5, cutoff=0.3)
    raise QueryError(Errors.E501, None, what=what, name=asked,
                     hint=f"; did you mean: {', '.join(close)}?" if close else "")


def _matches_plan(row: Row, plan: str | None) -> bool:
    return plan is None or plan == row["plan_id"] or plan in (row["plan"] or "")


_NUMERAL = re.compile(r"\d+|[一二三四五六七八九十百零〇两]+")


def document_order(key: str) -> tuple:
    """A task key in the order the plan prints it: 二.（三） → (2, 3), so （十一） comes
    after （二） and 11 after 2, not as strings sort them (1, 11, 12, 2)."""
    parts = []
    for part in key.split(":")[-1].split("."):
        m = _NUMERAL.search(part)
        n = cn_number(m.group(0)) if m else None
        parts.append((0, n, part) if n is not None else (1, 0, part))
    return tuple(parts)


def _key(*cols: str) -> Callable[[Row], tuple]:
    """Sort key with None first and mixed types kept apart; task keys in document order."""
    def value(r: Row, c: str):
        v = r[c]
        return document_order(v) if c == "task_key" and isinstance(v, str) else v
    return lambda r: tuple((r[c] is not None, value(r, c) if r[c] is not None else "")
                           for c in cols)


# ------------------------------------------------------------------------------ the queries
def view(e: Engine, name: str, build: Callable[[], list[Row]]) -> list[Row]:
    """Rows shaped and ordered once per store, then only filtered (a materialised view);
    on Neo4j, built on every call since the database may change. Callers never mutate."""
    return e.view(name, build)


def _versions(e: Engine, all_versions: bool) -> Callable[[Row], bool]:
    """Rows of the latest version of each plan (a draft a final supersedes drops out)."""
    if all_versions:
        return lambda r: True
    latest = e.latest_plans()
    return lambda r: r["plan_id"] in latest


def _shape(rows, cols: tuple[str, ...], order: tuple[str, ...]) -> list[Row]:
    return sorted(({c: r[c] for c in cols} for r in rows), key=_key(*order))


OWNER_COLS = ("unit", "unit_region", "role", "plan", "region", "task_key", "task", "metric",
              "value", "value_max", "comparator", "measure", "year", "unit_id", "task_id",
              "target_id", "plan_id")


def owners(e: Engine, unit: str | None = None, plan: str | None = None,
           region: str | None = None, indicator: str | None = None,
           all_versions: bool = False) -> list[Row]:
    """Which unit leads/supports/answers for which task, with the task's targets;
    ``indicator``: only the targets of that indicator (who owns the 高新技术企业 targets?)."""
    check_filters(e, plan, region)
    ids = {r["id"] for r in resolve(e, "Unit", unit, "unit")} if unit else None
    targets = ({r["target_id"] for r in compare(e, indicator, all_versions=True)}
               if indicator else None)
    current = _versions(e, all_versions)
    narrow = {"units": sorted(ids) if ids is not None else None,
              "targets": sorted(targets) if targets is not None else None, "region": region}
    rows = view(e, "owners", lambda: _shape(
        ({**r, "role": ROLES[r["role"]]} for r in fetch_roles(e, **narrow)), OWNER_COLS,
        ("unit_region", "unit", "plan", "task_key", "role", "target_id")))
    return [r for r in rows if (ids is None or r["unit_id"] in ids) and current(r)
            and _matches_plan(r, plan) and (region is None or r["region"] == region)
            and (targets is None or r["target_id"] in targets)]


def compare(e: Engine, metric: str, all_versions: bool = False) -> list[Row]:
    """The same indicator across plans and cities."""
    name = canonical_metric(metric, load_rules())
    current = _versions(e, all_versions)
    cols = ("indicator", "plan", "status", "region", "year", "comparator", "value",
            "value_max", "measure", "baseline", "baseline_year", "metric", "task_key",
            "target_id", "plan_id")
    rows = [r for r in view(e, "compare", lambda: _shape(
        fetch_targets(e, name), cols,
        ("indicator", "region", "plan", "year", "value", "target_id")))
        if r["indicator"] == name and current(r)]
    if not rows:
        _no_such("indicator", metric, [r["indicator"] for r in fetch_targets(e)
                                       if r["indicator"]], probe=name)
    owned: dict[str, set[str]] = {}
    for r in fetch_roles(e, targets=[r["target_id"] for r in rows]):
        if r["target_id"]:
            owned.setdefault(r["target_id"], set()).add(r["unit"])
    return [{**r, "owners": sorted(owned.get(r["target_id"], ()))} for r in rows]


def unassigned(e: Engine, plan: str | None = None, all_versions: bool = False) -> list[Row]:
    """Tasks no unit owns, and targets whose task (if any) no unit owns, plan by plan.

    A plan that names no unit anywhere is one row (kind ``plan``) that counts its tasks and
    targets: listing them all says only that. A goal target that restates a task's target
    (same indicator, value and year, 发展目标 repeating 重点任务) is the same work: it is
    not listed again, and the task's row says ``restated``; one the task's owners cover
    is not unassigned at all."""
    def build() -> list[Row]:
        tasks, targets = fetch_tasks(e), fetch_targets(e)
        named = {r["plan_id"] for r in tasks if r["owners"]}
        by_plan: dict[str, tuple[list[Row], list[Row]]] = {}
        for i, group in enumerate((tasks, targets)):
            for r in group:
                if r["plan_id"] not in named:
                    by_plan.setdefault(r["plan_id"], ([], []))[i].append(r)
        rows: list[Row] = []
        for pid, (mine, goals) in sorted(by_plan.items()):
            head = (mine or goals)[0]
            rows.append({**_blank_row(head, "plan", pid),
                         "task": f"names no units: {len(mine)} tasks, {len(goals)} targets"})
        in_task = {_same_target(r): r for r in targets if r["task_key"] is not None}
        restated = {_same_target(r) for r in targets if r["task_key"] is None} & set(in_task)
        rows += [{**_blank_row(r, "task", r["task_id"]), "task_key": r["task_key"],
                  "task": r["task"]} for r in tasks if not r["owners"] and r["plan_id"] in named]
        rows += [{"kind": "target", "id": r["target_id"], "restated": _same_target(r) in restated
                  and r["task_key"] is not None, **r}
                 for r in targets if r["plan_id"] in named and not r["owners"]
                 and not (r["task_key"] is None and _same_target(r) in in_task)]
        return _shape(rows, ("kind", "plan", "region", "task_key", "task", "metric", "value",
                             "measure", "year", "restated", "id", "plan_id"),
                      ("plan", "plan_id", "task_key", "kind", "id"))

    check_filters(e, plan)
    current = _versions(e, all_versions)
    return [r for r in view(e, "unassigned", build) if _matches_plan(r, plan) and current(r)]


def _same_target(r: Row) -> tuple:
    return (r["plan_id"], r["indicator"], r["value"], r["year"])


def _blank_row(r: Row, kind: str, node: str) -> Row:
    return {"kind": kind, "id": node, "plan": r["plan"], "plan_id": r["plan_id"],
            "region": r["region"], "status": r["status"], "task_key": None, "task": None,
            "metric": None, "value": None, "measure": None, "year": None, "restated": None}


def platforms(e: Engine, shared: bool = False, all_versions: bool = False) -> list[Row]:
    """Platforms with kind, level, hosts and the plans that mention them."""
    def build() -> list[Row]:
        by_id: dict[str, Row] = {}
        current = _versions(e, all_versions)
        for r in filter(current, fetch_platforms(e)):
            row = by_id.setdefault(r["platform_id"], {
                "platform": r["platform"], "kind": r["kind"], "level": r["level"],
                "hosts": set(), "plans": set(), "platform_id": r["platform_id"]})
            if r["host"]:
                row["hosts"].add(r["host"])
            row["plans"].add(r["plan"] or r["plan_id"])
        rows = [{**r, "hosts": sorted(r["hosts"]), "plans": sorted(r["plans"]),
                 "n_plans": len(r["plans"])} for r in by_id.values()]
        return sorted(rows, key=lambda r: (-r["n_plans"], r["platform"] or "", r["platform_id"]))

    return [r for r in view(e, f"platforms:{all_versions}", build)
            if not shared or r["n_plans"] >= 2]


# What one unit of each money measure is worth in 万元, to compare amounts across plans.
_IN_WAN = {"元": 1e-4, "千元": 0.1, "万元": 1.0, "亿元": 1e4}


def incentives(e: Engine, region: str | None = None, unit: str | None = None,
               min_amount: float | None = None, all_versions: bool = False) -> list[Row]:
    """Money plans promise: amount, cap or share, for what, and the units that own it.
    ``min_amount`` is in 万元 and keeps money amounts of at least that much (not shares)."""
    check_filters(e, region=region)
    ids = {r["id"] for r in resolve(e, "Unit", unit, "unit")} if unit else None

    def build() -> list[Row]:
        by_id: dict[str, Row] = {}
        for r in fetch_incentives(e):
            row = by_id.setdefault(r["incentive_id"], {**r, "units": set(), "unit_ids": set()})
            if r["unit_id"]:
                row["units"].add(r["unit"])
                row["unit_ids"].add(r["unit_id"])
        rows = [{**{k: v for k, v in r.items() if k not in ("unit", "unit_id")},
                 "units": sorted(r["units"]), "unit_ids": sorted(r["unit_ids"]),
                 "in_wan": (r["amount"] * _IN_WAN[r["measure"]]
                            if r["measure"] in _IN_WAN else None)} for r in by_id.values()]
        return sorted(rows, key=_key("region", "plan", "task_key", "incentive_id"))

    current = _versions(e, all_versions)
    return [r for r in view(e, "incentives", build) if current(r)
            and (region is None or r["region"] == region)
            and (ids is None or ids & set(r["unit_ids"]))
            and (min_amount is None or (r["in_wan"] or -1) >= min_amount)]


def workload(e: Engine, all_versions: bool = False) -> list[Row]:
    """Per unit: tasks it leads, supports or answers for, and their targets, across plans."""
    def build() -> list[Row]:
        units: dict[str, Row] = {}
        for r in filter(_versions(e, all_versions), fetch_roles(e)):
            u = units.setdefault(r["unit_id"], {
                "unit": r["unit"], "unit_region": r["unit_region"], "lead": set(),
                "support": set(), "responsible": set(), "targets": set(), "plans": set(),
                "unit_id": r["unit_id"]})
            u[ROLES[r["role"]]].add(r["task_id"])
            u["plans"].add(r["plan_id"])
            if r["target_id"]:
                u["targets"].add(r["target_id"])
        rows = [{**u, **{k: len(u[k]) for k in ("lead", "support", "responsible", "targets",
                                                 "plans")}} for u in units.values()]
        return sorted(rows, key=lambda r: (-(r["lead"] + r["support"] + r["responsible"]),
                                           r["unit_region"] or "", r["unit"] or "",
                                           r["unit_id"]))

    return view(e, f"workload:{all_versions}", build)


def timeline(e: Engine, region: str | None = None, all_versions: bool = False) -> list[Row]:
    """Targets by deadline year (targets without a year are left out)."""
    check_filters(e, region=region)
    cols = ("year", "region", "plan", "indicator", "metric", "comparator", "value",
            "value_max", "measure", "target_id", "plan_id")
    rows = view(e, "timeline", lambda: _shape(
        (r for r in fetch_targets(e, region=region) if r["year"] is not None), cols,
        ("year", "region", "plan", "indicator", "target_id")))
    current = _versions(e, all_versions)
    return [r for r in rows if (region is None or r["region"] == region) and current(r)]


def explain(e: Engine, node: str) -> list[Row]:
    """A node and where it comes from: each quote with its source line, span marked."""
    props, links = fetch_node(e, node)
    if props is None:
        raise QueryError(Errors.E502, None, id=node)
    name = props.get("name") or props.get("title") or props.get("metric")
    rows = []
    if props.get("quote") is not None:
        rows.append({"via": "", "other": None, "other_name": None,
                     **{k: props.get(k) for k in ("file", "page", "line", "start", "end",
                                                  "quote")}})
    rows += sorted(links, key=_key("via", "other", "start"))
    lines_of = functools.cache(source_lines)  # a unit's quotes mostly share one file
    return [{"id": node, "label": props["label"], "name": name, **r,
             "context": _line(lines_of(r["file"], e.root), r["line"])} for r in rows]


def source_lines(file: str | None, root: Path | None = None) -> list[str]:
    """The lines of the source file a quote comes from (a relative name is under ``root``,
    the folder the build read), when the file is still there and is plain text (a PDF's
    or a web page's lines are not the text's: no context then)."""
    from .ingest import reader_for

    try:
        data = (Path(root or ".") / file).read_bytes() if file else b""
        if not data or reader_for(data, Path(file).suffix.lower(), file).name != "text":
            return []
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError, PolicyGraphError):
        return []
    # Lines end at \n only, as ingest and grep count them (not at U+2028 or a form feed).
    return [line.rstrip("\r") for line in text.split("\n")] if text else []


def _line(lines: list[str], line: int | None) -> str | None:
    return lines[line - 1] if line and 0 < line <= len(lines) else None


# ------------------------------------------------------------------------------ listings
def listing(e: Engine, kind: str, all_versions: bool = False) -> list[Row]:
    """What can be asked about: the plans, units, indicators or regions of the store, with
    the ids and names the questions take."""
    current = _versions(e, all_versions)
    if kind == "plans":
        return sorted(filter(current, fetch_plans(e)), key=_key("region", "plan", "plan_id"))
    if kind == "regions":
        plans: dict[str, set[str]] = {}
        for r in filter(current, fetch_plans(e)):
            plans.setdefault(r["region"] or "—", set()).add(r["plan_id"])
        return [{"region": k, "plans": len(v)} for k, v in sorted(plans.items())]
    if kind == "units":
        units: dict[str, Row] = {}
        for r in filter(current, fetch_roles(e)):
            u = units.setdefault(r["unit_id"], {"unit": r["unit"], "unit_region": r["unit_region"],
                                                "tasks": set(), "plans": set(),
                                                "unit_id": r["unit_id"]})
            u["tasks"].add(r["task_id"])
            u["plans"].add(r["plan_id"])
        return sorted(({**u, "tasks": len(u["tasks"]), "plans": len(u["plans"])}
                       for u in units.values()), key=_key("unit_region", "unit", "unit_id"))
    if kind == "indicators":
        found: dict[str, Row] = {}
        for r in filter(current, fetch_targets(e)):
            i = found.setdefault(r["indicator"], {"indicator": r["indicator"], "targets": 0,
                                                  "plans": set()})
            i["targets"] += 1
            i["plans"].add(r["plan_id"])
        return sorted(({**i, "plans": len(i["plans"])} for i in found.values()
                       if i["indicator"]), key=lambda r: (-r["plans"], -r["targets"],
                                                          r["indicator"]))
    raise ValueError(f"nothing to list as {kind!r}")


LISTINGS = {"plans": ("plan_id", "plan", "region", "status"),
            "units": ("unit", "unit_region", "tasks", "plans", "unit_id"),
            "indicators": ("indicator", "plans", "targets"),
            "regions": ("region", "plans")}


@dataclass(frozen=True)
class NamedQuery:
    name: str
    run: Callable[..., list[Row]]
    columns: tuple[str, ...]  # shown in the terminal table; JSON and CSV keep every column


QUERIES = {q.name: q for q in (
    NamedQuery("owners", owners, ("unit", "unit_region", "role", "plan", "task_key", "task",
                                  "metric", "comparator", "value", "measure", "year")),
    NamedQuery("compare", compare, ("indicator", "region", "plan", "status", "year",
                                    "comparator", "value", "measure", "baseline",
                                    "baseline_year", "owners")),
    NamedQuery("unassigned", unassigned, ("kind", "plan", "task_key", "task", "metric",
                                          "value", "measure", "year", "restated")),
    NamedQuery("platforms", platforms, ("platform", "kind", "level", "hosts", "n_plans",
                                        "plans")),
    NamedQuery("incentives", incentives, ("region", "plan", "task_key", "what", "max",
                                          "amount", "measure", "rate", "units")),
    NamedQuery("workload", workload, ("unit", "unit_region", "lead", "support",
                                      "responsible", "targets", "plans")),
    NamedQuery("timeline", timeline, ("year", "region", "plan", "indicator", "comparator",
                                      "value", "measure")),
    NamedQuery("explain", explain, ("label", "name", "via", "other_name", "file", "page",
                                    "line", "quote", "context")),
)}
