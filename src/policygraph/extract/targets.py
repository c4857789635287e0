"""Quantified targets: "到2023年高新技术企业超过50家" → metric, value, unit, comparator, year.

Text targets are found by the quantity pattern of ``knowledge/targets.yml`` (number, optional
range, unit of measure, comparator words around it) and kept only when they commit to
something: not in a section that describes the past, not a number inside a name (5+2,
第六届). Indicator tables (a name column and year columns) give one target per row with
its baseline.
"""

from __future__ import annotations

import re

from ..models import Node, TargetFact
from ..lang import cn_number
from .context import Context, Segment, clause_end, clause_start, sentence_start

_CN_BIG = {"百": 100, "千": 1000}
# A unit with a figure right after it: only then can a line hold a fused table (比重%10…).
FUSED_HINT = re.compile(r"(?:%|％|元|个|家|项|人|户|条|座|台|套)\d")
MAX_YEAR_REACH = 3000  # a deadline stated further back than this belongs to another block


def parse_number(text: str) -> float | None:
    """12, 1.2, 十, 二十, 两, 三百 → float."""
    try:
        return float(text)
    except ValueError:
        pass
    text = text.replace("两", "二")
    for ch, mult in _CN_BIG.items():
        if text.endswith(ch):
            head = cn_number(text[:-1]) if text[:-1] else 1
            return float(head * mult) if head is not None else None
    n = cn_number(text)
    return float(n) if n is not None else None


def extract_targets(ctx: Context) -> list[TargetFact]:
    targets: list[TargetFact] = []
    for seg in ctx.segments:
        if seg.past or seg.preamble or seg.node.kind == "annex":
            continue
        targets += _segment_targets(ctx, seg)
    for table in ctx.tables:
        targets += _table_targets(ctx, table)
    return targets


def _segment_targets(ctx: Context, seg: Segment) -> list[TargetFact]:
    rx = ctx.rules.targets.rx
    text = ctx.text
    body = seg.node.body_start if seg.node.body_start >= seg.start else seg.start
    found: list[TargetFact] = []
    previous_end = body
    matches = list(rx["quantity"].finditer(text, body, seg.end))
    k = 0
    while k < len(matches):
        fact = _target(ctx, seg, matches[k], max(previous_end, body))
        k += 1
        if fact is None:
            continue
        shared, consumed = _respectively(ctx, fact, matches[k - 1], matches[k:])
        found += shared or [fact]
        k += consumed
        previous_end = (shared or [fact])[-1].prov.end
    if text.find("指数", body, seg.end) >= 0:
        found += _index_targets(ctx, seg, body, found)
    if FUSED_HINT.search(text, body, seg.end):
        found += _fused_targets(ctx, seg, body)
    return found


def _index_targets(ctx: Context, seg: Segment, body: int,
                   found: list[TargetFact]) -> list[TargetFact]:
    """An index reached, with no unit: 两化融合发展指数达到71."""
    out = []
    for m in ctx.rules.targets.rx["index_target"].finditer(ctx.text, body, seg.end):
        if any(f.prov.start < m.end() and f.prov.end > m.start() for f in found):
            continue
        comparator = ctx.rules.targets.before.get(m["before"] or "", "=")
        out.append(TargetFact(
            task=seg.task.key if seg.task else None, metric=m["metric"],
            value=float(m["num"]), unit=None, comparator=comparator,
            year=_year(ctx, seg, m.start("num"), m.group(0)), prov=ctx.prov(m.start(), m.end())))
    return out


def _fused_targets(ctx: Context, seg: Segment, body: int) -> list[TargetFact]:
    """An indicator table fused into text (…比重%10电子信息产业规模亿元2400…): a run of
    three or more adjacent cells, each a target for the year its header names."""
    out: list[TargetFact] = []
    run: list[re.Match] = []
    for m in list(ctx.rules.targets.rx["fused_cell"].finditer(ctx.text, body, seg.end)) + [None]:
        if m is not None and (not run or m.start() == run[-1].end()):
            run.append(m)
            continue
        if len(run) >= 3:
            # The header's year may end just inside the first cell (单位2023|年目标值…).
            header = ctx.text[max(body, run[0].start() - 200):run[0].start() + 1]
            years = re.findall(r"(20\d\d)\s*年", header)
            year = int(years[-1]) if years else ctx.plan_year
            for k, c in enumerate(run):
                start = c.start()
                if k == 0 and (h := ctx.rules.targets.rx["fused_header"].match(c["metric"])):
                    start += h.end()  # the first cell follows the table's header words
                out.append(TargetFact(
                    task=seg.task.key if seg.task else None, metric=ctx.text[start:c.start("unit")],
                    value=float(c["num"]), unit=c["unit"], comparator="=", year=year,
                    prov=ctx.prov(start, c.end())))
        run = [m] if m is not None else []
    return out


def _target(ctx: Context, seg: Segment, m: re.Match, floor: int) -> TargetFact | None:
    rx = ctx.rules.targets.rx
    text = ctx.text
    num_start = m.start("num")
    if rx["not_before"].search(text, max(0, m.start() - 1), m.start()) or \
            rx["not_after"].match(text, m.end()):
        return None
    if _clashes(ctx, m) or ctx.is_claimed(m.start("num"), m.end()):
        return None  # 5个人; or an amount an incentive took
    if _names_a_place(ctx, m):
        return None  # 10万亩现代畜牧业产业园: the size is part of a name
    if m["unit"] in ctx.rules.targets.money_units and \
            ctx.rules.targets.rx["threshold_after"].match(text, m.end()):
        return None  # 年营收超过10亿元的企业: a threshold that qualifies, not a target
    if rx["bound_note_before"].search(text, max(0, m.start() - 3), m.start()):
        return None  # 不超过1000万元（含1000万元）: the bound again
    value = parse_number(m["num"])
    if value is None:
        return None
    start = clause_start(text, m.start(), floor)
    lead = text[start:m.start()]
    if not m["num"][0].isdigit() and not rx["cn_value_after"].search(text, start, num_start):
        return None  # 三个“翻一番”: Chinese numerals only after a verb of commitment
    if m["num"] == "一" or text.rfind("《", start, m.start()) > text.rfind("》", start, m.start()):
        return None  # 打造一支队伍 is "a" team; 《人才新政30条》 is a name
    sentence = text[sentence_start(text, m.start(), seg.start):m.start()]
    if rx["past_markers"].search(sentence):
        return None
    metric_start = start + _lead_in_length(ctx, lead)
    while metric_start < m.start() and text[metric_start] in "、 ":
        metric_start += 1
    metric = text[metric_start:m.start()].strip()
    end = m.end()
    if not metric or len(metric) <= 6 or rx["verb_before_number"].search(metric):
        # 实现50家成长性企业入库: the thing counted follows the number
        end = _after_end(ctx, m.end(), seg.end)
        metric = (metric + text[m.end():end]).strip()
    if not metric:
        return None
    comparator = ctx.rules.targets.before.get(m["before"] or "", "=")
    comparator = ctx.rules.targets.after.get(m["after"] or "", comparator)
    clause = text[start:end]
    return TargetFact(
        task=seg.task.key if seg.task else None, metric=metric, value=value,
        value_max=parse_number(m["num2"]) if m["num2"] else None, unit=m["unit"],
        comparator=comparator, year=_year(ctx, seg, num_start, clause),
        scope=_scope(ctx, clause), prov=ctx.prov(metric_start, end))


RESPECTIVELY = re.compile(r"^(?P<names>[^，。；]+、[^，。；]+)分别$")


def _respectively(ctx: Context, fact: TargetFact, first: re.Match,
                  rest: list[re.Match]) -> tuple[list[TargetFact], int]:
    """A、B、C等…分别达到 1.6万吨、0.04万吨、2.08万吨: one target a name, each with its
    figure, the noun after 等 shared (B…重点工程减排量); and how many of ``rest`` they took.
    No targets when the figures listed do not match the names."""
    named = RESPECTIVELY.match(fact.metric)
    if named is None:
        return [], 0
    *names, last = named["names"].split("、")
    last, _, noun = last.partition("等")  # …、挥发性有机物等主要污染物减排量: the shared noun
    names.append(last)
    run = [first]
    for m in rest:
        if len(run) == len(names) or ctx.text[run[-1].end():m.start()].strip(" 、") or \
                "、" not in ctx.text[run[-1].end():m.start()]:
            break
        run.append(m)
    if len(run) != len(names):
        return [], 0
    return [fact.model_copy(update={
        "metric": name.strip() + noun, "value": parse_number(m["num"]),
        "value_max": parse_number(m["num2"]) if m["num2"] else None, "unit": m["unit"],
        "prov": fact.prov if k == 0 else ctx.prov(m.start(), m.end())})
        for k, (name, m) in enumerate(zip(names, run))
        if parse_number(m["num"]) is not None], len(run) - 1


def _after_end(ctx: Context, pos: int, ceiling: int) -> int:
    """End of the words after a number that name what it counts: up to the clause's end,
    a 、 or the next quantity."""
    end = clause_end(ctx.text, pos, ceiling)
    stop = ctx.text.find("、", pos, end)
    if stop >= 0:
        end = stop
    nxt = ctx.rules.targets.rx["quantity"].search(ctx.text, pos, end)
    return nxt.start() if nxt else end


def _names_a_place(ctx: Context, m: re.Match) -> bool:
    """A size (亩, 平方米) followed, within its clause, by a platform's kind word."""
    if not any(m["unit"].endswith(u) for u in ctx.rules.targets.size_units):
        return False
    end = clause_end(ctx.text, m.end(), m.end() + 16)
    return ctx.rules.platforms.rx["kind"].search(ctx.text, m.end(), end) is not None


def _clashes(ctx: Context, m: re.Match) -> bool:
    """The unit is the first character of a longer word (5个人 → 个人, 3项目 → 项目)."""
    word = ctx.text[m.start("unit"):m.start("unit") + len(m["unit"]) + 1]
    return not m["after"] and word in ctx.rules.targets.unit_word_clash


def _lead_in_length(ctx: Context, lead: str) -> int:
    m = ctx.rules.targets.rx["metric_lead_in"].match(lead)
    return m.end() if m else 0


def _scope(ctx: Context, clause: str) -> str | None:
    m = ctx.rules.targets.rx["scope"].search(clause)
    return m.group(0) if m else None


def _year(ctx: Context, seg: Segment, pos: int, clause: str) -> int | None:
    """The nearest deadline before the target in its block; none for recurring targets."""
    rx = ctx.rules.targets.rx
    if rx["recurring"].search(clause):
        return None
    for start, end in _year_scopes(ctx, seg, pos):
        found = ctx.last_deadline(start, end)
        if found is not None:
            return cn_number(found["year"]) if found["year"] else ctx.plan_year
    return None


def _year_scopes(ctx: Context, seg: Segment, pos: int) -> list[tuple[int, int]]:
    """Where a target's deadline may be stated: its own line, then its task's own text or
    the paragraphs of its section before it."""
    scopes = [(max(seg.start, pos - MAX_YEAR_REACH), pos)]
    if seg.task is not None:
        t_start, t_end = ctx.own_span(seg.task)
        scopes.append((max(t_start, pos - MAX_YEAR_REACH), min(t_end, pos)))
    elif seg.section is not None:
        scopes.append((max(seg.section.start, pos - MAX_YEAR_REACH), pos))
    return scopes


# --------------------------------------------------------------------------- tables
def _table_targets(ctx: Context, node: Node) -> list[TargetFact]:
    """An indicator table: a name column and one or more year columns (the first of two
    a baseline, the last the target). A target cell may print its unit (1100亿元, 3家);
    else the unit is the one in brackets after the name (…营业收入（亿元）)."""
    rx = ctx.rules.targets.rx
    table = node.table
    years = [(i, int(m["year"])) for i, h in enumerate(table.header)
             if (m := rx["table_year_header"].search(h))]
    name_col = next((i for i, h in enumerate(table.header) if rx["table_name_header"].search(h)), None)
    if not years or name_col is None:
        return []
    goal_col, goal_year = years[-1]
    base_col, base_year = years[0] if len(years) > 1 else (None, None)
    task = ctx.task_of(node)
    facts = []
    for row, spans in zip(table.rows, table.cell_spans[1:]):
        if max(goal_col, name_col, base_col or 0) >= len(row):
            continue
        cell = rx["table_value"].match(row[goal_col].strip())
        value = parse_number(cell["num"]) if cell else None
        if value is None:
            continue
        baseline = None
        if base_col is not None and (b := rx["table_value"].match(row[base_col].strip())):
            baseline = parse_number(b["num"])
        unit = rx["unit_in_brackets"].search(row[name_col])
        cut = unit.start() if unit else row[name_col].find("（")
        metric = row[name_col][:cut if cut >= 0 else None].strip()
        start, end = spans[name_col][0], spans[goal_col][1]
        facts.append(TargetFact(
            task=task.key if task else None, metric=metric, value=value,
            unit=cell["unit"] or (unit["unit"] if unit else ctx.rules.targets.table_default_unit),
            comparator="=", year=goal_year, baseline=baseline,
            baseline_year=base_year if baseline is not None else None,
            prov=ctx.prov(start, end)))
    return facts
