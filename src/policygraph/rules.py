"""Load and validate ``knowledge/*.yml``: the domain knowledge every stage reads.

Each YAML file has a pydantic model below; patterns are compiled on load, so a broken
rule fails at start-up with the file's name and the reason, not halfway through a batch.
The code of the stages stays generic; what is Chinese-policy-specific lives in the files.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal, Optional

import yaml

try:  # the regular-expression parser, to read what a pattern can begin with
    from re import _parser as _sre_parse  # type: ignore[attr-defined]  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]
from pydantic import (BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

from .errors import Errors, RulesError

# Shipped inside the package, so an installed policygraph finds its language data.
DEFAULT_RULES_DIR = Path(__file__).resolve().parent / "knowledge"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"bad regular expression {value!r}: {exc}") from None
    return value


_QUOTE_SPACE = re.compile(r"[“”‘’\"'\s]")
_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w"}


def compile_fast(pattern: str) -> re.Pattern:
    """``re.compile(pattern)``, led by a lookahead for the characters a match can begin
    with when the pattern opens with something optional or zero-width ((?<!比), (达到)?):
    the engine then skips other positions at once instead of trying every branch at each
    of them (the target quantity pattern ran twice as fast). Matches are unchanged."""
    parsed = _sre_parse.parse(pattern)
    if parsed.state.flags & ~re.UNICODE or not _opens_loosely(parsed.data):
        return re.compile(pattern)
    first = _first_chars(parsed.data)
    if first is None or first[1] or any("-" in c[1:] for c in first[0]):
        return re.compile(pattern)  # unknown, empty-matching, or too broad (一-龥) to help
    return re.compile(f"(?=[{''.join(sorted(first[0]))}])(?:{pattern})")


def _opens_loosely(data) -> bool:
    """Does the first element give the engine no character to look for (so it would try
    the whole pattern at every position)?"""
    if not data:
        return False
    op, av = data[0]
    name = str(op)
    if name in ("ASSERT", "ASSERT_NOT"):
        return True
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        return av[0] == 0 or _opens_loosely(av[2].data)
    if name == "SUBPATTERN":
        return _opens_loosely(av[3].data)
    if name == "BRANCH":
        return any(_opens_loosely(alt.data) for alt in av[1])
    return False


def _first_chars(data) -> tuple[set[str], bool] | None:
    """The character-class items a match of ``data`` can begin with, and whether it can
    match nothing at all; None when that is not simply known."""
    chars: set[str] = set()
    for op, av in data:
        name = str(op)
        if name == "LITERAL":
            return chars | {re.escape(chr(av))}, False
        if name == "IN":
            items = _class_items(av)
            return (chars | items, False) if items is not None else None
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # zero-width: the next element gives the first character
        if name == "SUBPATTERN":
            if av[1] or av[2]:
                return None  # inline flags
            inner = _first_chars(av[3].data)
        elif name == "BRANCH":
            alts = [_first_chars(alt.data) for alt in av[1]]
            if any(a is None for a in alts):
                return None
            inner = (set().union(*(a[0] for a in alts)), any(a[1] for a in alts))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            inner = _first_chars(av[2].data)
            if inner is not None and av[0] == 0:
                inner = (inner[0], True)
        else:
            return None  # ., a back reference, a negated character ...
        if inner is None:
            return None
        chars |= inner[0]
        if not inner[1]:
            return chars, False
    return chars, True


def _class_items(items) -> set[str] | None:
    out: set[str] = set()
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            out.add(re.escape(chr(av)))
        elif name == "RANGE":
            out.add(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif name == "CATEGORY" and str(av) in _CATEGORIES:
            out.add(_CATEGORIES[str(av)])
        else:
            return None
    return out


def _union(patterns) -> str:
    """Several patterns as one alternation (their group names dropped, as they repeat)."""
    return "|".join(f"(?:{re.sub(r'[(][?]P<[a-z_0-9]+>', '(?:', p)})" for p in patterns)


def _alternation(words: list[str]) -> str:
    """A regex matching any of ``words``, longest first (so 万人次 wins over 人次)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# --------------------------------------------------------------------------- cleaning
@lru_cache(maxsize=4)
def _opencc(config: str):
    """One converter per configuration and process (it cannot be pickled to workers)."""
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=4)
def _convertible(config: str) -> re.Pattern:
    """The characters the configuration changes, found once by converting every common
    CJK character: most plans hold none of them and skip the conversion."""
    block = "".join(map(chr, range(0x4E00, 0xA000)))
    converted = _opencc(config).convert(" ".join(block))
    changed = {a for a, b in zip(" ".join(block), converted) if a != b and a != " "}
    return re.compile("[" + "".join(sorted(changed)) + "]") if changed else re.compile("(?!)")


class CleaningRules(_Strict):
    inline_debris: list[str]
    zero_width: str
    drop_lines: list[str]
    title_end: str
    title_part_max: int = Field(gt=0)
    table_cell_max: int = Field(gt=0)
    complete_end: str
    simplify: str = ""

    _v = field_validator("title_end", "complete_end")(_check_regex)

    @field_validator("simplify")
    @classmethod
    def _opencc_config(cls, value: str) -> str:
        if value:
            import opencc

            try:
                opencc.OpenCC(value)
            except Exception as exc:  # opencc raises plain exceptions for unknown configs
                raise ValueError(f"unknown OpenCC configuration {value!r}: {exc}") from None
        return value

    def to_simplified(self, text: str) -> str:
        """Traditional characters → simplified, where that keeps the length (so every
        offset still points at the same character): the whole text in one call, or else
        line by line, keeping a line whose length would change as it is."""
        if not self.simplify or not _convertible(self.simplify).search(text):
            return text
        convert = _opencc(self.simplify).convert
        whole = convert(text)
        if len(whole) == len(text):
            return whole
        lines = text.split("\n")
        return "\n".join(c if len(c := convert(line)) == len(line) else line for line in lines)

    @field_validator("inline_debris", "drop_lines")
    @classmethod
    def _regex_list(cls, values: list[str]) -> list[str]:
        return [_check_regex(v) for v in values]

    @cached_property
    def _debris(self) -> re.Pattern:
        parts = self.inline_debris + ([f"[{re.escape(self.zero_width)}]"] if self.zero_width else [])
        return re.compile("|".join(f"(?:{p})" for p in parts))

    @cached_property
    def _drop(self) -> re.Pattern:
        return re.compile("|".join(f"(?:{p})" for p in self.drop_lines))

    @cached_property
    def _title_end(self) -> "_EndPattern":
        return _EndPattern(self.title_end)

    @cached_property
    def _complete(self) -> "_EndPattern":
        return _EndPattern(self.complete_end)

    def strip_debris(self, line: str) -> str:
        return self._debris.sub("", line)

    def is_dropped(self, line: str) -> bool:
        return bool(line) and bool(self._drop.match(line))

    def ends_title(self, text: str) -> bool:
        return bool(self._title_end.search(text))

    def is_complete(self, text: str) -> bool:
        return bool(self._complete.search(text))


class _EndPattern:
    """A pattern anchored at the end of the text (…$), searched only in the last
    characters it can match: ``re.search`` would try it at every position of a long
    paragraph, and cleaning asks this of every line of a document."""

    def __init__(self, pattern: str) -> None:
        self.regex = re.compile(pattern)
        width = _sre_parse.parse(pattern).getwidth()[1]
        bounded = pattern.endswith("$") and "(?<" not in pattern and width < 10_000
        self.width = width if bounded else None

    def search(self, text: str) -> re.Match | None:
        if self.width is not None and len(text) > self.width:
            return self.regex.search(text, len(text) - self.width)
        return self.regex.search(text)


# --------------------------------------------------------------------------- headings
class HeadingPattern(_Strict):
    name: str
    pattern: str
    label: str
    level: int  # only their order matters: 章 -1, 节 0, 一、 1, （一） 2 ...

    _v = field_validator("pattern")(_check_regex)

    @cached_property
    def regex(self) -> re.Pattern:
        return re.compile(self.pattern)


_HEADING_PATTERNS = ("inline_items", "box_header", "annex_header", "task_sections",
                     "non_task_sections", "assignment", "run_in_heading", "flat_table_start",
                     "boilerplate_items", "run_in_body_start")


class HeadingRules(_Strict):
    headings: list[HeadingPattern]
    inline_items: str
    box_header: str
    annex_header: str
    task_sections: str
    non_task_sections: str
    assignment: str
    run_in_heading: str
    run_in_min_chars: int
    flat_table_start: str
    boilerplate_items: str
    run_in_title_min: int
    run_in_title_max: int
    run_in_body_start: str

    _v = field_validator(*_HEADING_PATTERNS)(_check_regex)

    @cached_property
    def rx(self) -> dict[str, re.Pattern]:
        return {name: compile_fast(getattr(self, name)) for name in _HEADING_PATTERNS}

    @cached_property
    def _any_heading(self) -> re.Pattern:
        """Every heading pattern in one: most lines open none, and one test says so."""
        return compile_fast(_union(h.pattern for h in self.headings))

    @cached_property
    def _any_block(self) -> re.Pattern:
        return compile_fast(_union([self._any_heading.pattern, self.box_header,
                                  self.annex_header, self.assignment]))

    def match_heading(self, line: str) -> tuple[HeadingPattern, re.Match] | None:
        if not self._any_heading.match(line):
            return None
        for h in self.headings:
            m = h.regex.match(line)
            if m:
                return h, m
        return None

    def starts_block(self, line: str) -> bool:
        """Does this line open a heading, a box, an annex or an assignment line?"""
        return self._any_block.match(line) is not None


# --------------------------------------------------------------------------- metadata
class Region(_Strict):
    name: str
    aliases: list[str] = []
    parent: Optional[str] = None


_METADATA_PATTERNS = ("draft_markers", "doc_number", "issuer", "period", "date", "wrapper",
                      "wrapper_verb",
                      "quoted_title", "forwarding_end", "organ", "doc_number_inline",
                      "joint_issuer", "labelled_title", "deadline", "measures_part")


class MetadataRules(_Strict):
    regions: list[Region]
    draft_markers: str
    doc_number: str
    issuer: str
    period: str
    date: str
    wrapper: str
    wrapper_verb: str
    quoted_title: str
    forwarding_end: str
    plan_kinds: list[str]
    organ: str
    doc_number_inline: str
    doc_number_abbreviations: dict[str, list[str]]
    level_words: dict[int, list[str]]
    joint_issuer: str
    labelled_title: str
    deadline: str
    measures_part: str
    page_labels: dict[Literal["title", "issuer", "doc_number", "issued"], list[str]]

    _v = field_validator(*_METADATA_PATTERNS)(_check_regex)

    @model_validator(mode="after")
    def _verb_in_wrapper(self) -> "MetadataRules":
        if f"(?:{self.wrapper_verb})" not in self.wrapper:
            raise ValueError("wrapper must contain (?:wrapper_verb), the verb looked for first")
        return self

    @cached_property
    def rx(self) -> dict[str, re.Pattern]:
        out = {name: compile_fast(getattr(self, name)) for name in _METADATA_PATTERNS}
        # A line that ends like the title of a document of one of the plan kinds.
        out["plan_kind_end"] = compile_fast(
            rf"(?:{'|'.join(map(re.escape, self.plan_kinds))})\s*(?:[（(][^）)]*[）)])?$")
        return out

    @cached_property
    def gazetteer(self):
        """The national divisions plus this file's extra places (see gazetteer.py)."""
        from .gazetteer import build_gazetteer

        return build_gazetteer([(r.name, r.aliases, r.parent) for r in self.regions])

    @cached_property
    def region_names(self) -> dict[str, str]:
        """Every spelling of a region → its official name."""
        out: dict[str, str] = {}
        for r in self.regions:
            out[r.name] = r.name
            out.update({a: r.name for a in r.aliases})
        return out

    @cached_property
    def region_regex(self) -> re.Pattern:
        return compile_fast(_alternation(list(self.region_names)))


# ----------------------------------------------------------------------- extraction
def _regex_fields(*names: str):
    return field_validator(*names)(_check_regex)


class UnitRules(_Strict):
    roles: dict[str, str]
    separators: str
    prefixes: list[str]
    not_prefixes: list[str]
    department: str
    collective: str
    prefix_region: dict[str, str]
    aliases: dict[str, str]
    brackets: dict[str, str]
    verb_roles: dict[str, str]
    list_tail: str
    local_organ: str
    party_prefix: str
    party_body: str
    own_name: str
    other_label: str

    _v = _regex_fields("separators", "department", "collective", "list_tail", "local_organ",
                       "party_prefix", "party_body", "own_name", "other_label")

    @field_validator("roles", "verb_roles")
    @classmethod
    def _roles(cls, v: dict[str, str]) -> dict[str, str]:
        bad = {k: r for k, r in v.items() if r not in ("lead", "support", "responsible")}
        if bad:
            raise ValueError(f"unknown roles {bad}: use lead, support or responsible")
        return v

    @field_validator("prefix_region")
    @classmethod
    def _scopes(cls, v: dict[str, str]) -> dict[str, str]:
        if any(x not in ("plan", "parent", "root") for x in v.values()):
            raise ValueError("prefix_region values are plan, parent or root")
        return v

    @cached_property
    def rx(self) -> dict[str, re.Pattern]:
        return {
            "label": compile_fast(rf"[（(]?\s*(?P<label>{_alternation(list(self.roles))})\s*[：:]"),
            # （责任单位：… ending a heading's line: the heading's units.
            "tail": compile_fast(rf"[（(]\s*(?P<label>{_alternation(list(self.roles))})\s*[：:]"),
            "separators": compile_fast(self.separators),
            "other_label": compile_fast(self.other_label),
            "prefix": compile_fast(rf"^(?!{_alternation(self.not_prefixes)})"
                                 rf"(?P<prefix>{_alternation(self.prefixes)})"),
            "department": compile_fast(self.department),
            "collective": compile_fast(self.collective),
            "alias": compile_fast(rf"(?:{_alternation(list(self.aliases))})$"),
            "list_tail": compile_fast(self.list_tail),
            "local_organ": compile_fast(self.local_organ),
            "party_prefix": compile_fast(self.party_prefix),
            "party_body": compile_fast(self.party_body),
            "own_name": compile_fast(self.own_name),
            # A bracket holding a unit list: a role label (牵头单位：) or a role verb.
            "bracket": compile_fast(
                "|".join(rf"{re.escape(o)}(?P<b{i}>(?:[^{re.escape(o + c)}（）()]"
                         rf"|[（(][^（）()]*[）)]){{2,300}}){re.escape(c)}"
                         for i, (o, c) in enumerate(self.brackets.items()))),
            # A PDF line break may fall inside the verb (按职责\n分工负责).
            "verb": compile_fast("(?P<verb>" + "|".join(
                r"\s*".join(map(re.escape, v))
                for v in sorted(self.verb_roles, key=len, reverse=True)) + r")\s*(?:[，,；;。]|$)"),
        }

    def bare_list_at(self, text: str, m: re.Match) -> bool:
        """A bracket ``m`` of names only that closes a sentence (…。（市住建局、市发改委）):
        the units answering for it. One attached to a word (驻乌高校(院所)) explains it."""
        before = text[max(0, m.start() - 1):m.start()]
        if before and before not in "。；;！!？?\n":
            return False
        return self.is_unit_list(m.group(m.lastgroup))

    def is_unit_list(self, body: str) -> bool:
        """Names only, every one a department or a collective unit (市住房城乡建设局、
        市发展改革委，各区县（市）人民政府)."""
        bare = re.sub(r"\s+", "", re.sub(r"[（(][^）)]*[）)]", "", body))  # PDF breaks too
        names = [n for n in self.rx["separators"].split(bare) if n]
        return bool(names) and len(names) <= 30 and all(
            len(n) <= 30 and (self.rx["department"].search(self.rx["list_tail"].sub("", n))
                              or self.rx["collective"].match(n)) for n in names)


# Patterns compiled as they are (`range` is only a part of the quantity pattern).
_TARGET_PATTERNS = ("cn_value_after", "year", "this_year", "recurring", "past_markers",
                    "past_sections", "not_before", "not_after", "metric_lead_in",
                    "verb_before_number", "table_name_header", "table_year_header",
                    "threshold_after", "bound_note_before", "table_value", "index_target",
                    "fused_cell", "fused_header")


class TargetRules(_Strict):
    measure_units: list[str]
    before: dict[str, str]
    after: dict[str, str]
    range: str
    cn_value_after: str
    scopes: list[str]
    year: str
    this_year: str
    recurring: str
    past_markers: str
    past_sections: str
    not_before: str
    not_after: str
    metric_lead_in: str
    verb_before_number: str
    table_name_header: str
    table_year_header: str
    table_default_unit: str
    unit_word_clash: list[str]
    money_units: list[str]
    threshold_after: str
    bound_note_before: str
    table_value: str
    multipliers: list[str]
    size_units: list[str]
    index_target: str
    fused_cell: str
    fused_header: str

    _v = _regex_fields("range", *_TARGET_PATTERNS)

    @field_validator("before", "after")
    @classmethod
    def _comparators(cls, v: dict[str, str]) -> dict[str, str]:
        bad = [c for c in v.values() if c not in (">=", ">", "=", "~", "<=", "<")]
        if bad:
            raise ValueError(f"unknown comparators {bad}")
        return v

    @cached_property
    def rx(self) -> dict[str, re.Pattern]:
        num = r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+"
        quantity = (rf"(?P<before>{_alternation(list(self.before))})?\s*(?P<num>{num})"
                    rf"(?:\s*(?P<sep>{self.range})\s*(?P<num2>{num}))?\s*"
                    rf"(?P<unit>(?:{_alternation(self.multipliers)})?"
                    rf"(?:{_alternation(self.measure_units)}))"
                    rf"(?P<after>{_alternation(list(self.after))})?")
        out = {n: compile_fast(getattr(self, n)) for n in _TARGET_PATTERNS}
        out["quantity"] = compile_fast(quantity)
        out["deadline"] = compile_fast(f"{self.year}|(?P<this>{self.this_year})")
        out["scope"] = compile_fast(_alternation(self.scopes))
        # An indicator's unit in brackets after its name: a measure, with a multiplier
        # (亿千瓦时) and per what (千瓦/人, 微克/立方米).
        unit = rf"(?:{_alternation(self.multipliers)})?(?:{_alternation(self.measure_units)})"
        out["unit_in_brackets"] = compile_fast(
            rf"[（(]\s*(?P<unit>{unit}(?:\s*/\s*{unit})?)\s*[）)]")
        return out


class PlatformRules(_Strict):
    kinds: dict[str, str]
    generic: list[str]
    levels: dict[str, str]
    places: list[str]
    national: list[str]
    national_kinds: list[str]
    self_naming_kinds: list[str]
    place_naming_kinds: list[str]
    zone_kinds: list[str] = []
    bidding: str = "(?!)"
    proper_names: list[str]
    country_pair: str
    left_stops: str
    name_words: list[str] = []
    soft_stops: str
    host_verbs: str
    aliases: dict[str, list[str]] = {}
    short_kinds: dict[str, str] = {}

    _v = _regex_fields("country_pair", "left_stops", "soft_stops", "host_verbs", "bidding")

    def key(self, name: str) -> str:
        """A platform's name normalised, so its spellings are one platform: quotes and
        spaces removed, long kinds shortened (九江经济技术开发区 = 九江经开区), aliases
        resolved (the one place for this: extraction merges by it, the graph keys by it)."""
        bare = _QUOTE_SPACE.sub("", name)
        for long, short in self.short_kinds.items():
            if bare.endswith(long):
                bare = bare[: -len(long)] + short
        return self._alias_of.get(bare, bare)

    @cached_property
    def _alias_of(self) -> dict[str, str]:
        return {_QUOTE_SPACE.sub("", a): _QUOTE_SPACE.sub("", canonical)
                for canonical, aliases in self.aliases.items() for a in aliases}

    @cached_property
    def rx(self) -> dict[str, re.Pattern]:
        return {
            "kind": compile_fast(_alternation(list(self.kinds))),
            "kind_end": compile_fast(f"(?:{_alternation(list(self.kinds))})$"),
            "level": compile_fast(_alternation(list(self.levels))),
            "place": compile_fast(f"{_alternation(self.places)}|{self.country_pair}"),
            "local_place": compile_fast(
                f"{_alternation([p for p in self.places if p not in self.national])}"
                f"|{self.country_pair}"),
            # A word of a name that holds a stop character (自由贸易: 由; 华为: 为) is matched
            # first, as a whole, so the stop inside it is not one (see names.name_start).
            "left_stop": compile_fast(f"(?:{_alternation(self.name_words + self.proper_names)})"
                                    f"|(?P<stop>{self.left_stops})"),
            "soft_stop": compile_fast(self.soft_stops),
            "proper": compile_fast(f"{_alternation(self.places + self.proper_names)}|{self.country_pair}"),
            "organisation": compile_fast(_alternation(self.proper_names)),
            "national_start": compile_fast(f"(?:{_alternation(self.national)})(?![-－·])"),
            "host_verbs": compile_fast(self.host_verbs),
            "bidding": compile_fast(self.bidding),
        }


class MetricRules(_Strict):
    metrics: dict[str, list[str]]
    strip: list[str]
    other_indicator: str

    @field_validator("strip")
    @classmethod
    def _regexes(cls, v: list[str]) -> list[str]:
        return [_check_regex(x) for x in v]

    @field_validator("other_indicator")
    @classmethod
    def _regex(cls, v: str) -> str:
        return _check_regex(v)

    @cached_property
    def alias_regex(self) -> re.Pattern:
        return compile_fast(_alternation([a for aliases in self.metrics.values() for a in aliases]))

    @cached_property
    def other_regex(self) -> re.Pattern:
        return compile_fast(self.other_indicator)

    @cached_property
    def canonical_of(self) -> dict[str, str]:
        return {a: name for name, aliases in self.metrics.items() for a in aliases}


class OrgRules(_Strict):
    kinds: dict[str, str]
    anchors: list[str]
    known: list[str]

    @cached_property
    def rx(self) -> dict[str, re.Pattern]:
        return {"kind": compile_fast(f"(?:{_alternation(list(self.kinds))})"),
                "kind_end": compile_fast(f"(?:{_alternation(list(self.kinds))})$"),
                "anchor": compile_fast(_alternation(self.anchors + self.known))}


class FieldRules(_Strict):
    fields: dict[str, list[str]]

    @cached_property
    def terms(self) -> dict[str, str]:
        """Every term → the field it belongs to."""
        return {t: name for name, terms in self.fields.items() for t in terms + [name]}

    @cached_property
    def any_term(self) -> re.Pattern:
        """Whether a text names any field at all (most task texts do not)."""
        return compile_fast(_alternation(list(self.terms)))


_INCENTIVE_PATTERNS = ("amount", "words", "max_before", "qualifier_after", "threshold_before",
                       "what_lead_in", "rate_lead")


class IncentiveRules(_Strict):
    amount: str
    words: str
    max_before: str
    qualifier_after: str
    threshold_before: str
    what_lead_in: str
    rate_lead: str

    _v = _regex_fields(*_INCENTIVE_PATTERNS)

    @cached_property
    def rx(self) -> dict[str, re.Pattern]:
        return {name: compile_fast(getattr(self, name)) for name in _INCENTIVE_PATTERNS}


# ------------------------------------------------------------------------- all rules
_FILES: dict[str, type[BaseModel]] = {
    "cleaning": CleaningRules, "headings": HeadingRules, "metadata": MetadataRules,
    "units": UnitRules, "targets": TargetRules, "platforms": PlatformRules, "orgs": OrgRules,
    "fields": FieldRules, "metrics": MetricRules, "incentives": IncentiveRules,
}


class Rules(BaseModel):
    model_config = ConfigDict(frozen=True)

    cleaning: CleaningRules
    headings: HeadingRules
    metadata: MetadataRules
    units: UnitRules
    targets: TargetRules
    platforms: PlatformRules
    orgs: OrgRules
    fields: FieldRules
    metrics: MetricRules
    incentives: IncentiveRules
    version: str  # hash of every rules file: a change re-extracts the corpus

    def __repr__(self) -> str:  # the full rules would flood every test failure
        return f"Rules(version={self.version!r})"


def _load_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError(Errors.E101, str(path), reason="missing") from None
    except yaml.YAMLError as exc:
        raise RulesError(Errors.E101, str(path), reason=str(exc).splitlines()[0]) from None
    if not isinstance(data, dict):
        raise RulesError(Errors.E101, str(path), reason="top level must be a mapping")
    return data


def _validate(model: type[BaseModel], data: dict, path: Path) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise RulesError(Errors.E101, str(path), reason=f"{where}: {first['msg']}") from None


@lru_cache(maxsize=8)
def load_rules(rules_dir: str | Path | None = None) -> Rules:
    """Load every rules file of ``rules_dir`` (default: $POLICYGRAPH_RULES, else the
    package's own knowledge/)."""
    root = Path(rules_dir or os.environ.get("POLICYGRAPH_RULES") or DEFAULT_RULES_DIR)
    if not root.is_dir():
        raise RulesError(Errors.E102, str(root))
    digest = hashlib.sha256()
    parts: dict[str, BaseModel] = {}
    for name, model in _FILES.items():
        path = root / f"{name}.yml"
        parts[name] = _validate(model, _load_yaml(path), path)
        digest.update(path.read_bytes())
    return Rules(**parts, version=digest.hexdigest()[:16])
