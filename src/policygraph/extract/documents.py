"""Documents a plan cites in 《》 (not the plan's own title)."""

from __future__ import annotations

import re

from ..models import CitedDoc
from .context import Context

CITED = re.compile(r"《(?P<title>[^《》\n]{2,80})》")


def extract_cited(ctx: Context) -> list[CitedDoc]:
    own = ctx.doc.meta.title
    seen: set[str] = set()
    out = []
    for m in CITED.finditer(ctx.text):
        title = m["title"].strip()
        if title == own or title in seen:
            continue
        seen.add(title)
        out.append(CitedDoc(title=title, prov=ctx.prov(m.start("title"), m.end("title"))))
    return out
