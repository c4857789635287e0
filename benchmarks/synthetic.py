"""A synthetic corpus of N plans made by varying the five real ones, for the benchmarks.

Plan i is seed ``i % 5`` with every quantity scaled (×0.8…×1.4), every year from 2021 on
shifted by 0–3 years, and its own closing line, so each plan has its own content, ids and
targets while keeping the real plans' structure. Files and the built graph are cached in
benchmarks/.cache/synthetic-N (delete it to rebuild).

    python benchmarks/synthetic.py [--plans 1000]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data" / "raw").glob("*.txt"))
CACHE = ROOT / "benchmarks" / ".cache"
_QUANTITY = re.compile(r"(\d+)(?=\s*(家|个|项|人|次|件|亿元|万元|名|所|台|套))")
_YEAR = re.compile(r"(?<!\d)(202[1-9])(?=年)")


def vary(text: str, i: int) -> str:
    scale = 0.8 + (i % 7) / 10
    shift = (i // 5) % 4
    text = _QUANTITY.sub(lambda m: str(max(1, round(int(m.group(1)) * scale))), text)
    text = _YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)
    return text.rstrip("\n") + f"\n\n本方案第{i + 1}号样本自印发之日起施行。\n"


def write_corpus(n: int, out: Path) -> list[Path]:
    """N plan files under ``out`` (replacing what was there)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    paths = []
    for i in range(n):
        seed = SEEDS[i % len(SEEDS)]
        path = out / f"{i:05d}-{seed.stem}.txt"
        path.write_text(vary(texts[i % len(texts)], i), encoding="utf-8")
        paths.append(path)
    return paths


def corpus_dir(n: int) -> Path:
    """The cached raw files of the N-plan corpus, written on first use."""
    raw = CACHE / f"synthetic-{n}" / "raw"
    if not raw.exists() or len(list(raw.glob("*.txt"))) != n:
        write_corpus(n, raw)
    return raw


def corpus_graph(n: int, log=print) -> nx.MultiDiGraph:
    """The built graph of the N-plan corpus (cached as corpus.json)."""
    from policygraph.build import build
    from policygraph.store.files import CORPUS_JSON, read_json

    graphs = CACHE / f"synthetic-{n}" / "graphs"
    if not (graphs / CORPUS_JSON).exists():
        log(f"building the {n}-plan synthetic corpus (cached in {graphs}) ...")
        result = build(corpus_dir(n), graphs)
        if result.errors:
            raise SystemExit(f"synthetic corpus: {len(result.errors)} files failed")
    return read_json(graphs / CORPUS_JSON)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=1000)
    args = ap.parse_args()
    g = corpus_graph(args.plans)
    print(f"{args.plans} plans: {g.number_of_nodes()} nodes, {g.number_of_edges()} relationships")
    return 0


if __name__ == "__main__":
    sys.exit(main())
