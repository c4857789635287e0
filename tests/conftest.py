"""Shared fixtures: the real plans of data/raw, by a short name."""

from __future__ import annotations

from pathlib import Path

import pytest

from policygraph import load_document, load_rules

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
GOLD = ROOT.parent / "shared" / "gold"

PLANS = {
    "services_draft": "urumqi-2026-2028-tech-services-action-plan-draft.txt",
    "ten_actions": "urumqi-2025-tech-innovation-ten-actions.txt",
    "hitech_zone": "urumqi-hitech-zone-2021-2023-innovation-base-plan.txt",
    "changji": "changji-2021-2023-tech-innovation-action-plan.txt",
    "measures_draft": "urumqi-universities-innovation-measures-draft.txt",
}


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def docs(rules):
    return {name: load_document(RAW / file, rules) for name, file in PLANS.items()}


def plan_path(name: str) -> Path:
    return RAW / PLANS[name]
