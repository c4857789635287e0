"""The document tree of the real plans: tasks, boxes, tables, metadata."""

from __future__ import annotations

import pytest

from policygraph.structure import cn_number


@pytest.mark.parametrize("name, count, first, last", [
    ("services_draft", 15, "1", "15"),
    ("ten_actions", 10, "二.（一）", "二.（十）"),
    ("changji", 13, "二.（一）", "二.（十三）"),
    ("measures_draft", 14, "1", "14"),
])
def test_task_count_and_keys(docs, name, count, first, last):
    keys = [t.key for t in docs[name].tasks()]
    assert len(keys) == count
    assert (keys[0], keys[-1]) == (first, last)
    assert len(set(keys)) == count


def test_task_titles_drop_number_and_stop(docs):
    titles = [t.title for t in docs["changji"].tasks()]
    assert titles[0] == "完善区域创新体系建设"
    assert titles[-1] == "强化科学素质教育基地培育"
    assert docs["services_draft"].tasks()[10].title == "加大科技服务商“培优”服务力度"


def test_hitech_zone_tasks_restart_numbering_per_section(docs):
    keys = [t.key for t in docs["hitech_zone"].tasks()]
    assert keys[:4] == ["三.（一）", "三.（二）", "三.（三）", "三.（四）.1"]
    assert "三.（九）.3" in keys and len(keys) == 25


def test_box_items_attach_to_the_task_with_their_number(docs):
    tasks = {t.key: t for t in docs["services_draft"].tasks()}
    for key in ("1", "5", "10", "11", "15"):
        items = [c for c in tasks[key].children if c.kind == "box_item"]
        assert [c.number for c in items] == [int(key)], key
    box_1 = [c for c in tasks["1"].children if c.kind == "box_item"][0]
    assert box_1.title == "研究开发服务"


def test_project_boxes_stay_with_their_task(docs):
    tasks = {t.key: t for t in docs["hitech_zone"].tasks()}
    boxes = [c for c in tasks["三.（四）.1"].children if c.kind == "box"]
    assert [b.label for b in boxes] == ["专栏4-1"]
    assert [i.title for i in boxes[0].children if i.kind == "box_item"] == [
        "高分子膜新材料", "铝基新材料", "石墨烯材料"]


def test_assignment_lines_stay_with_their_item(docs):
    doc = docs["changji"]
    first = doc.tasks()[0]
    lines = [c.title for c in first.children if c.kind == "assignment"]
    assert lines == ["牵头单位：市科技局",
                     "配合单位：市发改委、商务和工信局、财政局、市场监督管理局、人社局"]
    measures = docs["measures_draft"]
    tail = [c for c in measures.tasks()[0].children if c.kind == "assignment"]
    assert tail[0].title == "（责任单位：市科技局、市发改委、市工信局、市卫健委，各区（县））"
    assert measures.source.text[tail[0].start:tail[0].end] == tail[0].title


def test_indicator_table(docs):
    tables = docs["hitech_zone"].tables()
    indicators = next(t.table for t in tables if "指标名称" in t.table.header)
    assert indicators.header == ["序号", "指标名称", "2020年", "2023年"]
    assert len(indicators.rows) == 13
    assert indicators.rows[3] == ["4", "高新技术企业数（家）", "168", "234"]
    assert indicators.rows[12][1] == "R&D比例（全社会研发占GDP比重）（%）"


def test_platform_table_joins_wrapped_cells(docs):
    tables = docs["hitech_zone"].tables()
    platforms = next(t.table for t in tables if "依托单位" in t.table.header)
    assert platforms.header == ["序号", "名称", "依托单位", "类型", "级别"]
    assert len(platforms.rows) == 35
    assert platforms.rows[0][1] == "全国纤维标准化技术委员会天然彩色棉分技术委员会"
    assert platforms.rows[21][1:3] == ["新疆建筑科学研究院（有限责任公司）技术中心",
                                       "新疆建筑科学研究院（有限责任公司）"]
    assert {r[4] for r in platforms.rows} == {"国家级", "自治区级", "市级"}


def test_tables_cell_spans_point_at_cell_text(docs):
    doc = docs["hitech_zone"]
    for node in doc.tables():
        for row, spans in zip([node.table.header] + node.table.rows, node.table.cell_spans):
            for cell, (start, end) in zip(row, spans):
                assert doc.source.text[start:end].replace("\n", "") == cell


def test_annexes(docs):
    annexes = [n for n in docs["hitech_zone"].root.walk() if n.kind == "annex"]
    assert [a.label for a in annexes] == ["附件（一）", "附件（二）", "附件（三）", "附件（四）"]
    assert annexes[2].title == "乌鲁木齐高新区（新市区）技术创新平台情况表"


def test_inline_items(docs):
    doc = docs["hitech_zone"]
    inline = [n for n in doc.root.walk() if n.kind == "inline_item"]
    assert len(inline) > 20
    first = inline[0]
    assert first.label == "一是" and first.title == "完善多层次政策体系"
    assert doc.source.text[first.start:first.start + 2] == "一是"


@pytest.mark.parametrize("name, expected", [
    ("changji", dict(title="昌吉市科技创新支持产业高质量发展三年行动方案（2021—2023）",
                     region="昌吉市", issuer="昌吉市人民政府办公室",
                     doc_number="昌市政办发〔2022〕15号", status="final",
                     period_start=2021, period_end=2023, issued="2022-06-17")),
    ("measures_draft", dict(title="关于凝聚驻乌高校(院所)科研创新力量 为高质量发展提供支撑的若干措施",
                            region="乌鲁木齐市", issuer=None, doc_number=None, status="draft",
                            period_start=None, period_end=None)),
    ("services_draft", dict(
        title="乌鲁木齐市加快科技服务业发展 推动科技创新和产业创新深度融合三年行动计划（2026—2028年）",
        region="乌鲁木齐市", status="draft", period_start=2026, period_end=2028)),
    ("ten_actions", dict(title="乌鲁木齐市科技创新支撑经济社会高质量发展十大行动方案",
                         region="乌鲁木齐市", status="final")),
    ("hitech_zone", dict(region="乌鲁木齐高新区（新市区）", issued="2021-03-04",
                         period_start=2021, period_end=2023, status="final")),
])
def test_plan_metadata(docs, name, expected):
    meta = docs[name].meta.model_dump()
    assert {k: meta[k] for k in expected} == expected


@pytest.mark.parametrize("text, number", [
    ("一", 1), ("十", 10), ("十三", 13), ("二十", 20), ("二十一", 21), ("二〇二一", 2021), ("15", 15),
])
def test_cn_number(text, number):
    assert cn_number(text) == number


def _parsed(text: str, rules):
    import hashlib

    from policygraph.models import Source
    from policygraph.structure import parse

    return parse(Source(path="t.txt", sha256=hashlib.sha256(text.encode()).hexdigest(),
                        encoding="utf-8", text=text), rules)


def test_a_text_with_no_line_breaks_is_read_heading_by_heading(rules):
    """Some exports run every heading into its paragraph on one line."""
    filler = "坚持创新驱动，推动高质量发展，" * 50
    text = (f"某市数字经济行动方案为加快发展，制定本方案。一、总体要求{filler}到2023年，软件业务收入达到100亿元。"
            "二、重点任务（一）建设数字基础设施。加快5G建设。（牵头单位：市工信局；配合单位："
            "市发展改革委）（二）培育数字产业。推动集聚发展。（牵头单位：市科技局）"
            "（三）释放“津产发”平台产业数据价值围绕服务数字产业化和产业数字化，汇聚资源。"
            "（四）深化政务数据开放共享聚焦提升以数据要素为核心的城市新治理力，完善平台。"
            "（五）统筹城乡一体化发展强化城乡信息化一体设计，同步实施。"
            "（六）建立统筹推进工作机制全市数字化发展顶层设计在市委领导下进行。"
            "三、保障措施（一）加强组织领导。")
    doc = _parsed(text, rules)
    tasks = {t.key: t.title for t in doc.tasks()}
    # a title run into its paragraph ends where the paragraph's first verb phrase begins
    assert tasks == {"二.（一）": "建设数字基础设施", "二.（二）": "培育数字产业",
                     "二.（三）": "释放“津产发”平台产业数据价值",
                     "二.（四）": "深化政务数据开放共享",
                     # after …化, 发展 ends the title's noun phrase; it starts no sentence
                     "二.（五）": "统筹城乡一体化发展", "二.（六）": "建立统筹推进工作机制"}
    for t in doc.tasks():  # offsets still index the text as it is
        assert text[t.start:t.start + 3] == t.label


def test_items_numbered_straight_through_with_one_unread_heading(rules):
    text = ("二、主要任务\n（一）发展数字产业\n1．大数据产业。推进。\n2．人工智能产业。推进。\n"
            "3 5G产业。推进。\n（二）推动数字治理\n4．政务数据共享。推进。\n5．数字政府。推进。\n")
    keys = [t.key for t in _parsed(text, rules).tasks()]
    assert keys == ["1", "2", "4", "5"]  # "3 5G" has no mark: the numbering still runs on


def test_a_notice_issuing_a_policy_and_a_plan_prefixes_the_policy(rules):
    """关于印发《A若干政策》《B行动计划》: the plan's keys stay bare, the policy's get P:;
    an annex that repeats the plan's tasks as a table adds none."""
    text = ("某省人民政府办公厅关于印发支持工业互联网发展若干政策和某省工业互联网创新发展行动计划"
            "的通知\n《支持工业互联网发展若干政策》《某省工业互联网创新发展行动计划》已经省政府同意，"
            "现印发给你们。\n支持工业互联网发展若干政策\n为加快发展，制定以下政策。\n"
            "一、支持工业互联网平台建设。对平台给予奖励。\n二、支持企业数字化转型。对企业给予补助。\n"
            "某省工业互联网创新发展行动计划\n为深入实施，特制定本行动计划。\n一、总体要求\n到2023年，"
            "建成平台10个。\n二、重点任务\n（一）网络体系强基行动。\n1．推进外网建设。加快建设。\n"
            "2．推进内网改造。加快改造。\n（二）平台体系赋能行动。\n3．培育平台。加快培育。\n"
            "附件\n重点任务分工表\n一、网络体系\n1．推进外网建设\n2．推进内网改造\n")
    doc = _parsed(text, rules)
    assert doc.meta.title == "某省工业互联网创新发展行动计划"
    assert [t.key for t in doc.tasks()] == ["P:一", "P:二", "1", "2", "3"]


def test_each_further_document_of_a_notice_has_its_own_prefix(rules):
    """A notice issuing three 工作方案: the plan's keys stay bare, the second's get B:, the
    third's C:, so 三.(一) of each is a task of its own."""
    work = "（一）{0}。（责任单位：市{1}局）\n（二）{0}二期。（责任单位：市{1}局）\n"
    text = ("某市人民政府办公厅关于印发某市政务服务改革工作方案等三个方案的通知\n"
            "某市政务服务改革工作方案\n一、总体要求\n做好改革。\n二、重点任务\n"
            + work.format("建设平台", "工信") + "某市数据共享工作方案\n一、总体要求\n做好共享。\n"
            "二、重点任务\n" + work.format("汇聚数据", "大数据") + "某市一网通办试点工作方案\n"
            "一、总体要求\n做好试点。\n二、重点任务\n" + work.format("选定试点", "政务"))
    doc = _parsed(text, rules)
    assert [t.key for t in doc.tasks()] == ["二.（一）", "二.（二）", "B:二.（一）", "B:二.（二）",
                                            "C:二.（一）", "C:二.（二）"]


def _text_doc(text: str, tmp_path, rules):
    """The document a plain-text file holding ``text`` reads as."""
    from policygraph.ingest import read_source
    from policygraph.structure import parse

    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    return parse(read_source(path, rules), rules)


def test_chapters_sections_and_a_table_of_contents(tmp_path, rules):
    """十四五规划 print 第X章 / 第X节 above 一、; their table of contents (with page
    numbers) is no structure."""
    text = ("某市环境应急能力建设“十四五”规划\n目 录\n第一章工作回顾 5\n第二章主要任务 14\n"
            "附件1 名词解释 ······ 58\n第一章 工作回顾\n第一节 工作成效\n成效明显。\n"
            "第二章 主要任务\n第一节 提升应急管理能力\n一、完善法制。加快修订。\n"
            "二、深化联动机制。建立机制。（责任单位：市生态环境局、应急管理\n局）\n")
    doc = _text_doc(text, tmp_path, rules)
    assert [n.label for n in doc.root.children if n.kind == "section"] == ["第一章", "第二章"]
    assert [t.key for t in doc.tasks()] == ["第二章.第一节.一", "第二章.第一节.二"]
    from policygraph.extract import extract

    units = {(u.task, u.name) for u in extract(doc, rules).units}
    assert units == {("第二章.第一节.二", "市生态环境局"), ("第二章.第一节.二", "市应急管理局")}


def test_heading_numbers_printed_apart_from_their_titles(tmp_path, rules):
    """A converter that prints 第一章 / 第一节 on lines of their own and their titles
    after: the titles go to the headings in order, so 发展回顾 and 保障措施 chapters are
    told from the chapters of tasks; a chapter of tasks among topical chapters (开展全民
    行动) does not make the others none."""
    text = ("某市生态环境保护“十四五”规划\n第一章\n第一节\n\n发展回顾\n\n“十三五”取得的成效\n"
            "成效明显，空气质量持续改善。\n第二章\n\n深化协同控制\n\n第一节 控制大气污染\n"
            "加强控制。\n第二节 推进减排\n加快减排。\n第三章\n\n强化三水统筹\n\n第一节 治理水污染\n"
            "加快治理。\n第四章\n\n开展全民行动\n\n第一节 倡导绿色生活\n推广绿色出行。\n"
            "第五章\n\n保障措施\n\n第一节 加强组织领导\n落实责任。\n")
    doc = _text_doc(text, tmp_path, rules)
    chapters = [n for n in doc.root.children if n.kind == "section"]
    assert [c.title for c in chapters] == ["发展回顾", "深化协同控制", "强化三水统筹",
                                          "开展全民行动", "保障措施"]
    assert chapters[0].children[0].title == "“十三五”取得的成效"
    assert [t.key for t in doc.tasks()] == ["第二章.第一节", "第二章.第二节", "第三章.第一节",
                                            "第四章.第一节"]


def test_numbered_items_with_no_section_above_are_tasks(rules):
    text = ("某市能源结构调整政策措施\n1．实施清洁能源替代。加快替代。\n2．推进节能降碳。加强管理。"
            "（责任单位：市发改委）\n")
    assert [t.key for t in _parsed(text, rules).tasks()] == ["1", "2"]


def test_closing_articles_are_no_tasks_and_5g_is_no_decimal(rules):
    text = ("某市支持数字经济发展若干措施\n一、支持产业\n1．支持数据中心。给予补贴。\n"
            "2．5G和物联网产业。加快发展。\n二、优化环境\n3．本政策自印发之日起施行，有效期至2023年。\n"
            "4．对同时符合两条以上扶持政策的，不重复享受。\n")
    assert [(t.key, t.title) for t in _parsed(text, rules).tasks()] == [
        ("1", "支持数据中心"), ("2", "5G和物联网产业")]


def test_a_word_table_with_a_title_row_a_two_row_header_and_merged_cells(tmp_path, rules):
    """A title across the table is its title, not its header; 规划目标 spread over two
    columns named below it heads both; a category merged down its rows is read once; a
    row's empty cell keeps the columns after it in place. The indicators read from it
    carry their own names, baselines and years."""
    import docx

    from policygraph.extract import extract
    from policygraph.pipeline import load_document

    d = docx.Document()
    d.add_paragraph("某市“十四五”能源发展规划")
    d.add_paragraph("一、发展目标")
    rows = [["专栏1 “十四五”电力发展主要目标", "", "", "", ""],
            ["类别", "指标", "2020年", "规划目标", ""],
            ["", "", "", "2025年", "年均增速"],
            ["电力需求", "全社会用电量（亿千瓦时）", "382.55", "711.13", "13.20%"],
            ["", "人均装机（千瓦/人）", "", "1.14", "7.89%"],
            ["电源", "风电装机（兆瓦）", "125", "300", "—"]]
    table = d.add_table(rows=len(rows), cols=5, style="Table Grid")
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    table.cell(0, 0).merge(table.cell(0, 4))
    table.cell(0, 0).text = rows[0][0]
    table.cell(1, 3).merge(table.cell(1, 4))
    table.cell(1, 3).text = "规划目标"
    table.cell(3, 0).merge(table.cell(4, 0))
    table.cell(3, 0).text = "电力需求"
    d.add_paragraph("二、重点任务")
    d.add_paragraph("（一）建设电网。加快建设电网。")
    d.save(tmp_path / "plan.docx")
    doc = load_document(tmp_path / "plan.docx", rules)
    (node,) = doc.tables()
    assert node.title == "专栏1 “十四五”电力发展主要目标"
    assert node.table.header == ["类别", "指标", "2020年", "规划目标2025年", "规划目标年均增速"]
    assert node.table.rows == [["电力需求", "全社会用电量（亿千瓦时）", "382.55", "711.13", "13.20%"],
                               ["", "人均装机（千瓦/人）", "", "1.14", "7.89%"],
                               ["电源", "风电装机（兆瓦）", "125", "300", "—"]]
    assert doc.source.text.count("电力需求") == 1 and doc.source.text.count("规划目标") == 1
    got = {(t.metric, t.value, t.unit, t.baseline, t.year) for t in extract(doc, rules).targets}
    assert got == {("全社会用电量", 711.13, "亿千瓦时", 382.55, 2025),
                   ("人均装机", 1.14, "千瓦/人", None, 2025),
                   ("风电装机", 300, "兆瓦", 125, 2025)}


def test_keys_keep_brackets_as_printed_and_versions_compare_them_as_one(tmp_path, rules):
    """A plan printing (一) half-width keeps it in its keys (SCHEMA: keys keep the brackets
    as printed); a version printing （一） full-width has the same tasks, not new ones."""
    from policygraph.diff import diff
    from policygraph.extract import extract

    body = "二、重点任务\n{o}一{c}建设平台。加快建设。（牵头单位：市科技局）\n"
    half = _text_doc("某市行动方案\n" + body.format(o="(", c=")"), tmp_path, rules)
    (tmp_path / "full").mkdir()
    full = _text_doc("某市行动方案\n" + body.format(o="（", c="）"), tmp_path / "full", rules)
    assert [t.key for t in half.tasks()] == ["二.(一)"]
    assert [t.key for t in full.tasks()] == ["二.（一）"]
    assert diff(extract(full, rules), extract(half, rules), rules) == []
