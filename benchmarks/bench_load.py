"""Loading over Bolt: batched UNWIND … MERGE against one statement per entity, same run.

Starts its own server: Neo4j Community 5.26 (tests/neo4j_server.py, the default; `make
neo4j` fetches it) or, with --server falkordb, the FalkorDB stand-in (tests/bolt_server.py;
run it through `make bench`, which gives it a private network namespace). On the synthetic corpus (benchmarks/
synthetic.py, ≥ 1,000 plans varied from the real ones) it measures entities (nodes +
relationships) written per second:

- batched, the whole corpus (what `policygraph load` does);
- batched and one-statement-per-entity on the same first --sample plans, so the ratio
  compares like with like (per entity, the whole corpus would take many minutes).

Each timed load starts from an empty database that has been checkpointed (deleting the
previous load's 180,000 entities otherwise leaves the server busy into the next one: the
first sample load after the corpus took 4.8 s, the next 1.1 s), and the JVM is still
compiling: successive loads of the sample took 3.0, 2.7, 1.8, 1.5, 1.5 s. The batched
sample is loaded --repeat times and its median counts, as timeit repeats a short
measurement; the per-entity load (~50 s, 17,000 statements) runs once.

Goal: batched ÷ per-entity ≥ 20.

    python benchmarks/bench_load.py [--server neo4j|falkordb] [--plans 1000] [--sample 100]
                                    [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from policygraph.graph import LABELS  # noqa: E402
from policygraph.store.files import plan_subgraph  # noqa: E402
from policygraph.store.neo4j import connect, load_graph  # noqa: E402
from synthetic import corpus_graph  # noqa: E402
from tests.bolt_server import BoltServer  # noqa: E402
from tests.neo4j_server import Neo4jServer  # noqa: E402


def first_plans(g: nx.MultiDiGraph, k: int) -> nx.MultiDiGraph:
    """The first k plans with what they own and link to, but not the other versions their
    SUPERSEDES edges reach (the synthetic plans of one seed are versions of each other)."""
    plans = set(sorted(n for n, d in g.nodes(data=True) if d["label"] == "Plan")[:k])
    sample = nx.compose_all([plan_subgraph(g, p) for p in plans])
    sample.remove_nodes_from([n for n, d in list(sample.nodes(data=True))
                              if d["label"] == "Plan" and n not in plans])
    return sample


def empty(driver) -> None:
    """No node left, and on Neo4j the deletions flushed to disk before the next timing."""
    import neo4j.exceptions

    with driver.session() as s:
        for label in LABELS:
            s.run(f"MATCH (n:`{label}`) DETACH DELETE n").consume()
        try:
            s.run("CALL db.checkpoint()").consume()
        except neo4j.exceptions.Neo4jError:  # FalkorDB has no such procedure
            pass


def timed_load(driver, g: nx.MultiDiGraph, mode: str) -> dict:
    empty(driver)
    start = time.perf_counter()
    report = load_graph(driver, g, mode=mode)
    seconds = time.perf_counter() - start
    entities = report.nodes_written + report.relationships_written
    return {"mode": mode, "plans": report.plans_loaded, "entities": entities,
            "statements": report.statements, "seconds": round(seconds, 2),
            "entities_per_s": round(entities / seconds, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--sample", type=int, default=100)
    ap.add_argument("--server", choices=("neo4j", "falkordb"), default="neo4j")
    ap.add_argument("--repeat", type=int, default=5, help="batched sample loads; median counts")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    g = corpus_graph(args.plans, log=lambda m: print(m, file=sys.stderr))
    sample = first_plans(g, args.sample)
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{args.server}-"))
    server = (Neo4jServer(workdir, heap="3g") if args.server == "neo4j"
              else BoltServer(workdir)).start()
    try:
        driver = connect(server.uri, getattr(server, "user", None),
                         getattr(server, "password", None))
        try:
            full = timed_load(driver, g, "batched")
            runs = [timed_load(driver, sample, "batched") for _ in range(args.repeat)]
            batched = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
            batched["runs_seconds"] = [r["seconds"] for r in runs]
            single = timed_load(driver, sample, "single")
        finally:
            driver.close()
        problems = server.problems()
    finally:
        server.stop()
    result = {"server": args.server, "corpus_plans": args.plans, "sample_plans": args.sample, "full": full,
              "sample_batched": batched, "sample_single": single,
              "ratio": round(batched["entities_per_s"] / single["entities_per_s"], 1),
              "goal": 20, "server_problems": problems[:3]}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for row in (full, batched, single):
            print(f"{row['mode']:>8} {row['plans']:>5} plans: {row['entities']:>7} entities, "
                  f"{row['statements']:>6} statements, {row['seconds']:>7.2f} s, "
                  f"{row['entities_per_s']:>9.1f} entities/s")
        print(f"batched sample loads: {batched['runs_seconds']} s (median counts)")
        print(f"batched ÷ per-entity on the same {args.sample} plans: {result['ratio']}× "
              f"(goal ≥ 20)")
    return 1 if problems or result["ratio"] < result["goal"] else 0


if __name__ == "__main__":
    sys.exit(main())
