"""The main job: every plan of a directory → extraction → corpus graph → data/graphs.

With an output directory the build is incremental (see store/manifest.py): only files
whose content, the extractor or the rules changed are extracted again, in parallel worker
processes; removed files drop out; a file that fails keeps its last good extraction.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import networkx as nx

from .errors import PolicyGraphError
from .extract import extract
from .graph import GraphBuilder, link_versions, plan_id
from .ingest import DEFAULT_MAX_MB
from .models import Extraction
from .pipeline import load_document, plan_files
from .rules import Rules, load_rules
from .store.files import CORPUS_JSON, read_corpus, remove_plans, write_store
from .store.manifest import (FileEntry, Manifest, build_lock, cache_extraction,
                             cached_extraction, extractor_version, file_sha256, read_manifest,
                             write_manifest)

Progress = Callable[[int, int, Path], None]  # (files done, files to extract, file)


@dataclass
class BuildResult:
    extractions: list[Extraction] = field(default_factory=list)  # every plan in the graph
    errors: list[PolicyGraphError] = field(default_factory=list)
    graph: nx.MultiDiGraph | None = None  # None when nothing changed (see corpus_graph)
    written: list[Path] = field(default_factory=list)
    files: int = 0
    extracted: list[str] = field(default_factory=list)  # files read and extracted this run
    removed: list[str] = field(default_factory=list)  # files gone since the last build
    out: Path | None = None
    plans: int = 0
    nodes: int = 0
    relationships: int = 0
    seconds: float = 0.0

    def corpus_graph(self) -> nx.MultiDiGraph:
        if self.graph is None and self.out is not None:
            self.graph = read_corpus(self.out)
        return self.graph if self.graph is not None else nx.MultiDiGraph()


Extracted = tuple[Extraction, "str | None"]  # the extraction, and where it is cached


def _extract_file(job: tuple[Path, Rules, float, Path | None]) -> Extracted | PolicyGraphError:
    """In a worker: extract one file and, given a graphs directory, cache the result there
    (so the writing happens in parallel too)."""
    path, rules, max_mb, cache_in = job
    try:
        ex = extract(load_document(path, rules, max_mb), rules)
    except PolicyGraphError as exc:
        return exc
    return ex, cache_extraction(cache_in, ex) if cache_in else None


def extract_files(paths: list[Path], rules: Rules, max_mb: float = DEFAULT_MAX_MB,
                  workers: int = 1, progress: Progress | None = None,
                  cache_in: Path | None = None,
                  ) -> Iterator[tuple[Path, Extracted | PolicyGraphError]]:
    """Each file's (Extraction, cache path) or error, in order; across ``workers`` processes."""
    jobs = [(p, rules, max_mb, cache_in) for p in paths]
    if workers > 1 and len(paths) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(paths))) as pool:
            chunk = max(1, min(16, len(paths) // (workers * 8)))
            results: Iterable = pool.map(_extract_file, jobs, chunksize=chunk)
            yield from _counted(paths, results, progress)
    else:
        yield from _counted(paths, map(_extract_file, jobs), progress)


def _counted(paths, results, progress):
    for i, (path, result) in enumerate(zip(paths, results), 1):
        if progress:
            progress(i, len(paths), path)
        yield path, result


def graph_of(extractions: list[Extraction], rules: Rules) -> nx.MultiDiGraph:
    builder = GraphBuilder(rules)
    for ex in extractions:
        builder.add(ex)
    link_versions(builder.g, rules)
    return builder.g


def build(path: str | Path, out: str | Path | None = None, rules: Rules | None = None,
          max_mb: float = DEFAULT_MAX_MB, progress: Progress | None = None,
          workers: int | None = None, waiting: Callable[[str], None] = lambda pid: None,
          ) -> BuildResult:
    """Extract every plan under ``path`` and build the corpus graph; with ``out``, only
    what changed since the last build there, and write the store. A bad file is reported
    in ``errors`` and never stops the others. ``workers`` defaults to the machine's cores."""
    started = time.perf_counter()
    rules = rules or load_rules()
    workers = workers or os.cpu_count() or 1
    files = plan_files(path)
    if out is None:
        result = BuildResult(files=len(files))
        for f, got in extract_files(files, rules, max_mb, workers, progress):
            if isinstance(got, PolicyGraphError):
                result.errors.append(got)
            else:
                result.extractions.append(got[0])
                result.extracted.append(str(f))
        result.graph = graph_of(result.extractions, rules)
        result.plans = len(result.extractions)
        result.nodes, result.relationships = (result.graph.number_of_nodes(),
                                              result.graph.number_of_edges())
    else:
        with build_lock(Path(out), waiting):
            result = _incremental(files, Path(out), rules, max_mb, workers, progress)
    result.seconds = time.perf_counter() - started
    return result


def _incremental(files: list[Path], out: Path, rules: Rules, max_mb: float, workers: int,
                 progress: Progress | None) -> BuildResult:
    old = read_manifest(out)
    new = Manifest(extractor=extractor_version(), rules=rules.version)
    same_code = (old.extractor, old.rules) == (new.extractor, new.rules)
    result = BuildResult(files=len(files), out=out)
    fresh: dict[str, Extraction] = {}  # extracted now, or last good kept after a failure
    todo: list[Path] = []
    for f in files:
        key, entry = str(f), old.files.get(str(f))
        if (same_code and entry and not entry.error and entry.extraction
                and (out / entry.extraction).exists() and entry.sha256 == file_sha256(f)):
            new.files[key] = entry  # unchanged: its cached extraction is read only if needed
        else:
            todo.append(f)

    for f, got in extract_files(todo, rules, max_mb, workers, progress, cache_in=out):
        key = str(f)
        if isinstance(got, PolicyGraphError):
            result.errors.append(got)
            last = old.files.get(key)
            last_good = cached_extraction(out, last) if last else None
            if last_good is not None:  # keep the plan's last good graph
                fresh[key] = last_good
                new.files[key] = last.model_copy(update={"error": got.line()})
            continue
        ex, cached = got
        result.extracted.append(key)
        fresh[key] = ex
        new.files[key] = FileEntry(sha256=ex.sha256, plan_id=plan_id(ex), extraction=cached)

    result.removed = sorted(set(old.files) - set(new.files))
    unchanged = (not fresh and not result.removed and (out / CORPUS_JSON).exists()
                 and all(e.error == (old.files[k].error if k in old.files else None)
                         for k, e in new.files.items()))
    if unchanged:
        new.nodes, new.relationships = old.nodes, old.relationships
    else:
        _rebuild(result, out, rules, old, new, fresh, same_code)
    write_manifest(out, new)
    result.plans = len(new.files)
    result.nodes, result.relationships = new.nodes, new.relationships
    return result


def _rebuild(result: BuildResult, out: Path, rules: Rules, old: Manifest, new: Manifest,
             fresh: dict[str, Extraction], same_code: bool) -> None:
    """The corpus graph from every current extraction; the store rewritten where it changed."""
    current = {k: fresh.get(k) or cached_extraction(out, e) for k, e in new.files.items()}
    for key in [k for k, ex in current.items() if ex is None]:  # a corrupt cache file
        got = _extract_file((Path(key), rules, DEFAULT_MAX_MB, out))
        if isinstance(got, PolicyGraphError):
            result.errors.append(got)
            del current[key], new.files[key]
        else:
            current[key] = got[0]
            new.files[key] = FileEntry(sha256=got[0].sha256, extraction=got[1])
            result.extracted.append(key)
    result.extractions = [current[k] for k in sorted(current)]
    g = result.graph = graph_of(result.extractions, rules)
    for key, ex in current.items():
        new.files[key].plan_id = plan_id(ex)
    rewrite = None
    if same_code:  # the extracted plans, and the versions they supersede or follow
        rewrite = {new.files[k].plan_id for k in result.extracted}
        rewrite |= {n for p in rewrite for n in nx.all_neighbors(g, p)
                    if g.nodes[n]["label"] == "Plan"}
    result.written = write_store(g, {new.files[k].plan_id: k for k in current}, out,
                                 only=rewrite)
    stale = [old.files[k].extraction for k in old.files
             if k not in new.files or new.files[k].extraction != old.files[k].extraction]
    remove_plans(out, result.removed, stale)
    new.nodes, new.relationships = g.number_of_nodes(), g.number_of_edges()
