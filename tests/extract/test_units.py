"""Responsible units: roles, prefix distribution, collective units, canonical names."""

from __future__ import annotations


def _units(ex, key, role):
    return [u.name for u in ex.units if u.task == key and u.role == role]


def test_prefix_is_distributed(extractions):
    ex = extractions["changji"]
    assert _units(ex, "二.（一）", "support") == [
        "市发改委", "市商务和工信局", "市财政局", "市市场监督管理局", "市人社局"]
    # 州…分局 has its own prefix; the city's prefix still goes to the units after it
    assert _units(ex, "二.（六）", "support")[1:3] == ["州生态环境局昌吉市分局", "市应急管理局"]


def test_collective_units_stay_as_written(extractions):
    assert _units(extractions["changji"], "二.（十）", "support") == ["市科技局", "各乡镇", "各街道"]
    assert _units(extractions["measures_draft"], "1", "responsible")[-1] == "各区（县）"


def test_responsible_tail_and_organisation_units(extractions):
    assert _units(extractions["measures_draft"], "10", "responsible") == [
        "乌鲁木齐职业大学", "市教育局", "市委组织部", "各区（县）"]


def test_canonical_names_are_per_region(extractions):
    changji = next(u for u in extractions["changji"].units if u.name == "市科技局")
    urumqi = next(u for u in extractions["measures_draft"].units if u.name == "市科技局")
    assert changji.canonical == "昌吉市科学技术局" and changji.region == "昌吉市"
    assert urumqi.canonical == "乌鲁木齐市科学技术局" and urumqi.region == "乌鲁木齐市"
    branch = next(u for u in extractions["changji"].units if u.name.startswith("州生态"))
    assert branch.region == "昌吉回族自治州"


def test_unit_provenance_points_at_the_name(extractions, docs):
    for u in extractions["changji"].units:
        assert docs["changji"].source.text[u.prov.start:u.prov.end] == u.prov.quote
        assert u.prov.quote in u.name


# ---------------------------------------------------------------- layouts of other provinces
def _written(text: str, rules):
    """Units of a plan passage written for the test in one layout."""
    import hashlib

    from policygraph.extract import extract
    from policygraph.models import Source
    from policygraph.structure import parse

    src = Source(path="t.txt", sha256=hashlib.sha256(text.encode()).hexdigest(),
                 encoding="utf-8", text=text)
    ex = extract(parse(src, rules), rules)
    return {(u.task, u.role, u.name) for u in ex.units}, ex, text


HEAD = "梧州市人民政府关于印发梧州市数字经济实施方案的通知\n二、重点任务\n"


def test_units_in_square_and_tortoise_brackets(rules):
    got, _, _ = _written(HEAD + "（一）建设平台。加快建设。〔牵头单位：县大数据发展局;配合单位："
                         "县发改局、工业信息化和商务局等部门〕\n（二）培育企业。推动培育。"
                         "［责任单位：市科技局、财政局］\n", rules)
    assert got == {("二.（一）", "lead", "县大数据发展局"),
                   ("二.（一）", "support", "县发改局"),
                   ("二.（一）", "support", "县工业信息化和商务局"),
                   ("二.（二）", "responsible", "市科技局"),
                   ("二.（二）", "responsible", "市财政局")}


def test_units_by_verb_lead_support_and_by_duty(rules):
    got, _, _ = _written(HEAD + "（一）完善体系。推动建设。（市工信局牵头，市大数据管理局、市科技局配合）\n"
                         "（二）强化保障。加强统筹。（市发展改革委牵头，市财政局、各县（市、区）"
                         "人民政府按职责分工负责）\n（三）推进发展。实施行动（2021—2023年）。\n", rules)
    assert got == {("二.（一）", "lead", "市工信局"), ("二.（一）", "support", "市大数据管理局"),
                   ("二.（一）", "support", "市科技局"), ("二.（二）", "lead", "市发展改革委"),
                   ("二.（二）", "responsible", "市财政局"),
                   ("二.（二）", "responsible", "各县（市、区）人民政府")}


def test_a_bracket_broken_by_pdf_line_breaks(rules):
    got, ex, text = _written(
        HEAD + "（一）推进绿色转型。推动企业绿色升级，建设绿色工厂。（市工业和信息化局、发展\n"
               "改革委、生态环境局按职责分工负责）\n（二）提高服务水平。\n", rules)
    assert got == {("二.（一）", "responsible", "市工业和信息化局"),
                   ("二.（一）", "responsible", "市发展改革委"),
                   ("二.（一）", "responsible", "市生态环境局")}
    for u in ex.units:  # the quote is the printed span, line break and all
        assert text[u.prov.start:u.prov.end] == u.prov.quote


def test_names_alone_closing_a_sentence_answer_for_it_and_words_in_brackets_do_not(rules):
    got, _, _ = _written(HEAD + "（一）开展创建活动。组织评价。（市住房城乡建设局、市发展改革委，"
                         "各区县（市）人民政府）\n（二）支持驻市高校(院所)建设。加快建设。\n", rules)
    assert got == {("二.（一）", "responsible", "市住房城乡建设局"),
                   ("二.（一）", "responsible", "市发展改革委"),
                   ("二.（一）", "responsible", "各区县（市）人民政府")}


def test_shared_suffix_own_places_and_lists_after_a_lead(rules):
    got, _, _ = _written(
        HEAD + "（一）建设海洋牧场。加快建设。（牵头单位：自治区海洋局；配合单位：北海、防城港、"
               "钦州市人民政府，自治区科技厅、天津银保监局等相关单位）\n"
               "（二）加大政策支持。（市发改委、财政局牵头，市工信局、科技局）\n"
               "（三）推进绿色转型。（市工业和信息化局、供销社按职责\n分工负责）\n", rules)
    assert got == {
        ("二.（一）", "lead", "自治区海洋局"), ("二.（一）", "support", "北海市人民政府"),
        ("二.（一）", "support", "防城港市人民政府"), ("二.（一）", "support", "钦州市人民政府"),
        ("二.（一）", "support", "自治区科技厅"), ("二.（一）", "support", "天津银保监局"),
        ("二.（二）", "lead", "市发改委"), ("二.（二）", "lead", "市财政局"),
        ("二.（二）", "support", "市工信局"), ("二.（二）", "support", "市科技局"),
        ("二.（三）", "responsible", "市工业和信息化局"), ("二.（三）", "responsible", "市供销社")}


def test_collective_organs_party_bodies_and_bracketed_departments(rules):
    got, _, _ = _written(
        HEAD + "（一）健全工作机构。（责任单位：市委组织部（人才办）、编办、发改委（大数据局），各县"
               "（市、区）人民政府、开发区（投资区、高新区）管委会）\n", rules)
    assert {name for _, _, name in got} == {
        "市委组织部（人才办）", "市委编办", "市发改委（大数据局）", "各县（市、区）人民政府",
        "各开发区（投资区、高新区）管委会"}
    got, _, _ = _written(HEAD + "（二）深化合作。（牵头单位：市商务局、中新天津生态城管委会、"
                         "人民银行天津分行）\n", rules)
    assert {name for _, _, name in got} == {"市商务局", "中新天津生态城管委会", "人民银行天津分行"}


def test_a_deadline_after_the_units_is_no_unit_and_more_labels_have_roles(rules):
    """（责任部门：X，完成期限：…） ends its list at the deadline's label; 参加单位 support,
    推进单位 answer for, 牵头落实 lead."""
    got, _, _ = _written(HEAD + "（一）加强考核。做好考核工作（责任部门：综合处，完成期限：2022 年"
                         "四季度）。\n（二）建设平台。加快建设。（牵头单位：省卫生健康委，参加单位："
                         "省大数据局、省医保局）\n（三）推进接入。全覆盖。（推进单位：区科委、各运营商）\n"
                         "（四）推广应用。加快推广。（牵头落实：市大数据局）\n", rules)
    assert got == {("二.（一）", "responsible", "综合处"),
                   ("二.（二）", "lead", "省卫生健康委"),
                   ("二.（二）", "support", "省大数据局"), ("二.（二）", "support", "省医保局"),
                   ("二.（三）", "responsible", "区科委"), ("二.（三）", "responsible", "各运营商"),
                   ("二.（四）", "lead", "市大数据局")}
