"""Stage 3, extract: a Document → an Extraction of tasks, units, targets, platforms,
organisations, fields and cited documents, each fact with its provenance.

Extractors are registered by name (as spaCy registers components) and run in order over
one shared :class:`~policygraph.extract.context.Context`.
"""

from __future__ import annotations

from typing import Callable

from ..models import Document, Extraction
from ..rules import Rules, load_rules
from .context import Context, build_context
from .documents import extract_cited
from .fields import extract_fields
from .incentives import extract_incentives
from .orgs import extract_orgs
from .platforms import extract_platforms
from .targets import extract_targets
from .tasks import extract_tasks
from .units import extract_units

# Extraction field → the function that fills it, in the order they run: one that claims
# spans (incentives claim their amounts) runs before those that must leave them (targets).
EXTRACTORS: dict[str, Callable[[Context], list]] = {
    "tasks": extract_tasks,
    "units": extract_units,
    "incentives": extract_incentives,
    "targets": extract_targets,
    "platforms": extract_platforms,
    "organizations": extract_orgs,
    "fields": extract_fields,
    "cited": extract_cited,
}


def extract(doc: Document, rules: Rules | None = None) -> Extraction:
    """Run every registered extractor over one document."""
    rules = rules or load_rules()
    ctx = build_context(doc, rules)
    facts = {name: fn(ctx) for name, fn in EXTRACTORS.items()}
    return Extraction(source=doc.source.path, sha256=doc.source.sha256, plan=doc.meta, **facts)


__all__ = ["EXTRACTORS", "extract"]
