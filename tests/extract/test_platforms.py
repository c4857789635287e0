"""Platforms: named things, not kinds; hosts; levels; table rows."""

from __future__ import annotations


def _platforms(ex):
    return {p.name: p for p in ex.platforms}


def test_hosts_from_the_text(extractions):
    p = _platforms(extractions["measures_draft"])
    assert p["国家风电技术创新中心"].host == "金风科技股份有限公司"
    assert p["荒漠与绿洲生态国家重点实验室"].host == "中国科学院新疆生态与地理研究所"
    assert p["中哈牧业技术交流合作基地"].host == "新疆畜科院"
    assert p["“红山”实验室"].level == "市级"
    hz = _platforms(extractions["hitech_zone"])
    assert hz["石墨烯铝合金国家重点实验室"].host == "新疆众和股份有限公司"  # 由X联合Y…共建
    assert hz["水处理国家工程技术研究中心"].host == "新疆德蓝股份有限公司"  # 。依托X建设


def test_generic_kinds_are_not_platforms(extractions):
    names = {p.name for ex in extractions.values() for p in ex.platforms}
    for generic in ("重点实验室", "众创空间", "新疆实验室", "国家重点实验室", "大学科技园",
                    "概念验证中心", "产业研究院", "企业技术中心"):
        assert generic not in names


def test_platform_table_rows(extractions):
    hz = _platforms(extractions["hitech_zone"])
    row = hz["新疆百花村软件园创客空间"]
    assert (row.host, row.kind, row.level) == ("新疆百花村软件园发展有限公司", "创客空间", "市级")
    assert "全国纤维标准化技术委员会天然彩色棉分技术委员会" in hz


def test_names_do_not_swallow_words_around_them(extractions):
    names = {p.name for ex in extractions.values() for p in ex.platforms}
    assert "怀柔国家实验室新疆基地" in names  # not 我市企事业单位与怀柔…
    assert "国家风力发电技术创新中心" in names  # not 服务国家…
    assert "国家特色产业基地" not in names  # a kind of base, not one base
    assert not any(n.startswith(("与", "出", "到")) for n in names)


def test_platforms_of_other_provinces(rules):
    """Any place of the national gazetteer makes a name specific; zones, science cities
    and data centres are kinds too; a name whose only place is the country is a title a
    place bids for, unless it is a research platform the state names one by one."""
    import hashlib

    from policygraph.extract import extract
    from policygraph.models import Source
    from policygraph.structure import parse

    text = ("某市行动方案\n二、重点任务\n（一）建设平台。加快建设永修县中车智能交通产业园、"
            "鄱阳湖生态科技城和梧州市大数据中心，打造齐鲁科创大走廊，争创国家绿色产业示范基地，"
            "支持荒漠与绿洲生态国家重点实验室建设，推进现代特色农业示范区建设。依托中国（天津）"
            "自由贸易试验区探索，加大国家数字经济创新发展试验区（福建）建设，共建长三角大数据中心。\n")
    src = Source(path="t.txt", sha256=hashlib.sha256(text.encode()).hexdigest(),
                 encoding="utf-8", text=text)
    names = {p.name for p in extract(parse(src, rules), rules).platforms}
    assert names == {"永修县中车智能交通产业园", "鄱阳湖生态科技城", "梧州市大数据中心",
                     "齐鲁科创大走廊", "荒漠与绿洲生态国家重点实验室", "中国（天津）自由贸易试验区",
                     "国家数字经济创新发展试验区（福建）", "长三角大数据中心"}


def test_zones_bid_for_verbs_before_names_and_places_in_brackets(rules):
    """A zone a place bids for (争创 / 申建 …) is a title, not a platform; a verb before a
    name (入选, 启动, 纳入) is not part of it, and no name runs on over one to a longer
    kind, nor starts with the measure word of a figure before it (2 个…); a region names
    one transfer centre."""
    from policygraph.extract import extract
    from policygraph.ingest import read_bytes
    from policygraph.structure import parse

    text = ("某市行动方案\n二、重点任务\n（一）建设平台。争创美丽中国先行区，申建长株潭自由贸易试验区。"
            "建设黄河流域技术转移中心，启动宁波市大数据中心建设，中卫工业园入选首批国家级零碳园区。"
            "加大国家数字经济创新发展试验区（福建）建设，建成 1 至 2 个中新天津生态城。\n")
    src = read_bytes(text.encode(), "t.txt", ".txt", rules)
    names = {p.name for p in extract(parse(src, rules), rules).platforms}
    assert names == {"黄河流域技术转移中心", "宁波市大数据中心", "中卫工业园",
                     "国家数字经济创新发展试验区（福建）", "中新天津生态城"}
