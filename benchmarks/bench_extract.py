"""Extraction throughput against plain jieba segmentation of the same text.

The corpus is data/raw repeated until it holds at least --mb megabytes of text, or, with
--corpus DIR, every text of DIR as it is (../shared/corpus/docs: 692 real documents). Both
sides run in this process, on one core, in the same run, so the ratio is what counts:
end-to-end extraction (clean → structure → extract) MB/s ÷ jieba.lcut MB/s. Goal ≥ 1.5.
With --corpus it also reports the slowest document (of those over 20 KB, where timing is
not noise) and the peak memory (tracemalloc) of extracting the largest one.

    python benchmarks/bench_extract.py [--mb 10 | --corpus DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
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


def corpus_dir(folder: Path) -> tuple[list[str], list[str]]:
    files = sorted(folder.glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in files], [p.name for p in files]


def extract_one(raw: str, rules, i: int = 0) -> int:
    cleaned = clean(raw, rules)
    src = Source(path=f"bench-{i}.txt", sha256="0", encoding="utf-8", text=cleaned.text,
                 line_map=cleaned.line_map, tab_lines=cleaned.tab_lines)
    ex = extract(parse(src, rules), rules)
    return len(ex.targets) + len(ex.units) + len(ex.platforms) + len(ex.incentives)


def run_extraction(texts: list[str], seconds: list[float] | None = None) -> int:
    rules = load_rules()
    facts = 0
    for i, raw in enumerate(texts):
        start = time.perf_counter()
        facts += extract_one(raw, rules, i)
        if seconds is not None:
            seconds.append(time.perf_counter() - start)
    return facts


def slowest(texts: list[str], names: list[str], seconds: list[float]) -> dict:
    sized = [(len(t.encode()) / 1024 / 1024 / s, n, len(t.encode()))
             for t, n, s in zip(texts, names, seconds) if len(t.encode()) >= 20 * 1024]
    mb_s, name, size = min(sized)
    return {"slowest_document": name, "slowest_mb_s": round(mb_s, 3),
            "slowest_kb": round(size / 1024)}


def peak_memory(texts: list[str], names: list[str]) -> dict:
    k = max(range(len(texts)), key=lambda i: len(texts[i]))
    rules = load_rules()
    tracemalloc.start()
    extract_one(texts[k], rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"largest_document": names[k], "largest_kb": round(len(texts[k].encode()) / 1024),
            "peak_mb": round(peak / 1024 / 1024, 1)}


def run_jieba(texts: list[str]) -> int:
    return sum(len(jieba.lcut(t)) for t in texts)


def timed(fn, texts) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn(texts)
    return time.perf_counter() - start, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=10.0, help="corpus size in MB (default 10)")
    ap.add_argument("--corpus", type=Path, help="a directory of .txt documents to read as is")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args()
    names: list[str] = []
    if args.corpus:
        texts, names = corpus_dir(args.corpus)
    else:
        texts = corpus(args.mb)
    size_mb = sum(len(t.encode()) for t in texts) / 1024 / 1024
    jieba.initialize()  # dictionary loading is not segmentation
    run_extraction(texts[:5])  # warm caches (rules, spaCy pipeline) on both sides
    run_jieba(texts[:5])
    seconds: list[float] = []
    t_ex, facts = timed(lambda ts: run_extraction(ts, seconds), texts)
    t_jb, tokens = timed(run_jieba, texts)
    result = {
        "corpus_mb": round(size_mb, 2), "documents": len(texts),
        "extraction_mb_s": round(size_mb / t_ex, 3), "jieba_mb_s": round(size_mb / t_jb, 3),
        "ratio": round(t_jb / t_ex, 2), "facts": facts, "jieba_tokens": tokens,
        "extraction_s": round(t_ex, 2), "jieba_s": round(t_jb, 2),
    }
    if names:
        result.update(slowest(texts, names, seconds), **peak_memory(texts, names))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"corpus: {result['corpus_mb']} MB in {len(texts)} documents (one core)")
        print(f"extraction end to end: {result['extraction_mb_s']} MB/s ({t_ex:.1f} s, {facts} facts)")
        print(f"jieba.lcut, same text: {result['jieba_mb_s']} MB/s ({t_jb:.1f} s, {tokens} tokens)")
        print(f"ratio extraction/jieba: {result['ratio']}  (goal >= 1.5)")
        if names:
            print(f"slowest document over 20 KB: {result['slowest_document']} "
                  f"({result['slowest_kb']} KB) at {result['slowest_mb_s']} MB/s")
            print(f"largest document: {result['largest_document']} ({result['largest_kb']} KB), "
                  f"peak memory {result['peak_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
