"""Ingest: encodings, formats, cleaning debris, the line map and bad input."""

from __future__ import annotations

import codecs
import io

import docx
import pytest

from policygraph.errors import InputError
from policygraph.ingest import read_source
from policygraph.pipeline import load_document, load_documents

from .conftest import plan_path


@pytest.fixture(scope="module")
def changji_text():
    return plan_path("changji").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding, prefix", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("gbk", b""),
    ("utf-16", b""), ("utf-16-le", b""),
])
def test_every_encoding_gives_the_same_text(tmp_path, rules, changji_text, encoding, prefix):
    reference = read_source(plan_path("changji"), rules)
    f = tmp_path / f"plan-{encoding}.txt"
    f.write_bytes(prefix + changji_text.encode(encoding))
    src = read_source(f, rules)
    assert src.text == reference.text
    assert src.line_map == reference.line_map


def test_debris_is_removed(rules):
    src = read_source(plan_path("ten_actions"), rules)
    assert "[bookmark" not in src.text
    assert src.text.count("（一）全社会研发投入增量行动") == 1
    hitech = read_source(plan_path("hitech_zone"), rules)
    # the bare page number "1" between the 前言 and the first heading is gone
    assert "制定本建设方案。\n\n一、现有工作基础" in hitech.text


def test_broken_title_and_page_breaks_are_joined(rules):
    src = read_source(plan_path("services_draft"), rules)
    first = src.text.split("\n")[0]
    assert first == "乌鲁木齐市加快科技服务业发展 推动科技创新和产业创新深度融合三年行动计划（2026—2028年）"
    hitech = read_source(plan_path("hitech_zone"), rules)
    assert "打造基因检测订单共享平台，创新发展基因检测技术" in hitech.text


def test_line_map_points_back_to_source_lines(rules):
    src = read_source(plan_path("services_draft"), rules)
    raw_lines = plan_path("services_draft").read_text(encoding="utf-8").splitlines()
    for phrase in ("创新和产业创新深度融合", "（征求意见稿）", "15．促进科技服务业人才汇聚",
                   "各类专业技术人员人数累计达到300名"):
        line = src.line_of(src.text.index(phrase))
        assert phrase in raw_lines[line - 1], phrase


def test_fullwidth_digits_and_zero_width_characters(tmp_path, rules):
    f = tmp_path / "fw.txt"
    f.write_text("到２０２５年，高新\u200b技术企业达到１０００家。\n", encoding="utf-8")
    assert read_source(f, rules).text == "到2025年，高新技术企业达到1000家。"


def _docx_bytes(with_table: bool = True, paragraphs=("一、重点任务", "（一）完善创新体系。")) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if with_table:
        t = d.add_table(rows=3, cols=3)
        for r, row in enumerate([["序号", "指标名称", "2023年"], ["1", "高新技术企业数（家）", "234"],
                                 ["2", "科技型企业数（家）", "2381"]]):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
        d.add_paragraph("二、保障措施")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_paragraphs_and_tables_in_order(tmp_path, rules):
    f = tmp_path / "plan.docx"
    f.write_bytes(_docx_bytes())
    doc = load_document(f, rules)
    tables = doc.tables()
    assert len(tables) == 1
    assert tables[0].table.header == ["序号", "指标名称", "2023年"]
    assert tables[0].table.rows[1] == ["2", "科技型企业数（家）", "2381"]
    sections = [c.title for c in doc.root.children if c.kind == "section"]
    assert sections == ["重点任务", "保障措施"]


def test_html_and_markdown_read_as_text(tmp_path, rules):
    page = tmp_path / "plan.html"
    page.write_text("<html><body><h1>一、重点任务</h1><p>（一）完善&amp;创新体系。</p>"
                    "<script>alert(1)</script></body></html>", encoding="utf-8")
    src = read_source(page, rules)
    assert src.text == "一、重点任务\n（一）完善&创新体系。"
    md = tmp_path / "plan.md"
    md.write_text("一、重点任务\n\n（一）完善创新体系。\n", encoding="utf-8")
    assert len(load_document(md, rules).root.children) == 1


@pytest.mark.parametrize("name, content, code", [
    ("empty.txt", b"", "E003"),
    ("blank.txt", b" \n\t\n\xe3\x80\x80\n", "E004"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "E005"),
    ("archive.txt", b"PK\x03\x04" + bytes(100), "E005"),
    ("noise.txt", bytes(range(32)) * 50, "E005"),
    ("plan.pdf", b"%PDF-1.4", "E008"),
    ("plan.docx", b"PK\x03\x04 truncated", "E008"),
])
def test_bad_input_gives_a_coded_error_naming_the_file(tmp_path, rules, name, content, code):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_source(f, rules)
    assert info.value.code == code
    assert str(f) in info.value.line() and "\n" not in info.value.line()


def test_truncated_docx(tmp_path, rules):
    good = _docx_bytes()
    f = tmp_path / "cut.docx"
    f.write_bytes(good[: len(good) // 2])
    with pytest.raises(InputError) as info:
        read_source(f, rules)
    assert info.value.code == "E008"


def test_file_too_large(tmp_path, rules):
    f = tmp_path / "big.txt"
    f.write_bytes("高新技术企业达到1000家。\n".encode() * 60_000)  # ~2 MB
    with pytest.raises(InputError) as info:
        read_source(f, rules, max_mb=1)
    assert info.value.code == "E006"


def test_directory_with_good_and_bad_files(tmp_path, rules, changji_text):
    (tmp_path / "good.txt").write_text(changji_text, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "good.docx").write_bytes(_docx_bytes())
    outcomes = {o.path.name: o for o in load_documents(tmp_path, rules)}
    assert outcomes["good.txt"].document is not None
    assert len(outcomes["good.txt"].document.tasks()) == 13
    assert outcomes["good.docx"].document is not None
    assert outcomes["empty.txt"].error.code == "E003"
    assert outcomes["photo.png"].error.code == "E002"


def test_carriage_returns_keep_the_line_map_whole(tmp_path, rules):
    """Old Mac \r line ends are lines of a text file; in a web page's text a lone \r is a
    control character. Either way each cleaned line maps to a line of the original (a
    page whose text was 'x\r!' once split into more lines than it had origins)."""
    mac = tmp_path / "mac.txt"
    mac.write_bytes("一、重点任务\r（一）完善创新体系。\r牵头单位：市科技局\r".encode())
    src = read_source(mac, rules)
    assert src.text.split("\n") == ["一、重点任务", "（一）完善创新体系。", "牵头单位：市科技局"]
    assert [no for _, no in src.line_map] == [1, 2, 3]
    page = tmp_path / "page.html"
    page.write_bytes(b"x\r!")
    assert read_source(page, rules).text == "x!"


def _wrapped(text: str, width: int = 72) -> str:
    """Each line broken where a converter prints it at ``width`` columns (a Chinese
    character takes two), as pdftotext gives a PDF's text."""
    out = []
    for line in text.split("\n"):
        row, used = "", 0
        for c in line:
            w = 2 if c >= "\u2e80" else 1
            if used + w > width:
                out.append(row)
                row, used = "", 0
            row, used = row + c, used + w
        out.append(row)
    return "\n".join(out)


def test_lines_broken_at_the_page_width_are_joined_back(tmp_path, rules):
    """A text whose every paragraph a converter broke at the page's width reads as the
    plain text does: same tasks, targets and units, each quote on its printed line."""
    from policygraph.extract import extract
    from policygraph.pipeline import load_document

    plain = plan_path("changji").read_text(encoding="utf-8")
    path = tmp_path / "wrapped.txt"
    path.write_text(_wrapped(plain), encoding="utf-8")
    want = extract(load_document(plan_path("changji"), rules), rules)
    got = extract(load_document(path, rules), rules)
    assert len(path.read_text(encoding="utf-8").split("\n")) > 2 * len(plain.split("\n"))
    assert [t.key for t in got.tasks] == [t.key for t in want.tasks]
    assert {(t.metric, t.value, t.year) for t in got.targets} == \
        {(t.metric, t.value, t.year) for t in want.targets}
    assert {(u.task, u.name, u.role) for u in got.units} == \
        {(u.task, u.name, u.role) for u in want.units}
    printed = path.read_text(encoding="utf-8").split("\n")
    for t in got.targets:  # the quote starts on its line (and may run into the next one)
        here = printed[t.prov.line - 1]
        assert t.prov.quote[:4] in here + printed[t.prov.line] and t.prov.quote[0] in here
