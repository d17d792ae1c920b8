"""Verdicts as coloured badges: a stylesheet generated from the verdicts table, and badges in table cells."""
import re

from datasette import Response, hookimpl

from hindsight_site import NoLedger, ledger, ledger_name
from markupsafe import Markup, escape

SLUG = re.compile(r"[a-z][a-z0-9_]*")
HEX = re.compile(r"#([0-9a-fA-F]{6})")


def verdict_css(rows):
    """CSS classes for each verdict: .verdict-X (badge), .hl-X (highlighted quote), .fill-X (chart)."""
    css = []
    for verdict, colour in rows:
        match = HEX.fullmatch(colour or "")
        if not SLUG.fullmatch(verdict or "") or not match:
            continue  # never write a value into CSS that is not a plain id and a #rrggbb colour
        r, g, b = (int(match.group(1)[i:i + 2], 16) for i in (0, 2, 4))
        css.append(
            f".verdict.verdict-{verdict}{{background:{colour};color:#fff}}\n"
            f".hl.hl-{verdict}{{background:rgba({r},{g},{b},.16);border-bottom:2px solid {colour}}}\n"
            f".hl.hl-{verdict}:hover,.hl.hl-{verdict}:focus{{background:rgba({r},{g},{b},.32)}}\n"
            f".fill-{verdict}{{fill:{colour};background:{colour}}}\n"
        )
    return "".join(css)


async def verdicts_css(datasette):
    rows = await ledger(datasette).execute("select id, color from verdicts")
    return Response(verdict_css(rows.rows), content_type="text/css; charset=utf-8",
                    headers={"cache-control": "public, max-age=3600"})


@hookimpl
def register_routes():
    return [(r"^/-/verdicts\.css$", verdicts_css)]


@hookimpl
def extra_css_urls(datasette):
    try:
        ledger_name(datasette)
    except NoLedger:
        return []  # no verdicts to colour: no failing stylesheet on every page
    return [datasette.urls.path("/-/verdicts.css")]


@hookimpl
def render_cell(value, column):
    label = None
    if isinstance(value, dict):  # a foreign key, expanded to {"value": ..., "label": ...}
        value, label = value.get("value"), value.get("label")
    if column != "verdict" or not isinstance(value, str) or not SLUG.fullmatch(value):
        return None
    return Markup('<span class="verdict verdict-{v}">{label}</span>').format(
        v=value, label=escape(label or value.replace("_", " ").capitalize())
    )
