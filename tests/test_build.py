"""Batch re-runs: the manifest, incremental extraction, versions, diff, failures, the lock."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

from typer.testing import CliRunner

from policygraph.build import build
from policygraph.cli import app
from policygraph.diff import diff, resolve_version
from policygraph.queries import GraphEngine, compare, owners, unassigned
from policygraph.store.files import CORPUS_JSON, read_json
from policygraph.store.manifest import MANIFEST, build_lock, read_manifest

from .conftest import PLANS, RAW, as_sets, raise_changji_target

CHANGJI = PLANS["changji"]
MEASURES = PLANS["measures_draft"]
runner = CliRunner()


def plans_by_source(g) -> dict[str, str]:
    return {d["source"]: n for n, d in g.nodes(data=True) if d["label"] == "Plan"}


def test_a_rerun_extracts_only_the_edited_file_and_diff_names_the_edit(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    first = build(raw_copy, out, workers=1)
    assert len(first.extracted) == 5 and (out / MANIFEST).exists()

    unchanged = build(raw_copy, out, workers=1)
    assert unchanged.extracted == [] and not unchanged.changed  # nothing rewritten
    assert unchanged.nodes == first.nodes

    before = tmp_path / "before.txt"
    shutil.copy(raw_copy / CHANGJI, before)
    raise_changji_target(raw_copy)
    second = build(raw_copy, out, workers=1)
    assert second.extracted == [str(raw_copy / CHANGJI)]

    changes = diff(resolve_version(str(before), out),
                   resolve_version(str(raw_copy / CHANGJI), out))
    assert changes == [{"change": "raised", "kind": "target", "task": "二.（二）",
                        "what": "高新技术企业", "old": ">50家", "new": ">60家"}]
    new_id = plans_by_source(second.corpus_graph())[CHANGJI]
    by_id = diff(resolve_version(str(before), out), resolve_version(new_id, out))
    assert by_id == changes


def test_a_rules_or_extractor_change_re_extracts_everything(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    build(raw_copy, out, workers=1)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["rules"] = "an older rules version"
    (out / MANIFEST).write_text(json.dumps(manifest))
    assert len(build(raw_copy, out, workers=1).extracted) == 5


def test_a_deleted_file_takes_its_subgraph_with_it(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    build(raw_copy, out, workers=1)
    assert (out / "plans" / f"{(raw_copy / CHANGJI).stem}.json").exists()
    (raw_copy / CHANGJI).unlink()
    result = build(raw_copy, out, workers=1)
    assert result.removed == [str(raw_copy / CHANGJI)]
    g = read_json(out / CORPUS_JSON)
    assert CHANGJI not in plans_by_source(g)
    assert not any(d.get("region") == "昌吉市" for _, d in g.nodes(data=True) if d["label"] == "Plan")
    assert not (out / "plans" / f"{(raw_copy / CHANGJI).stem}.json").exists()
    assert len(list((out / "extractions").iterdir())) == 4


def test_a_broken_new_draft_keeps_the_last_good_graph(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    build(raw_copy, out, workers=1)
    (raw_copy / CHANGJI).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    result = runner.invoke(app, ["build", str(raw_copy), "--out", str(out), "-w", "1"])
    assert result.exit_code == 1  # some files failed, the others were processed
    assert "[E005]" in result.output and "1 errors" in result.output
    g = read_json(out / CORPUS_JSON)
    rows = owners(GraphEngine(g), unit="市科技局", region="昌吉市")
    assert any(r["value"] == 50 for r in rows)
    assert read_manifest(out).files[str(raw_copy / CHANGJI)].error.endswith("not a document")


def test_a_final_supersedes_its_draft_and_queries_show_the_latest(raw_copy, tmp_path):
    draft = raw_copy / MEASURES
    final = raw_copy / "urumqi-universities-innovation-measures-final.txt"
    final.write_text(draft.read_text(encoding="utf-8").replace("（征求意见稿）", ""),
                     encoding="utf-8")
    g = build(raw_copy, tmp_path / "graphs", workers=1).corpus_graph()
    ids = plans_by_source(g)
    new, old = ids[final.name], ids[draft.name]
    assert g.nodes[new]["status"] == "final" and g.nodes[old]["status"] == "draft"
    assert g.has_edge(new, old, key="SUPERSEDES")
    assert (g.nodes[new]["latest"], g.nodes[old]["latest"]) == (True, False)

    engine = GraphEngine(g)
    latest = {r["plan_id"] for r in owners(engine, region="乌鲁木齐市")}
    every = {r["plan_id"] for r in owners(engine, region="乌鲁木齐市", all_versions=True)}
    assert new in latest and old not in latest and {new, old} <= every
    metric = next(g.nodes[m]["name"] for t, d in g.nodes(data=True)
                  if d["label"] == "Target" and d["plan"] == old for m in g.successors(t))
    both = {(r["plan_id"], r["status"]) for r in compare(engine, metric, all_versions=True)}
    assert {(new, "final"), (old, "draft")} <= both
    assert old not in {r["plan_id"] for r in compare(engine, metric)}


def test_two_workers_give_the_same_graph_as_one(raw_copy):
    one = build(raw_copy, workers=1).graph
    two = build(raw_copy, workers=2).graph
    assert set(one.nodes) == set(two.nodes)
    assert sorted(one.edges(keys=True)) == sorted(two.edges(keys=True))


def test_a_second_build_waits_for_the_first(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    cmd = [sys.executable, "-m", "policygraph.cli", "build", str(raw_copy), "--out", str(out),
           "-w", "1"]
    with build_lock(out):
        second = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        time.sleep(3)
        assert second.poll() is None  # still waiting for the lock
    stdout, stderr = second.communicate(timeout=120)
    assert second.returncode == 0, stderr
    assert "waiting for the build in progress" in stderr
    assert "5 extracted" in stdout


def test_two_builds_at_once_leave_a_whole_store(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    cmd = [sys.executable, "-m", "policygraph.cli", "build", str(raw_copy), "--out", str(out),
           "-w", "1"]
    runs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    assert [r.wait(timeout=180) for r in runs] == [0, 0]
    manifest = read_manifest(out)
    assert len(manifest.files) == 5
    g = read_json(out / CORPUS_JSON)
    assert (g.number_of_nodes(), g.number_of_edges()) == (manifest.nodes, manifest.relationships)


def test_a_damaged_fragment_is_re_extracted(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    first = build(raw_copy, out, workers=1)
    files = read_manifest(out).files
    truncated = out / files[str(raw_copy / CHANGJI)].fragment.path
    truncated.write_bytes(truncated.read_bytes()[:100])  # caught before reuse: size differs
    garbled = out / files[str(raw_copy / MEASURES)].fragment.path
    garbled.write_bytes(b"x" * garbled.stat().st_size)  # caught when the corpus is merged
    result = build(raw_copy, out, workers=1)
    assert sorted(result.extracted) == sorted([str(raw_copy / MEASURES), str(raw_copy / CHANGJI)])
    assert not result.errors and (result.nodes, result.relationships) == (first.nodes,
                                                                          first.relationships)
    assert read_json(garbled).number_of_nodes() > 0


def test_diff_reads_a_plan_again_when_its_cached_extraction_is_damaged(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    build(raw_copy, out, workers=1)
    entry = read_manifest(out).files[str(raw_copy / CHANGJI)]
    (out / entry.extraction).write_text("{not json")
    assert resolve_version(entry.plan_id, out).sha256 == entry.sha256


def test_one_name_in_two_folders_keeps_two_plans(raw_copy, tmp_path):
    (raw_copy / "later").mkdir()
    shutil.copy(raw_copy / CHANGJI, raw_copy / "later" / CHANGJI)
    raise_changji_target(raw_copy / "later")
    out = tmp_path / "graphs"
    result = build(raw_copy, out)
    fragments = {e.fragment.path for e in read_manifest(out).files.values()}
    assert result.plans == 6 and len(fragments) == 6
    assert as_sets(result.corpus_graph()) == as_sets(build(raw_copy).graph)


def test_the_same_text_under_two_names_is_one_plan(raw_copy, tmp_path):
    shutil.copy(raw_copy / CHANGJI, raw_copy / "changji-copy.txt")
    result = build(raw_copy, tmp_path / "graphs")
    g = result.corpus_graph()
    assert sum(1 for _, d in g.nodes(data=True) if d["label"] == "Plan") == result.plans == 5
    assert as_sets(g) == as_sets(build(raw_copy).graph)
    assert (result.nodes, result.relationships) == (g.number_of_nodes(), g.number_of_edges())


def test_a_relative_and_an_absolute_path_are_the_same_files(raw_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(raw_copy.parent)
    out = tmp_path / "graphs"
    first = build("raw", out, workers=1)
    assert len(first.extracted) == 5
    assert build(raw_copy, out, workers=1).extracted == []
    # the graph names each file relative to the folder read: no home directory in it
    assert plans_by_source(read_json(out / CORPUS_JSON)).keys() == set(PLANS.values())


def test_an_unexpected_error_in_one_file_is_a_coded_line_and_the_batch_goes_on(
        tmp_path, monkeypatch):
    """A bug that one surprising file triggers (here an extractor that fails on it) names
    that file with E099; the other plans are built; the exit code says something failed."""
    from policygraph.extract import EXTRACTORS

    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    (raw / "surprise.txt").write_text("某市行动方案\n一、重点任务\n（一）惊喜。\n", encoding="utf-8")

    def fails_on_surprise(ctx):
        if "惊喜" in ctx.text:
            raise ZeroDivisionError("division by zero")
        return []

    monkeypatch.setitem(EXTRACTORS, "cited", fails_on_surprise)
    result = CliRunner().invoke(app, ["build", str(raw), "--out", str(tmp_path / "g"),
                                      "--workers", "1"])
    assert result.exit_code == 1
    line = next(ln for ln in result.stderr.splitlines() if "surprise.txt" in ln)
    assert "[E099]" in line and "ZeroDivisionError" in line
    assert "Traceback" not in result.output
    assert "5 plans" in result.output


def test_diff_tells_a_lowered_value_and_a_moved_deadline(extractions, tmp_path):
    from policygraph import load_document
    from policygraph.extract import extract

    old = extractions["changji"]
    text = (RAW / CHANGJI).read_text(encoding="utf-8")
    changed = text.replace("高新技术企业超过50家", "高新技术企业超过40家").replace(
        "到2023年", "到2024年", 1)
    path = tmp_path / CHANGJI
    path.write_text(changed, encoding="utf-8")
    new = extract(load_document(path))
    rows = diff(old, new)
    lowered = [r for r in rows if r["what"] == "高新技术企业"]
    assert {"change": "lowered", "kind": "target", "task": "二.（二）", "what": "高新技术企业",
            "old": ">50家", "new": ">40家"} in lowered
    moved = [r for r in rows if r["change"] == "moved"]
    assert moved and all((r["old"], r["new"]) == (2023, 2024) for r in moved)
    assert not [r for r in rows if r["change"] == "raised"]


def test_a_worker_exits_when_its_build_is_gone():
    """The watch each worker starts: once its parent is not the build it was started by
    (the build was killed), it exits, instead of waiting on its queue forever."""
    code = ("import time\nfrom policygraph.build import _worker_start\n"
            "_worker_start(1)  # pid 1 is not this process's parent: the build is 'gone'\n"
            "time.sleep(60)\n")
    run = subprocess.run([sys.executable, "-c", code], timeout=120)
    assert run.returncode == 1  # the watch's exit; a worker left alone would sleep, then 0


def test_unassigned_work_of_a_superseded_draft_drops_out(tmp_path):
    """The services plan names no unit: all its work falls to nobody, in each version."""
    draft = (RAW / PLANS["services_draft"]).read_text(encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "draft.txt").write_text(draft, encoding="utf-8")
    (raw / "final.txt").write_text(draft.replace("（征求意见稿）", ""), encoding="utf-8")
    g = build(raw).graph
    ids = plans_by_source(g)
    new, old = ids["final.txt"], ids["draft.txt"]
    assert g.has_edge(new, old, key="SUPERSEDES")
    engine = GraphEngine(g)
    assert {r["plan_id"] for r in unassigned(engine)} == {new}
    assert {r["plan_id"] for r in unassigned(engine, all_versions=True)} == {new, old}
