"""Shared fixtures: the real plans of data/raw, by a short name."""

from __future__ import annotations

from pathlib import Path

import pytest

from policygraph import load_document, load_rules

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
# A copy of ../shared/gold, so the suite does not depend on what lies beside the clone.
GOLD = Path(__file__).resolve().parent / "fixtures" / "gold"

PLANS = {
    "services_draft": "urumqi-2026-2028-tech-services-action-plan-draft.txt",
    "ten_actions": "urumqi-2025-tech-innovation-ten-actions.txt",
    "hitech_zone": "urumqi-hitech-zone-2021-2023-innovation-base-plan.txt",
    "changji": "changji-2021-2023-tech-innovation-action-plan.txt",
    "measures_draft": "urumqi-universities-innovation-measures-draft.txt",
}
# The names the seed plans had in ../shared/seeds (gold files refer to these).
SEED_NAMES = {
    "services_draft": "000_86223951ae577ce6.txt",
    "ten_actions": "001_2ed63ccba89ccd5c.txt",
    "hitech_zone": "002_00042470639d7258.txt",
    "changji": "003_053fecb476c7a117.txt",
    "measures_draft": "004_81b5b327c271bba8.txt",
}


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def seeds_dir(tmp_path_factory):
    """data/raw under the seed names the gold files use."""
    d = tmp_path_factory.mktemp("seeds")
    for name, seed in SEED_NAMES.items():
        (d / seed).write_bytes((RAW / PLANS[name]).read_bytes())
    return d


@pytest.fixture(scope="session")
def extractions(docs, rules):
    from policygraph.extract import extract

    return {name: extract(doc, rules) for name, doc in docs.items()}


@pytest.fixture(scope="session")
def docs(rules):
    return {name: load_document(RAW / file, rules) for name, file in PLANS.items()}


def plan_path(name: str) -> Path:
    return RAW / PLANS[name]
