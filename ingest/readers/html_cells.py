"""Table cells that hold several items, and text that holds blank lines, for the markdownify converters.

markdownify flattens a cell to one line: <p>, <br>, <hr> and <li> items run together (an <hr>
even leaves "---" between them), so a cell of three predictions became one run of text. Here the
items of a cell are kept apart as ``item <br> item``: in the markdown a pipe table still has one
line per row, the document page shows each item on its own line (plugins/document_pages.py), and
render_text drops the tag, so each item stays an exact substring of the text of its row.

A text node with a blank line in it (markdown paragraphs inside a <div>) keeps its paragraphs: in a
cell they become items, elsewhere paragraphs, where markdownify would fold them into one.
"""
import re

from bs4 import NavigableString

CELL_BREAK = " <br> "  # between the items of one table cell, in the markdown
_ITEM = "\ue004"  # private use: marks an item boundary inside a cell until the cell is assembled
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SPACE = re.compile(r"\s+")
_NO_SPLIT = ("pre", "code", "script", "style", "textarea")
_PIPE = re.compile(r"(?<!\\)\|")
_BREAK = "data-hindsight-break"  # marks the <p> put in for a blank line


def _in_cell(parent_tags):
    return "td" in parent_tags or "th" in parent_tags


class CellsMixin:
    """Mixed into a markdownify MarkdownConverter (before it in the bases)."""

    def __init__(self, **options):
        # A first row of cells is the header row (markdownify would put an empty one above it).
        options.setdefault("table_infer_header", True)
        super().__init__(**options)

    def convert_soup(self, soup):
        # Only strings holding a blank line change, so markdown without one converts as before.
        for string in [s for s in soup.find_all(string=_BLANK_LINE) if type(s) is NavigableString]:
            if string.find_parent(_NO_SPLIT):
                continue
            pieces = _BLANK_LINE.split(str(string))
            in_cell = string.find_parent(("td", "th")) is not None
            nodes = []
            for i, piece in enumerate(pieces):
                if i:
                    nodes.append(soup.new_tag("br") if in_cell else soup.new_tag("p", attrs={_BREAK: ""}))
                nodes.append(NavigableString(piece))
            string.replace_with(*nodes)
        return super().convert_soup(soup)

    def convert_p(self, el, text, parent_tags):
        if _in_cell(parent_tags):
            return _ITEM + text.strip() + _ITEM
        if el.has_attr(_BREAK):
            return "\n\n"
        return super().convert_p(el, text, parent_tags)

    def convert_br(self, el, text, parent_tags):
        return _ITEM + text if _in_cell(parent_tags) else super().convert_br(el, text, parent_tags)

    def convert_hr(self, el, text, parent_tags):
        return _ITEM if _in_cell(parent_tags) else super().convert_hr(el, text, parent_tags)

    def convert_li(self, el, text, parent_tags):
        return _ITEM + text.strip() + _ITEM if _in_cell(parent_tags) else super().convert_li(el, text, parent_tags)

    def convert_td(self, el, text, parent_tags):
        colspan = 1
        if el.get("colspan", "").isdigit():
            colspan = max(1, min(1000, int(el["colspan"])))
        # Each item on one line, a | in it escaped so it does not end the cell (text keeps the |).
        items = (_PIPE.sub(r"\\|", _SPACE.sub(" ", item).strip()) for item in text.split(_ITEM))
        return " " + CELL_BREAK.join(item for item in items if item) + " |" * colspan

    convert_th = convert_td
