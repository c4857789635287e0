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
