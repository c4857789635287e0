"""Kill `policygraph build` at random moments; the next build must finish what it left.

Issue 13's fault-injection run. On the synthetic corpus of N plans (synthetic.py), each
trial starts a build (`python -m policygraph.cli build -w 2`, a real process) and stops it
after a random delay with SIGKILL or SIGTERM (alternately), then checks:

- the build's worker processes are gone within 10 s (they used to outlive a kill -9,
  holding the lock, and every later build waited for them forever);
- a SIGTERM ends it with exit code 143 and one line;
- the next build, run to the end, gives exactly the graph of a clean build (every node
  with its properties, every relationship), and leaves no temporary file.

Trials alternate between a build from an empty store and a re-run over a complete store
where a tenth of the files changed (restored before the completing build, so the clean
build stays the reference). Prints one line per trial and a summary; exit code 1 if any
check failed.

    python benchmarks/fault_injection.py [--plans 2000] [--kills 20] [--seed 13]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks")]

from policygraph.store.files import CORPUS_JSON, read_json  # noqa: E402
from synthetic import corpus_dir  # noqa: E402


def command(raw: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "policygraph.cli", "build", str(raw), "--out", str(out),
            "-w", "2"]


def complete(raw: Path, out: Path) -> tuple[int, float]:
    started = time.perf_counter()
    run = subprocess.run(command(raw, out), capture_output=True, text=True)
    return run.returncode, time.perf_counter() - started


def snapshot(out: Path) -> tuple:
    g = read_json(out / CORPUS_JSON)
    return (sorted((n, json.dumps(d, sort_keys=True)) for n, d in g.nodes(data=True)),
            sorted((a, b, k, json.dumps(d, sort_keys=True))
                   for a, b, k, d in g.edges(keys=True, data=True)))


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def leftovers(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob(".*") if p.name != ".lock")


def trial(raw: Path, out: Path, kind: str, how: signal.Signals, delay: float,
          files: list[Path], rng: random.Random) -> dict:
    touched: dict[Path, bytes] = {}
    if kind == "empty":
        shutil.rmtree(out, ignore_errors=True)
    else:  # a complete store, a tenth of the files changed
        for f in rng.sample(files, max(1, len(files) // 10)):
            touched[f] = f.read_bytes()
            f.write_bytes(touched[f] + "\n（修订）\n".encode())
    run = subprocess.Popen(command(raw, out), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and run.poll() is None:
        workers.update(children(run.pid))
        time.sleep(0.05)
    finished_first = run.poll() is not None
    if not finished_first:
        workers.update(children(run.pid))
        run.send_signal(how)
    _, stderr = run.communicate()
    row = {"kind": kind, "signal": how.name, "delay_s": round(delay, 1),
           "finished_before_signal": finished_first, "exit": run.returncode,
           "workers": len(workers), "workers_gone": gone_within(sorted(workers), 10)}
    row["clean_stop"] = finished_first or how != signal.SIGTERM or (
        run.returncode == 143 and "stopped by SIGTERM" in stderr and "Traceback" not in stderr)
    for f, data in touched.items():
        f.write_bytes(data)
    row["completion_exit"], row["completion_s"] = complete(raw, out)
    row["temp_files"] = len(leftovers(out))
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    raw = corpus_dir(args.plans)
    files = sorted(raw.glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="pg-faults-") as tmp:
        clean_out, out = Path(tmp) / "clean", Path(tmp) / "store"
        code, seconds = complete(raw, clean_out)
        assert code == 0, "the clean build failed"
        reference = snapshot(clean_out)
        print(f"clean build of {len(files)} plans: {seconds:.1f} s", flush=True)
        complete(raw, out)
        rows = []
        for i in range(args.kills):
            kind = "empty" if i % 2 == 0 else "changed"
            how = signal.SIGKILL if (i // 2) % 2 == 0 else signal.SIGTERM
            # Anywhere in a build: a full one from empty, a tenth of one for a re-run.
            delay = rng.uniform(0.3, seconds if kind == "empty" else seconds / 5)
            row = trial(raw, out, kind, how, delay, files, rng)
            row["same_as_clean"] = row["completion_exit"] == 0 and snapshot(out) == reference
            row["ok"] = all((row["workers_gone"], row["clean_stop"], row["same_as_clean"],
                             row["temp_files"] == 0))
            rows.append(row)
            print(json.dumps(row) if args.json else
                  f"{i + 1:2d} {kind:7s} {how.name:7s} after {row['delay_s']:5.1f} s: "
                  f"{row['workers']} workers gone={row['workers_gone']} "
                  f"exit={row['exit']} completion={row['completion_exit']} "
                  f"({row['completion_s']:.1f} s) same={row['same_as_clean']} "
                  f"temp={row['temp_files']} {'ok' if row['ok'] else 'FAILED'}", flush=True)
    failed = [r for r in rows if not r["ok"]]
    print(f"{len(rows) - len(failed)} of {len(rows)} trials ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
