"""Verdict columns render as coloured badges on plain Datasette table pages."""
from datasette import hookimpl
from markupsafe import Markup, escape

COLOURS = {
    "correct": "#1a7f37",
    "partially_correct": "#9a6700",
    "incorrect": "#cf222e",
    "too_early": "#0969da",
    "unresolvable": "#6e7781",
}


@hookimpl
def render_cell(value, column):
    if isinstance(value, dict):  # a foreign key, expanded to {"value": ..., "label": ...}
        value = value.get("value")
    if column != "verdict" or not isinstance(value, str) or value not in COLOURS:
        return None
    return Markup(
        '<span class="verdict verdict-{v}" style="background:{c};color:#fff;border-radius:0.7em;'
        'padding:0.1em 0.6em;white-space:nowrap">{label}</span>'
    ).format(v=escape(value), c=COLOURS[value], label=escape(value.replace("_", " ")))
