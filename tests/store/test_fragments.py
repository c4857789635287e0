"""Per-plan fragments and the corpus merged from them (store/fragments.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from policygraph.build import build
from policygraph.cli import app
from policygraph.queries import GraphEngine, owners
from policygraph.store.files import CORPUS_JSON, read_json
from policygraph.store.manifest import read_manifest

from ..conftest import PLANS, RAW, as_sets, graph_of, hidden_files, raise_changji_target


def test_a_plan_with_no_tasks_leaves_empty_sections_that_still_read(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notice.txt").write_text("乌鲁木齐市关于推进科技创新的通知\n\n各单位：现将有关事项通知如下。\n",
                                    encoding="utf-8")
    shutil.copy(RAW / PLANS["changji"], raw)
    out = tmp_path / "graphs"
    result = build(raw, out, workers=1)
    frag = read_manifest(out).files[str(raw / "notice.txt")].fragment
    assert frag.owned_nodes[0] == frag.owned_nodes[1] and frag.nodes == 0
    assert frag.shared_links[0] == frag.shared_links[1]
    assert read_json(out / frag.path).number_of_nodes() == 2  # the Plan and its Region
    assert as_sets(result.corpus_graph()) == as_sets(build(raw).graph)


def test_a_one_file_re_run_rewrites_only_that_plan_file(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    build(raw_copy, out, workers=1)
    before = {f.name: f.stat().st_mtime_ns for f in (out / "plans").iterdir()}
    changed = raw_copy / PLANS["changji"]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n附件：无\n", encoding="utf-8")
    build(raw_copy, out, workers=1)
    after = {f.name: f.stat().st_mtime_ns for f in (out / "plans").iterdir()}
    assert {n for n in before if before[n] != after[n]} == {f"{changed.stem}.json"}


def test_a_fragment_left_by_an_interrupted_build_is_not_trusted(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    build(raw_copy, out, workers=1)
    before = {f: (out / f).read_bytes() for f in ("manifest.json", "corpus.json")}
    before.update({f"extractions/{f.name}": f.read_bytes()
                   for f in (out / "extractions").iterdir()})
    changji = raw_copy / PLANS["changji"]
    original = changji.read_text(encoding="utf-8")
    raise_changji_target(raw_copy)  # 50 → 60: the fragment keeps its size
    build(raw_copy, out, workers=1)
    for name, data in before.items():  # as if the build had stopped before finishing
        (out / name).write_bytes(data)
    changji.write_text(original, encoding="utf-8")
    result = build(raw_copy, out, workers=1)
    assert result.extracted == [str(changji)]  # noticed before reuse
    rows = owners(GraphEngine(read_json(out / "corpus.json")), unit="市科技局", region="昌吉市")
    assert {r["value"] for r in rows if r["metric"] and "高新技术企业" in r["metric"]} == {50}


def test_leftovers_of_a_killed_write_are_removed(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "graphs"
    raw.mkdir()
    (raw / "plan.txt").write_bytes((RAW / PLANS["changji"]).read_bytes())
    build(raw, out, workers=1)
    for left in (".corpus.json.k2j4h6g8", "plans/.plan.json.a1b2c3d4",
                 "extractions/.plan-12345678.json.zz9_x8y7", "plans/gone.json",
                 "extractions/gone-1234abcd.json"):
        (out / left).write_bytes(b"{}")
    again = build(raw, out, workers=1)
    assert not again.changed  # nothing to extract, and yet the store is swept
    assert hidden_files(out) == []
    assert not (out / "plans" / "gone.json").exists()
    assert not (out / "extractions" / "gone-1234abcd.json").exists()
    entry = read_manifest(out).files[str(raw / "plan.txt")]
    assert (out / entry.fragment.path).exists() and (out / entry.extraction).exists()


def _damage_a_value(path: Path, start: int = 0) -> None:
    """Change one digit of a target's value, past ``start``: the file keeps its size."""
    data = bytearray(path.read_bytes())
    m = re.compile(rb'"value":(\d)').search(data, start)
    data[m.start(1)] = ord("9") if data[m.start(1)] != ord("9") else ord("1")
    path.write_bytes(bytes(data))


def test_a_damaged_corpus_is_written_again(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "graphs"
    raw.mkdir()
    (raw / "plan.txt").write_bytes((RAW / PLANS["changji"]).read_bytes())
    build(raw, out, workers=1)
    before = (out / CORPUS_JSON).read_bytes()
    _damage_a_value(out / CORPUS_JSON)
    again = build(raw, out, workers=1)
    assert again.repaired and again.extracted == []  # from the fragments, not re-read
    assert (out / CORPUS_JSON).read_bytes() == before
    (out / CORPUS_JSON).write_bytes(b"{")  # cut short
    assert build(raw, out, workers=1).repaired
    assert (out / CORPUS_JSON).read_bytes() == before


def test_a_damaged_fragment_is_extracted_again_not_copied(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    build(raw_copy, out, workers=1)
    entry = read_manifest(out).files[str(raw_copy / PLANS["changji"])]
    # A byte of the plan's own part (copied as bytes into corpus.json, never parsed).
    _damage_a_value(out / entry.fragment.path, entry.fragment.owned_nodes[0])
    with open(raw_copy / PLANS["ten_actions"], "a", encoding="utf-8") as f:
        f.write("\n")  # another plan changes, so corpus.json is merged again
    again = build(raw_copy, out, workers=1)
    assert str(raw_copy / PLANS["changji"]) in again.extracted
    build(raw_copy, tmp_path / "clean", workers=1)
    assert graph_of(out) == graph_of(tmp_path / "clean")


def test_a_failed_export_leaves_no_half_of_it(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "graphs"
    raw.mkdir()
    (raw / "plan.txt").write_bytes((RAW / PLANS["changji"]).read_bytes())
    out.mkdir()
    (out / "import").write_text("a file where the CSVs' folder goes")
    cmd = ["build", str(raw), "--out", str(out), "-w", "1", "--export", "graphml",
           "--export", "csv"]
    failed = CliRunner().invoke(app, cmd)
    assert failed.exit_code == 5 and "[E303] cannot write here" in failed.output
    assert not (out / "corpus.graphml").exists()  # written first, removed with the rest
    (out / "import").unlink()
    assert CliRunner().invoke(app, cmd[:6]).exit_code == 0
    assert not (out / "corpus.graphml").exists() and not (out / "import").exists()
