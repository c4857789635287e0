"""Any sequence of edits, additions, copies and deletions between builds leaves the
incremental store equal to a build from scratch (hypothesis picks the sequences)."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from policygraph import load_document, load_rules
from policygraph.build import build
from policygraph.extract import extract
from policygraph.graph import build_graph
from policygraph.pipeline import plan_files
from policygraph.store.files import read_corpus

from .conftest import PLANS, RAW, as_sets

SEEDS = sorted(PLANS.values())
OPS = st.lists(st.tuples(st.sampled_from(["edit", "add", "copy", "delete", "move"]),
                         st.integers(0, 4)), min_size=1, max_size=4)


@functools.lru_cache(maxsize=None)
def _extraction(path: str, label: str, content: bytes):
    rules = load_rules()
    return extract(load_document(path, rules, label=label), rules)


def from_scratch(raw: Path):
    """The corpus graph built in memory from every file now in ``raw``."""
    return build_graph([_extraction(str(f), f.name, f.read_bytes()) for f in plan_files(raw)],
                       load_rules())


def apply(raw: Path, op: str, i: int, step: int) -> None:
    files = sorted(raw.iterdir())
    f = files[i % len(files)]
    if op == "edit":  # new content: a new plan id, every owned node replaced
        f.write_text(f.read_text(encoding="utf-8") + f"\n第{step}次修改。\n", encoding="utf-8")
    elif op == "add":
        shutil.copy(RAW / SEEDS[i], raw / f"new{step}-{SEEDS[i]}")
    elif op == "copy":  # the same text under a second name
        shutil.copy(f, raw / f"copy{step}-{f.name}")
    elif op == "delete" and len(files) > 1:
        f.unlink()
    elif op == "move":
        f.rename(raw / f"moved{step}-{f.name}")


@settings(max_examples=15, deadline=None)
@given(ops=OPS)
def test_incremental_builds_equal_a_build_from_scratch(ops):
    with tempfile.TemporaryDirectory(prefix="pg-incr-") as tmp:
        raw, out = Path(tmp) / "raw", Path(tmp) / "graphs"
        raw.mkdir()
        for seed in SEEDS[:3]:
            shutil.copy(RAW / seed, raw / seed)
        build(raw, out, workers=1)
        for step, (op, i) in enumerate(ops):
            apply(raw, op, i, step)
            result = build(raw, out, workers=1)
            g = read_corpus(out)
            assert as_sets(g) == as_sets(from_scratch(raw)), (op, i)
            assert (result.nodes, result.relationships) == (g.number_of_nodes(),
                                                            g.number_of_edges())
            assert len(list((out / "plans").iterdir())) == len(list(raw.iterdir()))
