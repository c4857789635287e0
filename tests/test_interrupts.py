"""A build stopped at any moment (kill -9, SIGTERM): the next build completes to what a
clean build gives, with no process and no temporary file left (the store damaged on disk:
tests/store/test_fragments.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policygraph.build import build

from .conftest import RAW, graph_of, hidden_files


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
