"""policygraph: Chinese government policy plans → a knowledge graph (rules + NLP, offline).

The library API, stage by stage (the CLI is a thin layer over it)::

    from policygraph import read_source, parse, load_document
    doc = load_document("data/raw/changji-2021-2023-tech-innovation-action-plan.txt")
    [t.key for t in doc.tasks()]
"""

from .errors import PolicyGraphError
from .ingest import read_source
from .pipeline import load_document, load_documents
from .rules import load_rules
from .structure import parse

__version__ = "0.1.0"
__all__ = ["PolicyGraphError", "load_document", "load_documents", "load_rules", "parse",
           "read_source"]
