"""The CLI through typer's runner: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from policygraph.cli import app

from .conftest import GOLD, RAW, plan_path, raise_changji_target

runner = CliRunner()


def test_help_teaches_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"inspect", "extract", "eval", "build", "export", "load", "query", "diff", "report",
            "cypher", "list"} <= set(commands)
    for command in commands:
        assert command in result.output
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0 and "Usage" in sub.output


def test_inspect_prints_the_tree():
    result = runner.invoke(app, ["inspect", str(plan_path("changji"))])
    assert result.exit_code == 0
    assert "昌市政办发〔2022〕15号" in result.output
    assert "13 tasks" in result.output


def test_extract_gold_format_is_json():
    result = runner.invoke(app, ["extract", str(plan_path("measures_draft")), "--format", "gold"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data["tasks"]) == 14 and data["plan"]["status"] == "draft"


def test_extract_json_has_provenance():
    result = runner.invoke(app, ["extract", str(plan_path("changji")), "-f", "json"])
    data = json.loads(result.stdout)
    prov = data["targets"][0]["prov"]
    assert set(prov) == {"file", "line", "start", "end", "quote", "page"}
    assert prov["page"] is None  # a text file has no pages


def test_eval_reports_f1(seeds_dir):
    result = runner.invoke(app, ["eval", str(GOLD), "--raw", str(seeds_dir), "--format", "json"])
    assert result.exit_code == 0
    scores = json.loads(result.stdout)
    assert scores["kinds"]["tasks"]["f1"] == 1.0
    assert scores["plan"]["region"] == 1.0
    assert set(scores["per_document"]) == {"003_053fecb476c7a117.txt", "004_81b5b327c271bba8.txt"}


def test_eval_require_fails_below_the_floor(seeds_dir):
    """--require is how CI holds a level: a floor above what is reached exits 1."""
    args = ["eval", str(GOLD), "--raw", str(seeds_dir), "--no-misses"]
    assert runner.invoke(app, args + ["--require", "targets=1.0"]).exit_code == 0
    low = runner.invoke(app, args + ["--require", "incentives=0.5"])
    assert low.exit_code == 1 and "incentives" in low.stderr


def test_bad_files_give_one_line_each_and_exit_codes(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    only_bad = runner.invoke(app, ["inspect", str(tmp_path)])
    assert only_bad.exit_code == 3
    assert only_bad.stderr.strip().count("\n") == 0 and "[E003]" in only_bad.stderr
    assert "Traceback" not in only_bad.output
    (tmp_path / "good.txt").write_bytes(plan_path("changji").read_bytes())
    mixed = runner.invoke(app, ["inspect", str(tmp_path)])
    assert mixed.exit_code == 1 and "13 tasks" in mixed.stdout
    missing = runner.invoke(app, ["extract", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 3 and "[E001]" in missing.stderr


def test_build_writes_the_store_and_the_exports_asked_for(tmp_path):
    result = runner.invoke(app, ["build", str(RAW), "--out", str(tmp_path), "--export", "graphml",
                                 "--export", "csv"])
    assert result.exit_code == 0, result.output
    assert "5 plans" in result.stdout
    assert (tmp_path / "corpus.json").is_file() and (tmp_path / "corpus.graphml").is_file()
    assert len(list((tmp_path / "plans").glob("*.json"))) == 5
    assert (tmp_path / "import" / "nodes_Plan.csv").read_text(encoding="utf-8").count("\n") == 6


def test_exports_are_made_on_request_and_never_left_stale(raw_copy, tmp_path):
    out = tmp_path / "graphs"
    assert runner.invoke(app, ["build", str(raw_copy), "--out", str(out)]).exit_code == 0
    assert (out / "corpus.json").is_file() and not (out / "corpus.graphml").exists()
    made = runner.invoke(app, ["export", "--graphs", str(out), "--format", "csv"])
    assert made.exit_code == 0 and not (out / "corpus.graphml").exists()
    assert (out / "import" / "rels_HAS_TASK.csv").is_file()
    assert runner.invoke(app, ["export", "--graphs", str(out)]).exit_code == 0
    assert (out / "corpus.graphml").is_file()
    # an unchanged re-run leaves them; a change without --export removes them
    assert runner.invoke(app, ["build", str(raw_copy), "--out", str(out)]).exit_code == 0
    assert (out / "corpus.graphml").is_file()
    raise_changji_target(raw_copy)
    assert runner.invoke(app, ["build", str(raw_copy), "--out", str(out)]).exit_code == 0
    assert not (out / "corpus.graphml").exists() and not list((out / "import").glob("*.csv"))


def test_export_without_a_build_says_so(tmp_path):
    result = runner.invoke(app, ["export", "--graphs", str(tmp_path / "none")])
    assert result.exit_code == 3 and "[E301]" in result.stderr
    assert not (tmp_path / "none").exists()


def test_build_then_load_into_the_bolt_server(empty_db, bolt_server, tmp_path):
    out = tmp_path / "graphs"
    built = runner.invoke(app, ["build", str(RAW), "--out", str(out), "--neo4j", bolt_server.uri])
    assert built.exit_code == 0, built.output
    assert "loaded into falkordb" in built.output and "5 plans written" in built.output
    again = runner.invoke(app, ["load", "--graphs", str(out), "--neo4j", bolt_server.uri])
    assert again.exit_code == 0, again.output
    assert "0 plans written, 5 unchanged, 0 removed" in again.output


def test_load_from_an_empty_directory_names_it(tmp_path, bolt_server):
    result = runner.invoke(app, ["load", "--graphs", str(tmp_path), "--neo4j", bolt_server.uri])
    assert result.exit_code == 3
    assert "[E301]" in result.output and "Traceback" not in result.output


def test_load_with_no_server_is_one_line_and_exit_4(tmp_path):
    from tests.bolt_server import free_port

    runner.invoke(app, ["build", str(plan_path("changji")), "--out", str(tmp_path)])
    result = runner.invoke(app, ["load", "--graphs", str(tmp_path),
                                 "--neo4j", f"bolt://127.0.0.1:{free_port()}"])
    assert result.exit_code == 4
    assert "[E401] cannot reach the graph database" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_command_reference_is_generated_from_help():
    """docs/cli.md must match the commands' --help (python scripts/cli_docs.py rewrites it)."""
    import importlib.util

    from .conftest import ROOT

    spec = importlib.util.spec_from_file_location("cli_docs", ROOT / "scripts" / "cli_docs.py")
    cli_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli_docs)
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == cli_docs.render()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in cli_docs.commands() if f"| `policygraph {c}" not in readme]
    assert {"export", "list", "diff"} <= set(cli_docs.commands()) and not missing, missing


def test_eval_names_a_source_that_fails_and_scores_the_rest(tmp_path, seeds_dir):
    gold = tmp_path / "gold"
    raw = tmp_path / "raw"
    shutil.copytree(GOLD, gold, ignore=shutil.ignore_patterns("corpus"))
    shutil.copytree(seeds_dir, raw)
    (raw / "004_81b5b327c271bba8.txt").write_bytes(b"")  # this source now fails to read
    result = runner.invoke(app, ["eval", str(gold), "--raw", str(raw), "--format", "json"])
    assert result.exit_code == 1
    assert "004_81b5b327c271bba8.txt: [E003]" in result.stderr
    scores = json.loads(result.stdout)
    assert scores["documents"] == 2 and scores["kinds"]["tasks"]["recall"] < 1
    assert scores["per_document"]["003_053fecb476c7a117.txt"]["kinds"]["tasks"]["f1"] == 1.0


def test_eval_corpus_surveys_documents_without_gold(tmp_path):
    """The seed plans and a written measure read fully; a plan with only qualitative goals
    is not expected to set targets; an empty file is named as failing; --require holds."""
    from .conftest import RAW, write_measures

    for f in RAW.glob("*.txt"):
        shutil.copy(f, tmp_path / f.name)
    write_measures(tmp_path)
    (tmp_path / "qualitative.txt").write_text(
        "某县生态建设实施方案\n一、主要任务\n（一）完善机制。到2025年，制度框架初步形成。\n",
        encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["eval", "--corpus", str(tmp_path), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["documents"] == 8
    assert list(data["failed"]) == [str(tmp_path / "empty.txt")]
    assert data["shares"]["no failure"] == 7 / 8
    assert data["shares"]["units"] == 1.0 and data["shares"]["targets"] == 1.0
    # the high-tech zone's plan prints no title; 某县 is no place
    assert [p.rsplit("/", 1)[-1] for p in data["missing"]["title"]] == [
        "urumqi-hitech-zone-2021-2023-innovation-base-plan.txt"]
    assert [p.rsplit("/", 1)[-1] for p in data["missing"]["region"]] == ["qualitative.txt"]
    held = runner.invoke(app, ["eval", "--corpus", str(tmp_path), "--no-misses",
                               "--require", "no failure=1"])
    assert held.exit_code == 1 and "no failure" in held.stderr


def test_version_and_a_csv_excel_reads(tmp_path):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == "policygraph 0.1.0"
    out = tmp_path / "graphs"
    assert runner.invoke(app, ["build", str(plan_path("changji")), "--out", str(out)]).exit_code == 0
    made = runner.invoke(app, ["query", "workload", "--graphs", str(out), "-f", "excel"])
    assert made.exit_code == 0
    assert made.output.startswith("\ufeffunit,") and "市科技局" in made.output
    plain = runner.invoke(app, ["query", "workload", "--graphs", str(out), "-f", "csv"])
    assert plain.output == made.output[1:]


def test_the_graph_names_sources_relative_to_the_folder_read(raw_copy, tmp_path, monkeypatch):
    """No absolute path in the store's graph (a home directory, a build machine's layout);
    explain still finds the source line, from any working directory."""
    from policygraph.store.files import read_corpus

    out = tmp_path / "graphs"
    assert runner.invoke(app, ["build", str(raw_copy), "--out", str(out)]).exit_code == 0
    assert str(raw_copy) not in (out / "corpus.json").read_text(encoding="utf-8")
    g = read_corpus(out)
    target = next(n for n, d in g.nodes(data=True)
                  if d["label"] == "Target" and d["quote"] == "高新技术企业超过50家")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = runner.invoke(app, ["query", "explain", target, "-g", str(out), "-f", "json"])
    row = json.loads(result.output)[0]
    assert row["file"] == "changji-2021-2023-tech-innovation-action-plan.txt"
    assert "高新技术企业超过50家" in row["context"]
