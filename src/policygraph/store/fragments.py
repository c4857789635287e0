"""Per-plan fragments, and the corpus graph assembled from them.

A plan's fragment is what its own extraction adds to the corpus graph (graph.plan_fragment):
the Plan, its Tasks and Targets, the shared nodes it links to with the values it gives
them, and its edges. It depends on no other plan, so worker processes write fragments in
parallel (``plans/<name>.json``, standalone node-link JSON) and a re-run rewrites only the
fragments of changed files.

``corpus.json`` is the fragments merged in source order, exactly as GraphBuilder merges
extractions. Nodes a plan owns and edges that touch them belong to that plan alone, so they
are copied as bytes; only the small rest is parsed and merged: Plan nodes (whose ``latest``
depends on the other versions), shared nodes (first value wins, later plans fill gaps) and
edges between shared nodes. So a one-file re-run reads and concatenates files instead of
rebuilding and re-serialising the whole graph.

A fragment file is laid out as four sections whose byte ranges the manifest records::

    {"directed":true,"graph":{},"multigraph":true,"nodes":[HEAD,OWNED],"links":[SHARED,OWNED]}

HEAD holds the Plan and the shared nodes, OWNED the plan's own nodes or the edges touching
them, SHARED the edges between shared nodes. HEAD and SHARED hold one item per line (JSON
strings never contain a raw newline), so the merge parses only the items it has not seen
in an earlier plan: most plans of a city repeat the same units, metrics and regions, and
parsing every copy was most of a one-file re-run.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterator

import networkx as nx
import orjson
from pydantic import BaseModel

from ..graph import owner_plan, version_links
from ..rules import Rules
from .files import CORPUS_JSON, atomic_write

Span = tuple[int, int]


class Fragment(BaseModel):
    """Where a plan's fragment file is and how it is laid out."""

    path: str  # under the graphs directory
    size: int
    head: Span
    owned_nodes: Span
    shared_links: Span
    owned_links: Span
    nodes: int  # owned nodes, the Plan excluded
    links: int  # edges touching the plan's own nodes
    sha256: str  # of the whole file: a fragment is reused only as it was written


_ITEM = b",\n"  # between the items of HEAD and SHARED


def _dump(item: dict) -> bytes:
    return orjson.dumps(item, option=orjson.OPT_SORT_KEYS)


def _join(items: list[bytes], sep: bytes = b",") -> bytes:
    return sep.join(items)


def _new_items(section: bytes, seen: set[bytes]) -> Iterator[dict]:
    """The items of a one-per-line section that no earlier section held byte for byte."""
    for line in section.split(_ITEM) if section else ():
        if line not in seen:
            seen.add(line)
            yield orjson.loads(line)


def _commas(chunks: list) -> Iterator:
    """The non-empty chunks with a comma between each two, for a streamed write."""
    first = True
    for chunk in chunks:
        if len(chunk):
            if not first:
                yield b","
            yield chunk
            first = False


def _layout(head: bytes, owned_nodes: bytes, shared_links: bytes,
            owned_links: bytes) -> tuple[bytes, dict[str, Span]]:
    """Node-link JSON of the four sections, and where each one lies in it."""
    parts: list[bytes] = [b'{"directed":true,"graph":{},"multigraph":true,"nodes":[']
    spans: dict[str, Span] = {}
    size = len(parts[0])

    def section(name: str, data: bytes, after: bytes | None) -> None:
        nonlocal size
        if data and after:  # a comma between two non-empty sections of one array
            parts.append(b",")
            size += 1
        spans[name] = (size, size + len(data))
        parts.append(data)
        size += len(data)

    section("head", head, None)
    section("owned_nodes", owned_nodes, head)
    parts.append(b'],"links":[')
    size += len(parts[-1])
    section("shared_links", shared_links, None)
    section("owned_links", owned_links, shared_links)
    parts.append(b"]}")
    return b"".join(parts), spans


def write_fragment(g: nx.MultiDiGraph, out: Path, name: str) -> Fragment:
    """Write one plan's fragment graph to ``plans/<name>.json`` under ``out``."""
    owned = {n for n, d in g.nodes(data=True) if owner_plan(n, d) is not None}
    head, nodes = [], []
    for n, d in g.nodes(data=True):
        (nodes if n in owned and d["label"] != "Plan" else head).append(_dump(d))
    shared, links = [], []
    for a, b, k, d in g.edges(keys=True, data=True):
        item = _dump({**d, "source": a, "target": b, "key": k})
        (links if a in owned or b in owned else shared).append(item)
    data, spans = _layout(_join(head, _ITEM), _join(nodes), _join(shared, _ITEM), _join(links))
    rel = f"plans/{name}.json"
    atomic_write(out / rel, data)
    return Fragment(path=rel, size=len(data), nodes=len(nodes), links=len(links),
                    sha256=hashlib.sha256(data).hexdigest(), **spans)


def fragment_intact(out: Path, frag: Fragment | None, pid: str | None) -> bool:
    """A cheap check before reuse: the file has the size it was written with, and its
    first item is the plan's own node (a build stopped after rewriting the fragment, but
    before the manifest, leaves another version's fragment there, often of the same size)."""
    if frag is None or pid is None:
        return False
    try:
        with open(out / frag.path, "rb") as f:
            if os.fstat(f.fileno()).st_size != frag.size:
                return False
            f.seek(frag.head[0])
            first = f.read(min(frag.head[1] - frag.head[0], 1 << 16)).split(_ITEM, 1)[0]
        return orjson.loads(first).get("id") == pid
    except (OSError, ValueError, AttributeError):
        return False


class BrokenFragment(Exception):
    """A fragment file that no longer parses; ``key`` names its source file."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def assemble_corpus(out: Path, fragments: dict[str, tuple[str, Fragment]],
                    rules: Rules) -> tuple[int, int, str]:
    """Merge the fragments (source file → (plan id, fragment)) in source order into
    ``corpus.json``; return its node and relationship counts and its checksum. Raises
    BrokenFragment for a fragment that is not what was written."""
    plans: dict[str, dict] = {}
    shared: dict[str, dict] = {}
    shared_links: dict[tuple[str, str, str], dict] = {}
    owned_nodes: list[bytes] = []
    owned_links: list[bytes] = []
    n_owned = n_links = 0
    seen: set[bytes] = set()
    for key in sorted(fragments):
        pid, frag = fragments[key]
        if pid in plans:  # the same content under a second name adds nothing
            continue
        try:
            raw = (out / frag.path).read_bytes()
            if hashlib.sha256(raw).hexdigest() != frag.sha256:
                raise BrokenFragment(key)  # a damaged byte would be copied into the corpus
            data = memoryview(raw)  # slices without copies
            head = list(_new_items(bytes(data[slice(*frag.head)]), seen))
            links = list(_new_items(bytes(data[slice(*frag.shared_links)]), seen))
        except (OSError, ValueError):
            raise BrokenFragment(key) from None
        if not any(node["id"] == pid for node in head):  # as fragment_intact, at no cost
            raise BrokenFragment(key)
        for node in head:
            if node.get("label") == "Plan":
                plans[node["id"]] = node
            elif node["id"] in shared:
                for k, v in node.items():
                    shared[node["id"]].setdefault(k, v)
            else:
                shared[node["id"]] = node
        for link in links:
            shared_links.setdefault((link["source"], link["target"], link["key"]), link)
        owned_nodes.append(data[slice(*frag.owned_nodes)])
        owned_links.append(data[slice(*frag.owned_links)])
        n_owned += frag.nodes
        n_links += frag.links

    latest = dict.fromkeys(plans, True)
    supersedes = []
    for newer, older in version_links(plans, rules):
        latest[older] = False
        supersedes.append({"type": "SUPERSEDES", "source": newer, "target": older,
                           "key": "SUPERSEDES"})
    nodes = ([_dump({**d, "latest": latest[n]}) for n, d in plans.items()]
             + [_dump(d) for d in shared.values()] + owned_nodes)
    edges = [_dump(d) for d in shared_links.values()] + [_dump(d) for d in supersedes] + owned_links
    chunks = [b'{"directed":true,"graph":{},"multigraph":true,"nodes":[', *_commas(nodes),
              b'],"links":[', *_commas(edges), b"]}"]
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    atomic_write(out / CORPUS_JSON, chunks)
    return (len(plans) + len(shared) + n_owned,
            len(shared_links) + len(supersedes) + n_links, digest.hexdigest())

