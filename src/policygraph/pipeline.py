"""The stages composed: a path → Document → Extraction, one file or a whole directory.

Batch functions never stop at a bad file: they yield an error for it and go on, so a
caller can process the good files and still report what failed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import Errors, InputError, PolicyGraphError, file_error
from .ingest import DEFAULT_MAX_MB, SUPPORTED, path_text, read_source
from .models import Document
from .rules import Rules, load_rules
from .structure import parse


def load_document(path: str | Path, rules: Rules | None = None,
                  max_mb: float = DEFAULT_MAX_MB, label: str | None = None) -> Document:
    """Ingest and structure one plan file; ``label``: the name its facts' provenance
    gives it (a build's: the path relative to the folder it reads), else the path."""
    rules = rules or load_rules()
    source = read_source(path, rules, max_mb=max_mb)
    if label:
        source = source.model_copy(update={"path": label})
    return parse(source, rules)


def source_label(path: Path, root: Path) -> str:
    """How provenance names a file of a build: relative to the folder the build reads
    (so a graph names no user's home and survives the folder moving), else as given."""
    try:
        return path_text(path.relative_to(root).as_posix())
    except ValueError:
        return path_text(path)


def plan_files(path: str | Path, exclude: str | Path | None = None) -> list[Path]:
    """The files a batch reads: ``path`` itself, or every file under a directory (sorted;
    hidden ones and the ``exclude`` directory, a build's output, skipped). What cannot be
    read as a file stays in the list so it gets its error line: unsupported types, dangling
    symlinks, FIFOs and devices, and subdirectories that cannot be listed."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        return [p]
    if not p.is_dir():
        raise InputError(Errors.E001, path_text(path))
    skip = Path(exclude).absolute() if exclude is not None else None
    found: list[Path] = []
    for root, dirs, names in os.walk(p, onerror=lambda err: found.append(Path(err.filename))):
        here = Path(root)
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and (skip is None or (here / d).absolute() != skip)]
        found += [here / n for n in names if not n.startswith(".")]
    if not found:
        raise InputError(Errors.E010, path_text(path))
    return sorted(found)


@dataclass
class Outcome:
    path: Path
    document: Document | None = None
    error: PolicyGraphError | None = None


def load_documents(path: str | Path, rules: Rules | None = None,
                   max_mb: float = DEFAULT_MAX_MB) -> Iterator[Outcome]:
    """Every plan under ``path``, each as a Document or the error that stopped it."""
    rules = rules or load_rules()
    for f in plan_files(path):
        try:
            yield Outcome(f, document=load_document(f, rules, max_mb))
        except Exception as exc:  # noqa: BLE001 - one surprising file must not stop the batch
            yield Outcome(f, error=file_error(path_text(f), exc))


__all__ = ["SUPPORTED", "Outcome", "load_document", "load_documents", "plan_files",
           "source_label"]
