"""Extraction throughput against plain jieba segmentation of the same text.

The corpus (data/raw) is repeated until it holds at least --mb megabytes of text. Both
sides run in this process, on one core, in the same run, so the ratio is what counts:
end-to-end extraction (clean → structure → extract) MB/s ÷ jieba.lcut MB/s. Goal ≥ 1.0.

    python benchmarks/bench_extract.py [--mb 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jieba

from policygraph.extract import extract
from policygraph.ingest import clean
from policygraph.models import Source
from policygraph.rules import load_rules
from policygraph.structure import parse

ROOT = Path(__file__).resolve().parents[1]


def corpus(mb: float) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw").glob("*.txt"))]
    out: list[str] = []
    while sum(len(t.encode()) for t in out) < mb * 1024 * 1024:
        out += texts
    return out


def run_extraction(texts: list[str]) -> int:
    rules = load_rules()
    facts = 0
    for i, raw in enumerate(texts):
        cleaned = clean(raw, rules)
        src = Source(path=f"bench-{i}.txt", sha256="0", encoding="utf-8", text=cleaned.text,
                     line_map=cleaned.line_map, tab_lines=cleaned.tab_lines)
        ex = extract(parse(src, rules), rules)
        facts += len(ex.targets) + len(ex.units) + len(ex.platforms)
    return facts


def run_jieba(texts: list[str]) -> int:
    return sum(len(jieba.lcut(t)) for t in texts)


def timed(fn, texts) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn(texts)
    return time.perf_counter() - start, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=10.0, help="corpus size in MB (default 10)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args()
    texts = corpus(args.mb)
    size_mb = sum(len(t.encode()) for t in texts) / 1024 / 1024
    jieba.initialize()  # dictionary loading is not segmentation
    run_extraction(texts[:5])  # warm caches (rules, spaCy pipeline) on both sides
    run_jieba(texts[:5])
    t_ex, facts = timed(run_extraction, texts)
    t_jb, tokens = timed(run_jieba, texts)
    result = {
        "corpus_mb": round(size_mb, 2), "documents": len(texts),
        "extraction_mb_s": round(size_mb / t_ex, 3), "jieba_mb_s": round(size_mb / t_jb, 3),
        "ratio": round(t_jb / t_ex, 2), "facts": facts, "jieba_tokens": tokens,
        "extraction_s": round(t_ex, 2), "jieba_s": round(t_jb, 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"corpus: {result['corpus_mb']} MB in {len(texts)} documents (one core)")
        print(f"extraction end to end: {result['extraction_mb_s']} MB/s ({t_ex:.1f} s, {facts} facts)")
        print(f"jieba.lcut, same text: {result['jieba_mb_s']} MB/s ({t_jb:.1f} s, {tokens} tokens)")
        print(f"ratio extraction/jieba: {result['ratio']}  (goal >= 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
