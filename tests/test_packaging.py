"""policygraph as its users get it: a wheel installed without the source tree, and a
store that notices when the code that made it changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import RAW

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], pythonpath: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=600)


def test_the_wheel_ships_its_rules_and_builds_without_the_source_tree(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "src", project / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheel = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"),
                            str(project)], capture_output=True, text=True, timeout=600)
    assert wheel.returncode == 0, wheel.stderr
    site = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                              "--target", str(site), *map(str, (tmp_path / "dist").glob("*.whl"))],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    shutil.rmtree(project)  # nothing may come from the source tree

    where = run(["-c", "import policygraph; print(policygraph.__file__)"], site, tmp_path)
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
    built = run(["-m", "policygraph.cli", "build", str(RAW), "--out", str(tmp_path / "g"),
                 "-w", "1"], site, tmp_path)
    assert built.returncode == 0, built.stderr
    assert "5 extracted" in built.stdout and "E102" not in built.stderr
    report = run(["-m", "policygraph.cli", "report", "-g", str(tmp_path / "g"), "-o",
                  str(tmp_path / "r.html")], site, tmp_path)
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Chart.js v4" in page and "Cytoscape Consortium" in page  # its assets shipped


def test_a_change_to_any_module_extracts_again(tmp_path):
    """graph.py shapes the fragments, though it is no extractor: a change to it once left
    the old graph in place ("0 extracted, 5 unchanged")."""
    code = tmp_path / "code"
    shutil.copytree(ROOT / "src" / "policygraph", code / "policygraph",
                    ignore=shutil.ignore_patterns("__pycache__"))
    args = ["-m", "policygraph.cli", "build", str(RAW), "--out", str(tmp_path / "g"), "-w", "1"]
    assert "5 extracted" in run(args, code, tmp_path).stdout
    assert "0 extracted, 5 unchanged" in run(args, code, tmp_path).stdout
    with open(code / "policygraph" / "graph.py", "a", encoding="utf-8") as f:
        f.write("\nTASK_EXTRA = 1  # a change to how fragments are built\n")
    again = run(args, code, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "5 extracted" in again.stdout
