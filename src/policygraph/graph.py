"""Stage 4, graph: Extractions → one networkx MultiDiGraph with the model of DESIGN.md.

Ids are derived from content, so a re-run gives the same ids. Entity resolution: one Unit
per (region, canonical name); one Platform and one Organization per normalised name across
plans (aliases from knowledge/platforms.yml); one Metric per canonical indicator
(knowledge/metrics.yml), so the same indicator lines up across plans.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import networkx as nx

from .models import Extraction, Provenance
from .rules import Rules, load_rules

LABELS = ("Plan", "Task", "Target", "Incentive", "Metric", "Unit", "Platform", "Organization",
          "Region", "Field", "PolicyDoc")
RELATIONSHIPS = ("HAS_TASK", "SUBTASK_OF", "SETS", "MEASURES", "LEADS", "SUPPORTS",
                 "RESPONSIBLE_FOR", "MENTIONS", "HOSTED_BY", "COVERS", "IN_REGION",
                 "ADDRESSES", "CITES", "SUPERSEDES", "OFFERS")
# Nodes a plan owns (they carry ``plan`` = the plan's id, or are the Plan) and die with it;
# every other label is shared between plans and merged by content.
OWNED_LABELS = ("Plan", "Task", "Target", "Incentive")
SHARED_LABELS = tuple(label for label in LABELS if label not in OWNED_LABELS)
# Relationships between two shared nodes: the only ones that outlive a plan's subgraph.
SHARED_EDGES = (("HOSTED_BY", "Platform", "Organization"), ("IN_REGION", "Unit", "Region"))


def owner_plan(node: str, data: dict) -> str | None:
    """The plan a node belongs to (a Plan is its own), or None for a shared node."""
    if data["label"] == "Plan":
        return node
    return data.get("plan") if data["label"] in OWNED_LABELS else None


ROLE_REL = {"lead": "LEADS", "support": "SUPPORTS", "responsible": "RESPONSIBLE_FOR"}
_QUOTES = re.compile(r"[“”‘’\"'\s]")


def node_id(label: str, *parts: object) -> str:
    """A stable id from a node's identifying content: Label:<12 hex>."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:12]
    return f"{label.lower()}:{digest}"


def plan_id(ex: Extraction) -> str:
    return node_id("Plan", ex.sha256)


def canonical_metric(metric: str, rules: Rules) -> str:
    m = rules.metrics.alias_regex.search(metric)
    other = rules.metrics.other_regex
    if m and not (other.search(metric) and not other.search(m.group(0))):
        return rules.metrics.canonical_of[m.group(0)]
    name = metric
    for pattern in rules.metrics.strip:
        name = re.sub(pattern, "", name)
    return name or metric


def platform_key(name: str, rules: Rules) -> str:
    """Normalised platform name: see ``PlatformRules.key``."""
    return rules.platforms.key(name)


def _prov(p: Provenance) -> dict:
    out = {"file": p.file, "line": p.line, "start": p.start, "end": p.end, "quote": p.quote}
    if p.page is not None:  # paged formats: the line is counted on this page
        out["page"] = p.page
    return out


class GraphBuilder:
    """Adds Extractions one by one to a corpus graph, merging shared entities."""

    def __init__(self, rules: Rules | None = None) -> None:
        self.rules = rules or load_rules()
        self.g = nx.MultiDiGraph()

    def node(self, nid: str, label: str, **props) -> str:
        props = {k: v for k, v in props.items() if v is not None}
        if nid in self.g:
            for k, v in props.items():  # first value wins; later plans fill gaps
                self.g.nodes[nid].setdefault(k, v)
        else:
            self.g.add_node(nid, label=label, id=nid, **props)
        return nid

    def edge(self, a: str, b: str, rel: str, **props) -> None:
        if not any(d.get("type") == rel for d in self.g.get_edge_data(a, b, default={}).values()):
            self.g.add_edge(a, b, key=rel, type=rel, **{k: v for k, v in props.items() if v is not None})

    def region(self, name: str | None) -> str | None:
        return self.node(node_id("Region", name), "Region", name=name) if name else None

    def add(self, ex: Extraction) -> str:
        pid = plan_id(ex)
        meta = ex.plan
        self.node(pid, "Plan", title=meta.title or Path(ex.source).stem, region=meta.region,
                  issuer=meta.issuer, doc_number=meta.doc_number, status=meta.status,
                  period_start=meta.period_start, period_end=meta.period_end, issued=meta.issued,
                  source=ex.source, sha256=ex.sha256)
        if (rid := self.region(meta.region)):
            self.edge(pid, rid, "COVERS")
        tasks = self._tasks(ex, pid)
        self._units(ex, pid, tasks)
        self._targets(ex, pid, tasks)
        self._incentives(ex, pid, tasks)
        self._platforms(ex, pid, tasks)
        self._fields(ex, tasks)
        for doc in ex.cited:
            did = self.node(node_id("PolicyDoc", doc.title), "PolicyDoc", title=doc.title)
            self.edge(pid, did, "CITES", **_prov(doc.prov))
        return pid

    def _tasks(self, ex: Extraction, pid: str) -> dict[str, str]:
        ids: dict[str, str] = {}
        for t in ex.tasks:
            # The quote is the task's whole text, so the node does not repeat it as `text`.
            tid = self.node(node_id("Task", pid, t.key), "Task", key=t.key, title=t.title,
                            level=t.level, plan=pid, **_prov(t.prov))
            ids[t.key] = tid
            self.edge(pid, tid, "HAS_TASK")
        return ids

    def _units(self, ex: Extraction, pid: str, tasks: dict[str, str]) -> None:
        for u in ex.units:
            uid = self.node(node_id("Unit", u.region, u.canonical), "Unit", name=u.name,
                            canonical=u.canonical, region=u.region, kind=u.kind)
            if (rid := self.region(u.region)):
                self.edge(uid, rid, "IN_REGION")
            if u.task in tasks:
                self.edge(uid, tasks[u.task], ROLE_REL[u.role], plan=pid, **_prov(u.prov))

    def _targets(self, ex: Extraction, pid: str, tasks: dict[str, str]) -> None:
        for t in ex.targets:
            metric = canonical_metric(t.metric, self.rules)
            mid = self.node(node_id("Metric", metric), "Metric", name=metric)
            tid = self.node(
                node_id("Target", pid, t.task, t.metric, t.value, t.unit, t.year, t.prov.start),
                "Target", metric=t.metric, value=t.value, value_max=t.value_max, unit=t.unit,
                comparator=t.comparator, year=t.year, scope=t.scope, baseline=t.baseline,
                baseline_year=t.baseline_year, plan=pid, task=t.task, **_prov(t.prov))
            self.edge(tasks.get(t.task, pid), tid, "SETS")
            self.edge(tid, mid, "MEASURES")

    def _incentives(self, ex: Extraction, pid: str, tasks: dict[str, str]) -> None:
        for i in ex.incentives:
            iid = self.node(
                node_id("Incentive", pid, i.task, i.amount, i.unit, i.prov.start), "Incentive",
                what=i.what, amount=i.amount, unit=i.unit, max=i.max, rate=i.rate, plan=pid,
                task=i.task, **_prov(i.prov))
            self.edge(tasks.get(i.task, pid), iid, "OFFERS")

    def _platforms(self, ex: Extraction, pid: str, tasks: dict[str, str]) -> None:
        for p in ex.platforms:
            key = platform_key(p.name, self.rules)
            fid = self.node(node_id("Platform", key), "Platform", name=p.name, kind=p.kind,
                            level=p.level)
            self.edge(tasks.get(p.task, pid), fid, "MENTIONS", plan=pid, **_prov(p.prov))
            if p.host:
                oid = self.node(node_id("Organization", _QUOTES.sub("", p.host)), "Organization",
                                name=p.host)
                self.edge(fid, oid, "HOSTED_BY")
        for o in ex.organizations:
            oid = self.node(node_id("Organization", _QUOTES.sub("", o.name)), "Organization",
                            name=o.name, kind=o.kind)
            # Linked, with its quote: a bare node said nothing of which plan names it.
            self.edge(pid, oid, "MENTIONS", plan=pid, **_prov(o.prov))

    def _fields(self, ex: Extraction, tasks: dict[str, str]) -> None:
        for f in ex.fields:
            fid = self.node(node_id("Field", f.name), "Field", name=f.name)
            if f.task in tasks:
                self.edge(tasks[f.task], fid, "ADDRESSES", **_prov(f.prov))


def build_graph(extractions: list[Extraction], rules: Rules | None = None) -> nx.MultiDiGraph:
    """The corpus graph of ``extractions``, merged in the order given, versions linked."""
    builder = GraphBuilder(rules)
    for ex in extractions:
        builder.add(ex)
    link_versions(builder.g, builder.rules)
    return builder.g


def plan_fragment(ex: Extraction, rules: Rules) -> nx.MultiDiGraph:
    """What one plan adds to the corpus graph, on its own: its nodes, the shared nodes it
    links to with the values it gives them, and its edges (versions are linked later)."""
    builder = GraphBuilder(rules)
    builder.add(ex)
    return builder.g


def counts(g: nx.MultiDiGraph) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, data in g.nodes(data=True):
        out[data["label"]] = out.get(data["label"], 0) + 1
    return out


def version_key(title: str | None, region: str | None, rules: Rules) -> tuple | None:
    """Plans with the same key are versions of one plan: title without draft marks, region."""
    if not title:
        return None
    marks = rules.metadata.draft_markers
    bare = re.sub(rf"[（(【\[]?\s*({marks})\s*[）)】\]]?", "", title)
    return re.sub(r"\s+", "", bare), region


def version_links(plans: dict[str, dict], rules: Rules) -> list[tuple[str, str]]:
    """(newer, older) pairs within each plan's versions, given every Plan node's properties:
    a final after its drafts, then by issue date, then by file name."""
    groups: dict[tuple, list[str]] = {}
    for n, d in plans.items():
        key = version_key(d.get("title"), d.get("region"), rules)
        if key is not None:
            groups.setdefault(key, []).append(n)
    pairs = []
    for group in groups.values():
        group.sort(key=lambda p: (plans[p].get("status") == "final",
                                  plans[p].get("issued") or "", plans[p].get("source", "")))
        pairs += [(newer, older) for older, newer in zip(group, group[1:])]
    return pairs


def link_versions(g: nx.MultiDiGraph, rules: Rules) -> None:
    """(newer)-[:SUPERSEDES]->(older) between versions; ``latest`` on every Plan."""
    plans = {n: d for n, d in g.nodes(data=True) if d["label"] == "Plan"}
    for d in plans.values():
        d["latest"] = True
    for newer, older in version_links(plans, rules):
        plans[older]["latest"] = False
        g.add_edge(newer, older, key="SUPERSEDES", type="SUPERSEDES")
