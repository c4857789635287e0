"""Plan metadata: title, issuer, document number, region, status, period and issue date.

Read from the document's head (the text before its first section), where plans print
them in one of a few layouts: the notice that issues the plan (〈issuer〉关于印发《〈title〉》
的通知, its document number, the forwarding sentence 现将《…》印发给你们), the plan's own
title line, a signature and date. Text converted from PDF breaks these lines anywhere, so
the head's lines are first joined back where a line does not end a title or a sentence.
The region comes from the issuer, the title, the document number's abbreviation and,
last, the places the text names most (see gazetteer.py).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Callable

from .gazetteer import COUNTY, Gazetteer, Place
from .lang import cn_number
from .models import PlanMeta, Source
from .rules import Rules

HEAD_CHARS = 3000  # a head longer than this is a plan without sections: look no further
MENTION_CHARS = 8_000  # places are counted in the text's start: enough to tell
_SENTENCE_END = "。：:！？!?；;"


def head_lines(text: str, end: int, rules: Rules) -> list[str]:
    """The head's lines, a line broken inside a title or a sentence joined to the next
    (blank lines between them too):
    杭州市科学技术局关于印发《杭州市科创领域碳 | 达峰行动方案》的通知."""
    c = rules.cleaning
    out: list[str] = []
    open_line = False
    for raw in text[:min(end, HEAD_CHARS)].split("\n"):
        line = raw.strip()
        if not line:
            continue
        if open_line and out:
            out[-1] += line
        else:
            out.append(line)
        last = out[-1]
        # Open: a short line that ends neither a sentence nor a title, or an unclosed 《.
        open_line = (last.count("《") > last.count("》")) or (
            len(last) < 40 and last[-1] not in _SENTENCE_END and not c.ends_title(last)
            and not last.endswith(("通知", "号", "）", ")", "日"))
            and not rules.metadata.rx["organ"].search(last))
    return out


def _clean_title(title: str, rules: Rules) -> str:
    md = rules.metadata
    if m := md.rx["labelled_title"].match(title.strip()):
        title = m["title"]
    title = re.sub(rf"[（(]\s*({md.draft_markers})\s*[）)]\s*$", "", title.strip())
    return title.strip("《》“”\" ")


def notice(head: list[str], rules: Rules) -> tuple[str | None, str | None]:
    """The issuer and the title of the notice that issues the plan, if the head has one.
    The title is the plan's name in 《》 (the forwarding sentence's, which prints it as
    the plan does), else the notice heading's own words."""
    md = rules.metadata
    rx = md.rx
    for i, line in enumerate(head):
        m = rx["wrapper"].search(line) if rx["wrapper_verb"].search(line) else None
        if m is None:
            continue
        issuer = _issuer(m["issuer"], rules)
        rest = " ".join(head[i:i + 6])
        stop = rx["forwarding_end"].search(rest, m.end())
        forwarding = rest[:stop.end() if stop else m.end()]
        quoted = [q["title"] for q in rx["quoted_title"].finditer(forwarding)]
        title = _pick(quoted, md.plan_kinds) if quoted else m["title"]
        return issuer, _clean_title(title, rules)
    return None, None


def _pick(titles: list[str], kinds: list[str]) -> str:
    """Of several documents issued together, the first of the earliest-listed kind; the
    last spelling of that title wins (the forwarding sentence prints it as the plan does)."""
    for kind in kinds:
        hits = [t for t in titles if re.search(f"{kind}(（[^）]*）|\\([^)]*\\))?$", t)]
        if hits:
            first = hits[0]
            same = [t for t in hits if _alike(t, first)]
            return same[-1]
    return titles[-1]


def _alike(a: str, b: str) -> bool:
    strip = lambda s: re.sub(r"[\W\d_]", "", s)  # noqa: E731
    return strip(a) == strip(b)


def _issuer(words: str, rules: Rules) -> str | None:
    """The organ that issues: the words before 关于印发, from the last place name on
    (a title printed before it on the same joined line is not part of it)."""
    md = rules.metadata
    words = md.rx["joint_issuer"].sub("", words.strip())
    found = md.gazetteer.find(words)
    if found:
        # The organ starts at the first place name of the run that ends the words.
        starts = [m.start() for m, _ in found]
        start = starts[0]
        for s in starts:
            if md.rx["organ"].search(words[start:s]) or rules.cleaning.ends_title(words[start:s]):
                start = s
        words = words[start:]
    return words if md.rx["organ"].search(words) and len(words) <= 40 else None


def doc_number(head: list[str], rules: Rules) -> str | None:
    """The first document number in the head that is not a citation (《…》（国发〔2016〕35号））."""
    rx = rules.metadata.rx
    for line in head:
        if m := rx["doc_number"].match(line):
            return re.sub(r"\s+", "", m.group(0))
        for m in rx["doc_number_inline"].finditer(line):
            if not re.search(r"》\s*[（(]?\s*$", line[max(0, m.start() - 3):m.start()]):
                return re.sub(r"\s+", "", m.group(0))
    return None


def issuer_from_signature(head: list[str], tail: list[str], rules: Rules) -> str | None:
    """An issuing office on a line of its own; offices on consecutive lines issue
    together (中共石家庄市委、石家庄市人民政府)."""
    rx = rules.metadata.rx
    for lines in (head, tail):
        for k, t in enumerate(lines):
            if m := rx["issuer"].match(t):
                joint = [m["issuer"]]
                for nxt in lines[k + 1:k + 4]:
                    if not (n := rx["issuer"].match(nxt)):
                        break
                    joint.append(n["issuer"])
                return "、".join(joint)
    return None


# ------------------------------------------------------------------------- region
def region(issuer: str | None, title: str | None, number: str | None, text: str,
           rules: Rules) -> str | None:
    """The plan's area: named by its issuer, else its title, else its document number's
    abbreviation, else the place its text names most."""
    md = rules.metadata
    gaz = md.gazetteer
    text = text[:MENTION_CHARS]
    # Counted only when needed: most plans name their place in the issuer or the title.
    counts = functools.cache(lambda: _mentions(gaz, text))
    for words in (issuer, title):
        place = _leading_place(gaz, words, counts, at_start=words is issuer)
        if place is not None:
            return place.region
    if number:
        place = _abbreviated(gaz, number, md.doc_number_abbreviations, counts)
        if place is not None:
            return place.region
    return _most_named(gaz, counts(), _level_hint(text, md.level_words))


def _mentions(gaz: Gazetteer, text: str) -> Counter:
    counts: Counter = Counter()
    for _m, places in gaz.find(text):
        for p in places:
            counts[p] += 1 / len(places)
    return counts


def _choose(places: list[Place], mentions: Callable[[], Counter]) -> Place:
    """Of places that share a spelling (朝阳区 of Beijing or of Changchun), the one whose
    surroundings the text names most."""
    if len(places) == 1:
        return places[0]
    counts = mentions()
    return max(places, key=lambda p: (counts.get(p, 0) + sum(
        counts.get(q, 0) for q in counts if q.name == p.parent), -p.level))


def _leading_place(gaz: Gazetteer, words: str | None, counts: Callable[[], Counter],
                   at_start: bool) -> Place | None:
    """The deepest place ``words`` name, read from the first place on: 北京市大兴区人民政府
    → 大兴区 of 北京市. An issuer must begin with its place; a title may name it anywhere."""
    if not words:
        return None
    found = gaz.find(words)
    if not found or (at_start and found[0][0].start() != 0):
        return None
    m, places = found[0]
    place, end = _choose(places, counts), m.end()
    while place.level < COUNTY:
        child = gaz.county_at(words[end:], place)
        if child is not None:
            return child
        nxt = next((p for n, ps in found if n.start() == end for p in ps
                    if p.parent == place.name), None)
        if nxt is None:
            break
        place = nxt
        end += len(next(n.group(0) for n, _ in found if n.start() == end))
    return place


def _abbreviated(gaz: Gazetteer, number: str, table: dict[str, list[str]],
                 mentions: Callable[[], Counter]) -> Place | None:
    """The place a document number's first character stands for: 桂 → 广西, 衢 → 衢州市
    (a place whose name starts with it), chosen among those the text names most."""
    found = gaz.find(number)
    if found and found[0][0].start() == 0:
        return _choose(found[0][1], mentions)
    counts = mentions()
    head = number[:1]
    cands = [p for name in table.get(head, []) for p in gaz.by_name.get(name, [])]
    named = [p for p in counts if p.name.startswith(head) and p.level < COUNTY]
    cands += [p for p in named if p not in cands]
    if not cands:
        return None
    best = max(cands, key=lambda p: counts.get(p, 0))
    return best if counts.get(best, 0) > 0 or len(cands) == 1 else None


def _level_hint(text: str, words: dict[int, list[str]]) -> int | None:
    scores = {level: sum(text.count(w) for w in ws) for level, ws in words.items()}
    level, n = max(scores.items(), key=lambda kv: kv[1])
    return level if n else None


def _most_named(gaz: Gazetteer, counts: Counter, level: int | None) -> str | None:
    if not counts:
        return None
    pool = [p for p in counts if level is None or p.level == level] or list(counts)
    best = max(pool, key=lambda p: (counts[p], -p.level))
    return best.region


def title_line(head: list[str], rules: Rules) -> str | None:
    """A plan printed without a notice: its first line that ends like a title."""
    for text in head[:20]:
        if "。" in text or len(text) > 100:
            continue
        bare = _clean_title(text, rules)
        if rules.cleaning.ends_title(bare):
            return bare
    return None


def iso_date(text: str, rules: Rules) -> str | None:
    """2022年6月17日 or 二〇二一年三月四日 on a line of its own → 2022-06-17."""
    m = rules.metadata.rx["date"].match(text)
    if not m:
        return None
    y, mo, d = cn_number(m["y"]), cn_number(m["m"]), cn_number(m["d"])
    if not (y and mo and d and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


# ------------------------------------------------------------------------- public
def plan_meta(source: Source, head_end: int, rules: Rules) -> PlanMeta:
    """The metadata of a plan whose head (the text before its first section) ends at
    ``head_end``."""
    md = rules.metadata
    text = source.text
    head = head_lines(text, head_end, rules)
    issuer, title = notice(head, rules)
    labelled = next((m for t in head[:5] if (m := md.rx["labelled_title"].match(t))), None)
    title = title or (_clean_title(labelled["title"], rules) if labelled
                      else title_line(head, rules))
    lines = [ln.strip() for ln in text[:min(head_end, HEAD_CHARS)].split("\n") if ln.strip()]
    tail = [ln.strip() for ln in text[-1500:].split("\n") if ln.strip()][-12:]
    issuer = issuer or issuer_from_signature(lines, tail, rules)
    number = doc_number(head, rules)
    issued = next((d for t in lines[:15] if (d := iso_date(t, rules))), None)
    # What the file states outside its text (a web page's metadata table) is stated
    # outright: it wins over what the text's layout suggests.
    stated = source.meta
    issuer = stated.get("issuer") or issuer
    number = stated.get("doc_number") or number
    issued = (iso_date(stated["issued"], rules) if "issued" in stated else None) or issued
    title = title or (_clean_title(stated["title"], rules) if "title" in stated else None)
    draft = any(md.rx["draft_markers"].search(t) for t in head if len(t) <= 200)
    return PlanMeta(
        title=title, region=region(issuer, title, number, text, rules), issuer=issuer,
        doc_number=number, status="draft" if draft else "final", issued=issued,
        **_period(title, text, head_end, rules))


def _period(title: str | None, text: str, head_end: int, rules: Rules) -> dict:
    """The title's range (2021—2023年), else the text's first range that is not part of a
    cited title (《…（2018—2022年）》), else the first deadline after the head (到2025年)
    as the period's end."""
    rx = rules.metadata.rx
    ranges = [rx["period"].search(title)] if title else []
    ranges += [m for m in rx["period"].finditer(text)
               if text.rfind("《", 0, m.start()) <= text.rfind("》", 0, m.start())]
    if m := next((r for r in ranges if r), None):
        return {"period_start": int(m["start"]), "period_end": int(m["end"])}
    m = rx["deadline"].search(text, min(head_end, HEAD_CHARS))
    return {"period_start": None, "period_end": int(m["year"]) if m else None}
