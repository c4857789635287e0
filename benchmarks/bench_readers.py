"""The readers on published files: text quality against poppler's pdftotext, and speed.

Over every file of ../shared/corpus/originals (PDFs with a text layer, .docx):
- each file reads (a .docx with no body text gives E004, nothing else may fail);
- each PDF's text, white space removed, holds ≥ 99% of pdftotext's characters (as a
  multiset: a table's cells come row by row here, column-jumbled there; the page numbers
  the reader drops on purpose are left out of pdftotext's side too), and its order is
  reported beside it (difflib, characters in the same order);
- where ../shared/corpus/docs has the same document as text, the PDF finds ≥ 90% of the
  top-level headings and of the task titles found in that text;
- pages per second for the text layer and for OCR (one page rasterised at 300 dpi), each
  next to pdftotext (and Tesseract alone) in the same run.
Exits 1 when a goal is missed.

    python benchmarks/bench_readers.py [--shared ../shared] [--ocr-pages 1]
"""

from __future__ import annotations

import argparse
import csv
import difflib
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from policygraph.errors import InputError
from policygraph.ingest import READERS, read_source
from policygraph.ingest.blocks import render
from policygraph.ingest.layout import is_page_number
from policygraph.pipeline import load_document
from policygraph.rules import load_rules

GOAL_CHARS = 0.99
# The texts in corpus/docs were made by another converter and keep what this reader drops
# (a table of contents read as headings, page numbers): the PDF must find what they find.
GOAL_FOUND = 0.9
_WS = re.compile(r"\s+")
_MARK = re.compile(r"\s*(第[一二三四五六七八九十百]+[章部分篇节]|[一二三四五六七八九十]+[、.．])")


def pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return "\n".join(ln for ln in out.split("\n")
                     if not ln.strip() or not is_page_number(ln.strip()))


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1])


def twins(shared: Path) -> dict[str, Path]:
    """Original file name → the same document's text in corpus/docs, by source path."""
    def rows(p: Path):
        with p.open(encoding="utf-8") as f:
            return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    docs = {r["path_in_repo"].split("@")[0]: shared / "corpus" / r["file"]
            for r in rows(shared / "corpus" / "MANIFEST.tsv")}
    return {r["file"]: docs[key] for r in rows(shared / "corpus" / "originals" / "ORIGINALS.tsv")
            if (key := r["path_in_repo"].split("@")[0]) in docs}


def outline(path: Path, rules) -> tuple[set[str], set[str]]:
    """The document's top-level headings (their number: 一、 第三章) and its tasks (their
    numbering path as printed): what a reader must not lose. Titles are not compared: the
    other converter cuts some differently (第一章 alone on its line, 第一章总则 here). A
    task that is an unnumbered paragraph counts as its numbered item: where paragraphs
    begin is the converter's (the corpus texts cut one at each page break)."""
    doc = load_document(path, rules)
    heads = {m[0] for n in doc.root.children if n.kind == "section"
             if (m := _MARK.match(doc.source.text[n.start:n.end]))}
    printed = {t.key.split(":")[-1].rsplit(".", 1)[0] if t.kind == "paragraph"
               else t.key.split(":")[-1] for t in doc.tasks()}
    return heads, printed


def found(ours: set[str], theirs: set[str]) -> float:
    return len(ours & theirs) / len(theirs) if theirs else 1.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--ocr-pages", type=int, default=1)
    args = ap.parse_args()
    rules = load_rules()
    originals = args.shared / "corpus" / "originals"
    same_doc = twins(args.shared)
    missed: list[str] = []
    ours_s = theirs_s = 0.0
    n_pages = 0
    for f in sorted(originals.iterdir()):
        if f.suffix not in (".pdf", ".docx"):
            continue
        try:
            read_source(f, rules)
        except InputError as exc:
            ok = exc.code == "E004" and f.suffix == ".docx"
            print(f"{f.name}: {exc.code}{'' if ok else '  <- FAILED'}")
            if not ok:
                missed.append(f.name)
            continue
        if f.suffix != ".pdf":
            print(f"{f.name}: read")
            continue
        data = f.read_bytes()
        t = time.perf_counter()
        text = render(READERS["pdf"].read(data, str(f), rules).blocks).text
        ours_s += time.perf_counter() - t
        t = time.perf_counter()
        ref = pdftotext(f)
        theirs_s += time.perf_counter() - t
        n_pages += pages(f)
        a, b = _WS.sub("", ref), _WS.sub("", text)
        held = sum((Counter(a) & Counter(b)).values()) / max(len(a), 1)
        order = sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False)
                    .get_matching_blocks()) / max(len(a), len(b), 1)
        line = f"{f.name}: {pages(f)} pages, characters {held:.4f}, in order {order:.4f}"
        if held < GOAL_CHARS:
            missed.append(f.name)
            line += "  <- below 0.99"
        if f.name in same_doc:
            (h_pdf, t_pdf), (h_txt, t_txt) = outline(f, rules), outline(same_doc[f.name], rules)
            heads, tasks = found(h_pdf, h_txt), found(t_pdf, t_txt)
            line += f"; of the text's headings {heads:.0%} found, of its tasks {tasks:.0%}"
            if heads < GOAL_FOUND or tasks < GOAL_FOUND:
                missed.append(f.name)
                line += "  <- FAILED"
        print(line)
    print(f"text layer: {n_pages / ours_s:.1f} pages/s; pdftotext {n_pages / theirs_s:.1f} "
          f"pages/s in the same run ({ours_s / theirs_s:.1f}× its time)")
    ocr_rate(originals, args.ocr_pages, rules)
    if missed:
        print("goals missed:", ", ".join(missed))
    return 1 if missed else 0


def ocr_rate(originals: Path, n: int, rules) -> None:
    """A scan made of the first pages of the longest PDF, read with OCR, next to
    Tesseract alone on the same images."""
    from PIL import Image

    pdf = max(originals.glob("*.pdf"), key=lambda p: p.stat().st_size)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-f", "1", "-l", str(n),
                        str(pdf), f"{tmp}/p"], check=True)
        images = sorted(Path(tmp).glob("p*.png"))
        scan = Path(tmp) / "scan.pdf"
        first, *rest = [Image.open(p) for p in images]
        first.save(scan, save_all=True, append_images=rest, resolution=300)
        t = time.perf_counter()
        READERS["pdf"].read(scan.read_bytes(), str(scan), rules)
        ours = time.perf_counter() - t
        t = time.perf_counter()
        for p in images:
            subprocess.run(["tesseract", str(p), "stdout", "-l", "chi_sim"],
                           capture_output=True, check=True)
        alone = time.perf_counter() - t
    print(f"OCR: {len(images) / ours:.2f} pages/s; tesseract alone {len(images) / alone:.2f} "
          f"pages/s in the same run")


if __name__ == "__main__":
    sys.exit(main())
