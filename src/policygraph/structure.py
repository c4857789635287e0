"""Stage 2, structure: a cleaned Source → a Document tree with offsets and plan metadata.

The tree holds numbered headings (一、 / （一） / 1． / （1）, patterns in
``knowledge/headings.yml``), 一是…二是 inline items, 专栏 boxes, 附件 annexes, tables (as
the reader found them, in ``Source.tables``; or flattened one cell a line, from a plain text)
and the 牵头单位/配合单位/责任单位 lines of each item. Every node's ``start``/``end`` index
``Source.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lang import cn_number
from .metadata import plan_meta
from .models import Document, Node, Source, Table
from .rules import Rules, load_rules

BOX_LEVEL = 9  # boxes close only at a heading outside them
_SENTENCE_MARK = re.compile("[。；;，,：:！？]")  # a line with one is a sentence, not a title


@dataclass(slots=True)
class Line:
    start: int
    end: int
    text: str
    run_in: bool = False  # cut from a longer line before a run-in heading

def split_lines(source: Source, rules: Rules) -> list[Line]:
    """The printed lines; a very long line (a text with no line breaks) is read as one line
    per numbered heading in it. Offsets always index ``source.text``: nothing is inserted."""
    h = rules.headings
    lines, offset = [], 0
    for text in source.text.split("\n"):
        if len(text) < h.run_in_min_chars:  # most lines: no run-in heading to cut before
            lines.append(Line(offset, offset + len(text), text))
            offset += len(text) + 1
            continue
        cuts = [0] + [m.end() for m in h.rx["run_in_heading"].finditer(text) if m.end() > 0]
        for a, b in zip(cuts, cuts[1:] + [len(text)]):
            if a < b or not lines or a == 0:
                lines.append(Line(offset + a, offset + b, text[a:b], run_in=len(cuts) > 1))
        offset += len(text) + 1
    return lines


def _as_printed(label: str, mark: str) -> str:
    """A bracketed label as the plan prints it: (一) stays half-width (keys keep the brackets
    as printed; ``lang.key_form`` compares them)."""
    return label.translate(_HALF_WIDTH) if mark.startswith("(") else label


_HALF_WIDTH = str.maketrans("（）", "()")


def first_sentence(text: str) -> str:
    """A heading's title: the text up to its first 。 (or all of a short heading line)."""
    for stop in ("。", "！", "？"):
        i = text.find(stop)
        if i >= 0:
            text = text[:i]
    return text.strip()


# ------------------------------------------------------------------------- the tree
class _Builder:
    def __init__(self, source: Source, rules: Rules) -> None:
        self.source, self.rules = source, rules
        self.h = rules.headings
        self.root = Node(kind="document", start=0, end=len(source.text))
        self.stack: list[Node] = [self.root]
        self.marks: dict[int, str] = {}  # id(box item) → its printed number mark, e.g. "4."
        # Headings printed with no title, waiting for theirs: a converter may print a
        # heading's number on a line of its own and its title lines below, several
        # numbers first (第一章 / 第一节 / 发展回顾 / “十三五”取得的成效).
        self.untitled: list[Node] = []
        # The reader's tables by the offset where each begins.
        self.tables = {min(c[0][0] for row in t for c in row if c): t for t in source.tables}

    # The innermost open node that is not a paragraph.
    @property
    def top(self) -> Node:
        return self.stack[-1]

    def close_to(self, level: int) -> None:
        while len(self.stack) > 1 and self.stack[-1].level >= level:
            self.pop()

    def add(self, node: Node, push: bool) -> Node:
        self.top.children.append(node)
        if push:
            self.stack.append(node)
        return node

    def extend(self, end: int) -> None:
        """The open node now reaches ``end``; the nodes above it learn it when it closes
        (one update a line, not one per open node: pydantic assignments are not free)."""
        top = self.stack[-1]
        if end > top.end:
            top.end = end

    def pop(self) -> Node:
        node = self.stack.pop()
        if node.end > self.stack[-1].end:
            self.stack[-1].end = node.end
        return node

    def build(self, lines: list[Line]) -> Node:
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line.text:
                i += 1
                continue
            table = None
            if (cells := self.tables.get(line.start)) is not None:
                table = table_node(cells, self.source.text)
            elif self.h.rx["flat_table_start"].match(line.text.strip()):
                table = parse_flat_table(lines, i, self.rules)
            if table is not None:
                self.add(table, push=False)
                self.extend(table.end)
                i = next((j for j in range(i, len(lines)) if lines[j].start >= table.end),
                         len(lines))
                continue
            self.line(line)
            i += 1
        while len(self.stack) > 1:
            self.pop()
        return self.root

    def line(self, line: Line) -> None:
        text = line.text
        h = self.h
        if not h.starts_block(text):  # most lines: one test of every block pattern at once
            self.paragraph(line)
        elif m := h.rx["box_header"].match(text):
            self.close_boxes()
            self.add(Node(kind="box", label=f"专栏{m['num']}", level=BOX_LEVEL, title=m["title"].strip(),
                          start=line.start, end=line.end, body_start=line.start), push=True)
        elif m := h.rx["annex_header"].match(text):
            self.close_to(-100)  # an annex closes every chapter and heading
            title = m["title"].strip()
            self.add(Node(kind="annex", label=f"附件{m['num']}", level=1, title=title,
                          start=line.start, end=line.end, body_start=line.start), push=True)
        elif h.rx["assignment"].match(text):
            self.add(Node(kind="assignment", title=text, level=self.top.level + 1,
                          start=line.start, end=line.end, body_start=line.start), push=False)
        elif hm := h.match_heading(text):
            self.heading(line, *hm)
        else:
            self.paragraph(line)
        self.extend(line.end)

    def paragraph(self, line: Line) -> None:
        text = line.text
        if self.untitled and len(text) <= self.rules.cleaning.title_part_max \
                and not _SENTENCE_MARK.search(text):
            self.untitled.pop(0).title = text.strip()
            return
        self.untitled = []
        if self.top.kind == "annex" and not self.top.title:
            self.top.title = text  # 附件（一） with its title on the next line
        node = self.add(Node(kind="paragraph", level=self.top.level + 1, start=line.start,
                             end=line.end, body_start=line.start,
                             title=first_sentence(text)[:60]), push=False)
        self.inline_items(node, text, line.start)

    def close_boxes(self) -> None:
        while any(n.kind == "box" for n in self.stack):
            self.pop()

    def heading(self, line: Line, pattern, m: re.Match) -> None:
        number = cn_number(m["num"])
        in_box = next((n for n in reversed(self.stack) if n.kind == "box"), None)
        mark = m.group(0).strip()
        if in_box is not None and not self.box_item_fits(in_box, pattern, number, mark):
            self.close_boxes()
            in_box = None
        if in_box is None and self.restarts_numbering(pattern, number):
            # Numbering goes backwards among siblings: a box whose header was lost.
            self.add(Node(kind="box", label="专栏", level=BOX_LEVEL, start=line.start,
                          end=line.end, body_start=line.start), push=True)
            in_box = self.top
        if in_box is not None:
            while self.top is not in_box:
                self.pop()
            kind, level = "box_item", BOX_LEVEL + 1
        else:
            self.close_to(pattern.level)
            kind, level = ("section" if pattern.level <= 2 else "item"), pattern.level
        body_start = line.start + m.end()
        body = line.text[m.end():]
        label = _as_printed(pattern.label.format(num=m["num"]), mark)
        node = self.add(Node(kind=kind, label=label, number=number, style=pattern.name, level=level,
                             title=self.title_of(body.strip(), line.run_in),
                             start=line.start, end=line.end, body_start=body_start), push=True)
        self.marks[id(node)] = re.sub(r"\d+", "", mark)
        self.untitled = [*self.untitled, node] if not node.title else []
        self.units_tail(node, line)
        self.inline_items(node, body, body_start)

    def title_of(self, body: str, run_in: bool) -> str:
        """A heading's title: its first sentence. A heading run into its paragraph (a text
        with no line breaks) has none: its title ends where the paragraph's first verb
        phrase begins (推动传统产业数字化转型升级|发展新智造，…), the last such start
        within reach, a run of verbs counting as one (深化政务数据开放共享|聚焦提升…)."""
        title = first_sentence(body)
        if not run_in or len(title) <= self.h.run_in_title_max:
            return title
        reach = title[:self.h.run_in_title_max + 1]
        starts = [m.start() for m in self.h.rx["run_in_body_start"].finditer(
            reach, self.h.run_in_title_min)]
        runs = [p for k, p in enumerate(starts) if k == 0 or p - starts[k - 1] > 2]
        return title[:runs[-1]] if runs else title

    def restarts_numbering(self, pattern, number: int | None) -> bool:
        if pattern.level < 3 or number is None:
            return False
        # The open node may be the previous item of the same style: look at its parent.
        parent = self.top
        if parent.style == pattern.name and len(self.stack) > 1:
            parent = self.stack[-2]
        same = [c.number for c in parent.children if c.style == pattern.name and c.number]
        return bool(same) and number <= same[-1]

    def box_item_fits(self, box: Node, pattern, number: int | None, mark: str) -> bool:
        """Does a numbered line continue the open box (same numbering, same mark)?"""
        if pattern.level < 3:
            return False  # 一、/（一） headings always close a box
        items = [c for c in box.children if c.kind == "box_item"]
        if number is None:
            return True
        if not items:  # the box's first item, unless it continues the tasks around the box
            section = self.stack[-3] if self.stack[-2].style == pattern.name else self.stack[-2]
            main = [c.number for c in section.children if c.style == pattern.name and c.number]
            return not main or number != main[-1] + 1
        last = items[-1]
        same_mark = self.marks.get(id(last)) == re.sub(r"\d+", "", mark)
        return same_mark and number in (last.number, last.number + 1)

    def units_tail(self, node: Node, line: Line) -> None:
        """（责任单位：…） at the end of an item's line becomes its assignment child."""
        m = None
        for m in self.rules.units.rx["tail"].finditer(line.text):
            pass
        if m is None:
            return
        start = line.start + m.start()
        node.children.append(Node(kind="assignment", title=line.text[m.start():].strip(),
                                  level=node.level + 1, start=start, end=line.end,
                                  body_start=start))

    def inline_items(self, node: Node, text: str, offset: int) -> None:
        """一是…二是… inside one paragraph become inline_item children."""
        marks = list(self.h.rx["inline_items"].finditer(text))
        if len(marks) < 2:
            return
        numbers = [cn_number(m["num"]) for m in marks]
        if numbers[:2] != [1, 2]:
            return
        for k, m in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(text.rstrip())
            node.children.append(Node(
                kind="inline_item", label=f"{m['num']}是", number=numbers[k], level=node.level + 1,
                title=first_sentence(text[m.end():end]), start=offset + m.start(),
                end=offset + end, body_start=offset + m.end()))


def table_node(table: list[list[list[tuple[int, int]]]], text: str) -> Node | None:
    """A table the reader found. A first row that only names the table (专栏三 …主要目标,
    one text across the columns) is its title; the next row its header, with the row below
    when that one names the parts of a header cell spread over columns (规划目标 over
    2025年目标值 | 五年累计). None for fewer than two rows left or one column: a box drawn as
    a table, whose lines are read as lines. A cell printed over lines reads as one."""
    rows = [["".join(text[a:b] for a, b in cell) for cell in row] for row in table]
    cells = _cell_spans(table)
    start = min(a for row in cells for a, _ in row)
    end = max(b for row in cells for _, b in row)
    caption = ""
    while len(rows) > 2 and len(set(filter(None, rows[0]))) == 1 and len(rows[0]) > 1:
        caption = caption or next(filter(None, rows[0]))
        rows, cells = rows[1:], cells[1:]
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    if len(rows) > 2 and _subheader(rows[0], rows[1]):
        rows = [_merge_header(rows[0], rows[1]), *rows[2:]]
        cells = [[(min(a[0], b[0]), max(a[1], b[1])) for a, b in zip(cells[0], cells[1])]
                 + cells[0][len(cells[1]):], *cells[2:]]
    return Node(kind="table", title=(caption or " | ".join(rows[0]))[:60], level=BOX_LEVEL + 2,
                start=start, end=end, body_start=start,
                table=Table(header=rows[0], rows=rows[1:], cell_spans=cells))


def _cell_spans(table: list[list[list[tuple[int, int]]]]) -> list[list[tuple[int, int]]]:
    """Each cell's span from its first line's start to its last line's end; an empty
    cell spans nothing, at the end of the cell before it (the start of the first)."""
    at = next(cell[0][0] for row in table for cell in row if cell)
    out = []
    for row in table:
        out.append([])
        for cell in row:
            out[-1].append((cell[0][0], cell[-1][1]) if cell else (at, at))
            at = out[-1][-1][1]
    return out


def _subheader(header: list[str], row: list[str]) -> bool:
    """The row under a header that names the parts of its spread cells: it starts empty
    (under the row names' column), holds no figure, and fills a column the header leaves
    empty."""
    return (not row[0] and not any(_VALUE_CELL.match(c) for c in row if c)
            and any(c and (k >= len(header) or not header[k]) for k, c in enumerate(row)))


def _merge_header(header: list[str], row: list[str]) -> list[str]:
    """Each column's header: the spread cell's text (carried right over the columns it
    spans) before the part the row below names."""
    out, spread = [], ""
    for k in range(max(len(header), len(row))):
        top = header[k] if k < len(header) else ""
        spread = top or spread
        low = row[k] if k < len(row) else ""
        out.append((top or spread) + low if low else top)
    return out


# A figure cell: 132, 60.38, 1100亿元, 3家, 50%, —, 1-2; not a year heading (2021年目标).
_VALUE_CELL = re.compile(r"^(?!(?:19|20)\d\d\s*年)(?:[\d.]+\s*(?:%|％|[\u4e00-\u9fa5]{1,3})?"
                         r"|[—\-－/]+|\d+(?:\.\d+)?[-—~至]\d+(?:\.\d+)?%?)$")


def parse_flat_table(lines: list[Line], i: int, rules: Rules) -> Node | None:
    """A table flattened one cell per line (text from PDF or HTML): a header that starts
    with 序号, then rows of a name and its figures. A header cell printed over two lines
    (基数 / （2018年）) is joined; row numbers are kept or, when cleaning took them for
    page numbers, missing."""
    cells = [ln for ln in lines[i:i + 600] if ln.text.strip()]
    text = [c.text.strip() for c in cells]
    header: list[list] = []
    k = 0
    # The header ends where a row begins: a row number, or a name followed by a figure.
    while k + 1 < len(cells) and len(header) < 10:
        if header and text[k].startswith(("（", "(")):
            header[-1][0] += text[k]
            header[-1][2] = cells[k].end
        elif text[k] == "1" or (header and not _VALUE_CELL.match(text[k])
                                and _VALUE_CELL.match(text[k + 1]) and text[k + 1] != "1"):
            break
        else:
            header.append([text[k], cells[k].start, cells[k].end])
        k += 1
    numbered = k < len(text) and text[k] == "1"
    width = len(header) if numbered else len(header) - 1
    if width < 2:
        return None
    if not numbered:
        header = header[1:]  # 序号's column is gone
    rows: list[list[list]] = [header]
    while k + width <= len(cells):
        row = [[t, c.start, c.end] for t, c in zip(text[k:k + width], cells[k:k + width])]
        data = row[1:] if numbered else row
        if numbered and row[0][0] != str(len(rows)):
            break
        if _VALUE_CELL.match(data[0][0]) or not all(_VALUE_CELL.match(c[0]) for c in data[1:]):
            break
        if numbered:
            row = row[1:]
        rows.append(row)
        k += width
    if numbered:
        rows[0] = rows[0][1:]
    if len(rows) < 3:
        return None
    last = rows[-1][-1][2]
    table = Table(header=[c[0] for c in rows[0]], rows=[[c[0] for c in r] for r in rows[1:]],
                  cell_spans=[[(c[1], c[2]) for c in r] for r in rows])
    return Node(kind="table", title=" | ".join(table.header)[:60], level=BOX_LEVEL + 2,
                start=cells[0].start, end=last, body_start=cells[0].start, table=table)


# ---------------------------------------------------------------------- task part
def mark_tasks(root: Node, rules: Rules, text: str = "", plan_title: str | None = None) -> None:
    """Flag the leaf headings of the plan's task part and give them numbering keys. A
    notice that issues two documents numbers each from 一 again: the keys of the one that
    is not the plan get a prefix (P: for a 若干政策/措施 part, else B:; a third document C:,
    and so on, so that no two keys meet). An annex that numbers from 一 again gives its
    items (B:), not those repeating the plan's tasks (a task table) nor the bare sections
    of, say, a leading group's make-up."""
    tops = [c for c in root.children if c.kind == "section"]
    parts = _documents(tops) or [[]]
    annexes = [c.start for c in root.children if c.kind == "annex"]
    plan = _plan_document(parts, text, plan_title, rules)
    letters = iter("BCDEFGHIJKLMNOQRSTUVWXYZ")  # P: is a measures part's
    for k, doc in enumerate(parts):
        if k == plan:
            _mark_document(doc, root if len(parts) == 1 else None, rules, "", text)
        elif k and any(parts[k - 1][-1].start < a < doc[0].start for a in annexes):
            tasks = {n.title for n in root.walk() if n.is_task}
            _mark_document(doc, None, rules, f"{next(letters, 'Z')}:", text, annex=tasks)
        else:
            _mark_document(doc, None, rules, "P:" if _measures(doc, rules, text)
                           else f"{next(letters, 'Z')}:", text)


def _mark_document(tops: list[Node], root: Node | None, rules: Rules, prefix: str,
                   text: str, annex: set[str] | None = None) -> None:
    h = rules.headings
    candidates = [c for c in tops if not h.rx["non_task_sections"].search(c.title)]
    named = [c for c in candidates if h.rx["task_sections"].search(c.title)]
    # A part named for tasks (重点任务), unless most sections are groups of numbered
    # measures themselves (若干措施: 一、加快筑牢数字基础设施 1．… 三、开展“沃土行动” 10．…)
    # or most chapters are not named so (a 规划's topical chapters, one 开展全民行动).
    grouped = [c for c in candidates if any(k.kind == "item" for k in c.children)]
    chapters = [c for c in candidates if c.style == "chapter"]
    fallback = candidates or ([root] if root is not None else [])
    part = (named if named and len(grouped) <= len(named) and len(named) * 2 >= len(chapters)
            else fallback)
    # Numbered straight through is a property of the whole task part (1, 2 | 3, 4 ...).
    leaves = [path for section in part for path in _leaf_headings(section)]
    if not leaves and part and all(c.kind == "section" for c in part):
        leaves = [(c,) for c in part]  # articles with no items below: each is a measure
    if not tops and root is not None:  # numbered items with no sections above them
        leaves = [(c,) for c in root.children if c.kind == "item"]
    straight = _numbered_straight_through(leaves)  # closing articles count in the numbering
    leaves = [p for p in leaves if not h.rx["boilerplate_items"].search(p[-1].title)
              or carries_units(p[-1], text, rules)]
    if annex is not None:  # items units answer for, or items not repeating the plan's
        leaves = [p for p in leaves if carries_units(p[-1], text, rules)
                  or (len(p) > 1 and first_sentence(p[-1].title) not in annex)]
    styles = {p[-1].style for p in leaves}
    for path in leaves + _assigned_elsewhere(tops, part, text, rules):
        node = path[-1]
        node.is_task = True
        labels = [p.label for p in path if p.label]
        # Numbering straight through goes on into a 保障措施 section (（二十九）, （三十）).
        bare = straight and (path in leaves or node.style in styles)
        node.key = prefix + (labels[-1] if bare else ".".join(labels))
        _paragraph_tasks(node, text, rules)


def _paragraph_tasks(node: Node, text: str, rules: Rules) -> None:
    """Unnumbered paragraphs that open with a heading sentence and carry their own units
    (智慧物流。…（责任单位：…）) are the tasks, keyed by the item's key and their position
    among its paragraphs (9.1, 9.2 …); the item itself then only groups them."""
    paragraphs = [c for c in node.children if c.kind == "paragraph"]
    owned = [p for p in paragraphs if carries_units(p, text, rules)]
    if len(owned) < 2:
        return
    node.is_task = False
    for position, p in enumerate(paragraphs, 1):
        if p in owned:
            p.is_task, p.key, p.label = True, f"{node.key}.{position}", str(position)


def _documents(tops: list[Node]) -> list[list[Node]]:
    """Top-level sections grouped by document: numbering that starts again at 一 (after
    三) opens the next document."""
    docs: list[list[Node]] = [[]]
    for c in tops:
        prev = docs[-1][-1] if docs[-1] else None
        if prev is not None and c.style == prev.style and c.number is not None \
                and prev.number is not None and c.number <= prev.number and c.number == 1:
            docs.append([])
        docs[-1].append(c)
    return [d for d in docs if d]


def _doc_title(doc: list[Node], rules: Rules, text: str) -> str:
    """The title printed before a document's first section: the nearest line before it
    that names a document kind (…若干政策, …行动计划（2021-2023年）); a preamble
    paragraph may stand between. Headings and the notice's own line are not titles."""
    ends = rules.metadata.rx["plan_kind_end"]
    lines = [ln.strip() for ln in text[max(0, doc[0].start - 2000):doc[0].start].split("\n")]
    return next((ln for ln in reversed(lines) if ln and "。" not in ln and len(ln) <= 80
                 and ends.search(ln) and not ln.endswith("通知")
                 and not rules.headings.starts_block(ln)), "")


def _plan_document(parts: list[list[Node]], text: str, title: str | None, rules: Rules) -> int:
    if len(parts) < 2 or not title:
        return 0
    bare = re.sub(r"[（(][^）)]*[）)]", "", title)
    for k, doc in enumerate(parts):
        head = re.sub(r"[（(][^）)]*[）)]", "", _doc_title(doc, rules, text))
        if head and (bare in head or head in bare):
            return k
    return 0


def _measures(doc: list[Node], rules: Rules, text: str) -> bool:
    return bool(rules.metadata.rx["measures_part"].search(_doc_title(doc, rules, text)))


def _assigned_elsewhere(tops: list[Node], part: list[Node], text: str,
                        rules: Rules) -> list[tuple]:
    """Leaf headings outside the task part that carry units (保障措施 items with 牵头单位):
    an item a unit answers for is a task wherever it stands."""
    return [path for section in tops if section not in part
            for path in _leaf_headings(section) if carries_units(path[-1], text, rules)]


def carries_units(node: Node, text: str, rules: Rules) -> bool:
    """An assignment line, or a unit bracket (（责任单位：…）, （X牵头，Y配合）, （X、Y）) in its
    text."""
    if any(c.kind == "assignment" for c in node.children):
        return True
    u = rules.units
    return any(u.rx["label"].search(b) or u.rx["verb"].search(b) or u.bare_list_at(text, m)
               for m in u.rx["bracket"].finditer(text, node.start, node.end)
               if (b := m.group(m.lastgroup)))


def _leaf_headings(node: Node, path: tuple = ()):
    """Paths (root-first) to numbered headings that have no numbered heading children."""
    kids = [c for c in node.children if c.kind in ("section", "item")]
    here = path + ((node,) if node.kind in ("section", "item") else ())
    if not kids:
        if node.kind in ("section", "item") and len(here) > 1:
            yield here
        return
    for kid in kids:
        yield from _leaf_headings(kid, here)


def _numbered_straight_through(leaves: list[tuple]) -> bool:
    """True when item numbers run on across parents (1..15 over five sections): they only
    grow, and a later parent's first item does not start again at 1. A number or two may
    be missing (an item whose heading was not read as one: "3．5G和物联网产业")."""
    parents = {id(p[-2]) for p in leaves if len(p) > 1}
    numbers = [p[-1].number for p in leaves]
    if len(parents) < 2 or None in numbers or len(set(numbers)) != len(numbers):
        return False
    if numbers != sorted(numbers) or numbers[-1] - numbers[0] + 1 > len(numbers) + 2:
        return False
    firsts = [p[-1].number for k, p in enumerate(leaves) if k and p[-2] is not leaves[k - 1][-2]]
    return bool(firsts) and min(firsts) > 1


def attach_box_items(root: Node) -> None:
    """A box whose items repeat the numbers and titles of the tasks before it gives each
    item to its task (专栏1 "1.研究开发服务" → task "1．增强研究开发服务能力"); other boxes
    stay with the heading they follow."""
    parents = parent_map(root)
    for parent in list(root.walk()):
        for box in [c for c in parent.children if c.kind == "box"]:
            section = parent if parent.kind != "item" else parents.get(id(parent))
            if section is None:
                continue
            items = [c for c in box.children if c.kind == "box_item"]
            tasks = {c.number: c for c in section.children
                     if c.kind == "item" and c.start < box.start}
            if items and all(c.number in tasks and _alike(c.title, tasks[c.number].title)
                             for c in items):
                for item in items:
                    tasks[item.number].children.append(item)
                box.children = [c for c in box.children if c.kind != "box_item"]


def _alike(short: str, long: str) -> bool:
    """Most characters of one title appear in the other."""
    a, b = set(short), set(long)
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.6


def parent_map(root: Node) -> dict[int, Node]:
    """id(node) → its parent, for the whole tree in one walk."""
    return {id(c): n for n in root.walk() for c in n.children}


# ------------------------------------------------------------------------- public
def parse(source: Source, rules: Rules | None = None) -> Document:
    """Build the document tree and metadata of one cleaned Source."""
    rules = rules or load_rules()
    lines = split_lines(source, rules)
    root = _Builder(source, rules).build(lines)
    attach_box_items(root)
    first_heading = next((c.start for c in root.children if c.kind in ("section", "annex")),
                         len(source.text))
    meta = plan_meta(source, first_heading, rules)
    mark_tasks(root, rules, source.text, meta.title)
    return Document(source=source, meta=meta, root=root)
