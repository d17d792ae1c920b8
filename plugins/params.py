"""A parameter of a request is the client's mistake, never the server's: what Datasette's own table
and query pages would answer with a 500 for a bad parameter is answered with a 400 saying what is
wrong. (Hindsight's own pages read theirs through hindsight_site/pages.py, just as strictly.)

Checked before Datasette sees the request:
- `_timelimit=`, which Datasette reads with int();
- `_through=`, which Datasette reads as JSON {"table": ..., "column": ..., "value": ...};
- `_facet=` (and every `_facet_*=`, `_facet_size=` too) given as JSON, which must name a column;
- a database's CSV (`/hindsight.csv`) without `?sql=`.

Turned into a 400 when Datasette raises them:
- a number outside SQLite's 64-bit integers (`?quote_start__gt=99999999999999999999999`, `?rowid=`),
  or too long for Python's int() (`_facet_size=` with 5000 digits);
- `_sort=` / `_sort_desc=` naming no sortable column, or both given at once;
- `_through=` naming a table and column with no foreign key to this table;
- a NUL character in a parameter that becomes SQL text (`_facet=%00`, `_where=%00`): SQLite refuses
  it there. (As a bound value, `?q=%00` on a canned query, it is an ordinary character.)
"""
import json
import re
import sqlite3
from urllib.parse import parse_qsl

from datasette import hookimpl
from datasette.handle_exception import handle_exception as datasette_handle_exception
from datasette.utils import await_me_maybe
from datasette.utils.asgi import BadRequest, Request
from datasette.views.base import DatasetteError

from hindsight_site import route_path

SQLITE_MIN, SQLITE_MAX = -(2 ** 63), 2 ** 63 - 1
OUT_OF_RANGE = (f"A number in the request is out of range: SQLite's integers run from {SQLITE_MIN} "
                f"to {SQLITE_MAX}.")
DATABASE_CSV = re.compile(r"^/(?!-/)[^/]+\.csv$")
# Datasette's errors raised with its default status (500) that a parameter caused
REQUEST_ERRORS = ("Cannot sort table by ", "Cannot use _sort and _sort_desc at the same time",
                  "Invalid _through - could not find corresponding foreign key")


def problem(path, query_string):
    """What is wrong with the request's parameters for Datasette's own pages, or None."""
    args = parse_qsl(query_string, keep_blank_values=True)
    for name, value in args:
        if name == "_timelimit" and value and not re.fullmatch(r"[0-9]{1,9}", value):
            return "_timelimit= is a time in milliseconds: a whole number, such as 500."
        if name.startswith("_facet") and value.startswith("{") and not valid_facet(value):
            return (f'{name}= is a column name, or JSON naming one: {{"column": "kind"}}.')
        if name == "_through" and not valid_through(value):
            return ('_through= is JSON naming a table, a column and a value: '
                    '{"table": "claim_topics", "column": "topic_id", "value": "agents"}.')
    if DATABASE_CSV.match(path) and not any(name == "sql" and value.strip() for name, value in args):
        return "CSV of a database needs a query: add ?sql=select ..., or ask for a table's CSV."
    return None


def valid_facet(value):
    try:
        data = json.loads(value)
    except ValueError:
        return False
    return isinstance(data, dict) and (isinstance(data.get("column"), str)
                                       or ("column" not in data and isinstance(data.get("simple"), str)))


def valid_through(value):
    try:
        data = json.loads(value)
    except ValueError:
        return False
    return (isinstance(data, dict) and isinstance(data.get("table"), str) and isinstance(data.get("column"), str)
            and isinstance(data.get("value"), (str, int, float)) and not isinstance(data.get("value"), bool)
            and (not isinstance(data["value"], int) or SQLITE_MIN <= data["value"] <= SQLITE_MAX))


def message_for(exception):
    """The 400 message for an exception a request's parameter caused, or None for a real fault."""
    if isinstance(exception, OverflowError) and "too large" in str(exception):
        return OUT_OF_RANGE
    if isinstance(exception, ValueError) and "integer string conversion" in str(exception):
        return OUT_OF_RANGE  # Python's own limit on a number's digits (4300), reached in int()
    if isinstance(exception, DatasetteError) and exception.status == 500 and not exception.message_is_html \
            and str(exception.message).startswith(REQUEST_ERRORS):
        message = str(exception.message)
        if message.startswith("Cannot sort table by "):
            return message + ": not a column of this table that can be sorted."
        return message + "."
    if isinstance(exception, (ValueError, sqlite3.ProgrammingError)) and "null character" in str(exception):
        return "A parameter may not contain a NUL character (%00)."
    return None


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    message = message_for(exception)
    if message is None:
        return None
    return datasette_handle_exception(datasette, request, BadRequest(message))


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def check_params(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            wrong = problem(route_path(datasette, scope.get("path", "")), scope.get("query_string", b"").decode("latin-1"))
            if wrong is None:
                return await app(scope, receive, send)
            request = Request(scope, receive)
            response = await await_me_maybe(datasette_handle_exception(datasette, request, BadRequest(wrong)))
            await response.asgi_send(send)

        return check_params

    return wrap
