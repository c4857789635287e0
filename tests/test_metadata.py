"""Plan metadata in the layouts plans from all over China print it (metadata.py, gazetteer.py).

Each passage is written in one layout, with made-up but well-formed names; the seed plans'
own metadata is checked in test_structure.py.
"""

from __future__ import annotations

import hashlib

import pytest

from policygraph.gazetteer import COUNTY, PREFECTURE, PROVINCE, short_forms
from policygraph.models import Source
from policygraph.structure import parse

BODY = "\n一、总体要求\n到2025年，高新技术企业达到500家。\n二、重点任务\n（一）建设平台。\n"


def meta(head: str, rules, body: str = BODY):
    text = head + body
    src = Source(path="t.txt", sha256=hashlib.sha256(text.encode()).hexdigest(),
                 encoding="utf-8", text=text)
    return parse(src, rules).meta


def test_gazetteer_reads_every_level_with_short_forms(rules):
    gaz = rules.metadata.gazetteer
    levels = {p.level for p in gaz.places}
    assert levels == {PROVINCE, PREFECTURE, COUNTY}
    assert len([p for p in gaz.places if p.level == PROVINCE]) == 34
    assert len(gaz.places) > 3000
    assert short_forms("广西壮族自治区", PROVINCE) == ["广西"]
    assert short_forms("内蒙古自治区", PROVINCE) == ["内蒙古"]  # 蒙古 is its own name here
    assert short_forms("黔南布依族苗族自治州", PREFECTURE) == ["黔南", "黔南州"]
    assert short_forms("大化瑶族自治县", COUNTY) == ["大化"]
    district = next(p for p in gaz.by_name["兴宾区"])
    assert district.parent == "来宾市" and district.region == "来宾市兴宾区"
    assert {p.parent for p in gaz.by_name["朝阳区"]} == {"北京市", "长春市"}


def test_notice_wrapper_broken_by_pdf_conversion(rules):
    head = ("杭州市科学技术局关于印发《杭州市科创领域碳\n\n达峰行动方案》的通知\n"
            "杭科〔2022〕12 号\n各区、县（市）科技局：\n现将《杭州市科创领域碳达峰行动方案》"
            "印发给你们，请认真贯彻执行。\n")
    m = meta(head, rules)
    assert m.title == "杭州市科创领域碳达峰行动方案"
    assert m.issuer == "杭州市科学技术局"
    assert m.doc_number == "杭科〔2022〕12号"
    assert m.region == "杭州市"
    assert m.period_end == 2025  # no range in the title: the first deadline


def test_notice_issuing_two_documents_names_the_plan(rules):
    head = ("安徽省人民政府办公厅关于印发支持工业互联网发展若干政策和安徽省工业互联网创新发展"
            "行动计划(2021—2023年)的通知\n（皖政办秘〔2021〕82号）\n各市人民政府：\n"
            "《支持工业互联网发展若干政策》《安徽省工业互联网创新发展行动计划（2021-2023年）》"
            "已经省政府同意，现印发给你们，请认真贯彻执行。\n")
    m = meta(head, rules)
    assert m.title == "安徽省工业互联网创新发展行动计划（2021-2023年）"
    assert m.doc_number == "皖政办秘〔2021〕82号"
    assert (m.region, m.period_start, m.period_end) == ("安徽省", 2021, 2023)


def test_a_text_with_no_line_breaks(rules):
    text = ("天津市人民政府关于印发天津市加快数字化发展三年行动方案（2021—2023年）的通知各区人民"
            "政府：现将《天津市加快数字化发展三年行动方案（2021—2023年）》印发给你们，望遵照执行。"
            "天津市人民政府2021年8月19日天津市加快数字化发展三年行动方案（2021—2023年）为深入贯彻"
            "落实，制定本方案。一、总体要求到2023年，数字经济核心产业增加值占比达到10%。")
    m = meta(text, rules, body="")
    assert m.title == "天津市加快数字化发展三年行动方案（2021—2023年）"
    assert (m.issuer, m.region) == ("天津市人民政府", "天津市")


def test_district_region_carries_its_city_and_a_citation_is_not_the_number(rules):
    head = ("北京市大兴区人民政府办公室关于印发《大兴区数字经济创新发展三年行动计划（2021-2023年）》"
            "的通知\n京兴政办发〔2021〕9号\n各镇人民政府：\n根据《北京市关于加快建设全球数字经济标杆"
            "城市的实施方案》（京发〔2021〕5号），现将《大兴区数字经济创新发展三年行动计划"
            "（2021-2023年）》印发给你们。\n")
    m = meta(head, rules)
    assert m.region == "北京市大兴区"
    assert m.doc_number == "京兴政办发〔2021〕9号"


def test_county_issuer_and_square_bracket_number(rules):
    head = ("大化瑶族自治县人民政府办公室关于印发大化瑶族自治县推进数字经济发展三年行动计划"
            "（2018—2020年）的通知\n大政办发[2019]83号\n各乡（镇）人民政府：\n")
    m = meta(head, rules)
    assert m.region == "大化瑶族自治县"
    assert m.doc_number == "大政办发[2019]83号"
    assert m.issuer == "大化瑶族自治县人民政府办公室"


@pytest.mark.parametrize("number, text, region", [
    ("桂政办发〔2023〕51号", "全区各族人民。加快建设数字广西。", "广西壮族自治区"),
    ("宁政发〔2022〕3号", "推动南京市软件产业发展，南京江北新区率先。", "南京市"),
    ("宁政发〔2022〕3号", "宁夏回族自治区各市县，全区。", "宁夏回族自治区"),
    ("衢政办发〔2019〕20号", "我市工业数字化转型，衢州市各县。", "衢州市"),
])
def test_region_from_the_document_number_abbreviation(rules, number, text, region):
    head = f"数字经济发展行动方案\n{number}\n{text}\n"
    assert meta(head, rules).region == region


def test_joint_issuer_labelled_title_and_english_draft(rules):
    joint = ("长沙市住房和城乡建设局等 12 部门关于印发\n长沙市绿色建筑创建行动实施方案的通知\n"
             "长住建发〔2021〕80 号\n")
    m = meta(joint, rules)
    assert (m.issuer, m.region, m.title) == ("长沙市住房和城乡建设局", "长沙市",
                                            "长沙市绿色建筑创建行动实施方案")
    english = ("【英文题名】Several Policies for the Jinan AI Pilot Zone (Draft for Comment)\n\n"
               "为落实任务部署，特制定本政策。济南市各区县。\n")
    m = meta(english, rules)
    assert m.title == "Several Policies for the Jinan AI Pilot Zone"
    assert m.status == "draft"


def test_a_party_committee_and_a_government_issuing_on_two_lines(rules):
    """中共石家庄市委 / 石家庄市人民政府 on lines of their own above the 《title》 issue the
    plan together; cleaning does not join them to the title."""
    from policygraph.ingest import read_bytes

    text = ("石家庄关于认真做好碳达峰碳中和工作的实施方案\n\n中共石家庄市委\n石家庄市人民政府\n"
            "《关于认真做好碳达峰碳中和工作的实施方案》\n为做好工作，制定如下实施方案。" + BODY)
    doc = parse(read_bytes(text.encode(), "t.txt", ".txt", rules), rules)
    assert doc.meta.issuer == "中共石家庄市委、石家庄市人民政府"
    assert doc.meta.region == "石家庄市"
    assert "\n中共石家庄市委\n" in doc.source.text
