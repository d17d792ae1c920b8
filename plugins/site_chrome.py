"""What every page shares: Hindsight's stylesheet, the site's sections in Datasette's menu, and the
template filters that format figures (filters are plain calls; macros are slow in Datasette's async Jinja)."""
from datasette import hookimpl

from hindsight_site import NoLedger, ledger_name

SECTIONS = [
    ("/", "Home"),
    ("/scorecard", "Scorecards"),
    ("/documents", "Documents"),
    ("/topics", "Topics"),
    ("/claims", "Claims"),
]


def sections(datasette):
    """(href, label) of the site's sections, under the site's base_url; the ledger's search and tables
    when one is attached."""
    links = [(datasette.urls.path(href), label) for href, label in SECTIONS]
    name = ledger_or_none(datasette)
    if name is not None:
        links += [(datasette.urls.query(name, "search"), "Search"), (datasette.urls.database(name), "Data and SQL")]
    return links


def ledger_or_none(datasette):
    try:
        return ledger_name(datasette)
    except NoLedger:
        return None


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/static/hindsight.css")]


@hookimpl
def menu_links(datasette):
    return [{"href": href, "label": label} for href, label in sections(datasette)]


@hookimpl
def extra_template_vars(datasette):
    # Datasette's own pages pass their metadata to the footer; Hindsight's pages show the site's.
    return {"hindsight_sections": sections(datasette), "ledger_database": ledger_or_none(datasette),
            "hindsight_metadata": datasette.metadata()}


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
