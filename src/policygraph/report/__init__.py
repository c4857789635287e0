"""One self-contained HTML page about the corpus, for an analyst: it opens offline.

Sections: the plans (drafts marked), what changed since each draft, who owns what (the
units × plans matrix), a section per unit with its tasks, targets and money with their
quotes, each indicator two or more plans set on a year axis (Chart.js), the money promised,
and the graph (Cytoscape.js) with filters by kind, plan and unit and a search. One search
box filters every table and unit section; every table sorts by a click on its header.

Tables are written here as HTML, so the page reads without JavaScript; the charts and the
graph are drawn there from JSON. Every string from a document goes through ``html.escape``
or travels as JSON with ``<``, ``>`` and ``&`` escaped, so a document cannot close a script
element. The two libraries are inlined from ``assets/vendor`` after their sha256 is checked
against ``assets/vendor.json``.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections import defaultdict
from functools import cache
from importlib import resources
from pathlib import Path

import networkx as nx

from ..errors import EnvironmentFault, Errors, PolicyGraphError
from ..queries import (ROLES, GraphEngine, Row, compare, document_order, fetch_targets,
                       incentives, owners)
from ..store.files import owned_by_plan, plan_nodes

ASSETS = resources.files(__package__) / "assets"
COLOURS = {"Plan": "#1f77b4", "Task": "#9ecae1", "Target": "#e377c2", "Unit": "#ff7f0e",
           "Platform": "#2ca02c", "Metric": "#d62728", "Region": "#9467bd",
           "Incentive": "#bcbd22", "Organization": "#8c564b", "Field": "#17becf",
           "PolicyDoc": "#7f7f7f"}
# Kinds the graph shows until the reader ticks more: who owns what where. Indicators
# hang off targets, so both start unticked (indicators alone would float unlinked).
SHOWN = ("Plan", "Task", "Unit", "Platform", "Region")
STATUS = {"draft": "征求意见稿 draft", "final": "final"}


# ------------------------------------------------------------------------------ page parts
def _e(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "—" if value is None else html.escape(str(value))


def _json(data: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' a document could use."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _cell(value: object) -> str:
    """A cell: numbers right-aligned, task keys sorted in document order, quotes in a box
    that scrolls, links to a section of the page."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="n">{_e(value)}</td>'
    if isinstance(value, TaskKey):
        order = "".join(f"{p[0]}{p[1] or 0:04d}" for p in document_order(value))
        return f'<td data-sort="{order}">{_e(value)}</td>'
    if isinstance(value, Quote):
        return f'<td><div class="q">{_e(value)}</div></td>'
    if isinstance(value, tuple):
        text, anchor = value
        return f'<td><a href="#{_e(anchor)}">{_e(text)}</a></td>'
    return f"<td>{_e(value)}</td>"


class TaskKey(str):
    """A task key in a table: sorted in document order, not as a string."""


class Quote(str):
    """A document's sentence or paragraph, shown in a box of a few lines that scrolls."""


def _table(header: list[str], rows: list[list[object]], table_id: str | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(map(_cell, row)) + "</tr>" for row in rows)
    ident = f' id="{table_id}"' if table_id else ""
    return (f'<table class="data"{ident}><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _key(value: object) -> TaskKey | None:
    return TaskKey(value) if isinstance(value, str) else None


def _quote(value: object) -> Quote | None:
    return Quote(value) if isinstance(value, str) else None


def _num(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _target(r: Row) -> str:
    """"≥500家", "10–20%": a target's comparator, value(s) and measure."""
    if r["value"] is None:
        return ""
    upper = f"–{_num(r['value_max'])}" if r.get("value_max") is not None else ""
    comparator = "" if r["comparator"] in (None, "=") else r["comparator"]
    return f"{comparator}{_num(r['value'])}{upper}{r['measure'] or ''}"


# ------------------------------------------------------------------------------ sections
def versions(g: nx.MultiDiGraph) -> list[tuple[str, str]]:
    """(final, draft): the plan pairs the corpus links by SUPERSEDES."""
    return sorted((new, old) for new, old, k in g.edges(keys=True) if k == "SUPERSEDES")


def plan_summaries(g: nx.MultiDiGraph) -> str:
    owned_by = owned_by_plan(g)
    newer = {older: g.nodes[new].get("title") for new, older in versions(g)}
    rows = []
    for pid, d in sorted(g.nodes(data=True), key=lambda x: str(x[1].get("title"))):
        if d["label"] != "Plan":
            continue
        mine = owned_by.get(pid, ())
        kinds = [g.nodes[n]["label"] for n in mine]
        platforms = {f for n in mine for f in g.successors(n) if g.nodes[f]["label"] == "Platform"}
        # The units that own a task of the plan, not every unit of its region.
        units = {u for t in mine if g.nodes[t]["label"] == "Task"
                 for u, _, role in g.in_edges(t, data="type") if role in ROLES}
        rows.append([d.get("title"), d.get("region"), STATUS.get(d.get("status"), d.get("status")),
                     d.get("issued"), kinds.count("Task"), kinds.count("Target"), len(units),
                     len(platforms), newer.get(pid)])
    return _table(["plan", "region", "status", "issued", "tasks", "targets", "units",
                   "platforms", "superseded by"], rows, "plans")


def draft_changes(g: nx.MultiDiGraph,
                  changes: dict[tuple[str, str], list[Row] | None] | None) -> str:
    """What each final changed since its draft (rows of ``policygraph diff``)."""
    pairs = versions(g)
    if not pairs:
        return "<p>No plan in the corpus has both a draft and a later version.</p>"
    out = []
    for new, old in pairs:
        rows = (changes or {}).get((new, old))
        head = (f'<h3 class="change">{_e(g.nodes[new].get("title"))}</h3><p>since the draft '
                f'of {_e(g.nodes[old].get("issued") or "no date")} '
                f'(<span class="draft">{STATUS["draft"]}</span>)</p>')
        if changes is None:
            body = "<p>Not compared here (<code>policygraph report</code> compares them).</p>"
        elif rows is None:
            body = "<p>Not compared: the build's extractions of these versions are gone.</p>"
        elif not rows:
            body = "<p>No task, target, unit or platform changed.</p>"
        else:
            body = _table(["change", "kind", "task", "what", "draft", "final"],
                          [[r["change"], r["kind"], _key(r["task"]), r["what"], r["old"], r["new"]]
                           for r in rows])
        out.append(head + body)
    return "".join(out)


def owners_matrix(rows: list[Row]) -> str:
    plans = sorted({r["plan"] for r in rows})
    tasks: dict[tuple, set] = defaultdict(set)
    for r in rows:
        tasks[(r["unit_region"], r["unit"]), r["plan"]].add(r["task_id"])
    units = sorted({k for k, _ in tasks})
    body = [[f"{u}（{region}）"] + [len(tasks.get(((region, u), p), ())) or "" for p in plans]
            for region, u in units]
    return _table(["unit"] + plans, body, "owners")


def unit_sections(g: nx.MultiDiGraph, rows: list[Row], money: list[Row]) -> str:
    """An index of the units that own work, then a section per unit: its tasks (with
    role and quote), the targets of those tasks and the money they promise."""
    by_unit: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_unit[r["unit_id"]].append(r)
    money_of: dict[str, list[Row]] = defaultdict(list)
    for m in money:
        for uid in m["unit_ids"]:
            money_of[uid].append(m)
    index, sections = [], []
    for uid, mine in sorted(by_unit.items(), key=lambda x: (x[1][0]["unit_region"] or "",
                                                           x[1][0]["unit"])):
        d = g.nodes[uid]
        name = f"{d.get('name')}（{d.get('region') or '—'}）"
        tasks = {(r["task_id"], r["role"]): r for r in mine}
        n_tasks = len({t for t, _ in tasks})
        targets = {r["target_id"]: r for r in mine if r["target_id"]}
        anchor = f"unit-{uid.split(':')[-1]}"
        index.append([(name, anchor), d.get("canonical"), n_tasks, len(targets),
                      len(money_of[uid])])
        parts = [_table(["plan", "task", "title", "role", "quote"],
                        [[r["plan"], _key(r["task_key"]), r["task"], r["role"],
                          _quote(g.nodes[r["task_id"]].get("quote"))] for r in tasks.values()])]
        if targets:
            parts.append("<h4>targets</h4>" + _table(
                ["plan", "task", "indicator", "target", "year", "quote"],
                [[r["plan"], _key(r["task_key"]), r["metric"], _target(r), r["year"],
                  _quote(g.nodes[r["target_id"]].get("quote"))] for r in targets.values()]))
        if money_of[uid]:
            parts.append("<h4>money</h4>" + _table(
                ["plan", "task", "for", "amount", "quote"],
                [[m["plan"], _key(m["task_key"]), m["what"], _money(m), _quote(m["quote"])]
                 for m in money_of[uid]]))
        sections.append(f'<section class="unit" id="{anchor}"><h3>{_e(name)}</h3>'
                        f"<p>tasks: {n_tasks}, targets: {len(targets)}, "
                        f"money: {len(money_of[uid])}</p>{''.join(parts)}</section>")
    return (_table(["unit", "canonical name", "tasks", "targets", "money"], index,
                   "unit-index") + "".join(sections))


def _money(m: Row) -> str:
    return f"{'最高' if m['max'] else ''}{_num(m['amount'])}{'%' if m['rate'] else m['measure'] or ''}"


def restated_once(rows: list[Row]) -> list[Row]:
    """compare() rows with a target a plan states twice (a goal restated as a task's
    target: same year, value and measure) merged into one row naming both places."""
    merged: dict[tuple, Row] = {}
    for r in rows:
        key = (r["plan_id"], r["year"], r["value"], r["value_max"], r["measure"])
        where = r["task_key"] or "目标"
        if key in merged:
            m = merged[key]
            m["where"].append(where)
            m["owners"] = sorted(set(m["owners"]) | set(r["owners"]))
            m["baseline"] = m["baseline"] if m["baseline"] is not None else r["baseline"]
        else:
            merged[key] = {**r, "where": [where]}
    return list(merged.values())


def _series(rows: list[Row]) -> list[dict]:
    """One line per plan: its baselines and targets by year (a target without a year
    stays in the table only)."""
    series: dict[str, dict] = {}
    for r in rows:
        s = series.setdefault(r["plan_id"], {
            "label": f"{r['plan']}{'（征求意见稿）' if r['status'] == 'draft' else ''}",
            "points": []})
        if r["year"]:
            s["points"].append({"x": r["year"], "y": r["value"], "kind": "target",
                                "text": f"{_target(r)}（{'、'.join(r['where'])}）"})
        base = {"x": r["baseline_year"], "y": r["baseline"], "kind": "baseline",
                "text": f"基期 {_num(r['baseline'])}"}
        if r["baseline"] is not None and r["baseline_year"] and base not in s["points"]:
            s["points"].append(base)
    for s in series.values():
        s["points"].sort(key=lambda p: p["x"])
    return list(series.values())


def indicator_charts(engine: GraphEngine) -> tuple[str, list[dict]]:
    """A chart per indicator two or more current plans set a target for, with the table
    it is drawn from. Returns the HTML and the charts' data."""
    plans_of: dict[str, set] = defaultdict(set)
    latest = engine.latest_plans()
    for r in fetch_targets(engine):
        if r["plan_id"] in latest and r["indicator"]:
            plans_of[r["indicator"]].add(r["plan_id"])
    html_parts, charts = [], []
    for name in sorted(m for m, p in plans_of.items() if len(p) >= 2):
        rows = restated_once([r for r in compare(engine, name) if r["value"] is not None])
        if len({r["plan_id"] for r in rows}) < 2:
            continue
        measures = sorted({r["measure"] for r in rows if r["measure"]})
        charts.append({"indicator": name, "measure": "、".join(measures),
                       "series": _series(rows)})
        table = _table(["plan", "status", "region", "goal or task", "target", "year",
                        "baseline", "owners"],
                       [[r["plan"], STATUS.get(r["status"]), r["region"], "、".join(r["where"]),
                         _target(r), r["year"], r["baseline"], "、".join(r["owners"])]
                        for r in rows])
        html_parts.append(f'<figure class="indicator" data-indicator="{_e(name)}">'
                          f"<figcaption>{_e(name)}</figcaption><div class=\"chart\">"
                          f"<canvas></canvas></div>{table}</figure>")
    if not charts:
        return "<p>No indicator has targets in two or more plans.</p>", charts
    return "".join(html_parts), charts


def incentive_table(money: list[Row]) -> str:
    """Money the plans promise, with its quote and the units that own the measure."""
    if not money:
        return "<p>No plan promises an amount of money.</p>"
    return _table(["plan", "region", "task", "for", "amount", "units", "quote"],
                  [[r["plan"], r["region"], _key(r["task_key"]), r["what"], _money(r),
                    "、".join(r["units"]), _quote(r["quote"])] for r in money], "incentives")


# Up to this many nodes the graph gets a force-directed layout (networkx's spring layout:
# 0.5 s for the seed corpus); above it, the cluster layout below, since the spring layout
# took 57 s for 100 plans (4,132 nodes) and grows with the square of the nodes.
SPRING_MAX_NODES = 1500


def plans_of_nodes(g: nx.MultiDiGraph) -> dict[str, list[str]]:
    """The plans each node belongs to (``plan_nodes``: what a plan owns and what that
    links to)."""
    owned = owned_by_plan(g)
    plans_of: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(owned):
        for n in plan_nodes(g, pid, owned):
            plans_of[n].append(pid)
    return plans_of


def cluster_layout(g: nx.MultiDiGraph, plans_of: dict[str, list[str]]
                   ) -> dict[str, tuple[float, float]]:
    """Plans on a grid, what each owns in rings around it, a shared node among the plans
    it serves (with a fixed offset from its id): one pass, positions in [-1, 1]."""
    plans = sorted(n for n, d in g.nodes(data=True) if d["label"] == "Plan")
    side = max(1, math.ceil(math.sqrt(len(plans))))
    centre = {p: ((i % side + 0.5) / side * 2 - 1, (i // side + 0.5) / side * 2 - 1)
              for i, p in enumerate(plans)}
    ring = 0.8 / side
    pos, count = {}, defaultdict(int)
    for n, d in g.nodes(data=True):
        if n in centre:
            pos[n] = centre[n]
            continue
        turn = int(hashlib.sha256(n.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF * 2 * math.pi
        homes = [centre[p] for p in plans_of.get(n, ())]
        if (owner := d.get("plan")) in centre:  # owned: a ring round its plan
            count[owner] += 1
            radius = ring * (0.35 + 0.15 * (count[owner] % 4))
            x, y = centre[owner]
        elif homes:
            radius = ring * 0.25
            x, y = (sum(h[0] for h in homes) / len(homes), sum(h[1] for h in homes) / len(homes))
        else:
            radius, x, y = 0.05, 0.0, 0.9  # linked to no plan: below the grid
        pos[n] = (x + radius * math.cos(turn), y + radius * math.sin(turn))
    return pos


def graph_data(g: nx.MultiDiGraph) -> dict:
    """Nodes (with a position, so the page need not lay out thousands of nodes first, and
    the plans each belongs to, for the plan filter) and edges for Cytoscape.js."""
    plans_of = plans_of_nodes(g)
    pos = (nx.spring_layout(nx.Graph(g), seed=7, iterations=60)
           if g.number_of_nodes() <= SPRING_MAX_NODES else cluster_layout(g, plans_of))
    nodes = []
    for n, d in g.nodes(data=True):
        name = str(d.get("name") or d.get("title") or d.get("metric") or d.get("key") or n)
        if d["label"] == "Task":
            name = f"{d.get('key', '')} {d.get('title', '')}".strip()
        nodes.append({"data": {"id": n, "kind": d["label"], "name": name,
                               "short": name if len(name) <= 14 else name[:13] + "…",
                               "colour": COLOURS.get(d["label"], "#999"),
                               "quote": d.get("quote"), "plans": plans_of.get(n, [])},
                      "position": {"x": round(1500 + 1450 * pos[n][0], 1),
                                   "y": round(1000 + 950 * pos[n][1], 1)}})
    edges = [{"data": {"id": f"e{i}", "source": a, "target": b, "type": k}}
             for i, (a, b, k) in enumerate(g.edges(keys=True))]
    return {"nodes": nodes, "edges": edges}


def graph_view(g: nx.MultiDiGraph) -> str:
    kinds = "".join(f'<label><input type="checkbox" name="kind" value="{k}"'
                    f'{" checked" if k in SHOWN else ""}><span style="color:{c}">●</span> {k}'
                    f"</label> " for k, c in COLOURS.items())
    plans = "".join(f'<option value="{_e(n)}">{_e(d.get("title"))}</option>'
                    for n, d in sorted(g.nodes(data=True), key=lambda x: str(x[1].get("title")))
                    if d["label"] == "Plan")
    units = "".join(f'<option value="{_e(n)}">{_e(d.get("name"))}（{_e(d.get("region"))}）'
                    f"</option>" for n, d in sorted(g.nodes(data=True),
                                                    key=lambda x: str(x[1].get("name")))
                    if d["label"] == "Unit")
    return (f'<div class="controls"><div>{kinds}</div>'
            f'<label>plan <select id="graph-plan"><option value="">all plans</option>{plans}'
            f'</select></label> <label>unit <select id="graph-unit"><option value="">'
            f'all units</option>{units}</select></label> <label>find <input id="graph-find" '
            f'type="search" placeholder="name…"></label></div>'
            f'<div id="graph"></div><pre id="detail">Click a node for its details.</pre>')


# ------------------------------------------------------------------------------ the page
@cache
def _asset(name: str) -> str:
    """An asset's text; a vendored library only if its sha256 is the recorded one."""
    data = (ASSETS / name).read_bytes()
    if name.startswith("vendor/"):
        manifest = json.loads((ASSETS / "vendor.json").read_text(encoding="utf-8"))
        if hashlib.sha256(data).hexdigest() != manifest[name.split("/", 1)[1]]["sha256"]:
            raise EnvironmentFault(Errors.E305, str(ASSETS / name), name=name)
    return data.decode("utf-8")


def render(g: nx.MultiDiGraph, title: str = "policygraph report",
           changes: dict[tuple[str, str], list[Row] | None] | None = None) -> str:
    """The page. ``changes``: (final, draft) plan ids → ``diff`` rows (see
    :func:`changes_since_drafts`); without it the drafts are marked but not compared."""
    engine = GraphEngine(g)
    rows, money = owners(engine), incentives(engine)
    charts_html, charts = indicator_charts(engine)
    sections = [("plans", "Plans", plan_summaries(g)),
                ("changes", "Changed since the draft", draft_changes(g, changes)),
                ("owners", "Who owns what: tasks per unit and plan", owners_matrix(rows)),
                ("units", "Units: their tasks, targets and money", unit_sections(g, rows, money)),
                ("indicators", "Indicators across plans", charts_html),
                ("money", "Money promised", incentive_table(money)),
                ("graph-view", "The graph", graph_view(g))]
    nav = " · ".join(f'<a href="#part-{k}">{_e(h)}</a>' for k, h, _ in sections)
    body = "".join(f'<h2 id="part-{k}">{_e(h)}</h2>{s}' for k, h, s in sections)
    data = {"charts": charts, "graph": graph_data(g)}
    scripts = "".join(f"<script>{_asset(n)}</script>" for n in
                      ("vendor/chart.umd.min.js", "vendor/cytoscape.min.js"))
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width">'
            f"<title>{_e(title)}</title><style>{_asset('report.css')}</style></head><body>"
            f'<header><h1>{_e(title)}</h1><nav>{nav}</nav><input id="search" type="search" '
            f'placeholder="Search units, plans, indicators, quotes…"><span id="hits"></span>'
            f"</header>{body}"
            f'<script type="application/json" id="report-data">{_json(data)}</script>'
            f"{scripts}<script>{_asset('report.js')}</script></body></html>")


def changes_since_drafts(g: nx.MultiDiGraph, graphs: Path
                         ) -> dict[tuple[str, str], list[Row] | None]:
    """``diff`` of every (final, draft) pair the corpus links by SUPERSEDES, read from the
    build's cached extractions; None for a pair whose versions cannot be read again."""
    from ..diff import diff, resolve_version

    changes: dict[tuple[str, str], list[Row] | None] = {}
    for new, old in versions(g):
        try:
            changes[new, old] = diff(resolve_version(old, graphs), resolve_version(new, graphs))
        except PolicyGraphError:  # a version gone from the store: the rest still shows
            changes[new, old] = None
    return changes
