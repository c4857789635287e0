"""Documents a plan cites in 《》 (extract/documents.py), on the seed plans' own text."""

from __future__ import annotations

import re

from ..conftest import PLANS, RAW


def test_each_cited_document_once_with_its_place(extractions):
    ex = extractions["hitech_zone"]
    text = (RAW / PLANS["hitech_zone"]).read_text(encoding="utf-8")
    printed = re.findall(r"《([^《》\n]{2,80})》", text)
    titles = [c.title for c in ex.cited]
    # 41 citations of 35 documents: each document once, in the order first cited.
    assert (len(printed), len(titles)) == (41, 35)
    assert titles == list(dict.fromkeys(printed))
    assert "关于建设第三批大众创业万众创新示范基地的通知" in titles


def test_the_plans_own_title_is_not_a_citation(extractions):
    ex = extractions["changji"]
    assert [c.title for c in ex.cited] == ["昌吉州科技创新支持产业高质量发展三年行动方案（2021—2023年）"]
    assert all(c.title != ex.plan.title for c in ex.cited)
    assert all(c.prov.quote == c.title for c in ex.cited)
