"""Whatever documents arrive: each gets one clear error line or a correct result, nothing
crashes, and no earlier good output is lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from policygraph import load_document
from policygraph.build import build
from policygraph.cli import app
from policygraph.errors import InputError
from policygraph.extract import extract
from policygraph.store.files import CORPUS_JSON, read_json

from .conftest import PLANS, RAW

runner = CliRunner()
CHANGJI = RAW / PLANS["changji"]
TASK = "二、重点任务\n\n（一）推动高新技术企业提质增量。到2023年，高新技术企业超过50家。\n\n牵头单位：市科技局\n"


def targets(path, **kw):
    return [(t.metric, t.value, t.year) for t in extract(load_document(path, **kw)).targets]


def test_traditional_and_mixed_text_reads_as_simplified(tmp_path):
    f = tmp_path / "mixed.txt"
    f.write_text("昌吉市科技創新行動方案\n\n二、重點任務\n\n（一）推動高新技術企業提質增量。"
                 "到2023年，高新技術企業超過50家。\n\n牽頭單位：市科技局\n", encoding="utf-8")
    ex = extract(load_document(f))
    assert [(t.metric, t.value, t.year) for t in ex.targets] == [("高新技术企业", 50, 2023)]
    assert [(u.name, u.role) for u in ex.units] == [("市科技局", "lead")]
    assert "显著" in load_document(_write(tmp_path, "s.txt", "一、任务\n\n（一）显著提升。\n")).source.text


def _write(tmp_path, name, text, encoding="utf-8"):
    f = tmp_path / name
    f.write_bytes(text.encode(encoding))
    return f


def test_fullwidth_digits_and_chinese_numerals(tmp_path):
    f = _write(tmp_path, "fw.txt", TASK.replace("到2023年", "到２０２３年").replace("50家", "５０家"))
    assert targets(f) == [("高新技术企业", 50, 2023)]
    g = _write(tmp_path, "cn.txt", TASK.replace("到2023年", "到二〇二三年").replace("超过50家", "达到十家"))
    assert targets(g) == [("高新技术企业", 10, 2023)]


def test_gbk_bytes_that_claim_to_be_utf8(tmp_path):
    page = ('<html><head><meta charset="utf-8"></head><body><p>二、重点任务</p>'
            '<p>（一）推动高新技术企业提质增量。到2023年，高新技术企业超过50家。</p></body></html>')
    f = _write(tmp_path, "plan.html", page, encoding="gbk")
    assert targets(f) == [("高新技术企业", 50, 2023)]


def test_docx_with_tables_only(tmp_path):
    d = docx.Document()
    table = d.add_table(rows=2, cols=3)
    for i, text in enumerate(["指标名称", "2020年", "2023年"]):
        table.rows[0].cells[i].text = text
    for i, text in enumerate(["高新技术企业数（家）", "168", "234"]):
        table.rows[1].cells[i].text = text
    f = tmp_path / "tables.docx"
    d.save(f)
    doc = load_document(f)
    assert len(doc.tables()) == 1 and doc.tables()[0].table.rows == [["高新技术企业数（家）", "168", "234"]]


def test_ten_thousand_headings_and_deep_numbering(tmp_path):
    # 10,000 headings: one section and 9,999 numbered items (numbers run to four digits)
    many = "二、重点任务\n\n" + "".join(f"{i}．任务{i}。到2025年企业达到{i}家。\n" for i in range(1, 10_000))
    doc = load_document(_write(tmp_path, "many.txt", many))
    assert len(doc.tasks()) == 9_999 and doc.tasks()[-1].key == "二.9999"
    assert len(extract(doc).targets) == 9_999
    deep = "二、重点任务\n\n（一）第一层。\n\n1．第二层。\n\n（1）第三层。\n\n①第四层。到2025年企业达到5家。\n"
    ex = extract(load_document(_write(tmp_path, "deep.txt", deep)))
    assert [t.value for t in ex.targets] == [5]


def test_file_names_with_spaces_and_chinese(tmp_path):
    d = tmp_path / "新 计划 目录"
    d.mkdir()
    shutil.copy(CHANGJI, d / "昌吉 行动 方案 (2021).txt")
    result = build(d, tmp_path / "graphs", workers=1)
    assert result.plans == 1 and not result.errors
    assert [f.name for f in (tmp_path / "graphs" / "plans").iterdir()] == \
        ["昌吉_行动_方案_2021.json"]


def test_a_file_name_that_is_not_utf8_is_built_and_named_with_escapes(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(CHANGJI, raw / "good.txt")
    with open(os.fsencode(raw) + b"/plan\xff.txt", "wb") as f:  # Latin-1 ÿ, not UTF-8
        f.write((RAW / PLANS["ten_actions"]).read_bytes())
    result = build(raw, tmp_path / "graphs", workers=1)
    assert not result.errors and len(result.extracted) == 2 and result.plans == 2
    assert str(raw / "plan\\xff.txt") in result.extracted
    g = read_json(tmp_path / "graphs" / CORPUS_JSON)  # the store holds the name as text
    assert "plan\\xff.txt" in {d.get("source") for _, d in g.nodes(data=True)}


def test_a_task_over_a_million_characters_is_extracted(tmp_path):
    long_task = "（一）推进建设。" + "加快发展新能源产业，" * 110_000 + "\n"
    f = _write(tmp_path, "long.txt", "二、重点任务\n\n" + long_task)
    ex = extract(load_document(f))
    assert len(ex.tasks) == 1 and len(f.read_text(encoding="utf-8")) > 1_000_000
    assert "新能源" in {field.name for field in ex.fields}


def test_symlinks_are_followed_and_dangling_ones_named(tmp_path):
    d = tmp_path / "raw"
    d.mkdir()
    (d / "link.txt").symlink_to(CHANGJI)
    (d / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    result = runner.invoke(app, ["build", str(d), "--out", str(tmp_path / "g"), "-w", "1"])
    assert result.exit_code == 1
    assert "dangling.txt: [E001] file not found" in result.output
    assert "2 files: 1 extracted, 0 unchanged, 1 errors; 1 plans" in result.output


@pytest.mark.parametrize("command, target", [("inspect", "dir"), ("inspect", "file"),
                                             ("extract", "file")])
def test_unreadable_file_is_named(command, target):
    """chmod 0 stops everyone but root, so as root the reader runs as nobody."""
    d = Path(tempfile.mkdtemp(prefix="pg-unreadable-"))
    try:
        d.chmod(0o755)
        f = d / "secret.txt"
        f.write_text(TASK, encoding="utf-8")
        f.chmod(0)
        cmd = [sys.executable, "-m", "policygraph.cli", command, str(d if target == "dir" else f)]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert run.returncode == 3, run.stderr
        assert f"{f}: [E009] cannot read file" in run.stderr
        assert "Traceback" not in run.stderr and "Usage" not in run.stderr
    finally:
        shutil.rmtree(d)


def test_a_batch_of_only_bad_files_keeps_the_previous_store(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "graphs"
    raw.mkdir()
    shutil.copy(CHANGJI, raw / "plan.txt")
    build(raw, out, workers=1)
    before = read_json(out / CORPUS_JSON).number_of_nodes()
    (raw / "plan.txt").write_bytes(b"PK\x03\x04" + bytes(64))
    result = runner.invoke(app, ["build", str(raw), "--out", str(out), "-w", "1"])
    assert result.exit_code == 3 and "[E005]" in result.output
    assert read_json(out / CORPUS_JSON).number_of_nodes() == before


@pytest.fixture(scope="module")
def fifty_mb(tmp_path_factory):
    """The Changji plan repeated to 50 MB in one file."""
    big = tmp_path_factory.mktemp("big") / "big.txt"
    text = CHANGJI.read_text(encoding="utf-8")
    with open(big, "w", encoding="utf-8") as f:
        for _ in range(50 * 1024 * 1024 // len(text.encode()) + 1):
            f.write(text)
    return big


def test_fifty_mb_is_refused_by_default_with_the_way_out(fifty_mb):
    with pytest.raises(InputError) as exc:
        load_document(fifty_mb)
    assert exc.value.code == "E006" and "--max-mb" in exc.value.line()


def test_fifty_mb_is_read_whole_when_allowed(fifty_mb):
    """About 100 s on this machine: the one slow test, kept because the case is real."""
    repeats = 50 * 1024 * 1024 // len(CHANGJI.read_text(encoding="utf-8").encode()) + 1
    ex = extract(load_document(fifty_mb, max_mb=60))
    assert len(ex.targets) == 37 * repeats  # the plan's 37 targets, every time


# ------------------------------------------------------------------ the environment
def test_control_characters_leave_the_facts_and_lines_count_as_grep_counts(tmp_path):
    text = ("首行\u2028续。" + "本方案依据有关文件制定。" * 40 + "\n\f\n二、重点任务\n\n（一）推动高新技术企业提质增量。到2023年，高新\x00技术"
            "企业超过50家。\n\n牵头单位：市科\x07技局\n")
    f = _write(tmp_path, "ctl.txt", text)
    ex = extract(load_document(f))
    assert [(t.metric, t.value) for t in ex.targets] == [("高新技术企业", 50)]
    assert [u.name for u in ex.units] == ["市科技局"]
    grep_line = text.split("\n").index("牵头单位：市科\x07技局") + 1
    assert [u.prov.line for u in ex.units] == [grep_line]  # U+2028 and \f break no line


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    out = tmp_path_factory.mktemp("env") / "graphs"
    build(RAW, out, workers=1)
    return out


def test_report_writes_through_a_symlink_into_a_device_or_to_standard_output(graphs, tmp_path,
                                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.html").symlink_to(tmp_path / "target.html")
    assert runner.invoke(app, ["report", "--out", "link.html", "--graphs", str(graphs)]
                         ).exit_code == 0
    assert (tmp_path / "link.html").is_symlink() and "<!DOCTYPE html>" in (
        tmp_path / "target.html").read_text(encoding="utf-8")
    assert oct((tmp_path / "target.html").stat().st_mode & 0o777) != oct(0o600)
    assert runner.invoke(app, ["report", "--out", "/dev/null", "--graphs", str(graphs)]
                         ).exit_code == 0
    assert Path("/dev/null").is_char_device()
    to_stdout = runner.invoke(app, ["report", "--out", "-", "--graphs", str(graphs)])
    assert to_stdout.exit_code == 0 and to_stdout.stdout.startswith("<!DOCTYPE html>")
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("args, code, message", [
    (["report", "--out", "/dev/full"], 5, "/dev/full: [E303] cannot write here: No space"),
    (["report", "--out", "/tmp"], 5, "/tmp: [E304] is a directory"),
    (["build", str(RAW), "--out", "{file}"], 5, "[E303] cannot write here"),
    (["load", "--neo4j", "bolt://localhost:99999"], 4, "[E406] invalid database URI"),
    (["load", "--neo4j", "bolt://[::1"], 4, "[E406] invalid database URI"),
])
def test_environment_errors_are_one_coded_line(graphs, tmp_path, args, code, message):
    afile = tmp_path / "a-file"
    afile.write_text("x")
    args = [a.replace("{file}", str(afile)) for a in args]
    if args[0] in ("report", "load"):
        args += ["--graphs", str(graphs)]
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("content", [b"[]", b'{"nodes": 5}', b'{"nodes": [{"x": 1}], "links": []}',
                                     b'{"nodes": [], "links": [{"source": 1}]}'])
def test_a_corpus_json_of_the_wrong_shape_is_named(tmp_path, content):
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / CORPUS_JSON).write_bytes(content)
    result = runner.invoke(app, ["query", "owners", "--graphs", str(tmp_path / "g")])
    assert result.exit_code == 3 and "[E302] invalid graph file" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_docx_that_unpacks_past_the_limit_is_refused_before_unpacking(tmp_path):
    """A few hundred KB of zip that would unpack to 30 MB of document.xml."""
    import io
    import zipfile

    doc = docx.Document()
    doc.add_paragraph("二、重点任务")
    buf = io.BytesIO()
    doc.save(buf)
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                pad = (b"<!--" + b" " * (1 << 20) + b"-->") * 30  # 1 MB comments: lxml's cap is 10
                data = data.replace(b"</w:body>", pad + b"</w:body>")
            out.writestr(item, data)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(InputError, match=r"E011\] archive unpacks to 30\.\d MB > 20 MB limit"):
        load_document(bomb)
    assert load_document(bomb, max_mb=40).source.text.strip() == "二、重点任务"


def test_fifos_devices_and_unlistable_folders_are_named_not_skipped(tmp_path):
    raw = Path(tempfile.mkdtemp(prefix="pg-special-"))
    try:
        raw.chmod(0o755)
        shutil.copy(CHANGJI, raw / "plan.txt")
        os.mkfifo(raw / "pipe.txt")
        (raw / "locked").mkdir()
        (raw / "locked" / "inner.txt").write_text(TASK, encoding="utf-8")
        (raw / "locked").chmod(0)
        cmd = [sys.executable, "-m", "policygraph.cli", "build", str(raw), "--out",
               str(raw / "graphs"), "-w", "1"]  # the output inside the input, too
        if os.geteuid() == 0:  # root lists anything: read as nobody
            (raw / "graphs").mkdir()
            (raw / "graphs").chmod(0o777)
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
        first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    finally:
        (raw / "locked").chmod(0o755)
        shutil.rmtree(raw)
    for run in (first, again):
        assert run.returncode == 1, run.stderr
        assert "pipe.txt: [E012] a named pipe, not a file" in run.stderr
        assert "locked: [E009] cannot read file: a directory that cannot be listed" in run.stderr
        assert "graphs" not in run.stderr.replace(str(raw / "graphs"), "")  # its own files
    assert "3 files: 1 extracted" in first.stdout and "3 files: 0 extracted" in again.stdout


def test_terminal_sequences_and_markup_from_names_are_inert(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    name = "plan:x:y [red]\x1b]0;pwned\x07\x1b[2J.txt"
    (raw / name).write_text(TASK, encoding="utf-8")
    (raw / "bad\x1b[31m.xyz").write_text("x")
    result = runner.invoke(app, ["build", str(raw), "--out", str(tmp_path / "g"), "-w", "1"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "plan:x:y [red]" in result.output  # printed as written: no emoji, no markup
    assert "bad[31m.xyz: [E002]" in result.output


@pytest.mark.parametrize("args", [
    ["query", "owners", "--unit", ""], ["query", "owners", "--region", "  "],
    ["build", str(RAW), "--max-mb", "-1"], ["build", str(RAW), "--max-mb", "nan"],
    ["build", str(RAW), "-w", "100000"],
])
def test_empty_filters_and_impossible_limits_are_usage_errors(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "Invalid value" in result.output
