"""The main job: every plan of a directory → extraction → corpus graph → data/graphs.

With an output directory the build is incremental (see store/manifest.py): only files
whose content, the extractor or the rules changed are extracted again, in parallel worker
processes that also write each plan's extraction and graph fragment; the main process then
merges the fragments into corpus.json (store/fragments.py). Removed files drop out; a file
that fails keeps its last good extraction and fragment.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import networkx as nx

from .errors import Errors, PolicyGraphError, StoreError, file_error
from .graph import build_graph, plan_fragment, plan_id
from .ingest import DEFAULT_MAX_MB, path_text
from .models import Extraction
from .pipeline import load_document, plan_files, source_label
from .rules import Rules, load_rules
from .store.files import (CORPUS_JSON, plan_slug, read_corpus, remove_exports,
                          remove_leftovers, write_exports)
from .store.fragments import BrokenFragment, assemble_corpus, fragment_intact, write_fragment
from .store.manifest import (FileEntry, Manifest, build_lock, cache_extraction,
                             extractor_version, file_sha256, read_manifest, write_manifest)

Progress = Callable[[int, int, Path], None]  # (files done, files to extract, file)


@dataclass
class PlanSummary:
    """What the build table shows of a plan it extracted."""

    source: str
    title: str
    region: str | None
    status: str
    tasks: int
    targets: int
    units: int  # distinct units the plan names (not unit–task links)
    platforms: int  # distinct platforms

    @classmethod
    def of(cls, ex: Extraction) -> "PlanSummary":
        return cls(ex.source, ex.plan.title or Path(ex.source).stem, ex.plan.region,
                   ex.plan.status, len(ex.tasks), len(ex.targets),
                   len({u.name for u in ex.units}), len({p.name for p in ex.platforms}))


@dataclass
class BuildResult:
    summaries: list[PlanSummary] = field(default_factory=list)  # of the plans extracted now
    errors: list[PolicyGraphError] = field(default_factory=list)
    graph: nx.MultiDiGraph | None = None  # in memory only without --out (see corpus_graph)
    written: list[Path] = field(default_factory=list)  # exports
    files: int = 0
    extracted: list[str] = field(default_factory=list)  # files read and extracted this run
    removed: list[str] = field(default_factory=list)  # files gone since the last build
    repaired: list[str] = field(default_factory=list)  # damage found in the store and mended
    out: Path | None = None
    changed: bool = False  # corpus.json was rewritten
    plans: int = 0
    nodes: int = 0
    relationships: int = 0
    seconds: float = 0.0

    def corpus_graph(self) -> nx.MultiDiGraph:
        if self.graph is None and self.out is not None:
            self.graph = read_corpus(self.out)
        return self.graph if self.graph is not None else nx.MultiDiGraph()


@dataclass
class Job:
    path: Path
    rules: Rules | None  # None in a worker: the rules its pool was started with
    max_mb: float
    out: Path | None = None  # with a graphs directory: write the extraction and fragment
    name: str = ""  # the plan's file name there
    label: str = ""  # how its provenance names the source (see pipeline.source_label)


Done = tuple[FileEntry, PlanSummary]


def _run_job(job: Job) -> Extraction | Done | PolicyGraphError:
    """In a worker: extract one file; given a graphs directory, also write its cached
    extraction and graph fragment there, and return only their manifest entry."""
    # Imported here, not at the top: spaCy takes ~1 s to import, which a re-run with
    # nothing to extract should not pay.
    from .extract import extract

    rules = job.rules if job.rules is not None else _WORKER_RULES
    try:
        ex = extract(load_document(job.path, rules, job.max_mb, job.label), rules)
        if job.out is None:
            return ex
        entry = FileEntry(
            sha256=ex.sha256, plan_id=plan_id(ex),
            extraction=cache_extraction(job.out, ex, job.name),
            fragment=write_fragment(plan_fragment(ex, rules), job.out, job.name))
        return entry, PlanSummary.of(ex)
    except Exception as exc:  # noqa: BLE001 - one surprising file must not stop the batch
        return file_error(path_text(job.path), exc)


def run_jobs(jobs: list[Job], workers: int = 1, progress: Progress | None = None,
             ) -> Iterator[tuple[Path, Extraction | Done | PolicyGraphError]]:
    """Each job's result, in order; across ``workers`` processes."""
    if workers > 1 and len(jobs) > 1:
        # The rules go to each worker once, at its start, not with every job: unpickling
        # them (their compiled patterns, the gazetteer) cost 0.1 s a file, more than
        # extracting one, and made two workers slower than one.
        pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                                   initializer=_worker_start,
                                   initargs=(os.getpid(), jobs[0].rules))
        light = [dataclasses.replace(job, rules=None) for job in jobs]
        try:
            # Small chunks: the last one decides when the pool is done.
            chunk = max(1, min(4, len(jobs) // (workers * 8)))
            yield from _counted(jobs, pool.map(_run_job, light, chunksize=chunk), progress)
        except BaseException:
            _stop_workers(pool)  # interrupted: do not wait for the files in progress
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        yield from _counted(jobs, map(_run_job, jobs), progress)


_WORKER_RULES: Rules | None = None  # in a worker process: the rules of its jobs


def _worker_start(parent: int, rules: Rules | None = None) -> None:
    """In each worker: keep the rules, leave Ctrl-C to the build (which stops the
    workers), and exit when the build is gone, even killed with -9 (a worker would
    otherwise wait on its queue forever, an orphan holding the build's files open)."""
    global _WORKER_RULES
    _WORKER_RULES = rules
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="policygraph-parent-watch").start()


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):  # no public way before 3.14
        process.terminate()


def _counted(jobs: list[Job], results: Iterable, progress: Progress | None):
    for i, (job, result) in enumerate(zip(jobs, results), 1):
        if progress:
            progress(i, len(jobs), job.path)
        yield job.path, result


def fragment_names(files: list[Path]) -> dict[str, str]:
    """A file name in the graphs directory for each source: its stem, or where two sources
    share a stem, the stem and a hash of the path."""
    slugs = {path_text(f): plan_slug(path_text(f)) for f in files}
    seen = Counter(slugs.values())
    return {k: s if seen[s] == 1 else f"{s}-{hashlib.sha256(k.encode()).hexdigest()[:8]}"
            for k, s in slugs.items()}


def build(path: str | Path, out: str | Path | None = None, rules: Rules | None = None,
          max_mb: float = DEFAULT_MAX_MB, progress: Progress | None = None,
          workers: int | None = None, waiting: Callable[[str], None] = lambda pid: None,
          exports: Iterable[str] = ()) -> BuildResult:
    """Extract every plan under ``path`` and build the corpus graph; with ``out``, only
    what changed since the last build there, and write the store (plus ``exports``:
    "graphml", "csv"). A bad file is reported in ``errors`` and never stops the others.
    ``workers`` defaults to the machine's cores."""
    started = time.perf_counter()
    rules = rules or load_rules()
    workers = workers or os.cpu_count() or 1
    # Absolute, so the manifest knows a file whether the build is given raw/ or /srv/raw/;
    # the graph names each file relative to the folder read (``root``).
    given = Path(path).absolute()
    files = plan_files(given, exclude=out)
    root = given if given.is_dir() else given.parent
    if out is None:
        result = _in_memory(files, root, rules, max_mb, workers, progress)
    else:
        with build_lock(Path(out), waiting):
            result = _incremental(files, root, Path(out), rules, max_mb, workers, progress)
            exports = set(exports)
            if exports:
                try:
                    result.written = write_exports(result.corpus_graph(), Path(out), exports)
                except BaseException:
                    remove_exports(Path(out))  # half an export must not pass for a whole one
                    raise
            elif result.changed:
                remove_exports(Path(out))  # they no longer match corpus.json
    result.seconds = time.perf_counter() - started
    return result


def _in_memory(files: list[Path], root: Path, rules: Rules, max_mb: float, workers: int,
               progress: Progress | None) -> BuildResult:
    result = BuildResult(files=len(files))
    extractions = []
    jobs = [Job(f, rules, max_mb, label=source_label(f, root)) for f in files]
    for f, got in run_jobs(jobs, workers, progress):
        if isinstance(got, PolicyGraphError):
            result.errors.append(got)
        else:
            extractions.append(got)
            result.extracted.append(path_text(f))
            result.summaries.append(PlanSummary.of(got))
    g = result.graph = build_graph(sorted(extractions, key=lambda ex: ex.source), rules)
    result.plans = len({ex.sha256 for ex in extractions})
    result.nodes, result.relationships = g.number_of_nodes(), g.number_of_edges()
    return result


def _reusable(out: Path, entry: FileEntry | None) -> bool:
    return bool(entry and not entry.error and entry.extraction and (out / entry.extraction).exists()
                and fragment_intact(out, entry.fragment, entry.plan_id))


def _incremental(files: list[Path], root: Path, out: Path, rules: Rules, max_mb: float,
                 workers: int, progress: Progress | None) -> BuildResult:
    old = read_manifest(out)
    new = Manifest(extractor=extractor_version(), rules=rules.version, root=path_text(root))
    # Another folder read into the same store names its files differently: extract anew.
    same_code = (old.extractor, old.rules, old.root) == (new.extractor, new.rules, new.root)
    result = BuildResult(files=len(files), out=out)
    todo: list[Path] = []
    for f in files:
        entry = old.files.get(path_text(f))
        if same_code and _reusable(out, entry) and entry.sha256 == file_sha256(f):
            new.files[path_text(f)] = entry  # unchanged: its fragment is merged as it is
        else:
            todo.append(f)
    names = fragment_names(files)
    _extract_into(new, old, result, todo, names, rules, max_mb, workers, progress)

    result.removed = sorted(set(old.files) - set(new.files))
    result.changed = bool(result.extracted or result.removed)
    if not result.changed and not _corpus_intact(out, old):
        result.changed = True
        if old.corpus_sha256:  # a first build has nothing to repair
            result.repaired.append(f"{out / CORPUS_JSON}: not as the last build wrote it "
                                   "(missing or damaged); written again from the fragments")
    if result.changed:
        _assemble(new, old, result, names, rules, max_mb)
    else:
        new.nodes, new.relationships = old.nodes, old.relationships
        new.corpus_sha256 = old.corpus_sha256
    write_manifest(out, new)
    remove_leftovers(out, _referenced(new))  # after the manifest: it must not name them
    result.plans = len({e.plan_id for e in new.files.values()})  # one text under two names: one
    result.nodes, result.relationships = new.nodes, new.relationships
    return result


def _extract_into(new: Manifest, old: Manifest, result: BuildResult, todo: list[Path],
                  names: dict[str, str], rules: Rules, max_mb: float, workers: int,
                  progress: Progress | None = None) -> None:
    """Extract ``todo`` into the graphs directory and the new manifest; a file that fails
    keeps its last good entry, marked with the error."""
    out = result.out
    root = Path(new.root)
    jobs = [Job(f, rules, max_mb, out, names[path_text(f)], source_label(f, root))
            for f in todo]
    for f, got in run_jobs(jobs, workers, progress):
        key = path_text(f)
        if isinstance(got, PolicyGraphError):
            result.errors.append(got)
            last = old.files.get(key)
            if last and fragment_intact(out, last.fragment, last.plan_id):
                new.files[key] = last.model_copy(update={"error": got.line()})
            continue
        new.files[key], summary = got
        result.extracted.append(key)
        result.summaries.append(summary)


def _assemble(new: Manifest, old: Manifest, result: BuildResult, names: dict[str, str],
              rules: Rules, max_mb: float) -> None:
    """corpus.json from every fragment; a fragment that no longer parses is extracted anew
    (once)."""
    retried: set[str] = set()
    while True:
        try:
            fragments = {k: (e.plan_id, e.fragment) for k, e in new.files.items()}
            new.nodes, new.relationships, new.corpus_sha256 = assemble_corpus(
                result.out, fragments, rules)
            return
        except BrokenFragment as broken:
            key = broken.key
            gone = new.files.pop(key)
            if key in retried:
                raise StoreError(Errors.E302, str(result.out / gone.fragment.path),
                                 reason="the fragment just written does not parse") from None
            retried.add(key)
            names.setdefault(key, plan_slug(key))
            _extract_into(new, Manifest(), result, [Path(key)], names, rules, max_mb, 1)


def _corpus_intact(out: Path, manifest: Manifest) -> bool:
    """corpus.json is what the last build wrote: a damaged one is written again (else
    every query fails on it, or reads a changed value, until some plan changes)."""
    try:
        return bool(manifest.corpus_sha256) and \
            file_sha256(out / CORPUS_JSON) == manifest.corpus_sha256
    except OSError:
        return False


def _referenced(m: Manifest) -> set[str]:
    """The fragments and cached extractions the manifest's files refer to."""
    return {p for e in m.files.values()
            for p in (e.extraction, e.fragment.path if e.fragment else None) if p}
