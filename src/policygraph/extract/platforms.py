"""Named innovation platforms and carriers: laboratories, centres, incubators, parks, bases.

A platform name ends in a kind from ``knowledge/platforms.yml`` and is kept only when it names
one real thing: it holds a place (新疆, 中国, 河马泉 ...), a country pair (中-乌), an
organisation, a number (10万亩…产业园) or a quoted proper name (“红山”实验室), and it is not
just a kind (重点实验室, 众创空间, 新疆实验室). Its host is the 依托单位 or builder the text
names: 新疆大学“…实验室”, 支持X联合Y建设…, …。依托X建设 / 由X建设 / 以X为主体.
"""

from __future__ import annotations

import re

from ..models import Node, PlatformFact
from .context import Context, Segment, clause_start
from .names import name_start
from .orgs import first_org, org_ending_at

NAME_CHARS = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9·\-－（）()‘’' ]*")
# Used with match(text, pos): no ^, which would only match at the start of the text.
AFTER_HOST = re.compile(r"[”’]?[。，,；]?\s*(?:依托|由|以)(?P<rest>[^，。；]+)")
MODIFIERS = re.compile(
    r"^(?:各类|一批|一流|重点|新型|专业化|高水平|特色|高能级|部级|标准级|首批|区域性|区域"
    r"|第[一二三四五六七八九十\d]+批)+")
# A quantity or a year before a name is not part of it (培育出1-2个…基地, 到2023年…).
COUNTED = re.compile(r"[个家所批项座]")
DIGIT_BEFORE = re.compile(r"\d\s*$")
QUANTITY_LEAD = re.compile(r".*?(?:\d+(?:\s*[-—－~至到]\s*\d+)?\s*(?:个|家|所|批|项|座)|20\d\d\s*年)")


def extract_platforms(ctx: Context) -> list[PlatformFact]:
    found: list[PlatformFact] = []
    for seg in ctx.segments:
        if seg.node.kind != "annex":  # an annex title names a document, not a platform
            found += _segment_platforms(ctx, seg)
    for node in ctx.tables:
        found += _table_platforms(ctx, node)
    return _merge(ctx, found)


def _segment_platforms(ctx: Context, seg: Segment) -> list[PlatformFact]:
    p = ctx.rules.platforms
    text = ctx.text
    body = max(seg.node.body_start, seg.start)
    out = []
    for m in p.rx["kind"].finditer(text, body, seg.end):
        if _continues(ctx, m.end(), seg.end):
            continue  # 怀柔国家实验室新疆基地: the name goes on to 基地
        if len(m.group(0)) == 1 and CJK.match(text, m.end()):
            continue  # a one-character kind (谷) inside a longer name
        start, quoted = _start(ctx, seg, body, m.start(), m.end())
        lead = QUANTITY_LEAD.match(text, start, m.start())
        if lead and not quoted:
            start = lead.end()  # 培育出1-2个国家特色产业基地 → 国家特色产业基地
        elif COUNTED.match(text, start) and DIGIT_BEFORE.search(text, max(0, start - 3), start):
            start += 1  # 建设 1 至 2 个绿色生态城: the name began after the figures
        end = _place_after(ctx, m.end(), seg.end)
        name = text[start:end].strip()
        level, name = _level(ctx, text[max(body, start - 4):start], name)
        if not _specific(ctx, name, quoted == "proper", p.kinds[m.group(0)]):
            continue
        if p.kinds[m.group(0)] in p.zone_kinds and p.rx["bidding"].search(
                text, clause_start(text, start, seg.start), start):
            continue  # 争创国家…示范区: a title bid for, not a zone there is
        out.append(PlatformFact(
            task=seg.task.key if seg.task else None, name=name, kind=p.kinds[m.group(0)],
            level=level, host=_host(ctx, seg, start - (1 if quoted == "whole" else 0), end),
            prov=ctx.prov(end - len(name), end)))
    return out


CJK = re.compile(r"[\u4e00-\u9fa5]")
CONTINUES = 14  # how far a name may go on to a longer kind (…高新区|国家安全产业示范园)
PLACE_AFTER = re.compile(r"[（(](?P<place>[^（）()]{2,8})[）)]")


def _place_after(ctx: Context, end: int, ceiling: int) -> int:
    """A place in brackets right after the kind is part of the name: 国家数字经济创新发展
    试验区（福建）."""
    m = PLACE_AFTER.match(ctx.text, end, ceiling)
    if m and m["place"] in ctx.rules.metadata.gazetteer.spellings:
        return m.end()
    return end


def _continues(ctx: Context, end: int, ceiling: int) -> bool:
    nxt = ctx.rules.platforms.rx["kind"].search(ctx.text, end, min(end + CONTINUES, ceiling))
    if nxt is None:
        return False
    between = ctx.text[end:nxt.start()]
    return (NAME_CHARS.fullmatch(between) is not None
            and not any(m["stop"] for m in ctx.rules.platforms.rx["left_stop"].finditer(between)))


def _start(ctx: Context, seg: Segment, body: int, kind_start: int, end: int) -> tuple[int, str]:
    """Where the name begins, and how it is quoted: "whole" (“…实验室”), "proper"
    (“红山”实验室, quotes kept) or "" (not quoted)."""
    text = ctx.text
    if text[end:end + 1] == "”":
        q = text.rfind("“", body, kind_start)
        if q >= 0 and "”" not in text[q + 1:kind_start]:
            return q + 1, "whole"
    if text[kind_start - 1:kind_start] == "”":
        q = text.rfind("“", body, kind_start - 1)
        if q >= 0 and kind_start - q <= 12:
            return q, "proper"
    p = ctx.rules.platforms.rx
    return name_start(text, kind_start, body, p["left_stop"], p["soft_stop"], p["proper"]), ""


def _level(ctx: Context, before: str, name: str) -> tuple[str | None, str]:
    """The level printed before the name (市级“红山”实验室) or inside it (国家…中心)."""
    levels = ctx.rules.platforms.levels
    lead = re.match(r"^(国家级|自治区级|省级|州级|市级|区级)", name)
    if lead:
        return levels[lead.group(1)], name[lead.end():]
    m = re.search(r"(国家级|自治区级|省级|州级|市级|区级)$", before)
    if m:
        return levels[m.group(1)], name
    inside = ctx.rules.platforms.rx["level"].search(name)
    return (levels[inside.group(0)] if inside else None), name


def _generic(ctx: Context, name: str) -> bool:
    """A kind, not one thing: 众创空间, 国家重点实验室, 新疆实验室 (place, level, modifiers
    and a kind, nothing else)."""
    p = ctx.rules.platforms
    bare = p.rx["place"].sub("", p.rx["level"].sub("", name))
    if MODIFIERS.sub("", name) in p.generic or MODIFIERS.sub("", bare) in p.generic:
        return True
    return not MODIFIERS.sub("", p.rx["kind_end"].sub("", bare)).strip()


def _specific(ctx: Context, name: str, proper: bool, kind: str = "") -> bool:
    p = ctx.rules.platforms
    if len(name) < 4 or len(name) > 40:
        return False
    if _generic(ctx, name):  # a place and the kind: one thing only for some kinds
        return kind in p.place_naming_kinds and _local_place(ctx, name)
    national = kind in p.national_kinds and p.rx["place"].search(name) is not None
    return (proper or kind in p.self_naming_kinds or national or _local_place(ctx, name)
            or p.rx["organisation"].search(name) is not None
            or bool(re.search(r"\d(?![GgＧ])", name))  # 10万亩…园; not 5G, a technology
            or bool(re.search(r"[A-Za-z]{2,}", name))
            or (ctx.rules.orgs.rx["anchor"].search(name) is not None
                and not p.rx["national_start"].match(name)))  # 中国信息通信研究院: an organisation


def _local_place(ctx: Context, name: str) -> bool:
    """A place below the country: the rules' regions (长三角) or any of the gazetteer's."""
    return (ctx.rules.platforms.rx["local_place"].search(name) is not None
            or ctx.rules.metadata.gazetteer.search(name) is not None)


def _host(ctx: Context, seg: Segment, name_start_: int, end: int) -> str | None:
    text = ctx.text
    floor = clause_start(text, name_start_, seg.start)
    org = org_ending_at(ctx, name_start_, floor)
    if org:
        return org
    clause = text[floor:name_start_]
    verbs = ctx.rules.platforms.rx["host_verbs"]
    if re.search(rf"(?:{verbs.pattern})$", clause):
        org = first_org(ctx, clause)
        if org:
            return org
    m = AFTER_HOST.match(text, end, seg.end)
    if m:
        return first_org(ctx, m["rest"])
    return None


def _table_platforms(ctx: Context, node: Node) -> list[PlatformFact]:
    """A platform table: a name column with 依托单位 (host), 类型 (kind) and 级别 (level)."""
    header = node.table.header
    col = {h: i for i, h in enumerate(header)}
    name_col = next((i for h, i in col.items() if h in ("名称", "平台名称", "项目名称")), None)
    if name_col is None:
        return []
    host_col = next((i for h, i in col.items() if "依托" in h or "承建" in h), None)
    kind_col, level_col = col.get("类型"), col.get("级别")
    task = ctx.task_of(node)
    kinds = ctx.rules.platforms.kinds
    out = []
    for row, spans in zip(node.table.rows, node.table.cell_spans[1:]):
        if name_col >= len(row):
            continue
        name = re.sub(r"(建设)?项目(（[^）]*）)?$|项目二期$|二期$|一期$", "", row[name_col]).strip()
        kind_m = ctx.rules.platforms.rx["kind_end"].search(name)
        if kind_m is None or _generic(ctx, name):
            continue  # a table row names one thing; only bare kinds (企业技术中心) are left out
        host = row[host_col] if host_col is not None and host_col < len(row) else None
        cell = lambda i: row[i] if i is not None and i < len(row) else None  # noqa: E731
        start, end = spans[name_col]
        out.append(PlatformFact(
            task=task.key if task else None, name=name,
            kind=cell(kind_col) or kinds[kind_m.group(0)],
            level=cell(level_col), host=host or None,
            prov=ctx.prov(start, end)))
    return out


def _merge(ctx: Context, found: list[PlatformFact]) -> list[PlatformFact]:
    """One fact per platform (its spellings normalised): the first mention, with the first
    host and level found."""
    merged: dict[str, PlatformFact] = {}
    for fact in found:
        key = ctx.rules.platforms.key(fact.name)
        first = merged.get(key)
        if first is None:
            merged[key] = fact
            continue
        if fact.name == key != first.name:  # the short spelling plans use (九江经开区)
            first.name, first.prov, first.task = fact.name, fact.prov, fact.task
        if first.host is None and fact.host:
            first.host = fact.host
        if first.level is None and fact.level:
            first.level = fact.level
    return list(merged.values())
