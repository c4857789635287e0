"""Government web pages: the article body only, and the metadata table printed above it.

trafilatura (Apache-2.0, maintained) finds the main content, so navigation, share bars
and the site footer (主办单位：… 网站标识码…) never reach the extractor. The page's 信息公开
table (发文机关, 成文日期, 发文字号) is read from the whole page by the labels in
``knowledge/metadata.yml``: it states the plan's issuer, date and number outright.
"""

from __future__ import annotations

import html
import html.parser
import re
from xml.etree import ElementTree as ET

from ..rules import Rules
from .blocks import Block, Read
from .text import text_blocks

_LABEL_END = "[:：]?[ \t\u3000]*\n?[ \t\u3000]*"
_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta)\b",
                         re.I | re.S)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2000]))


def read_html(markup: str, encoding: str, rules: Rules) -> Read:
    page_text = html_to_text(markup)
    blocks = _main_blocks(markup)
    if not any(b.text.strip() or b.rows for b in blocks):  # the whole page, tables kept
        blocks = text_blocks(page_text, rules.headings.starts_block)
    _place(blocks, markup)
    return Read(blocks, encoding, meta=page_meta(page_text, rules))


def _main_blocks(markup: str) -> list[Block]:
    import trafilatura

    xml = trafilatura.extract(markup, output_format="xml", include_tables=True,
                              include_comments=False, favor_recall=True, deduplicate=False)
    if not xml:
        return []
    blocks: list[Block] = []
    for el in ET.fromstring(xml).iter():
        if el.tag in ("p", "head", "item"):
            text = "".join(el.itertext()).strip()
            if text:
                blocks.append(Block("heading" if el.tag == "head" else "paragraph", text))
        elif el.tag == "table":
            rows = [["".join(c.itertext()).strip() for c in row if c.tag == "cell"]
                    for row in el if row.tag == "row"]
            blocks.append(Block("table", rows=rows))
    return blocks


def _place(blocks: list[Block], markup: str) -> None:
    """Each block's line in the page's source: where its first characters are printed (a
    table's cells take its line)."""
    lines = [html.unescape(ln) for ln in markup.split("\n")]
    at = 0
    for b in blocks:
        probe = (b.text or "".join(b.rows[0] if b.rows else []))[:12]
        if probe:
            at = next((k for k in range(at, len(lines)) if probe in lines[k]), at)
        b.line, b.cell_lines = at + 1, []


def page_meta(page_text: str, rules: Rules) -> dict[str, str]:
    """The values of the page's metadata table, by the labels rules name."""
    out: dict[str, str] = {}
    for field, labels in rules.metadata.page_labels.items():
        for label in labels:
            m = re.search(rf"(?:^|\n|\t){re.escape(label)}{_LABEL_END}\t?([^\n\t]+)", page_text)
            if m and (value := m.group(1).strip()):
                out[field] = _NUMERIC_DATE.sub(r"\1年\2月\3日", value)
                break
    return out


_NUMERIC_DATE = re.compile(r"^((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})$")


class _HTMLText(html.parser.HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\n\t")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """All of a page's text, a table's cells as tab-led lines (as a text saved from Word
    prints them, which ``text_blocks`` reads as tables): for a page with no main content."""
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)
