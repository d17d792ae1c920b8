"""CSV from the site cannot carry live spreadsheet formulas.

A cell of a CSV download (`.csv`, `?_format=csv`, streamed or not) that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return would be run as a formula by a spreadsheet that opens the file;
such a cell is written with a single quote in front (`'=1+1`), as spreadsheet-safe exporters do.
Plain numbers (`-3`, `+0.5`, `-1e-3`) are left as they are: they cannot be formulas.

The CSV is rewritten as it streams: complete records (a line break outside quotes ends one) are
parsed with the csv module and written again; a partial record waits for the rest.
"""
import codecs
import csv
import io
import re
from urllib.parse import parse_qsl

from datasette import hookimpl

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value):
    if value.startswith(TRIGGERS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def wants_csv(scope):
    if scope["path"].endswith(".csv"):
        return True
    query = scope.get("query_string", b"").decode("latin-1")
    return ("_format", "csv") in parse_qsl(query, keep_blank_values=True)


def complete_records(text):
    """(records ending at the last line break outside quotes, the rest). A line break is outside
    quotes when an even number of quote characters comes before it ("" inside a field counts two)."""
    end = text.rfind("\n")
    while end != -1 and text.count('"', 0, end) % 2:
        end = text.rfind("\n", 0, end)
    return text[:end + 1], text[end + 1:]


def rewrite(text):
    out = io.StringIO()
    writer = csv.writer(out)  # Datasette's dialect: excel, \r\n, minimal quoting
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


@hookimpl(tryfirst=True)  # innermost: the size cap (query_limits) counts the rewritten CSV
def asgi_wrapper():
    def wrap(app):
        async def csv_safety(scope, receive, send):
            if scope["type"] != "http" or not wants_csv(scope):
                return await app(scope, receive, send)
            state = {"csv": False, "pending": "", "decoder": codecs.getincrementaldecoder("utf-8")("replace")}

            async def send_safe(event):
                if event["type"] == "http.response.start":
                    headers = {k.lower(): v for k, v in event.get("headers", [])}
                    kind = headers.get(b"content-type", b"")
                    state["csv"] = event["status"] == 200 and kind.startswith((b"text/csv", b"text/plain"))
                    if state["csv"]:  # the body's length changes
                        event = {**event, "headers": [h for h in event.get("headers", [])
                                                      if h[0].lower() != b"content-length"]}
                    return await send(event)
                if event["type"] != "http.response.body" or not state["csv"]:
                    return await send(event)
                more = event.get("more_body", False)
                text = state["pending"] + state["decoder"].decode(event.get("body", b""), final=not more)
                done, state["pending"] = complete_records(text) if more else (text, "")
                await send({"type": "http.response.body", "body": rewrite(done).encode("utf-8") if done else b"",
                            "more_body": more})

            return await app(scope, receive, send_safe)

        return csv_safety

    return wrap
