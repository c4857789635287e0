"""Fields (新能源, 新材料, 生物医药 ...) each task addresses, from ``knowledge/fields.yml``."""

from __future__ import annotations

from ..models import FieldFact
from .context import Context
from .nlp import char_doc, field_matcher


def extract_fields(ctx: Context) -> list[FieldFact]:
    nlp, matcher = field_matcher(ctx.rules)
    facts: list[FieldFact] = []
    for task in ctx.tasks:
        start, end = ctx.own_span(task)
        if not ctx.rules.fields.any_term.search(ctx.text, start, end):
            continue  # no term: no spaCy doc to build
        doc = char_doc(nlp, ctx.text[start:end])
        seen: set[str] = set()
        for match_id, s, e in sorted(matcher(doc), key=lambda x: (x[1], -x[2])):
            name = nlp.vocab.strings[match_id]
            if name in seen:
                continue
            seen.add(name)
            span = doc[s:e]
            facts.append(FieldFact(task=task.key, name=name,
                                   prov=ctx.prov(start + span.start_char, start + span.end_char)))
    return facts
