"""The stages composed: a path → Document → Extraction, one file or a whole directory.

Batch functions never stop at a bad file: they yield an error for it and go on, so a
caller can process the good files and still report what failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import Errors, InputError, PolicyGraphError, file_error
from .ingest import DEFAULT_MAX_MB, SUPPORTED, path_text, read_source
from .models import Document
from .rules import Rules, load_rules
from .structure import parse


def load_document(path: str | Path, rules: Rules | None = None,
                  max_mb: float = DEFAULT_MAX_MB) -> Document:
    """Ingest and structure one plan file."""
    rules = rules or load_rules()
    return parse(read_source(path, rules, max_mb=max_mb), rules)


def plan_files(path: str | Path) -> list[Path]:
    """The files a batch reads: ``path`` itself, or every file under a directory
    (sorted; hidden files skipped). Unsupported files are kept so they get an error line."""
    p = Path(path)
    if p.is_file():
        return [p]
    if not p.is_dir():
        raise InputError(Errors.E001, path_text(path))
    files = sorted(f for f in p.rglob("*") if (f.is_file() or _dangling(f))
                   and not any(part.startswith(".") for part in f.relative_to(p).parts))
    if not files:
        raise InputError(Errors.E010, path_text(path))
    return files


def _dangling(path: Path) -> bool:
    """A symlink to nothing: kept in the batch, so it is named with E001, not skipped."""
    return path.is_symlink() and not path.exists()


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


__all__ = ["SUPPORTED", "Outcome", "load_document", "load_documents", "plan_files"]
