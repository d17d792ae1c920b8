"""What every page shares: Hindsight's stylesheet and the site's sections in Datasette's menu."""
from datasette import hookimpl

SECTIONS = [
    ("/", "Home"),
    ("/scorecard", "Scorecards"),
    ("/documents", "Documents"),
    ("/topics", "Topics"),
    ("/claims", "Claims"),
    ("/hindsight/search", "Search"),
    ("/hindsight", "Data and SQL"),
]


@hookimpl
def extra_css_urls():
    return ["/static/hindsight.css"]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path(href), "label": label} for href, label in SECTIONS]


@hookimpl
def extra_template_vars(datasette):
    # Datasette's own pages pass their metadata to the footer; Hindsight's pages show the site's.
    return {"hindsight_sections": SECTIONS, "hindsight_metadata": datasette.metadata()}
