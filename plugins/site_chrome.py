"""What every page shares: Hindsight's stylesheet, the site's sections in Datasette's menu, and the
template filters that format figures (filters are plain calls; macros are slow in Datasette's async Jinja)."""
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


def pct(rate):
    """0.5384 -> '54%'; no rate (nothing resolved) -> '—'."""
    return "—" if rate is None else f"{rate * 100:.0f}%"


def points(value):
    """27.0 -> '27', 27.5 -> '27.5'."""
    return f"{value:g}"


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["pct"] = pct
    env.filters["points"] = points
