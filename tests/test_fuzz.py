"""Property-based tests: arbitrary text and bytes never crash ingest or structure, and
every offset the tree holds lies inside the cleaned text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policygraph.errors import InputError
from policygraph.extract import extract
from policygraph.ingest import read_source
from policygraph.structure import parse

# Pieces that exercise the parser's paths, mixed with arbitrary text.
FRAGMENTS = st.sampled_from([
    "一、重点任务", "（一）完善体系。", "1．增强能力。", "2.", "（1）", "一是", "二是", "专栏1 行动",
    "附件（一）", "\t序号", "\t指标名称", "\t2023年", "牵头单位：市科技局", "配合单位：市发改委、财政局",
    "（责任单位：市科技局，各区（县））", "[bookmark: OLE_LINK1]", "12", "", " ", "\t", "\u200b",
    "到2023年高新技术企业超过50家", "关于印发《", "》的通知", "行动方案（2021—2023）", "征求意见稿",
    "二〇二一年三月四日", "昌市政办发〔2022〕15号", "\r", "　", "（", "）", "。",
])
LINES = st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=40)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check_document(doc) -> None:
    n = len(doc.source.text)
    for node in doc.root.walk():
        assert 0 <= node.start <= node.end <= n
        assert node.start <= node.body_start <= max(node.end, node.start)
        if node.table:
            for row in node.table.cell_spans:
                for start, end in row:
                    assert 0 <= start <= end <= n
    for offset, line in doc.source.line_map:
        assert 0 <= offset <= n and line >= 1
    for offset in (0, n // 2, max(n - 1, 0)):
        assert doc.source.line_of(offset) >= 1
    _check_provenance(doc)


def _check_provenance(doc) -> None:
    """Every extracted fact's span lies inside the text and its quote is that text."""
    ex = extract(doc)
    text = doc.source.text
    for kind in ("tasks", "units", "targets", "platforms", "organizations", "fields", "cited"):
        for fact in getattr(ex, kind):
            p = fact.prov
            assert 0 <= p.start <= p.end <= len(text), kind
            assert text[p.start:p.end] == p.quote, kind
            assert p.line >= 1


@SETTINGS
@given(lines=LINES)
def test_structure_of_arbitrary_text(tmp_path, rules, lines):
    f = tmp_path / "fuzz.txt"
    f.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        src = read_source(f, rules)
    except InputError:
        return
    _check_document(parse(src, rules))


@SETTINGS
@given(data=st.binary(max_size=2000), ext=st.sampled_from([".txt", ".docx", ".html", ".md"]))
def test_arbitrary_bytes(tmp_path, rules, data, ext):
    f = tmp_path / f"fuzz{ext}"
    f.write_bytes(data)
    try:
        src = read_source(f, rules)
    except InputError as exc:
        assert exc.code.startswith("E0") and "\n" not in exc.line()
        return
    _check_document(parse(src, rules))
