"""Organisations (enterprises, universities, institutes) named in a plan."""

from __future__ import annotations

import re

from ..models import OrgFact
from ..rules import Rules
from .context import Context
from .names import first_name, name_start

ORG_LEAD = re.compile(r"^(?:支持|鼓励|推动|依托|由|以|发挥|用好|加强与|与|联合|引导)+")
ORG_TAIL = re.compile(r"联合|加快|积极|共同|重组|主导|牵头|建设|创建|共建|为主体|、|，|等|和|与|$")


def org_kind(name: str, rules: Rules) -> str | None:
    m = rules.orgs.rx["kind_end"].search(name)
    return rules.orgs.kinds[m.group(0)] if m else None


def is_org(name: str, rules: Rules) -> bool:
    return (org_kind(name, rules) is not None and len(name) >= 4
            and bool(rules.orgs.rx["anchor"].search(name)))


def org_ending_at(ctx: Context, end: int, floor: int) -> str | None:
    """The organisation whose name ends right at ``end`` (新疆大学“…”), if any."""
    start = name_start(ctx.text, end, floor, ctx.rules.platforms.rx["left_stop"])
    name = ORG_LEAD.sub("", ctx.text[start:end])
    return name if is_org(name, ctx.rules) else None


def first_org(ctx: Context, text: str) -> str | None:
    """The first organisation of a clause: 支持金风科技股份有限公司联合新疆大学… → 金风科技股份有限公司."""
    name = first_name(text, ctx.rules.orgs.rx["kind"], ORG_LEAD, ORG_TAIL)
    return name if name and is_org(name, ctx.rules) else None


def extract_orgs(ctx: Context) -> list[OrgFact]:
    kinds = ctx.rules.orgs.rx["kind"]
    seen: dict[str, OrgFact] = {}
    for seg in ctx.segments:
        for m in kinds.finditer(ctx.text, seg.start, seg.end):
            if kinds.match(ctx.text, m.end()):
                continue  # 中国科学院新疆理化所: the name goes on
            name = org_ending_at(ctx, m.end(), seg.start)
            if name and name not in seen:
                start = m.end() - len(name)
                seen[name] = OrgFact(name=name, kind=org_kind(name, ctx.rules),
                                     prov=ctx.prov(start, m.end()))
    return list(seen.values())
