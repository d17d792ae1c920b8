"""A read document as the units a prediction can be: list items, sentences, table cells, turns.

Readers keep `text` line for line with `markdown` (base.render_text), so each text line's
markdown says what it was: a heading, a list item and its depth, a quotation, a table row, a
speaker's turn. Units carry that context (section headings, parent item, speaker, table row and
column) and their exact span in `text`, so every quote taken from one is verbatim.
"""
import re
import unicodedata
from dataclasses import dataclass, field

from ..readers.base import _BLOCKQUOTE, _HEADING, _LIST_MARKER, inline_text


@dataclass
class Unit:
    start: int  # span in document.text
    end: int
    block: str  # item | paragraph | cell | quote | footnote
    headings: tuple = ()  # the section headings above it, outermost first, as written
    depth: int = 0  # list nesting (0: top-level item or not in a list)
    parent: str = ""  # the text of the list item it is nested in
    speaker: str = ""  # transcript turn
    row: str = ""  # table row header
    column: str = ""  # table column header
    first: bool = True  # first sentence of its block
    signature: str = ""  # who signed the section, when a section is signed
    lead: str = ""  # the paragraph introducing a list ("Predictions (for end of 2025):")
    row_start: int = 0  # table cell: where its row's header starts in document.text
    block_start: int = 0  # the paragraph, turn or item the unit is a sentence of
    block_end: int = 0


_SPEAKER = re.compile(r"^\*\*([A-Z][^*:]{1,40}?)(?::\*\*|\*\*:)[ \t]+")  # **Name:** or **Name**:
_TIME = re.compile(r"^\\?\[\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\\?\][ \t]*")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_TABLE_RULE = re.compile(r"^\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_SETEXT = re.compile(r"^(=+|-+)[ \t]*$")
_FOOTNOTE = re.compile(r"^\[\^[^\]]+\]:[ \t]*")
_ITEM_SPLIT = re.compile(r"[ \t]*<(?:br|hr)[ \t]*/?>[ \t]*", re.I)
# Sentence ends: . ! ? (and a closing quote or bracket) then space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"'”’)\]]*)\s+(?=[\"“'‘(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|Mr|Mrs|Ms|Dr|St|No|approx|cf|U\.S|Inc|Ltd|Jr|Sr)|\b[A-Z])\.$")


def plain(text):
    """Letters as plain letters: headings set in Unicode mathematical bold read as ASCII."""
    return unicodedata.normalize("NFKC", text)


def line_text(md_line):
    """The text render_text makes of one markdown line (see readers/base.py)."""
    heading = md_line[:1] == "#" and _HEADING.match(md_line)
    if heading:
        return inline_text(heading.group(2)).strip()
    line = _BLOCKQUOTE.sub("", md_line) if md_line[:1] in " \t>" else md_line
    if line[:1] in " \t*+-0123456789":
        line = _LIST_MARKER.sub("", line)
    return inline_text(line).rstrip()


def aligned_lines(document):
    """(markdown line, text line, offset in text) for each text line."""
    text_lines = document.text.split("\n")
    md_lines = document.markdown.split("\n")
    shift = 0
    while shift < len(md_lines) and not line_text(md_lines[shift]):
        shift += 1
    md_lines = md_lines[shift:]
    if len(md_lines) < len(text_lines) or any(
            line_text(m) != t for m, t in zip(md_lines, text_lines) if t):
        md_lines = text_lines  # a reader whose markdown is not line for line: the text alone
    offset = 0
    for md, text in zip(md_lines, text_lines):
        yield md, text, offset
        offset += len(text) + 1


def sentences(text, start):
    """(start, end) of each sentence of a block of text beginning at `start`."""
    spans, begin = [], 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[begin:match.end(1)]  # with its closing quote or bracket
        if _ABBREVIATION.search(text[begin:match.start()]) or len(piece.strip()) < 2 or piece.endswith(("[..]", "[...]")):
            continue
        # Inside a quotation that closes soon after: one quoted passage, kept whole.
        said = text[begin:match.end()]
        if (said.count('"') % 2 and '"' in text[match.end():match.end() + 300]) or \
                (said.count("“") > said.count("”") and "”" in text[match.end():match.end() + 300]):
            continue
        spans.append((begin, match.end(1)))
        begin = match.end()
    spans.append((begin, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((start + a, start + b))
    return out


@dataclass
class _State:
    headings: list = field(default_factory=list)  # (level, text)
    items: list = field(default_factory=list)  # (indent, text) of the open list items
    speaker: str = ""
    lead: str = ""


_PIPE = re.compile(r"(?<!\\)\|")


def _cells(line):
    """(start, end) of each cell's content in a table row line (pipes at the ends optional)."""
    bounds = [m.start() for m in _PIPE.finditer(line)]
    if not bounds or line[:bounds[0]].strip():  # no leading pipe: the first cell starts the line
        bounds.insert(0, -1)
    if line[bounds[-1] + 1:].strip():  # no closing pipe
        bounds.append(len(line))
    out = []
    for a, b in zip(bounds, bounds[1:]):
        a += 1
        while a < b and line[a].isspace():
            a += 1
        while b > a and line[b - 1].isspace():
            b -= 1
        out.append((a, b))
    return out


def units(document):
    """Every unit of the document, in order."""
    state = _State()
    lines = list(aligned_lines(document))
    out = []
    block = []  # the lines of the paragraph or item being gathered: (md, text, offset)
    kind = None
    signatures = _signatures(document)
    in_fence = in_comment = False
    table = None  # (header cells, rows) while inside a table

    def headings():
        return tuple(h for _, h in state.headings)

    def flush():
        nonlocal block, kind
        if block:
            out.extend(_block_units(block, kind, state, headings()))
        block, kind = [], None

    for md, text, offset in lines:
        stripped = md.strip()
        if in_fence:
            in_fence = not _FENCE.match(md)
            continue
        if in_comment:
            in_comment = "-->" not in md
            continue
        if _FENCE.match(md):
            flush()
            in_fence = True
            continue
        if stripped.startswith("<!--"):
            flush()
            in_comment = "-->" not in stripped
            continue
        if not stripped:
            flush()
            table = None
            continue
        # Tables: a row line, the header being the row above a rule line.
        if stripped.startswith("|") or (table is not None and "|" in stripped):
            if _TABLE_RULE.match(stripped):
                if block and block[-1][0].strip().startswith("|"):
                    header_md, header_text, header_offset = block.pop()
                    flush()
                    table = [header_text[a:b] for a, b in _cells(header_text)]
                continue
            if table is None:
                flush()
                block, kind = [(md, text, offset)], "row"
                continue
            out.extend(_row_units(md, text, offset, table, headings()))
            continue
        table = None
        heading = md[:1] == "#" and _HEADING.match(md)
        if heading or (block and kind == "paragraph" and len(block) == 1 and _SETEXT.match(stripped)):
            if heading:
                flush()
                level, title = len(heading.group(1)), text
            else:
                level, title = (1 if stripped[0] == "=" else 2), block[0][1]
                block, kind = [], None
            while state.headings and state.headings[-1][0] >= level:
                state.headings.pop()
            if heading and len(title.split()) >= 4:  # a heading can state a prediction itself
                out.append(Unit(offset, offset + len(text), "heading", headings()))
            state.headings.append((level, title))
            state.items, state.lead = [], ""
            continue
        item = _LIST_MARKER.match(md)
        if item:
            flush()
            indent = len(md) - len(md.lstrip(" \t"))
            while state.items and state.items[-1][0] >= indent:
                state.items.pop()
            block, kind = [(md, text, offset)], "item"
            state.items.append((indent, text))
            continue
        if kind == "item" and md[:1] in " \t" and not _LIST_MARKER.match(md):
            block.append((md, text, offset))  # a lazy continuation of the item
            continue
        if kind is None or kind == "row":
            flush()
            kind = "quote" if stripped.startswith(">") else "footnote" if _FOOTNOTE.match(stripped) else "paragraph"
            if kind == "paragraph" and not md[:1].isspace():
                state.items = []
        block.append((md, text, offset))
    flush()
    for unit in out:
        unit.signature = signatures(unit.start)
    return out


def _block_units(block, kind, state, headings):
    md0 = block[0][0]
    start = block[0][2]
    end = block[-1][2] + len(block[-1][1])
    depth, parent = 0, ""
    if kind == "item":
        depth = len(state.items) - 1
        parent = state.items[-2][1] if len(state.items) > 1 else ""
    speaker = _SPEAKER.match(md0.lstrip())
    if kind == "paragraph" and speaker:
        state.speaker = speaker.group(1).strip()
        # The turn's words start after "Name: " and an optional [timestamp].
        first = block[0][1]
        skip = len(state.speaker)
        while skip < len(first) and first[skip] in ": \t":
            skip += 1
        stamp = _TIME.match(first[skip:])
        if stamp:
            skip += stamp.end()
        start += skip
    elif kind == "footnote":
        first = block[0][1]
        marker = _FOOTNOTE.match(first)
        if marker:
            start += marker.end()
    text_of_block = "\n".join(t for _, t, _ in block)
    body = text_of_block[start - block[0][2]:]
    lead = state.lead if kind == "item" else ""
    if kind == "paragraph":  # a paragraph ending in a colon introduces what follows
        state.lead = text_of_block if text_of_block.rstrip().endswith(":") else ""
    return [Unit(a, b, kind, headings, depth, parent, state.speaker, first=(i == 0), lead=lead,
                 block_start=start, block_end=end)
            for i, (a, b) in enumerate(sentences(body, start))]


def _row_units(md, text, offset, header, headings):
    """One unit per item of each body cell; the first cell is the row's header."""
    cells = _cells(text)
    if len(cells) < 2:
        return []
    row = text[cells[0][0]:cells[0][1]]
    out = []
    for i, (a, b) in enumerate(cells[1:], 1):
        column = header[i] if i < len(header) else ""
        cell = text[a:b]
        # Items of one cell: the reader leaves two spaces where a <br> or <hr> stood.
        pos = 0
        for piece in re.split(r" {2,}(?=\S)", cell) if "  " in cell else [cell]:
            at = cell.find(piece, pos)
            pos = at + len(piece)
            if piece.strip():
                out.append(Unit(offset + a + at, offset + a + at + len(piece), "cell", headings,
                                row=row.strip(), column=column.strip(), row_start=offset + cells[0][0]))
    return out


def _signatures(document):
    """Who signed the section holding an offset: a byline line inside it (as in a company post
    where each section ends with its author's name)."""
    names = [n for n in (document.front_matter or {}).get("bylines", []) if isinstance(n, str)]
    if not names or not document.sections:
        return lambda offset: ""
    spans = []
    for section in document.sections:
        body = document.text[section.end:section.body_end]
        for name in names:
            if re.search(rf"(?m)^{re.escape(name)}$", body):
                line_start = document.text.rfind("\n", 0, section.start) + 1  # "1. " before a heading
                spans.append((line_start, section.body_end, name))
                break
    def signature(offset):
        inner = [s for s in spans if s[0] <= offset < s[1]]
        return min(inner, key=lambda s: s[1] - s[0])[2] if inner else ""
    return signature
