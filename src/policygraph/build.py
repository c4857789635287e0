"""The main job: every plan of a directory → extraction → corpus graph → data/graphs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import networkx as nx

from .errors import PolicyGraphError
from .extract import extract
from .graph import GraphBuilder
from .ingest import DEFAULT_MAX_MB
from .models import Extraction
from .pipeline import load_document, plan_files
from .rules import Rules, load_rules
from .store.files import write_store


@dataclass
class BuildResult:
    extractions: list[Extraction] = field(default_factory=list)
    errors: list[PolicyGraphError] = field(default_factory=list)
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def build(path: str | Path, out: str | Path | None = None, rules: Rules | None = None,
          max_mb: float = DEFAULT_MAX_MB,
          progress: Callable[[Path], None] | None = None) -> BuildResult:
    """Extract every plan under ``path`` and build the corpus graph; write it to ``out``
    when given. A bad file is reported in ``errors`` and never stops the others."""
    started = time.perf_counter()
    rules = rules or load_rules()
    result = BuildResult()
    builder = GraphBuilder(rules)
    plans: dict[str, str] = {}
    for f in plan_files(path):
        if progress:
            progress(f)
        try:
            ex = extract(load_document(f, rules, max_mb), rules)
        except PolicyGraphError as exc:
            result.errors.append(exc)
            continue
        result.extractions.append(ex)
        plans[builder.add(ex)] = ex.source
    result.graph = builder.g
    if out is not None and result.extractions:
        result.written = write_store(builder.g, plans, Path(out))
    result.seconds = time.perf_counter() - started
    return result
