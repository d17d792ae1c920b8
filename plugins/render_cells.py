"""Plain Datasette pages read well too: safe markdown in prose cells, links to Hindsight's own pages,
search snippets with their matches marked. Also a `markdown` template filter for the same rendering."""
from urllib.parse import quote

from datasette import hookimpl
from markupsafe import Markup, escape

from hindsight_site import markdown

PROSE = {"rationale", "description"}  # columns written in markdown
EXCERPT = 1200  # characters of a document's markdown shown in a table cell
# Private-use characters mark FTS matches in snippet(); escaped text cannot contain a tag.
MATCH_OPEN, MATCH_CLOSE = "\ue000", "\ue001"
# (table, column) -> page for the row: the column's value links to Hindsight's page for the row.
PAGES = {("claims", "statement"): "/claims/", ("documents", "title"): "/documents/", ("topics", "name"): "/topics/"}
# In query results (no table), id columns link to the page they name.
ID_PAGES = {"claim_id": "/claims/", "document_id": "/documents/", "topic_id": "/topics/"}


def excerpt(text, limit=EXCERPT):
    """The opening paragraphs of a long markdown text, cut at a paragraph break."""
    if len(text) <= limit:
        return text, False
    cut = text.rfind("\n\n", 0, limit)
    return text[: cut if cut > 0 else limit], True


def link(datasette, path, key, label):
    return Markup('<a href="{}">{}</a>').format(datasette.urls.path(path + quote(str(key), safe="")), label)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["markdown"] = markdown


@hookimpl
def render_cell(row, value, column, table, datasette):
    if not isinstance(value, str):
        return None
    if column in PROSE:
        return markdown(value)
    if column == "snippet":
        return Markup(str(escape(value)).replace(MATCH_OPEN, "<mark>").replace(MATCH_CLOSE, "</mark>"))
    if table is None and column in ID_PAGES:
        return link(datasette, ID_PAGES[column], value, value)
    if (table, column) in PAGES and "id" in row.keys():
        return link(datasette, PAGES[table, column], row["id"], value)
    if (table, column) == ("documents", "markdown") and "id" in row.keys():
        text, cut = excerpt(value)
        more = link(datasette, "/documents/", row["id"], "Read the annotated document →") if cut else ""
        return markdown(text) + (Markup("<p>{}</p>").format(more) if more else "")
    return None
