"""Organisations named in the seed plans (extract/orgs.py)."""

from __future__ import annotations


def orgs(ex) -> set[tuple[str, str]]:
    return {(o.name, o.kind) for o in ex.organizations}


def test_universities_institutes_and_enterprises_with_their_kind(extractions):
    assert orgs(extractions["changji"]) == {
        ("中国科学院", "institute"), ("中科院新疆生地所", "institute"),
        ("新疆医科大学", "university")}
    assert orgs(extractions["ten_actions"]) == {("新疆大学", "university")}  # four characters
    assert {("新疆大学", "university"), ("新疆农业大学", "university"),
            ("金风科技股份有限公司", "enterprise"), ("新疆畜科院", "institute")} <= \
        orgs(extractions["measures_draft"])


def test_each_organisation_quotes_its_name(extractions):
    for ex in extractions.values():
        assert all(o.prov.quote == o.name for o in ex.organizations)
