"""Extraction throughput against plain jieba segmentation of the same text.

The corpus is data/raw repeated until it holds at least --mb megabytes of text, or, with
--corpus DIR, every text of DIR as it is (../shared/corpus/docs: 692 real documents). Both
sides run in this process, on one core, in the same run, document by document in turn (so
a machine that slows down midway slows both), and the ratio is what counts: end-to-end
extraction (clean → structure → extract) MB/s ÷ jieba.lcut MB/s. Goal ≥ 1.5.
With --corpus it also reports the slowest document (of those over 20 KB, the five slowest
timed again, best of three, so one pause of the machine does not name it) and the peak
memory (tracemalloc) of extracting the largest one.

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

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from cli import run_cli  # noqa: E402
from policygraph.extract import extract  # noqa: E402
from policygraph.ingest import clean  # noqa: E402
from policygraph.models import Source  # noqa: E402
from policygraph.rules import load_rules  # noqa: E402
from policygraph.structure import parse  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.5  # extraction MB/s ÷ jieba.lcut MB/s; the script exits 1 below it


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


def side_by_side(texts: list[str]) -> tuple[list[float], list[float], int, int]:
    """Each document extracted, then segmented by jieba: the seconds of each, per document."""
    rules = load_rules()
    ex_s, jb_s, facts, tokens = [], [], 0, 0
    for i, raw in enumerate(texts):
        start = time.perf_counter()
        facts += extract_one(raw, rules, i)
        middle = time.perf_counter()
        tokens += len(jieba.lcut(raw))
        ex_s.append(middle - start)
        jb_s.append(time.perf_counter() - middle)
    return ex_s, jb_s, facts, tokens


def best_of(raw: str, rules, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        extract_one(raw, rules)
        times.append(time.perf_counter() - start)
    return min(times)


def slowest(texts: list[str], names: list[str], seconds: list[float]) -> dict:
    sized = sorted((len(t.encode()) / 1024 / 1024 / s, k) for k, (t, s) in
                   enumerate(zip(texts, seconds)) if len(t.encode()) >= 20 * 1024)
    rules = load_rules()
    again = [(len(texts[k].encode()) / 1024 / 1024 / best_of(texts[k], rules), k)
             for _, k in sized[:5]]
    mb_s, k = min(again)
    return {"slowest_document": names[k], "slowest_mb_s": round(mb_s, 3),
            "slowest_kb": round(len(texts[k].encode()) / 1024)}


def peak_memory(texts: list[str], names: list[str]) -> dict:
    k = max(range(len(texts)), key=lambda i: len(texts[i]))
    rules = load_rules()
    tracemalloc.start()
    extract_one(texts[k], rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"largest_document": names[k], "largest_kb": round(len(texts[k].encode()) / 1024),
            "peak_mb": round(peak / 1024 / 1024, 1)}


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
    side_by_side(texts[:5])  # warm caches (rules, spaCy pipeline) on both sides
    seconds, jieba_seconds, facts, tokens = side_by_side(texts)
    t_ex, t_jb = sum(seconds), sum(jieba_seconds)
    result = {
        "corpus_mb": round(size_mb, 2), "documents": len(texts),
        "extraction_mb_s": round(size_mb / t_ex, 3), "jieba_mb_s": round(size_mb / t_jb, 3),
        "ratio": round(t_jb / t_ex, 2), "facts": facts, "jieba_tokens": tokens,
        "extraction_s": round(t_ex, 2), "jieba_s": round(t_jb, 2),
    }
    if names:
        result.update(slowest(texts, names, seconds), **peak_memory(texts, names))
    # From the command line: a fresh process reads, extracts and prints the largest file.
    biggest = (args.corpus / result["largest_document"]) if names else \
        max((ROOT / "data" / "raw").glob("*.txt"), key=lambda p: p.stat().st_size)
    result["cli_extract"] = {"file": biggest.name, **run_cli("extract", str(biggest))}
    result["goal_ratio"] = GOAL
    if args.json:
        print(json.dumps(result))
    else:
        print(f"corpus: {result['corpus_mb']} MB in {len(texts)} documents (one core)")
        print(f"extraction end to end: {result['extraction_mb_s']} MB/s ({t_ex:.1f} s, {facts} facts)")
        print(f"jieba.lcut, same text: {result['jieba_mb_s']} MB/s ({t_jb:.1f} s, {tokens} tokens)")
        print(f"ratio extraction/jieba: {result['ratio']}  (goal >= 1.5)")
        cli = result["cli_extract"]
        print(f"`policygraph extract {cli['file']}` in a fresh process: {cli['wall_s']} s "
              f"wall, peak {cli['peak_mb']} MB")
        if names:
            print(f"slowest document over 20 KB: {result['slowest_document']} "
                  f"({result['slowest_kb']} KB) at {result['slowest_mb_s']} MB/s")
            print(f"largest document: {result['largest_document']} ({result['largest_kb']} KB), "
                  f"peak memory {result['peak_mb']} MB")
    return 0 if result["ratio"] >= GOAL and result["cli_extract"]["exit"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
