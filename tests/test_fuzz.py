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
    # layouts of other provinces (issue 12)
    "第三章 主要任务", "第一节 完善机制", "1﹒推进建设。", "〔牵头单位：县大数据局;配合单位：县发改局〕",
    "（市工信局牵头，市科技局、财政局配合）", "［责任单位：市科技局］", "给予最高30万元奖励",
    "按投资额的20%给予补助，最高不超过500万元", "对年营收超过10亿元的企业", "10万元/人",
    "序号", "指标", "基数", "（2018年）", "目标值", "（2021年）", "132", "230", "1100亿元",
    "比2020年降低13.5%", "新增上云企业2万家", "桂政办发〔2018〕95号", "广西壮族自治区人民政府办公厅",
    "关于印发广西数字经济发展三年行动计划（2018—2020年）的通知", "目 录", "第一章工作回顾 5",
    "附件1 名词解释 ······ 58", "永修县中车智能交通产业园", "鄱阳湖生态科技城", "&quot;",
])
LINES = st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=40)
# A text with no line breaks joins its fragments; with breaks, one a line.
JOINERS = st.sampled_from(["\n", "", "。"])
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
    for kind in ("tasks", "units", "targets", "platforms", "incentives", "organizations",
                 "fields", "cited"):
        for fact in getattr(ex, kind):
            p = fact.prov
            assert 0 <= p.start <= p.end <= len(text), kind
            assert text[p.start:p.end] == p.quote, kind
            assert p.line >= 1


@SETTINGS
@given(lines=LINES, joiner=JOINERS)
def test_structure_of_arbitrary_text(tmp_path, rules, lines, joiner):
    f = tmp_path / "fuzz.txt"
    f.write_text(joiner.join(lines), encoding="utf-8", errors="surrogatepass")
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


DEPARTMENTS = ["市科技局", "市发改委", "市财政局", "市工信局", "市商务局", "市大数据局", "市人社局"]
BRACKETS = st.sampled_from([("（", "）"), ("〔", "〕"), ("［", "］"), ("[", "]")])


@SETTINGS
@given(units=st.lists(st.sampled_from(DEPARTMENTS), min_size=1, max_size=4, unique=True),
       amount=st.integers(min_value=1, max_value=5000), bracket=BRACKETS,
       verb=st.booleans(), joiner=st.sampled_from(["\n", ""]))
def test_generated_measures_give_their_facts_back(tmp_path, rules, units, amount, bracket,
                                                  verb, joiner):
    """A measure written in one of the layouts, with any units and amount: extraction
    gives exactly those back, every quote at its place in the text."""
    open_, close = bracket
    owners = (f"{units[0]}牵头，{'、'.join(units[1:])}配合" if verb and len(units) > 1
              else f"责任单位：{'、'.join(units)}")
    filler = "推动产业集聚发展。" * (60 if not joiner else 1)
    text = joiner.join(["某市支持数字经济发展若干措施", "为加快发展，制定本措施。",
                        f"一、支持企业发展。{filler}",
                        f"1．支持企业研发。对企业给予最高{amount}万元奖励。{open_}{owners}{close}"])
    f = tmp_path / "measures.txt"
    f.write_text(text, encoding="utf-8")
    doc = parse(read_source(f, rules), rules)
    ex = extract(doc)
    assert {u.name for u in ex.units} == set(units)
    assert [(i.amount, i.unit, i.max) for i in ex.incentives] == [(amount, "万元", True)]
    assert not any(t.unit == "万元" for t in ex.targets)
    _check_provenance(doc)
