"""Plain Datasette pages read well too: safe markdown in prose cells, links to Hindsight's own pages,
search snippets with their matches marked. Also a `markdown` template filter for the same rendering."""
from urllib.parse import quote

import nh3
from datasette import hookimpl
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup, escape

TAGS = {"p", "br", "em", "strong", "code", "pre", "del", "s", "a", "ul", "ol", "li", "blockquote", "hr",
        "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
PROSE = {"rationale", "description"}  # columns written in markdown
EXCERPT = 1200  # characters of a document's markdown shown in a table cell
# Private-use characters mark FTS matches in snippet(); escaped text cannot contain a tag.
MATCH_OPEN, MATCH_CLOSE = "\ue000", "\ue001"
# (table, column) -> page for the row: the column's value links to Hindsight's page for the row.
PAGES = {("claims", "statement"): "/claims/", ("documents", "title"): "/documents/", ("topics", "name"): "/topics/"}
# In query results (no table), id columns link to the page they name.
ID_PAGES = {"claim_id": "/claims/", "document_id": "/documents/", "topic_id": "/topics/"}


def image_as_link(self, tokens, idx, options, env):
    """Images would be fetched from other sites (blocked by the site's CSP): show them as links instead."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    return f'<a href="{escapeHtml(token.attrGet("src") or "")}">{escapeHtml(alt or "image")}</a>'


MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
MD.add_render_rule("image", image_as_link)


def markdown(text):
    """Markdown -> HTML with raw HTML off, sanitised to a few tags and http(s)/relative links."""
    html = nh3.clean(MD.render(text or ""), tags=TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"})
    # Datasette's cells keep white space (pre-wrap): newlines between blocks would show as blank lines.
    return Markup(html.strip().replace(">\n<", "><"))


def excerpt(text, limit=EXCERPT):
    """The opening paragraphs of a long markdown text, cut at a paragraph break."""
    if len(text) <= limit:
        return text, False
    cut = text.rfind("\n\n", 0, limit)
    return text[: cut if cut > 0 else limit], True


def link(path, key, label):
    return Markup('<a href="{}">{}</a>').format(path + quote(str(key), safe=""), label)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["markdown"] = markdown


@hookimpl
def render_cell(row, value, column, table):
    if not isinstance(value, str):
        return None
    if column in PROSE:
        return markdown(value)
    if column == "snippet":
        return Markup(str(escape(value)).replace(MATCH_OPEN, "<mark>").replace(MATCH_CLOSE, "</mark>"))
    if table is None and column in ID_PAGES:
        return link(ID_PAGES[column], value, value)
    if (table, column) in PAGES and "id" in row.keys():
        return link(PAGES[table, column], row["id"], value)
    if (table, column) == ("documents", "markdown") and "id" in row.keys():
        text, cut = excerpt(value)
        more = link("/documents/", row["id"], "Read the annotated document →") if cut else ""
        return markdown(text) + (Markup("<p>{}</p>").format(more) if more else "")
    return None
