"""Bounds on what one public request may make SQLite and the server do.

Datasette's sql_time_limit_ms is checked between SQLite's steps, so work done inside one step runs
to its end. Steps that can take far longer than the limit, or hold far more memory, are bounded here:

- A full-text query: FTS5 parses it and loads every term's index inside one step, so thousands of
  terms held a thread for half a minute. Every search a request can ask for (`_search` and
  `_search_<column>` on a table, `q` anywhere, the parameters of a canned query that runs MATCH,
  and the literals and parameters of SQL that names a full-text table) is checked BEFORE any SQL
  runs: at most MAX_SEARCH_TERMS words (counted as FTS5's tokenizer splits them: runs of letters and
  digits) and MAX_SEARCH_CHARS characters, else a 400 saying so.
- One function call building a huge value (randomblob, zeroblob, replace): every connection
  Datasette opens gets SQLite's length limit, LENGTH_LIMIT bytes per string or blob, so such a call
  fails at once with "string or blob too big".
- One function call looping inside itself: printf() and format() pad to any width or precision
  (`printf('%.*c', 2e9, 'x')` spends 3 s in one call and then returns NULL, and Datasette's time
  limit is only checked every 1,000 steps, so a row of such calls ran for minutes). They are
  replaced on every connection by a version that refuses a width or precision over
  MAX_FORMAT_WIDTH and hands the rest to SQLite's own printf.
- LIKE and GLOB: matching takes the text's length times the pattern's after its first wildcard
  (one LIKE of a 10 MB value against a 1,000-character pattern took 8.8 s). They are replaced the
  same way: a call costing over MATCH_BUDGET (about 2 ms) is refused, the rest goes to SQLite's own
  like() and glob(), except a literal with a % at either end or both (Datasette's contains,
  startswith and endswith filters), answered in Python in linear time with SQLite's semantics.
  Patterns are also held to MAX_LIKE_PATTERN characters.
- A refused call raises OverflowError, which Python's sqlite3 turns into SQLite's own "string or
  blob too big" (any other exception reads "user-defined function raised exception", and a
  function cannot set its own message).
- The rows one query fetches: Datasette reads up to max_returned_rows rows into memory before the
  response cap below applies, so a query fetching more than FETCH_LIMIT bytes of text and blobs
  through one cursor fails with a 400 saying so.
- One row of many huge values (`select zeroblob(1e8), zeroblob(1e8), ...`, up to 2,000 columns)
  is whole in memory before any row is counted: SQLite's memory in the server process is held
  to HEAP_LIMIT (its hard heap limit), and a query it stops is a 400 saying so.

And no response body may exceed RESPONSE_LIMIT bytes (the database download, a file, is exempt):
one announced as larger is answered with a 500 instead; a streamed one is cut off with a last line
saying why.
"""
import functools
import html
import json
import operator
import re
import sqlite3
from urllib.parse import parse_qsl

from datasette import hookimpl
from datasette.handle_exception import handle_exception as datasette_handle_exception
from datasette.utils.asgi import BadRequest

from hindsight_site import route_path

# The build refuses a source larger than ingest.read.MAX_BYTES (64 MiB): a document's text and its
# markdown each stay near that size (markdown's escapes can add some), so twice it holds every
# legitimate value with room, and a computed value cannot grow to gigabytes.
LENGTH_LIMIT = 128 * 1024 * 1024
# A row holding one largest-possible document (text and markdown, JSON-escaped) still fits.
RESPONSE_LIMIT = 256 * 1024 * 1024
# The text and blobs one query may fetch into memory (Datasette reads up to max_returned_rows rows
# before the response cap applies): more could not be sent anyway.
FETCH_LIMIT = RESPONSE_LIMIT
# All of SQLite's memory in the server (every connection: page caches, sorts, values being read):
# room for a largest-possible document row on each of Datasette's three SQL threads.
HEAP_LIMIT = 512 * 1024 * 1024

# Wider padding than any page needs; one call at this width takes well under a millisecond.
MAX_FORMAT_WIDTH = 100_000
# Longer than any phrase someone types into a ?column__contains= filter (SQLite's default is 50,000).
MAX_LIKE_PATTERN = 1000
# Characters of text times characters of pattern after its first wildcard: SQLite's matcher takes
# about 1 ns per unit at worst (tests/test_hardening_site.py measures it), so a call stays near 2 ms.
MATCH_BUDGET = 2_000_000

MAX_SEARCH_TERMS = 32
MAX_SEARCH_CHARS = 2000  # a pasted paragraph; the number of terms is what costs

TOKEN = re.compile(r"[^\W_]+")  # FTS5's unicode61 tokenizer: letters and digits; the rest separates
SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")
MATCH_SQL = re.compile(r"\bmatch\b|fts", re.I)  # MATCH, or a full-text table (x_fts = '...', x_fts('...'))
CANNED_PATH = re.compile(r"^/(?P<database>[^/]+?)(?:-[0-9a-f]{7})?/(?P<query>[^/]+?)(?:\.(?:json|csv))?$")


# One printf conversion: %, flags, width (digits or *), precision (. digits or .*), l or ll, type.
FORMAT_SPEC = re.compile(r"%[-+ #0!,]*(\*|[0-9]*)(?:\.(\*|[0-9]*))?l{0,2}(.)", re.S)
LEADING_NUMBER = re.compile(r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LENGTH_LIMIT)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN)
    conn.execute(f"pragma hard_heap_limit = {HEAP_LIMIT:d}")  # process-wide: past it, SQLite's NOMEM
    builtin = sqlite3.connect(":memory:", check_same_thread=False)  # SQLite's own functions, once checked
    builtin.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LENGTH_LIMIT)
    builtin.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN)

    def sqlite_own(name, args):
        return builtin.execute(f"select {name}({', '.join('?' * len(args))})", args).fetchone()[0]

    def bounded_printf(*args):
        check_format(args)
        return sqlite_own("printf", args)

    def bounded_like(pattern, text, *escape):
        simple = literal_like(pattern) if type(pattern) is str and not escape else None
        if simple is not None and type(text) is str and "\0" not in text:
            # SQLite's answer, without its worst case or a second connection: ASCII letters folded only
            test, literal, test_utf8, utf8 = simple
            return test(text.lower(), literal) if text.isascii() else test_utf8(text.encode().lower(), utf8)
        check_match(pattern, text, "%")
        return sqlite_own("like", (pattern, text, *escape))

    def bounded_glob(pattern, text):
        check_match(pattern, text, "*")
        return sqlite_own("glob", (pattern, text))

    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf, deterministic=True)
    conn.create_function("like", 2, bounded_like, deterministic=True)
    conn.create_function("like", 3, bounded_like, deterministic=True)  # the third argument is ESCAPE
    conn.create_function("glob", 2, bounded_glob, deterministic=True)
    conn.row_factory = bounded_rows(conn.row_factory)


# A literal with % at both ends, at the end or at the start: Datasette's contains, startswith and
# endswith filters, answered by these methods of str and bytes.
LITERAL_TESTS = {(True, True): (operator.contains, operator.contains),
                 (False, True): (str.startswith, bytes.startswith),
                 (True, False): (str.endswith, bytes.endswith)}


@functools.lru_cache(maxsize=256)
def literal_like(pattern):
    """For a LIKE pattern of LITERAL_TESTS' shapes, the test and the literal with ASCII letters
    lowercased, on text and on UTF-8; else None (a NUL, which ends SQLite's reading, included)."""
    tests = LITERAL_TESTS.get((pattern[:1] == "%", pattern[-1:] == "%"))
    literal = pattern.strip("%")
    if tests is None or any(c in literal for c in "%_\0") or len(pattern.encode()) > MAX_LIKE_PATTERN:
        return None  # too long: SQLite's own error
    folded = literal.encode().lower()  # bytes.lower() folds ASCII letters only, as SQLite's LIKE does
    return tests[0], folded.decode(), tests[1], folded


def check_match(pattern, text, wildcard):
    """Raise if SQLite's LIKE or GLOB could take more than MATCH_BUDGET steps on these arguments:
    it tries the pattern after its first wildcard at each character of the text (a number or NULL
    is short, and a pattern without a wildcard is matched in one pass)."""
    if not isinstance(pattern, (str, bytes)) or not isinstance(text, (str, bytes)):
        return
    if isinstance(pattern, bytes):
        wildcard = wildcard.encode()
    first = pattern.find(wildcard)
    after = pattern[first + 1:].rstrip(wildcard) if first >= 0 else ""  # a trailing wildcard ends at once
    if len(text) * len(after) > MATCH_BUDGET:
        raise OverflowError(f"LIKE or GLOB over {MATCH_BUDGET:,} (text length times pattern length)")


def bounded_rows(factory):
    """A row factory making the rows `factory` would (a tuple if None) that refuses to fetch more
    than FETCH_LIMIT bytes of text and blobs through one cursor.
    (Numbers are not counted: max_returned_rows and the column limit bound them.)"""
    current = {"cursor": None, "size": 0}  # a connection serves one thread; Datasette reads one cursor at a time

    def row(cursor, values):
        if cursor is not current["cursor"]:
            current["cursor"], current["size"] = cursor, 0
        for value in values:
            if type(value) is str or type(value) is bytes:
                current["size"] += len(value)
        if current["size"] > FETCH_LIMIT:
            raise sqlite3.OperationalError(too_much_fetched())
        return factory(cursor, values) if factory is not None else values

    return row


def check_format(args):
    """Raise if printf(*args) asks for a width or precision over MAX_FORMAT_WIDTH."""
    if not args or not isinstance(args[0], str):
        return  # SQLite formats nothing from NULL, a number or a blob format
    rest = iter(args[1:])
    for width, precision, kind in FORMAT_SPEC.findall(args[0]):
        sizes = [width, precision]
        for i, size in enumerate(sizes):
            if size == "*":
                sizes[i] = number(next(rest, None))
        if kind != "%":
            next(rest, None)
        if any(abs(float(size or 0)) > MAX_FORMAT_WIDTH for size in sizes):
            raise OverflowError(f"printf() width or precision over {MAX_FORMAT_WIDTH:,}")


def number(value):
    """The number SQLite would read from a width argument, as generously as it might."""
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    match = LEADING_NUMBER.match(value) if isinstance(value, str) else None
    return float(match.group()) if match else 0


def search_problem(name, value):
    """Why this search text is refused, or None."""
    if len(value) > MAX_SEARCH_CHARS:
        return f"The search in {name!r} is {len(value):,} characters long; the limit is {MAX_SEARCH_CHARS:,}."
    terms = len(TOKEN.findall(value))
    if terms > MAX_SEARCH_TERMS:
        return f"The search in {name!r} has {terms:,} words; the limit is {MAX_SEARCH_TERMS}."
    return None


def is_search_arg(name):
    """Datasette's own rule for table search arguments, plus the site's `q`."""
    return name == "q" or (name.startswith("_search") and name != "_searchmode")


def fts_queries(datasette):
    """{(database, canned query name)} of the canned queries that run a full-text MATCH."""
    found = set()
    for database in datasette.databases:  # metadata per database: the ledger's queries under any name
        for name, query in (datasette.metadata("queries", database=database, fallback=False) or {}).items():
            sql = query if isinstance(query, str) else query.get("sql", "")
            if MATCH_SQL.search(sql):
                found.add((database, name))
    return found


def problems(path, args, canned):
    """The first reason to refuse this request's searches, or None."""
    match = CANNED_PATH.match(path)
    whole = match is not None and (match["database"], match["query"]) in canned
    sql = " ".join(value for name, value in args if name == "sql")
    if sql and MATCH_SQL.search(sql):
        whole = True
        literals = " ".join(SQL_LITERAL.findall(sql))
        problem = search_problem("sql", literals)
        if problem:
            return problem
    for name, value in args:
        if name == "sql" or name.startswith("_") and not is_search_arg(name):
            continue  # the SQL itself (checked above), and Datasette's own options (_size, _sort...)
        if whole or is_search_arg(name):
            problem = search_problem(name, value)
            if problem:
                return problem
    return None


async def refuse(send, path, query_string, status, title, message):
    wants_json = path.endswith(".json") or "_format=json" in query_string
    if wants_json:
        body = json.dumps({"ok": False, "error": message, "status": status, "title": title}).encode()
        content_type = b"application/json; charset=utf-8"
    else:
        body = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
                f"<body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>\n").encode()
        content_type = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status, "headers": [
        [b"content-type", content_type], [b"content-length", str(len(body)).encode()]]})
    await send({"type": "http.response.body", "body": body})


def parse_args(query_string):
    return parse_qsl(query_string, keep_blank_values=True)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        canned = None

        async def query_limits(scope, receive, send):
            nonlocal canned
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if canned is None:
                canned = fts_queries(datasette)
            query_string = scope.get("query_string", b"").decode("latin-1")
            path = route_path(datasette, scope["path"])
            problem = problems(path, parse_args(query_string), canned) if query_string else None
            if problem:
                return await refuse(send, scope["path"], query_string, 400, "Search too long",
                                    problem + " Search for fewer, more specific words.")
            return await app(scope, receive, capped(send, scope, query_string))

        return query_limits

    return wrap


def capped(send, scope, query_string):
    """send, holding the response at RESPONSE_LIMIT bytes (files such as the database download
    excepted). The start is held until the first body part: a body over the limit from its first
    part is answered with a 500 instead; one that grows past it later is cut off with a last line."""
    state = {"sent": 0, "exempt": False, "over": False, "start": None}

    async def send_capped(event):
        if state["over"]:
            return
        if event["type"] == "http.response.start":
            headers = {k.lower(): v for k, v in event.get("headers", [])}
            state["exempt"] = headers.get(b"content-type", b"").startswith(b"application/octet-stream")
            if state["exempt"]:
                return await send(event)
            length = headers.get(b"content-length", b"")
            if length.isdigit() and int(length) > RESPONSE_LIMIT:
                state["over"] = True
                return await refuse(send, scope["path"], query_string, 500, "Response too large", too_large())
            state["start"] = event
            return
        if event["type"] == "http.response.body" and not state["exempt"]:
            body = event.get("body", b"")
            state["sent"] += len(body)
            start, state["start"] = state["start"], None
            if state["sent"] > RESPONSE_LIMIT:
                state["over"] = True
                if start is not None:  # nothing sent yet: a proper error
                    return await refuse(send, scope["path"], query_string, 500, "Response too large", too_large())
                keep = len(body) - (state["sent"] - RESPONSE_LIMIT)
                return await send({"type": "http.response.body", "body": body[:max(keep, 0)]
                                   + b"\n\n" + too_large().encode() + b"\n", "more_body": False})
            if start is not None:
                await send(start)
        await send(event)

    return send_capped


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    """SQLite out of memory (its NOMEM, a MemoryError in Python) means a query past HEAP_LIMIT."""
    if isinstance(exception, MemoryError):
        return datasette_handle_exception(datasette, request, BadRequest(
            f"The query needs more memory than the site gives SQLite ({HEAP_LIMIT // 2 ** 20} MiB): ask for "
            "fewer columns or shorter values (the whole database can be downloaded instead)."))
    return None


def too_much_fetched():
    return (f"The query returns more than the site's limit of {FETCH_LIMIT:,} bytes of text and blobs: "
            "ask for fewer rows or columns, or shorter values (the whole database can be downloaded instead).")


def too_large():
    return (f"The response is larger than the site's limit of {RESPONSE_LIMIT:,} bytes: ask for fewer rows "
            "or columns (the whole database can be downloaded instead).")
