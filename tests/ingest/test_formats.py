"""Every published format gives the plan's facts as its plain text does.

The fixtures are made here, from the Changji seed plan, by the tools that make such files
in the wild (formats.py); nothing is checked in."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from policygraph.errors import InputError
from policygraph.extract import extract
from policygraph.ingest import ocr, read_source
from policygraph.pipeline import load_document

from ..conftest import plan_path
from . import formats


def facts(path, rules):
    x = extract(load_document(path, rules), rules)
    return {
        "tasks": {t.key for t in x.tasks},
        "targets": {(t.metric, t.value, t.unit, t.year) for t in x.targets},
        "units": {(u.task, u.role, u.name) for u in x.units},
    }, x


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("formats")
    text = plan_path("changji").read_text(encoding="utf-8")
    word = formats.plan_docx(text, out / "changji.docx")
    files = {"docx": word}
    for fmt in ("doc", "odt", "pdf"):
        files[fmt] = formats.libreoffice(word, fmt, out)
    # A Kingsoft WPS Writer .wps is the binary Word format under WPS's own extension.
    files["wps"] = out / "changji.wps"
    shutil.copy(files["doc"], files["wps"])
    files["ofd"] = formats.ofd(text, out / "changji.ofd")
    files["html"] = out / "changji.html"
    files["html"].write_text(formats.gov_page(text), encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def plain(rules):
    return facts(plan_path("changji"), rules)[0]


@pytest.mark.parametrize("fmt", ["docx", "doc", "wps", "odt", "pdf", "ofd", "html"])
def test_each_format_gives_the_plain_texts_facts(made, plain, rules, fmt):
    got, x = facts(made[fmt], rules)
    assert len(plain["tasks"]) == 13 and len(plain["targets"]) > 20
    for kind in ("tasks", "targets", "units"):
        assert got[kind] == plain[kind], (kind, got[kind] ^ plain[kind])
    assert x.plan.title == "昌吉市科技创新支持产业高质量发展三年行动方案（2021—2023）"


@pytest.mark.parametrize("fmt", ["pdf", "ofd"])
def test_paged_quotes_are_found_again_on_their_page(made, rules, fmt):
    """Every fact's page and line lead back to its quote in the original: pdftotext's
    page for a PDF, the laid-out lines of the OFD's page."""
    _, x = facts(made[fmt], rules)
    facts_ = [*x.targets, *x.units]
    assert facts_ and all(f.prov.page for f in facts_)
    if fmt == "pdf":
        _assert_on_their_printed_lines(made[fmt], facts_)
    assert len({f.prov.page for f in facts_}) > 1


def _assert_on_their_printed_lines(pdf, facts_) -> None:
    """Each quote starts on its page's line as pdftotext lays the page out (and may run
    into the next line)."""
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    squash = re.compile(r"\s+")
    for f in facts_:
        printed = [ln for ln in pages[f.prov.page - 1].split("\n") if ln.strip()]
        here = "".join(printed[f.prov.line - 1:f.prov.line + 1])
        assert squash.sub("", f.prov.quote)[:4] in squash.sub("", here), f.prov


@pytest.fixture(scope="module")
def tabled(tmp_path_factory):
    """The Urumqi hi-tech zone plan, whose annexes are three tables (indicators, 35
    platforms over two pages, projects), as a Word file with ruled tables and the PDF
    LibreOffice prints of it."""
    out = tmp_path_factory.mktemp("tables")
    text = plan_path("hitech_zone").read_text(encoding="utf-8")
    word = formats.plan_docx(text, out / "hitech.docx")
    return {"docx": word, "pdf": formats.libreoffice(word, "pdf", out)}


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_tables_are_read_as_tables_with_the_plain_texts_rows(tabled, rules, fmt):
    """The reader's tables reach the document as they are, a table cut by a page break
    one table again (a row cut in two, one row), and give the plain text's facts."""
    plain = load_document(plan_path("hitech_zone"), rules)
    doc = load_document(tabled[fmt], rules)
    want = [(t.table.header, t.table.rows) for t in plain.tables()]
    assert [len(rows) for _, rows in want] == [13, 35, 34]
    assert [(t.table.header, t.table.rows) for t in doc.tables()] == want
    x, y = extract(plain, rules), extract(doc, rules)
    assert len(x.targets) == 18 and len(x.platforms) == 100
    assert {(t.metric, t.value, t.baseline, t.year) for t in y.targets} == \
        {(t.metric, t.value, t.baseline, t.year) for t in x.targets}
    assert {p.name for p in y.platforms} == {p.name for p in x.platforms}
    if fmt == "pdf":
        pages = {f.prov.page for f in y.platforms}
        assert len(pages) > 2
        _assert_on_their_printed_lines(tabled[fmt], [*y.targets, *y.platforms])


def test_pdf_drops_page_numbers_and_joins_wrapped_lines(made, rules):
    src = read_source(made["pdf"], rules)
    lines = src.text.split("\n")
    assert not any(re.fullmatch(r"[-—\s]*\d+[-—\s]*", ln) for ln in lines)
    # The first task's paragraph is one line, as in the plain text, though printed on many.
    first = next(ln for ln in lines if ln.startswith("（一）完善区域创新体系建设"))
    assert first.endswith("财政科技经费投入按一定比例逐年递增。")


def test_the_web_page_yields_its_article_and_metadata_not_its_footer(made, rules):
    """The Changji plan in an ordinary government page: the footer's 主办单位 is no unit,
    the metadata table gives issuer, date and number, and 一、 is a heading."""
    doc = load_document(made["html"], rules)
    x = extract(doc, rules)
    assert not any("融媒体" in u.name or "网站" in u.name for u in x.units)
    assert "主办单位" not in doc.source.text and "分享到" not in doc.source.text
    assert (x.plan.issuer, x.plan.issued, x.plan.doc_number) == (
        "昌吉市人民政府办公室", "2022-06-17", "昌市政办发〔2022〕15号")
    headings = [n for n in doc.root.walk() if n.kind == "section" and n.level == 1]
    assert [doc.source.text[n.start:n.end].split("\n")[0] for n in headings][0] == "一、发展目标"


def test_web_metadata_table_is_read_when_the_text_says_otherwise(tmp_path, rules):
    page = formats.gov_page("（一）加强组织领导。到2025年，高新技术企业达到50家。\n牵头单位：市科技局")
    page = page.replace("昌市政办发〔2022〕15号", "昌市政办发〔2023〕7号")
    f = tmp_path / "page.htm"
    f.write_text(page, encoding="utf-8")
    x = extract(load_document(f, rules), rules)
    assert x.plan.doc_number == "昌市政办发〔2023〕7号" and x.plan.issued == "2022-06-17"


@pytest.fixture(scope="module")
def scanned(made, tmp_path_factory):
    return formats.scanned_pdf(made["pdf"], [1, 2], tmp_path_factory.mktemp("scan"))


def test_scanned_pages_are_read_by_ocr(made, scanned, rules):
    """An image-only PDF of the plan's first two pages: OCR finds ≥ 95% of the targets
    the text layer gives on those pages."""
    _, text_layer = facts(made["pdf"], rules)
    want = {(t.metric, t.value, t.year) for t in text_layer.targets if t.prov.page <= 2}
    _, x = facts(scanned, rules)
    got = {(t.metric, t.value, t.year) for t in x.targets}
    assert len(want) >= 5
    assert len(want & got) / len(want) >= 0.95, want - got
    assert read_source(scanned, rules).encoding == "pdf"


def test_scan_without_tesseract_names_the_file_and_the_fix(scanned, rules, monkeypatch):
    ocr.available.cache_clear()
    monkeypatch.setenv("PATH", "/nonexistent")
    try:
        with pytest.raises(InputError) as info:
            read_source(scanned, rules)
    finally:
        ocr.available.cache_clear()
    line = info.value.line()
    assert info.value.code == "E013" and str(scanned) in line
    assert "tesseract-ocr-chi-sim" in line and "\n" not in line


def test_doc_without_libreoffice_names_the_fix(made, rules, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("POLICYGRAPH_CACHE", str(tmp_path))  # no cached conversion
    with pytest.raises(InputError) as info:
        read_source(made["doc"], rules)
    assert info.value.code == "E013" and "libreoffice-writer-nogui" in info.value.line()


def test_conversions_are_cached_by_content(made, rules, monkeypatch, tmp_path):
    monkeypatch.setenv("POLICYGRAPH_CACHE", str(tmp_path))
    first = read_source(made["doc"], rules)
    assert len(list((tmp_path / "converted").glob("*.docx"))) == 1
    monkeypatch.setenv("PATH", "/nonexistent")  # no LibreOffice: the cache answers
    assert read_source(made["wps"], rules).text == first.text


def test_content_decides_over_the_extension(made, rules, tmp_path):
    disguised = tmp_path / "plan.doc"
    shutil.copy(made["pdf"], disguised)
    assert read_source(disguised, rules).encoding == "pdf"
