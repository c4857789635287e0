"""One self-contained HTML page about the corpus: no network needed to view it.

Per-plan summaries, the owners matrix (units × plans), each indicator shared by two or
more plans compared in an inline SVG chart, and a clickable view of the graph (positions
computed here, a few lines of plain JavaScript there). Every string from a document goes
through ``html.escape``; the graph's data travels as JSON with ``<`` escaped, so a
document cannot close the script element.
"""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict

import networkx as nx

from .queries import ROLES, GraphEngine, compare, incentives, owners
from .store.files import owned_by_plan

VIEW_LABELS = ("Plan", "Task", "Unit", "Platform", "Metric", "Region")
COLOURS = {"Plan": "#1f77b4", "Task": "#aec7e8", "Unit": "#ff7f0e", "Platform": "#2ca02c",
           "Metric": "#d62728", "Region": "#9467bd"}

STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .5em}
th{background:#f3f3f3}td.n{text-align:right}svg text{font-size:11px}
#graph{border:1px solid #ccc}#detail{white-space:pre-wrap;background:#f8f8f8;padding:.5em}
"""

SCRIPT = """
const data = JSON.parse(document.getElementById('graph-data').textContent);
const svg = document.getElementById('graph'), ns = 'http://www.w3.org/2000/svg';
const at = {};
data.nodes.forEach(n => at[n.id] = n);
data.links.forEach(l => {
  const a = at[l.source], b = at[l.target];
  const e = document.createElementNS(ns, 'line');
  e.setAttribute('x1', a.x); e.setAttribute('y1', a.y);
  e.setAttribute('x2', b.x); e.setAttribute('y2', b.y);
  e.setAttribute('stroke', '#ccc'); svg.appendChild(e);
});
data.nodes.forEach(n => {
  const c = document.createElementNS(ns, 'circle');
  c.setAttribute('cx', n.x); c.setAttribute('cy', n.y);
  c.setAttribute('r', n.label === 'Plan' ? 9 : 5);
  c.setAttribute('fill', n.colour); c.setAttribute('class', 'node');
  c.setAttribute('data-id', n.id);
  const t = document.createElementNS(ns, 'title'); t.textContent = n.name; c.appendChild(t);
  c.addEventListener('click', () => {
    document.getElementById('detail').textContent = n.label + '  ' + n.id + '\\n' + n.name;
  });
  svg.appendChild(c);
});
svg.setAttribute('data-rendered', data.nodes.length);
"""


def _e(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "—" if value is None else html.escape(str(value))


def _table(header: list[str], rows: list[list[object]], table_id: str) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(
        f'<td class="n">{_e(c)}</td>' if isinstance(c, (int, float)) else f"<td>{_e(c)}</td>"
        for c in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def plan_summaries(g: nx.MultiDiGraph) -> str:
    rows = []
    owned_by = owned_by_plan(g)
    for pid, d in sorted(g.nodes(data=True), key=lambda x: str(x[1].get("title"))):
        if d["label"] != "Plan":
            continue
        owned = Counter(g.nodes[n]["label"] for n in owned_by.get(pid, ()))
        platforms = {f for t in g.successors(pid) for f in
                     ([t] if g.nodes[t]["label"] == "Platform" else g.successors(t))
                     if g.nodes[f]["label"] == "Platform"}
        # The units that own a task of the plan, not every unit of its region.
        units = {u for t in g.successors(pid) if g.nodes[t]["label"] == "Task"
                 for u, _, role in g.in_edges(t, data="type") if role in ROLES}
        rows.append([d.get("title"), d.get("region"), d.get("status"), d.get("issued"),
                     owned["Task"], owned["Target"], len(units), len(platforms)])
    return _table(["plan", "region", "status", "issued", "tasks", "targets", "units",
                   "platforms"], rows, "plans")


def owners_matrix(g: nx.MultiDiGraph) -> str:
    rows = owners(GraphEngine(g))
    plans = sorted({r["plan"] for r in rows})
    tasks: dict[tuple, set] = defaultdict(set)
    for r in rows:
        tasks[(r["unit_region"], r["unit"]), r["plan"]].add(r["task_id"])
    units = sorted({k for k, _ in tasks})
    body = [[f"{u}（{region}）"] + [len(tasks.get(((region, u), p), ())) or "" for p in plans]
            for region, u in units]
    return _table(["unit"] + plans, body, "owners")


def metric_charts(g: nx.MultiDiGraph) -> str:
    """A bar chart per indicator that two or more plans set a target for."""
    engine = GraphEngine(g)
    plans_of = defaultdict(set)
    for n, d in g.nodes(data=True):
        if d["label"] == "Target":
            metric = next((m for m in g.successors(n) if g.nodes[m]["label"] == "Metric"), None)
            if metric:
                plans_of[g.nodes[metric]["name"]].add(d["plan"])
    out = []
    for name in sorted(m for m, p in plans_of.items() if len(p) >= 2):
        rows = [r for r in compare(engine, name) if r["value"] is not None]
        if not rows:
            continue
        top = max(r["value"] for r in rows) or 1
        bars = []
        for i, r in enumerate(rows):
            width = 400 * r["value"] / top
            label = f"{r['region']} {r['year'] or ''}"
            bars.append(f'<text x="0" y="{i * 22 + 15}">{_e(label)}</text>'
                        f'<rect class="bar" x="200" y="{i * 22 + 3}" width="{width:.1f}" '
                        f'height="16" fill="#4c78a8"><title>{_e(r["plan"])}</title></rect>'
                        f'<text x="{205 + width:.1f}" y="{i * 22 + 15}">{_e(r["value"])}'
                        f'{_e(r["measure"] or "")}</text>')
        table = _table(["plan", "region", "year", "value", "measure", "baseline"],
                       [[r["plan"], r["region"], r["year"], r["value"], r["measure"],
                         r["baseline"]] for r in rows], f"compare-{len(out)}")
        out.append(f"<h3>{_e(name)}</h3><svg class=\"chart\" width=\"700\" "
                   f"height=\"{len(rows) * 22 + 6}\">{''.join(bars)}</svg>{table}")
    return "".join(out)


def incentive_table(g: nx.MultiDiGraph) -> str:
    """Money the plans promise, with its quote and the units that own the measure."""
    rows = incentives(GraphEngine(g))
    if not rows:
        return "<p>No plan promises an amount of money.</p>"
    return _table(["plan", "region", "task", "for", "amount", "measure", "cap", "share",
                   "units", "quote"],
                  [[r["plan"], r["region"], r["task_key"], r["what"], r["amount"], r["measure"],
                    "最高" if r["max"] else "", "%" if r["rate"] else "", "、".join(r["units"]),
                    r["quote"]] for r in rows], "incentives")


def graph_view(g: nx.MultiDiGraph) -> str:
    view = g.subgraph(n for n, d in g.nodes(data=True) if d["label"] in VIEW_LABELS)
    pos = nx.spring_layout(nx.Graph(view), seed=7, iterations=60)
    nodes = [{"id": n, "label": d["label"], "colour": COLOURS[d["label"]],
              "name": str(d.get("name") or d.get("title") or d.get("key") or n),
              "x": round(450 + 430 * pos[n][0], 1), "y": round(350 + 330 * pos[n][1], 1)}
             for n, d in view.nodes(data=True)]
    links = [{"source": a, "target": b} for a, b in view.edges()]
    payload = json.dumps({"nodes": nodes, "links": links}, ensure_ascii=False)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    legend = " ".join(f'<span style="color:{c}">●</span> {label}' for label, c in COLOURS.items())
    return (f'<p>{legend} — click a node for its details.</p>'
            f'<svg id="graph" width="900" height="700"></svg><div id="detail"></div>'
            f'<script type="application/json" id="graph-data">{payload}</script>'
            f"<script>{SCRIPT}</script>")


def render(g: nx.MultiDiGraph, title: str = "policygraph report") -> str:
    sections = [("Plans", plan_summaries(g)), ("Who owns what: tasks per unit and plan",
                                                owners_matrix(g)),
                ("Indicators across plans", metric_charts(g)),
                ("Money promised", incentive_table(g)), ("The graph", graph_view(g))]
    body = "".join(f"<h2>{_e(h)}</h2>{s}" for h, s in sections)
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>"
            f"<body><h1>{_e(title)}</h1>{body}</body></html>")
