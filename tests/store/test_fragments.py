"""Per-plan fragments and the corpus merged from them (store/fragments.py)."""

from __future__ import annotations

import shutil

from policygraph.build import build
from policygraph.queries import GraphEngine, owners
from policygraph.store.files import read_json
from policygraph.store.manifest import read_manifest

from ..conftest import PLANS, RAW, as_sets, raise_changji_target


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
