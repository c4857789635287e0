"""Tasks: each numbered task of the plan's task part, with its numbering key and text."""

from __future__ import annotations

from ..models import TaskFact
from .context import Context


def extract_tasks(ctx: Context) -> list[TaskFact]:
    facts = []
    for node in ctx.tasks:
        start, end = ctx.own_span(node)
        parent = ctx.parent_of.get(id(node))
        facts.append(TaskFact(
            key=node.key, title=node.title, text=ctx.text[node.body_start:end].strip(),
            level=node.level, parent=parent.label if parent is not None and parent.label else None,
            prov=ctx.prov(start, end)))
    return facts
