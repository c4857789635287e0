"""A build stopped at any moment (kill -9, SIGTERM) and a store damaged on disk: the next
build completes to what a clean build gives, with no process and no temporary file left."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policygraph.build import build
from policygraph.cli import app
from policygraph.store.files import CORPUS_JSON, read_json
from policygraph.store.manifest import read_manifest

from .conftest import PLANS, RAW


def many_plans(folder: Path, n: int = 150) -> Path:
    """``n`` different plans: the seed plans, each copy with a line of its own."""
    folder.mkdir()
    seeds = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
    for i in range(n):
        (folder / f"{i:04d}.txt").write_text(f"{seeds[i % len(seeds)]}\n附：第{i}份\n",
                                             encoding="utf-8")
    return folder


def start_build(raw: Path, out: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "policygraph.cli", "build", str(raw), "--out", str(out),
           "-w", "2"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def workers_once_busy(run: subprocess.Popen, out: Path) -> list[int]:
    """The build's worker processes, once they have written a few fragments."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        plans = out / "plans"
        if plans.is_dir() and len(list(plans.glob("*.json"))) >= 4:
            kids = Path(f"/proc/{run.pid}/task/{run.pid}/children").read_text().split()
            if len(kids) >= 2:
                return [int(k) for k in kids]
        assert run.poll() is None, run.communicate()
        time.sleep(0.05)
    pytest.fail("the build wrote no fragment in two minutes")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def hidden_files(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob(".*") if p.name != ".lock")


def graph_of(out: Path):
    g = read_json(out / CORPUS_JSON)
    return set(g.nodes), sorted(g.edges(keys=True)), {n: d for n, d in g.nodes(data=True)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """150 plans and the store a clean build makes of them."""
    base = tmp_path_factory.mktemp("interrupts")
    raw = many_plans(base / "raw")
    build(raw, base / "clean", workers=2)
    return raw, graph_of(base / "clean")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_stopped_build_leaves_no_worker_and_the_next_one_completes(corpus, tmp_path, how):
    raw, clean = corpus
    out = tmp_path / "graphs"
    run = start_build(raw, out)
    workers = workers_once_busy(run, out)
    run.send_signal(how)
    _, stderr = run.communicate(timeout=60)
    if how == signal.SIGTERM:  # a clean stop, said in one line
        assert run.returncode == 128 + signal.SIGTERM, stderr
        assert "stopped by SIGTERM" in stderr and "Traceback" not in stderr
    # Workers exit with the build, even one killed with -9 (they used to wait forever,
    # holding the lock, and every later build waited for them).
    assert gone_within(workers, 10), [p for p in workers if alive(p)]

    again = subprocess.run([sys.executable, "-m", "policygraph.cli", "build", str(raw),
                            "--out", str(out), "-w", "2"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "waiting for the build in progress" not in again.stderr
    assert graph_of(out) == clean
    assert hidden_files(out) == []


def test_leftovers_of_a_killed_write_are_removed(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "graphs"
    raw.mkdir()
    (raw / "plan.txt").write_bytes((RAW / PLANS["changji"]).read_bytes())
    build(raw, out, workers=1)
    for left in (".corpus.json.k2j4h6g8", "plans/.plan.json.a1b2c3d4",
                 "extractions/.plan-12345678.json.zz9_x8y7", "plans/gone.json",
                 "extractions/gone-1234abcd.json"):
        (out / left).write_bytes(b"{}")
    again = build(raw, out, workers=1)
    assert not again.changed  # nothing to extract, and yet the store is swept
    assert hidden_files(out) == []
    assert not (out / "plans" / "gone.json").exists()
    assert not (out / "extractions" / "gone-1234abcd.json").exists()
    entry = read_manifest(out).files[str(raw / "plan.txt")]
    assert (out / entry.fragment.path).exists() and (out / entry.extraction).exists()


def _damage_a_value(path: Path, start: int = 0) -> None:
    """Change one digit of a target's value, past ``start``: the file keeps its size."""
    data = bytearray(path.read_bytes())
    m = re.compile(rb'"value":(\d)').search(data, start)
    data[m.start(1)] = ord("9") if data[m.start(1)] != ord("9") else ord("1")
    path.write_bytes(bytes(data))


def test_a_damaged_corpus_is_written_again(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "graphs"
    raw.mkdir()
    (raw / "plan.txt").write_bytes((RAW / PLANS["changji"]).read_bytes())
    build(raw, out, workers=1)
    before = (out / CORPUS_JSON).read_bytes()
    _damage_a_value(out / CORPUS_JSON)
    again = build(raw, out, workers=1)
    assert again.repaired and again.extracted == []  # from the fragments, not re-read
    assert (out / CORPUS_JSON).read_bytes() == before
    (out / CORPUS_JSON).write_bytes(b"{")  # cut short
    assert build(raw, out, workers=1).repaired
    assert (out / CORPUS_JSON).read_bytes() == before


def test_a_damaged_fragment_is_extracted_again_not_copied(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    build(raw_copy, out, workers=1)
    entry = read_manifest(out).files[str(raw_copy / PLANS["changji"])]
    # A byte of the plan's own part (copied as bytes into corpus.json, never parsed).
    _damage_a_value(out / entry.fragment.path, entry.fragment.owned_nodes[0])
    with open(raw_copy / PLANS["ten_actions"], "a", encoding="utf-8") as f:
        f.write("\n")  # another plan changes, so corpus.json is merged again
    again = build(raw_copy, out, workers=1)
    assert str(raw_copy / PLANS["changji"]) in again.extracted
    build(raw_copy, tmp_path / "clean", workers=1)
    assert graph_of(out) == graph_of(tmp_path / "clean")


def test_a_failed_export_leaves_no_half_of_it(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "graphs"
    raw.mkdir()
    (raw / "plan.txt").write_bytes((RAW / PLANS["changji"]).read_bytes())
    out.mkdir()
    (out / "import").write_text("a file where the CSVs' folder goes")
    cmd = ["build", str(raw), "--out", str(out), "-w", "1", "--export", "graphml",
           "--export", "csv"]
    failed = CliRunner().invoke(app, cmd)
    assert failed.exit_code == 5 and "[E303] cannot write here" in failed.output
    assert not (out / "corpus.graphml").exists()  # written first, removed with the rest
    (out / "import").unlink()
    assert CliRunner().invoke(app, cmd[:6]).exit_code == 0
    assert not (out / "corpus.graphml").exists() and not (out / "import").exists()
