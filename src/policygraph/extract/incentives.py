"""Incentives: money a plan promises. "给予每家最高30万元奖励" → amount 30, unit 万元, max.

An amount (or a share, 按投资额的20%) is an incentive when its sentence promises money (a
word of ``knowledge/incentives.yml``: 奖励, 补贴, 贴息 ...) and it is not a threshold that
qualifies who gets it (年营收超过10亿元的企业). A range (给予50-100%补贴) gives one
incentive per printed amount. Every amount taken here is *claimed*, so the targets
extractor does not read the same 30万元 as a target.
"""

from __future__ import annotations

import re

from ..models import IncentiveFact
from .context import (Context, Segment, clause_end, clause_start, sentence_end,
                      sentence_start)
from .targets import parse_number

MAX_WHAT = 30  # characters of the clause kept as `what`
LISTED = re.compile(r"(?:\d+(?:\.\d+)?、)+$")


def extract_incentives(ctx: Context) -> list[IncentiveFact]:
    found: list[IncentiveFact] = []
    for seg in ctx.segments:
        if seg.past or seg.node.kind == "annex":
            continue
        found += _segment_incentives(ctx, seg)
    return found


def _segment_incentives(ctx: Context, seg: Segment) -> list[IncentiveFact]:
    rx = ctx.rules.incentives.rx
    text = ctx.text
    body = max(seg.node.body_start, seg.start)
    out = []
    for m in rx["amount"].finditer(text, body, seg.end):
        if rx["qualifier_after"].match(text, m.end(), seg.end):
            continue
        clause_from = clause_start(text, m.start(), body)
        lead = text[clause_from:m.start()]
        if rx["threshold_before"].search(lead) and not rx["words"].search(lead) \
                and not rx["rate_lead"].search(lead):
            continue  # 年营收超过10亿元: a threshold, unless a rate of it (按投资额的30%)
        s_from, s_to = sentence_start(text, m.start(), body), sentence_end(text, m.end(), seg.end)
        share = m["unit"] in ("%", "％", "‰")  # a rate per thing (10万元/人) is money
        # A share promises money in its own clause (占比达到20% is a target), or in its
        # sentence when it is a rate (按投资额的30%，给予补助).
        where = text[clause_from:clause_end(text, m.end(), seg.end)] \
            if share and not rx["rate_lead"].search(lead) else text[s_from:s_to]
        if not rx["words"].search(where):
            continue
        capped = bool(rx["max_before"].search(lead))
        what = _what(ctx, text[s_from:m.start()])
        unit = "%" if m["unit"] == "％" else m["unit"]
        # 分别给予20、30、40万元奖励: the figures listed before share the unit
        listed = LISTED.search(text, max(clause_from, m.start() - 40), m.start())
        nums = (listed.group(0).strip("、").split("、") if listed else []) + [m["num"], m["num2"]]
        for num in filter(None, nums):
            value = parse_number(num)
            if value is None:
                continue
            out.append(IncentiveFact(
                task=seg.task.key if seg.task else None, what=what, amount=value, unit=unit,
                max=capped, rate=share, prov=ctx.prov(clause_from, m.end())))
        ctx.claim(listed.start() if listed else m.start(), m.end())
    return out


def _what(ctx: Context, before: str) -> str:
    """The words before the amount that say what is paid for, cut to a few."""
    before = re.sub(r"\s+", "", before)
    before = ctx.rules.incentives.rx["what_lead_in"].sub("", before)
    return before[-MAX_WHAT:].strip("，,、：:")
