"""A whole HTML page as saved or served: only its main content is kept, as markdown.

A saved page says everything several times (meta description, og:/twitter: tags, JSON-LD
articleBody) around the article, inside navigation, headers, footers and scripts. trafilatura
finds the main content; it gives it back as cleaned HTML (headings, nested lists, links,
paragraphs, tables), which the same markdownify conversion as the notes' fragments (with
CellsMixin for tables) turns into markdown, every markdown character escaped so that the text
keeps the page's words exactly. Scripts, styles, event handlers and the metadata copies of the
text never reach the markdown: trafilatura drops them, and read.py checks this reader's *output*
for active content (``extracts_main_content``) rather than refusing every page that has a script.

What the page says about itself goes into front_matter: title, date (ISO), author, url (the
canonical address), sitename, for a later ``hindsight add``.
"""
import functools
import re

from ..hookspecs import hookimpl
from .base import ReadDocument, ReaderError, normalise_newlines, render_text

_PAGE_START = re.compile(r"(?:\s|<!--.*?-->)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_BLANK_LINES = re.compile(r"\n{3,}")
_META_KEYS = ("title", "date", "author", "url", "sitename")


@functools.cache
def _page_converter():
    """The converter class, made on the first page read: bs4 and markdownify take ~70 ms to import,
    which every build (every command) paid for registering this reader."""
    from markdownify import MarkdownConverter

    from .html_cells import CellsMixin

    class PageConverter(CellsMixin, MarkdownConverter):
        def __init__(self):
            # escape_misc: a page's text holds no markdown, so every * _ # [ | ... is literal; render_text
            # removes the escapes, the document page shows the characters.
            super().__init__(heading_style="ATX", bullets="-", escape_misc=True)

    return PageConverter


class HtmlPageReader:
    name = "html_page"
    extracts_main_content = True  # read.py: check the markdown for active content, not the raw page

    def detect(self, raw):
        # Only the start is looked at: a page opens with its doctype or <html> (after a comment at most).
        return 50 if _PAGE_START.match(raw[:2000]) else 0

    def read(self, raw):
        import trafilatura  # ~180 ms to import: only when a page is read

        raw = normalise_newlines(raw)
        html = trafilatura.extract(raw, output_format="html", include_links=True, include_formatting=True,
                                   include_tables=True, include_images=False, include_comments=False,
                                   with_metadata=False)
        if not html:
            raise ReaderError("no main content found in this HTML page: save the article itself, or its text", 1)
        markdown = _BLANK_LINES.sub("\n\n", _page_converter()().convert(html)).strip("\n") + "\n"
        text, sections = render_text(markdown)
        return ReadDocument(self.name, markdown, text, sections, _metadata(trafilatura, raw))


def _metadata(trafilatura, raw):
    found = trafilatura.extract_metadata(raw)
    if found is None:
        return {}
    data = found.as_dict()
    return {key: data[key] for key in _META_KEYS if isinstance(data.get(key), str) and data[key].strip()}


@hookimpl
def register_readers(register):
    register(HtmlPageReader())
