"""The embedded store: graphs as files in a directory (default ``data/graphs``).

Per plan, a node-link JSON of its fragment (fragments.py); for the corpus, node-link JSON,
and on request GraphML (opens in Gephi) and CSVs in the layout ``neo4j-admin database
import`` reads. Every file is written to a temporary file beside it and renamed into place,
so an interrupted build never leaves a half-written graph.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Iterable

import networkx as nx
import orjson

from ..errors import EnvironmentFault, Errors, StoreError
from ..graph import LABELS, RELATIONSHIPS, owner_plan

CORPUS_JSON = "corpus.json"
CORPUS_GRAPHML = "corpus.graphml"
EXPORTS = ("graphml", "csv")  # written on request; corpus.json is always current
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_SPECIAL = re.compile("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
INT_PROPS = {"year", "baseline_year", "period_start", "period_end", "level", "line", "start", "end"}
FLOAT_PROPS = {"value", "value_max", "baseline"}


# atomic_write's temporary files: "." + the target's name + "." + mkstemp's 8 characters.
_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}$")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write(path: Path, data: str | bytes | Iterable[bytes]) -> None:
    """Write ``data`` (or its chunks, in order) to ``path`` via a temporary file and an
    atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    mask = os.umask(0)
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)  # as open() would make it, not mkstemp's private 0600
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(data, (str, bytes)):
                f.write(data.encode("utf-8") if isinstance(data, str) else data)
            else:
                f.writelines(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_output(path: Path, text: str) -> Path:
    """A file a user named: through a symlink to its target, straight into a device or a
    pipe (/dev/stdout), else atomically like every other write. Returns where it went."""
    target = path.resolve() if path.is_symlink() else path
    if target.is_dir():
        raise EnvironmentFault(Errors.E304, str(path))
    try:
        if target.exists() and not target.is_file():
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            atomic_write(target, text)
    except OSError as exc:  # a write error names no file: name it
        raise EnvironmentFault.of(exc, path) from None
    return target


def read_json(path: Path) -> nx.MultiDiGraph:
    try:
        data = orjson.loads(path.read_bytes())
        _check_shape(data)
        return nx.node_link_graph(data, directed=True, multigraph=True, edges="links")
    except FileNotFoundError:
        raise StoreError(Errors.E301, str(path.parent)) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(Errors.E302, str(path), reason=str(exc).splitlines()[0]) from None


def _check_shape(data: object) -> None:
    """Node-link JSON of the model: every node with an id and one of the model's labels,
    every link with its ends and one of its types (else a query fails far from here)."""
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list) \
            or not isinstance(data.get("links"), list):
        raise ValueError("not node-link JSON (an object with lists nodes and links)")
    for node in data["nodes"]:
        if not isinstance(node, dict) or "id" not in node or node.get("label") not in LABELS:
            raise ValueError(f"a node without an id or a label of the model: {str(node)[:80]}")
    for link in data["links"]:
        if not isinstance(link, dict) or "source" not in link or "target" not in link \
                or link.get("type") not in RELATIONSHIPS:
            raise ValueError(f"a link without its ends or a type of the model: {str(link)[:80]}")


def read_corpus(graphs: Path) -> nx.MultiDiGraph:
    """The corpus graph of a build directory."""
    return read_json(Path(graphs) / CORPUS_JSON)


def _graphml_type(values: list) -> str:
    """One GraphML type per attribute; mixed types fall back to string."""
    kinds = {"boolean" if isinstance(v, bool) else "long" if isinstance(v, int)
             else "double" if isinstance(v, float) else "string" for v in values}
    if kinds == {"long", "double"}:
        return "double"
    return kinds.pop() if len(kinds) == 1 else "string"


def _graphml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return xml_escape(str(value))


def _for_gephi(d: dict) -> dict:
    """Gephi shows a node's ``label`` as its name: the name goes there, the node's type
    (the graph's own ``label``) to ``type``."""
    name = d.get("name") or d.get("title") or d.get("metric") or d.get("key") or d.get("id")
    return {**{k: v for k, v in d.items() if k != "label"}, "type": d["label"],
            "label": name if name is not None else d["label"]}


def to_graphml(g: nx.MultiDiGraph) -> bytes:
    """GraphML (opens in Gephi), written as a stream: networkx's writer builds an element
    tree and took 10 s on a 1,000-plan corpus. Empty values are left out. Nodes carry
    their name as ``label`` and their type as ``type``; edges their type as both."""
    nodes = [(n, _for_gephi(d)) for n, d in g.nodes(data=True)]
    edges = [(a, b, k, {**d, "label": d.get("type")}) for a, b, k, d in
             g.edges(keys=True, data=True)]
    keys: dict[tuple[str, str], str] = {}
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="http://graphml.'
           'graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.'
           'graphdrawing.org/xmlns/1.0/graphml.xsd">\n']
    for where, items in (("node", [d for _, d in nodes]), ("edge", [e[3] for e in edges])):
        values: dict[str, list] = {}
        for d in items:
            for k, v in d.items():
                if v is not None:
                    values.setdefault(k, []).append(v)
        for k in sorted(values):
            keys[where, k] = f"{where[0]}{len(keys)}"
            out.append(f'<key id="{keys[where, k]}" for="{where}" attr.name="{xml_escape(k)}" '
                       f'attr.type="{_graphml_type(values[k])}"/>\n')
    out.append('<graph edgedefault="directed">\n')

    def data(where: str, d: dict) -> str:
        return "".join(f'<data key="{keys[where, k]}">{_graphml_value(v)}</data>'
                       for k, v in d.items() if v is not None)

    for n, d in nodes:
        out.append(f'<node id="{xml_escape(n)}">{data("node", d)}</node>\n')
    for a, b, k, d in edges:
        out.append(f'<edge source="{xml_escape(a)}" target="{xml_escape(b)}" '
                   f'id="{xml_escape(f"{a}-{k}-{b}")}">{data("edge", d)}</edge>\n')
    out.append("</graph>\n</graphml>\n")
    return "".join(out).encode("utf-8")


def xml_escape(text: str) -> str:
    """Escape for XML text and attributes; drop characters XML 1.0 forbids."""
    if not _XML_SPECIAL.search(text):  # most values: nothing to do
        return text
    return html.escape(_XML_FORBIDDEN.sub("", text), quote=True)


def _csv_type(prop: str) -> str:
    return f"{prop}:int" if prop in INT_PROPS else f"{prop}:float" if prop in FLOAT_PROPS else prop


def to_import_csvs(g: nx.MultiDiGraph) -> dict[str, str]:
    """nodes_<Label>.csv and rels_<TYPE>.csv for ``neo4j-admin database import``."""
    files: dict[str, str] = {}
    by_label: dict[str, list[tuple[str, dict]]] = {}
    for n, d in g.nodes(data=True):
        by_label.setdefault(d["label"], []).append((n, d))
    for label, rows in sorted(by_label.items()):
        props = sorted({k for _, r in rows for k in r} - {"id", "label"})
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["id:ID"] + [_csv_type(p) for p in props] + [":LABEL"])
        for nid, r in rows:
            w.writerow([nid] + [r.get(p, "") for p in props] + [label])
        files[f"nodes_{label}.csv"] = buf.getvalue()
    by_type: dict[str, list[tuple]] = {}
    for a, b, d in g.edges(data=True):
        by_type.setdefault(d["type"], []).append((a, b, d))
    for rel, rows in sorted(by_type.items()):
        props = sorted({k for _, _, d in rows for k in d} - {"type"})
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([":START_ID", ":END_ID"] + [_csv_type(p) for p in props] + [":TYPE"])
        for a, b, d in rows:
            w.writerow([a, b] + [d.get(p, "") for p in props] + [rel])
        files[f"rels_{rel}.csv"] = buf.getvalue()
    return files


def plan_slug(source: str) -> str:
    stem = Path(source).stem
    return re.sub(r"[^\w.\-]+", "_", stem).strip("_") or "plan"


def owned_by_plan(g: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Each plan's own nodes (the Plan and every node whose ``plan`` is its id)."""
    owned: dict[str, set[str]] = {}
    for n, d in g.nodes(data=True):
        if (pid := owner_plan(n, d)) is not None:
            owned.setdefault(pid, set()).add(n)
    return owned


def plan_nodes(g: nx.MultiDiGraph, pid: str,
               owned: dict[str, set[str]] | None = None) -> set[str]:
    """The ids of a plan, what it owns, and the shared nodes those link to."""
    mine = (owned or owned_by_plan(g)).get(pid, {pid})
    return mine | {m for n in mine for m in nx.all_neighbors(g, n)}


def plan_subgraph(g: nx.MultiDiGraph, pid: str,
                  owned: dict[str, set[str]] | None = None) -> nx.MultiDiGraph:
    """A plan, what it owns, and the shared nodes those link to."""
    return g.subgraph(plan_nodes(g, pid, owned)).copy()


def _export_files(out: Path, fmt: str) -> list[Path]:
    """The files an export format has written under ``out``."""
    if fmt == "graphml":
        return [out / CORPUS_GRAPHML]
    return [f for pattern in ("nodes_*.csv", "rels_*.csv")
            for f in sorted((out / "import").glob(pattern))]


def write_exports(g: nx.MultiDiGraph, out: Path, formats: Iterable[str]) -> list[Path]:
    """The corpus as GraphML (``corpus.graphml``, opens in Gephi) and/or CSVs for
    ``neo4j-admin database import`` (``import/``); returns the files written."""
    written: list[Path] = []
    for fmt in EXPORTS:
        if fmt not in formats:
            continue
        files = ({CORPUS_GRAPHML: to_graphml(g)} if fmt == "graphml"
                 else {f"import/{n}": d for n, d in to_import_csvs(g).items()})
        for stale in set(_export_files(out, fmt)) - {out / n for n in files}:
            stale.unlink()  # a label or type the graph no longer has
        for name, data in files.items():
            atomic_write(out / name, data)
            written.append(out / name)
    return written


def remove_exports(out: Path) -> list[Path]:
    """Delete every export under ``out`` (they would no longer match corpus.json)."""
    gone = [f for fmt in EXPORTS for f in _export_files(out, fmt) if f.exists()]
    for f in gone:
        f.unlink()
    return gone


def remove_leftovers(out: Path, keep: set[str]) -> list[Path]:
    """Under the build's lock, what no finished build wrote: temporary files of a write
    that was killed (``.corpus.json.x1y2z3``: 85 MB each at 2,000 plans) anywhere in the
    store, and fragments and cached extractions (``keep``: relative paths) that no file of
    the manifest refers to."""
    gone: list[Path] = []
    for folder in (out, out / "plans", out / "extractions", out / "import"):
        for f in folder.iterdir() if folder.is_dir() else ():
            temp = _TEMP.match(f.name) is not None
            orphan = folder.name in ("plans", "extractions") and \
                f"{folder.name}/{f.name}" not in keep
            if f.is_file() and (temp or orphan):
                f.unlink(missing_ok=True)
                gone.append(f)
    return gone
