"""Responsible units from 牵头单位 / 配合单位 / 责任单位 lines, prefix distributed.

"配合单位：市发改委、商务和工信局" gives 市发改委 and 市商务和工信局; "各乡镇、街道" gives
各乡镇 and 各街道. Each unit also gets its full official name from ``knowledge/units.yml``
aliases and the region its prefix points to (市 → the plan's city, 州 → its prefecture).
"""

from __future__ import annotations

import re

from ..gazetteer import short_forms
from ..models import UnitFact
from .context import Context, overlaps

OPEN, CLOSE = "（(", "）)"
WHITE = re.compile(r"\s+")
BRACKETED_END = re.compile(r"[（(][^（）()]*[）)]$")


def split_units(text: str, start: int, ctx: Context) -> list[tuple[str, int, int]]:
    """Split a unit list on 、，； outside brackets: (name, start, end) with offsets."""
    sep = ctx.rules.units.rx["separators"]
    parts, depth, begin = [], 0, 0
    for i, ch in enumerate(text + "、"):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and sep.match(ch):
            name = text[begin:i].strip()
            if name:
                lead = len(text[begin:i]) - len(text[begin:i].lstrip())
                parts.append((name, start + begin + lead, start + begin + lead + len(name)))
            begin = i + 1
    return parts


def distribute_prefix(names: list[str], ctx: Context) -> list[str]:
    """Give a name printed without a prefix the prefix it shares with the list:
    各 to what follows it (各乡镇、街道 → 各街道), the party committee's prefix to a party
    body (市委组织部、编办 → 市委编办), else the list's first administrative prefix to a
    department (市发改委、州…分局、应急管理局 → 市应急管理局)."""
    rx = ctx.rules.units.rx
    out: list[str] = []
    admin = party = None
    for name in names:
        m = rx["prefix"].match(name)
        bare = BRACKETED_END.sub("", name)  # 发改委(大数据局) is a 委
        after_collective = out and rx["collective"].match(out[-1])
        if m:
            if admin is None and not rx["collective"].match(name):
                admin = m["prefix"]
            if party is None and (pm := rx["party_prefix"].match(name)):
                party = pm.group(0)
            out.append(name)
        elif party and rx["party_body"].search(bare):
            out.append(party + name)  # 市委组织部、编办 → 市委编办
        elif after_collective and (not rx["department"].search(bare)
                                   or rx["local_organ"].search(bare)):
            # 各乡镇、街道 → 各街道; 各县（市、区）政府、开发区管委会 → 各开发区管委会
            out.append(after_collective.group(0) + name)
        elif admin and rx["department"].search(bare) and not _placed(name, ctx):
            out.append(admin + name)
        else:
            out.append(name)
    return out


def distribute_suffix(names: list[str], ctx: Context) -> list[str]:
    """Give bare place names the organ the next placed name carries: 北海、防城港、钦州市
    人民政府 → 北海市人民政府, 防城港市人民政府, 钦州市人民政府."""
    gaz = ctx.rules.metadata.gazetteer
    out = list(names)
    bare: list[int] = []  # indexes of the run of bare places waiting for an organ
    for i, name in enumerate(names):
        m = gaz.match(name)
        if m is not None and m.end() == len(name):
            bare.append(i)
            continue
        if m is not None and bare:
            place = gaz.spellings[m.group(0)][0]
            stems = [f for f in [place.name, *short_forms(place.name, place.level)]
                     if name.startswith(f)]
            suffix = name[len(min(stems, key=len)):]  # 市人民政府
            for k in bare:
                if any(p.level == place.level for p in gaz.spellings[names[k]]):
                    out[k] = names[k] + suffix
        bare = []
    return out


def _placed(name: str, ctx: Context) -> bool:
    """A unit named with its own place (天津银保监局, 滨海新区人民政府) or name (中新天津
    生态城管委会, 人民银行天津分行) takes no prefix."""
    return (ctx.rules.metadata.gazetteer.match(name) is not None
            or ctx.rules.units.rx["own_name"].search(name) is not None)


def canonical(name: str, plan_region: str | None, ctx: Context) -> tuple[str, str | None]:
    """市科技局 in 乌鲁木齐市 → (乌鲁木齐市科学技术局, 乌鲁木齐市)."""
    u = ctx.rules.units
    m = u.rx["prefix"].match(name)
    region = _prefix_region(m["prefix"] if m else None, plan_region, ctx)
    if m is None or u.rx["collective"].match(name):
        return (f"{region}{name}" if region and m else name), region
    rest = name[m.end():]
    alias = u.rx["alias"].search(rest)
    if alias:
        rest = rest[:alias.start()] + u.aliases[alias.group(0)]
    return f"{region or m['prefix']}{rest}", region


def _prefix_region(prefix: str | None, plan_region: str | None, ctx: Context) -> str | None:
    scope = ctx.rules.units.prefix_region.get(prefix or "", "plan")
    if plan_region is None or scope == "plan":
        return plan_region
    parents = {r.name: r.parent for r in ctx.rules.metadata.regions}
    region = plan_region
    while region is not None and parents.get(region) is not None:
        region = parents[region]
        if scope == "parent":
            return region
    return region


def extract_units(ctx: Context) -> list[UnitFact]:
    """Units of assignment lines (牵头单位：… on a line of its own or ending a heading),
    then of unit brackets anywhere in a task's text (（X牵头，Y配合）, 〔责任单位：…〕)."""
    u = ctx.rules.units
    facts: list[UnitFact] = []
    covered: list[tuple[int, int]] = []
    for node in ctx.nodes.get("assignment", []):
        line = ctx.text[node.start:node.end]
        if line.lstrip().startswith(("（", "(")) and not line.rstrip().endswith(("）", ")")):
            continue  # a bracket a PDF line break cut: read whole by the bracket scan below
        covered.append((node.start, node.end))
        task = ctx.task_of(node)
        labels = list(u.rx["label"].finditer(line))
        for k, m in enumerate(labels):
            stop = labels[k + 1].start() if k + 1 < len(labels) else len(line)
            body = line[m.end():stop].rstrip()
            if line.lstrip().startswith(("（", "(")) and body.endswith(("）", ")")):
                body = body[:-1]  # the tail's own closing bracket
            facts += _facts(ctx, task, u.roles[m["label"]], body, node.start + m.end())
    covered.sort()
    # A task's whole text, not line by line: text from PDF breaks a bracket across lines.
    for task in ctx.tasks:
        for m in u.rx["bracket"].finditer(ctx.text, task.start, task.end):
            if overlaps(covered, m.start(), m.end()):
                continue
            body, start = m.group(m.lastgroup), m.start(m.lastgroup)
            groups = role_groups(body, start, ctx) or (
                [("responsible", body, start)] if u.bare_list_at(ctx.text, m) else [])
            for role, part, offset in groups:
                facts += _facts(ctx, task, role, part, offset)
    return facts


def role_groups(body: str, start: int, ctx: Context) -> list[tuple[str, str, int]]:
    """A bracket's unit lists with their roles: by labels (牵头单位：X；配合单位：Y) or by
    verbs (X牵头，Y、Z配合 / 按职责分工负责). (Names alone closing a sentence answer for
    it: see ``UnitRules.bare_list_at``.)"""
    u = ctx.rules.units
    labels = list(u.rx["label"].finditer(body))
    if labels:
        return [(u.roles[m["label"]], body[m.end():stop].rstrip("；;，, "), start + m.end())
                for m, stop in zip(labels, [n.start() for n in labels[1:]] + [len(body)])]
    out, begin = [], 0
    for m in u.rx["verb"].finditer(body):
        out.append((u.verb_roles[WHITE.sub("", m["verb"])], body[begin:m.start()], start + begin))
        begin = m.end()
    rest = body[begin:].strip("，,；; ")
    if out and out[-1][0] == "lead" and rest and u.is_unit_list(rest):
        # X牵头，Y、Z (no verb after them): they work with the lead
        out.append(("support", body[begin:], start + begin))
    return out


def _facts(ctx: Context, task, role: str, body: str, offset: int) -> list[UnitFact]:
    """One fact per unit of a list, shared prefix distributed, 等部门 dropped; the list
    ends at another label (；完成时限：…)."""
    u = ctx.rules.units
    if other := u.rx["other_label"].search(body):
        body = body[:other.start()]
    parts = []
    for name, start, end in split_units(body, offset, ctx):
        name = WHITE.sub("", name)  # a PDF line break inside a name
        tail = u.rx["list_tail"].search(name)
        if tail:
            name, end = name[:tail.start()], end - len(tail.group(0))
        if name:
            parts.append((name, start, end))
    names = distribute_suffix(distribute_prefix([p[0] for p in parts], ctx), ctx)
    facts = []
    for name, (_written, start, end) in zip(names, parts):
        full, region = canonical(name, ctx.doc.meta.region, ctx)
        kind = "collective" if u.rx["collective"].match(name) else (
            "government" if u.rx["prefix"].match(name) else "organisation")
        facts.append(UnitFact(task=task.key if task else None, role=role, name=name,
                              canonical=full, region=region, kind=kind, prov=ctx.prov(start, end)))
    return facts
