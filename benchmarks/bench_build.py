"""Batch re-runs on the synthetic corpus: workers, no-change and one-file-changed builds.

Same run, same machine, so only ratios count:
- full build with 1 worker and with 2, the best of three runs each (speed-up, goal ≥ 1.7×
  on 2 cores);
- a re-run with nothing changed, and one after editing one file, each as a share of the
  full 2-worker build (goal ≤ 5%);
- for the record, what the on-request exports (GraphML and CSVs) cost on top.

    python benchmarks/bench_build.py [--plans 1000] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"speedup": 1.7, "share": 0.05}  # the script exits 1 when one is missed
sys.path[:0] = [str(ROOT / "benchmarks")]

from policygraph.build import build  # noqa: E402
from policygraph.store.files import read_corpus, write_exports  # noqa: E402
from cli import run_cli  # noqa: E402
from synthetic import corpus_dir  # noqa: E402


def timed(raw: Path, out: Path, workers: int) -> tuple[float, int]:
    start = time.perf_counter()
    result = build(raw, out, workers=workers)
    if result.errors:
        raise SystemExit(f"{len(result.errors)} files failed: {result.errors[0].line()}")
    return time.perf_counter() - start, len(result.extracted)


def _runs(times: list[float]) -> str:
    return "/".join(f"{t:.1f}" for t in times)


def median(runs: list[tuple[float, int]]) -> tuple[float, int]:
    return sorted(runs)[len(runs) // 2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        raw = Path(tmp) / "raw"
        shutil.copytree(corpus_dir(args.plans), raw)
        files = sorted(raw.glob("*.txt"))
        # Warm up: the segmenter's dictionary and the rules load once per process, and
        # the worker processes fork from this one, so neither full build pays for it.
        timed(files[0], Path(tmp) / "warm", 1)
        # Full builds, alternated and each kept at its best of three: this VM's CPU time
        # for the same work varies by ±15% from run to run, and one slow run would
        # decide the ratio.
        ones, twos = [], []
        for run in range(3):
            ones.append(timed(raw, Path(tmp) / f"one{run}", 1)[0])
            twos.append(timed(raw, Path(tmp) / f"two{run}", 2)[0])
        one, two = min(ones), min(twos)
        shutil.move(Path(tmp) / "two2", Path(tmp) / "out2")  # the store the re-runs start from
        # Re-runs are short and noisy: the median of three, each after its own edit.
        same, n_same = median([timed(raw, Path(tmp) / "out2", 2) for _ in range(3)])
        runs = []
        for victim in files[len(files) // 2:][:3]:
            victim.write_text(victim.read_text(encoding="utf-8").replace("年", "年 ", 1),
                              encoding="utf-8")
            runs.append(timed(raw, Path(tmp) / "out2", 2))
        changed, n_changed = median(runs)
        start = time.perf_counter()
        write_exports(read_corpus(Path(tmp) / "out2"), Path(tmp) / "out2", ("graphml", "csv"))
        exports = time.perf_counter() - start
        # What a user sees: each build a fresh `policygraph build` process (Python start,
        # imports, and spaCy's when something must be extracted, all included).
        cli_out = str(Path(tmp) / "cli")
        cli_full = run_cli("build", str(raw), "--out", cli_out, "-w", "2")
        cli_same = run_cli("build", str(raw), "--out", cli_out, "-w", "2")
        victim = files[0]
        victim.write_text(victim.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        cli_changed = run_cli("build", str(raw), "--out", cli_out, "-w", "2")

    result = {"plans": args.plans, "full_1_worker_s": round(one, 2),
              "full_2_workers_s": round(two, 2), "speedup": round(one / two, 2),
              "full_runs_s": {"1": [round(t, 2) for t in ones], "2": [round(t, 2) for t in twos]},
              "no_change_s": round(same, 2), "no_change_extracted": n_same,
              "no_change_share": round(same / two, 4),
              "one_changed_s": round(changed, 2), "one_changed_extracted": n_changed,
              "one_changed_share": round(changed / two, 4),
              "exports_s": round(exports, 2), "exports_share": round(exports / two, 4),
              "cli": {"full": cli_full, "no_change": cli_same, "one_changed": cli_changed,
                      "no_change_share": round(cli_same["wall_s"] / cli_full["wall_s"], 4),
                      "one_changed_share": round(cli_changed["wall_s"] / cli_full["wall_s"], 4)},
              "goals": {"speedup": GOALS["speedup"], "share": GOALS["share"]}}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.plans} plans: full build 1 worker {one:.1f} s, 2 workers {two:.1f} s "
              f"(best of {_runs(ones)} and {_runs(twos)}) → speed-up {result['speedup']}× "
              f"(goal ≥ 1.7)")
        print(f"no change: {same:.2f} s, {n_same} extracted = "
              f"{100 * result['no_change_share']:.1f}% of the full build (goal ≤ 5%)")
        print(f"one file changed: {changed:.2f} s, {n_changed} extracted = "
              f"{100 * result['one_changed_share']:.1f}% of the full build (goal ≤ 5%)")
        print(f"exports on request (GraphML + CSVs): {exports:.2f} s = "
              f"{100 * result['exports_share']:.1f}% of the full build")
        cli = result["cli"]
        for name in ("full", "no_change", "one_changed"):
            share = "" if name == "full" else \
                f" = {100 * cli[name + '_share']:.1f}% of the full build (goal ≤ 5%)"
            print(f"`policygraph build`, fresh process, {name.replace('_', ' ')}: "
                  f"{cli[name]['wall_s']:.2f} s wall, peak {cli[name]['peak_mb']} MB{share}")
    # The goals hold for what a user sees: the command's wall time, not the warm process.
    met = (result["speedup"] >= GOALS["speedup"]
           and result["cli"]["no_change_share"] <= GOALS["share"]
           and result["cli"]["one_changed_share"] <= GOALS["share"]
           and all(result["cli"][k]["exit"] == 0 for k in ("full", "no_change", "one_changed")))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
