"""What every page of Hindsight's does: read its query-string parameters strictly (a value it cannot
use is a 400 saying what it takes, never a silent default) and answer as JSON or as HTML.

An empty parameter (`?rule=`) counts as not given, as for every filter of /claims."""
import re

from datasette import NotFound, Response
from datasette.utils.asgi import BadRequest

OFFSET_MAX = 2 ** 63 - 1  # SQLite's largest integer, the largest offset a page can start at


def choice(request, name, choices, default):
    """?name=: one of choices (absent or empty: default); anything else is a 400 listing them."""
    value = request.args.get(name) or default
    if value not in choices:
        raise BadRequest(f"?{name}= is one of: {', '.join(choices)}.")
    return value


def page_number(request, per_page, past_the_end):
    """?page=: a whole number from 1 (absent or empty: 1); anything else is a 400. A page whose offset
    SQLite cannot hold is past the end of any list: a 404 with the message past_the_end."""
    value = request.args.get("page") or "1"
    if not re.fullmatch(r"[0-9]+", value) or not value.strip("0"):
        raise BadRequest("?page= is a page number: a whole number from 1, such as ?page=2.")
    digits = value.lstrip("0")
    # int() refuses numbers of over 4300 digits: a number that long is past the end anyway
    if len(digits) > len(str(OFFSET_MAX)) or (int(digits) - 1) * per_page > OFFSET_MAX:
        raise NotFound(past_the_end)
    return int(digits)


async def answer(datasette, request, data, template, json_url, later=None, **context):
    """The page's answer: its data as JSON when its address asks for .json (the route's format), else
    the template rendered with the data, the context and the address of the JSON. later: {name: an
    async function} for what only the HTML shows, so a JSON request does not query for it."""
    if request.url_vars.get("format"):
        return Response.json(data)
    for name, make in (later or {}).items():
        context[name] = await make()
    return Response.html(await datasette.render_template(
        template, {**data, **context, "alternate_url_json": json_url}, request=request))
