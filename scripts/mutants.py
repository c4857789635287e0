"""Mutation run: plant one small bug at a time and see whether the suite notices.

Two kinds of mutant, each applied to a copy of ``src/`` that the tests import first
(PYTHONPATH), so the checkout is never touched:

- the **named** mutants of issue 14, real defects the suite once let through (ids from
  Python's ``hash()``, a rule removed, versions ordered by file name ...);
- **sampled** mutants over the modules that matter (extract/, structure, graph, build,
  store/, queries, diff): one operator changed at a random place of the code (a
  comparison flipped, ``and``/``or`` swapped, a boolean negated, a constant moved by one),
  chosen with a fixed seed so a run can be repeated.

A mutant is killed when the suite (without its slowest files, in a private network
namespace for the Bolt server) fails. Prints each mutant and the score; exit code 1 when
a named mutant survives. Not part of CI: a full run takes about a minute per mutant.

    python scripts/mutants.py [--sample 30] [--seed 14] [--named-only] [--only WORDS] [--json]
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "policygraph"
MODULES = ["extract/*.py", "structure.py", "graph.py", "build.py", "store/*.py",
           "queries.py", "diff.py"]
# The suite without what only costs time here: the 50 MB plan, the browser, building a
# wheel, killing 150-plan builds.
PYTEST = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
          "--deselect", "tests/test_bad_input.py::test_fifty_mb_is_read_whole_when_allowed",
          "--ignore", "tests/test_report.py", "--ignore", "tests/test_packaging.py",
          "--ignore", "tests/test_interrupts.py"]


@dataclass
class Mutant:
    name: str
    file: str  # under src/policygraph
    old: str
    new: str


NAMED = [
    Mutant("node ids from Python's per-process hash()", "graph.py",
           'digest = hashlib.sha256("\\x1f".join(str(p) for p in parts).encode()).hexdigest()[:12]',
           'digest = format(abs(hash("\\x1f".join(str(p) for p in parts))), "x")[:12]'),
    Mutant("sections on the past no longer skipped", "extract/targets.py",
           "if seg.past or seg.preamble or seg.node.kind", "if seg.preamble or seg.node.kind"),
    Mutant("versions ordered by file name alone", "graph.py",
           'group.sort(key=lambda p: (plans[p].get("status") == "final",',
           'group.sort(key=lambda p: (plans[p].get("source", ""),'),
    Mutant("the load's switch leaves the old version active", "store/neo4j.py",
           'SWITCH = "MATCH (p:Plan {source: r.source}) SET p.active = (p.id = r.id)"',
           'SWITCH = "MATCH (p:Plan {id: r.id}) SET p.active = true"'),
    Mutant("the first deadline instead of the nearest", "extract/context.py",
           "        i = bisect_left(starts, end) - 1\n        while i >= 0 and found[i].start() >= start:",
           "        i = bisect_left(starts, start)\n        while 0 <= i < len(found) and found[i].start() >= start:"),
    Mutant("recurring targets (每年, 每季度) given a year", "extract/targets.py",
           '    if rx["recurring"].search(clause):\n        return None\n', ""),
    Mutant("MERGE not counted as a write", "store/neo4j.py",
           'r"\\b(CREATE|MERGE|SET|', 'r"\\b(CREATE|SET|'),
    Mutant("a damaged fragment raises instead of being extracted again", "build.py",
           "            retried.add(key)\n", "            raise broken\n"),
    Mutant("diff calls a lowered value raised", "diff.py",
           'change = "raised" if b.value > a.value else "lowered"',
           'change = "raised" if b.value != a.value else "lowered"'),
    Mutant("diff forgets moved deadlines", "diff.py",
           "            if a.year != b.year:", "            if False:"),
    Mutant("no build lock", "store/manifest.py",
           "            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n", "            pass\n"),
    Mutant("a killed build's workers live on", "build.py",
           "        os._exit(1)\n", "        return\n"),
]


# ------------------------------------------------------------------ sampled mutants
_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
          ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
          ast.Is: ast.IsNot, ast.IsNot: ast.Is}


def _sites(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    """Places one operator can change, skipping docstrings and type annotations."""
    sites = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and type(node.ops[0]) in _SWAPS:
            sites.append((node, "compare"))
        elif isinstance(node, ast.BoolOp):
            sites.append((node, "boolop"))
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            sites.append((node, "bool"))
        elif isinstance(node, ast.Constant) and type(node.value) is int and 0 <= node.value < 1000:
            sites.append((node, "int"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            sites.append((node, "not"))
    return sites


def _mutate(tree: ast.AST, node: ast.AST, kind: str) -> str:
    """Change ``node`` of ``tree`` in place; say how."""
    if kind == "compare":
        old = type(node.ops[0])
        node.ops[0] = _SWAPS[old]()
        return f"{old.__name__} → {_SWAPS[old].__name__}"
    if kind == "boolop":
        old = type(node.op)
        node.op = ast.Or() if old is ast.And else ast.And()
        return f"{old.__name__} → {type(node.op).__name__}"
    if kind == "bool":
        node.value = not node.value
        return f"{not node.value} → {node.value}"
    if kind == "int":
        node.value += 1
        return f"{node.value - 1} → {node.value}"
    for parent in ast.walk(tree):  # `not x` → `x`: the operand takes the UnaryOp's place
        for field, value in ast.iter_fields(parent):
            if value is node:
                setattr(parent, field, node.operand)
            elif isinstance(value, list) and node in value:
                value[value.index(node)] = node.operand
    return "not x → x"


def sampled(n: int, seed: int) -> list[tuple[str, str, int, str]]:
    """(file, description, line, new source) for ``n`` mutants spread over MODULES."""
    rng = random.Random(seed)
    files = sorted({p for pattern in MODULES for p in SRC.glob(pattern)
                    if p.name != "__init__.py"})
    out = []
    for _ in range(n):
        path = rng.choice(files)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        sites = _sites(tree)
        node, kind = rng.choice(sites)
        what = _mutate(tree, node, kind)
        out.append((str(path.relative_to(SRC)), what, node.lineno, ast.unparse(tree)))
    return out


# ------------------------------------------------------------------------- running
def run_suite(src_copy: Path, timeout: int) -> tuple[bool, float]:
    """Whether the suite fails (the mutant is killed), and how long it took."""
    env = {"PYTHONPATH": str(src_copy), "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
           "HOME": str(Path.home())}
    cmd = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *PYTEST]
    started = time.perf_counter()
    try:
        run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=timeout)
        killed = run.returncode != 0
    except subprocess.TimeoutExpired:
        killed = True  # a mutant that hangs the suite is caught by the timeout
    return killed, time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=30, help="sampled mutants (default 30)")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--named-only", action="store_true")
    ap.add_argument("--only", metavar="WORDS", help="only the named mutants whose name has these")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per suite run")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="pg-mutants-") as tmp:
        copy = Path(tmp) / "src"
        jobs = [("named", m.name, m.file, None) for m in NAMED
                if not args.only or args.only in m.name]
        if not args.named_only:
            jobs += [("sampled", f"{f}:{line} {what}", f, source)
                     for f, what, line, source in sampled(args.sample, args.seed)]
        for kind, name, file, source in jobs:
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(SRC, copy / "policygraph",
                            ignore=shutil.ignore_patterns("__pycache__"))
            target = copy / "policygraph" / file
            if source is None:
                mutant = next(m for m in NAMED if m.name == name)
                text = target.read_text(encoding="utf-8")
                if mutant.old not in text:
                    rows.append({"kind": kind, "mutant": name, "result": "not applied"})
                    print(f"{kind:7s} NOT APPLIED  {name} (the code moved: update NAMED)")
                    continue
                target.write_text(text.replace(mutant.old, mutant.new, 1), encoding="utf-8")
            else:
                target.write_text(source, encoding="utf-8")
            killed, seconds = run_suite(copy, args.timeout)
            rows.append({"kind": kind, "mutant": name, "killed": killed,
                         "seconds": round(seconds)})
            print(json.dumps(rows[-1], ensure_ascii=False) if args.json else
                  f"{kind:7s} {'killed  ' if killed else 'SURVIVED'} {name} ({seconds:.0f} s)",
                  flush=True)
    for kind in ("named", "sampled"):
        done = [r for r in rows if r["kind"] == kind and "killed" in r]
        if done:
            print(f"{kind}: {sum(r['killed'] for r in done)} of {len(done)} killed")
    bad = [r for r in rows if r["kind"] == "named" and not r.get("killed")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
