"""Issue 16, the site: one public request cannot hold the server (search size bounded before SQLite
sees it, SQLite's length limit on every connection, a response size cap), CSV downloads carry no
live spreadsheet formulas, and no page or query shows the server's paths."""
import csv
import io
import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from datasette.plugins import pm

from ingest.read import MAX_BYTES
from test_readonly import hindsight_serve

MANY_WORDS = " ".join(f"word{i}" for i in range(3000))
HYPHENATED = "-".join(f"w{i}" for i in range(200))  # one "word" to the eye, 200 terms to FTS5


def plugin(name):
    for module in pm.get_plugins():
        if getattr(module, "__name__", "") in (name, name + ".py"):  # plugins_dir modules are named by file
            return module
    raise LookupError(name)


# -- 1. search terms -----------------------------------------------------------------------------

HOSTILE_SEARCHES = {
    "canned search": ("/hindsight/search.json", {"q": MANY_WORDS}),
    "canned search page": ("/hindsight/search", {"q": MANY_WORDS}),
    "canned search, hyphens": ("/hindsight/search.json", {"q": HYPHENATED}),
    "came_true": ("/hindsight/came_true.json", {"q": MANY_WORDS}),
    "table _search": ("/hindsight/claims.json", {"_search": MANY_WORDS}),
    "table _search raw": ("/hindsight/documents.json", {"_search": " OR ".join(MANY_WORDS.split()[:500]),
                                                        "_searchmode": "raw"}),
    "table _search_column": ("/hindsight/claims.json", {"_search_statement": MANY_WORDS}),
    "csv": ("/hindsight/search.csv", {"q": MANY_WORDS}),
    "sql literal": ("/hindsight.json", {"sql": f"select rowid from claims_fts where claims_fts match '{MANY_WORDS}'"}),
    "sql parameter": ("/hindsight.json", {"sql": "select rowid from claims_fts where claims_fts match :x",
                                          "x": MANY_WORDS}),
    "sql table function": ("/hindsight.json", {"sql": f"select rowid from claims_fts('{HYPHENATED}')"}),
    "long phrase": ("/hindsight/search.json", {"q": '"' + "x" * 2000 + '"'}),
}


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path,params", HOSTILE_SEARCHES.values(), ids=HOSTILE_SEARCHES.keys())
async def test_an_oversized_search_is_refused_before_sqlite(ds, path, params):
    response = await ds.client.get(path + "?" + urlencode(params))
    assert response.status_code == 400, response.text[:300]
    assert "Search too long" in response.text and "the limit is" in response.text
    if path.endswith(".json"):
        assert response.json()["ok"] is False and "limit" in response.json()["error"]


NORMAL_SEARCHES = {
    "a few words": ("/hindsight/search.json", {"q": "small language models", "_shape": "array"}),
    "a phrase": ("/hindsight/search.json", {"q": '"language models"', "_shape": "array"}),
    "the search page": ("/hindsight/search", {"q": "models"}),
    "table search": ("/hindsight/claims.json", {"_search": "models", "_shape": "array"}),
    "prefix": ("/hindsight/claims.json", {"_search": "mod*", "_searchmode": "raw", "_shape": "array"}),
    "thirty-two words": ("/hindsight/search.json", {"q": " ".join(["models"] * 32), "_shape": "array"}),
    "sql match": ("/hindsight.json", {"sql": "select rowid from claims_fts where claims_fts match 'models'",
                                      "_shape": "array"}),
    "long sql, no search": ("/hindsight.json", {"sql": "select " + ", ".join(f"'w{i}'" for i in range(300)),
                                                "_shape": "array"}),
}


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path,params", NORMAL_SEARCHES.values(), ids=NORMAL_SEARCHES.keys())
async def test_normal_searches_still_work(ds, path, params):
    response = await ds.client.get(path + "?" + urlencode(params))
    assert response.status_code == 200, response.text[:300]
    if params.get("_shape") == "array" and not params.get("sql", "").startswith("select 'w0'"):
        assert response.json(), "the search finds something"


# -- 2. single expensive functions and the response size ------------------------------------------

HUGE_VALUES = {
    "randomblob": "select length(randomblob(1000000000))",
    "zeroblob": "select zeroblob(1000000000)",
    "replace": "select length(replace(hex(zeroblob(100000000)), '0', '00'))",
    "group_concat": ("select length(group_concat(hex(randomblob(100000)))) from "
                     "(with recursive c(x) as (select 1 union all select x + 1 from c limit 3000) select x from c)"),
}


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("sql", HUGE_VALUES.values(), ids=HUGE_VALUES.keys())
async def test_a_huge_value_fails_fast_with_a_clear_error(ds, sql):
    start = time.monotonic()
    response = await ds.client.get("/hindsight.json?" + urlencode({"sql": sql}))
    assert time.monotonic() - start < 2
    # The length limit stops it; on a loaded machine a value built in many steps (group_concat)
    # may meet the time limit first, also a fast and clear error.
    assert response.status_code == 400
    assert response.json()["error"] == "string or blob too big" or "took too long" in response.json()["error"]


# SQLite's matcher retries the pattern after '%' at each character: 10 MB x 1,000 took 8.8 s in one call
# (the `_` keeps it off the site's linear path for Datasette's contains/startswith/endswith filters).
WORST_LIKE = "select hex(zeroblob(5000000)) like '%' || printf('%.*c', 997, '0') || '_1'"

LOOPS_INSIDE_ONE_CALL = {
    "printf star precision": "select printf('%.*c', 2000000000, 'x')",
    "format star width": "select format('%*d', 2000000000, 1)",
    "literal width": "select printf('%2000000000d', 1)",
    "width given as text": "select printf('%.*c', '2e9', 'x')",
    "a row of them": "select " + ", ".join(["length(printf('%.*c', 1e9, 'x'))"] * 5),
    "after a %% and other arguments": "select printf('%s %% %d %.*c', 'a', 1, 1e9, 'x')",
    "long LIKE pattern": "select hex(zeroblob(1000000)) like printf('%.*c', 5000, '%') || 'x'",
    "LIKE, worst case": WORST_LIKE,
    "LIKE with ESCAPE": WORST_LIKE + " escape '!'",
    "NOT LIKE": WORST_LIKE.replace(" like ", " not like "),
    "GLOB": WORST_LIKE.replace(" like '%'", " glob '*'"),
    "LIKE on a blob": WORST_LIKE.replace("hex(zeroblob(5000000))", "cast(hex(zeroblob(5000000)) as blob)"),
}


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("sql", LOOPS_INSIDE_ONE_CALL.values(), ids=LOOPS_INSIDE_ONE_CALL.keys())
async def test_a_call_that_would_loop_inside_itself_is_refused_at_once(ds, sql):
    start = time.monotonic()
    response = await ds.client.get("/hindsight.json?" + urlencode({"sql": sql}))
    assert time.monotonic() - start < 1  # SQLite's own printf spent 3 s per call here, 15 s for the row
    assert response.status_code == 400 and response.json()["error"] == "string or blob too big"


@pytest.mark.asyncio(loop_scope="session")
async def test_printf_and_format_still_format(ds):
    sql = ("select printf('%d items, %5.2f%%, %-4s|', 3, 2.5, 'ok') as a, format('%.*c', 3, '#') as b, "
           "printf('%,d', 1234567) as c, printf(null) as d, 'abc' like '%b%' as e")
    response = await ds.client.get("/hindsight.json?" + urlencode({"sql": sql, "_shape": "array"}))
    assert response.json() == [{"a": "3 items,  2.50%, ok  |", "b": "###", "c": "1,234,567", "d": None, "e": 1}]


LIKE_PATTERNS = ["%model%", "%MoDeL%", "model%", "MOD%", "%els", "%%", "%", "", "%mo_el%", "%mod%el%", "%é%",
                 "%É%", "é%", "%a\0b%", "%x", "_%", None, 5, b"%od%", "%1.5%", "%" + "a" * 1100 + "%"]
LIKE_TEXTS = ["A small Model", "MODELS", "modèle", "MODÉLE é", "a\0model", "", None, 15, 1.5, b"mo\0del", b"model",
              "ÀmodelÀ", "_%", "a" * 50]


def sqlite_answer(conn, sql, args):
    try:
        return conn.execute(sql, args).fetchone()[0]
    except sqlite3.OperationalError:
        return "error"


def test_like_and_glob_give_sqlites_own_answers():
    # The site's like() answers Datasette's contains/startswith/endswith filters in Python: the same
    # ASCII-only case folding, NUL, NULL, number and blob handling, and errors (a long pattern, ESCAPE).
    plain, site = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    plain.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, plugin("query_limits").MAX_LIKE_PATTERN)
    plugin("query_limits").prepare_connection(site)
    cases = [("select ? like ?", (text, pattern)) for pattern in LIKE_PATTERNS for text in LIKE_TEXTS]
    cases += [("select ? glob ?", (text, pattern.replace("%", "*") if isinstance(pattern, str) else pattern))
              for pattern in LIKE_PATTERNS for text in LIKE_TEXTS]
    cases += [("select ? like ? escape ?", ("xa%by ab", pattern, escape))
              for pattern in ["%a!%b%", "%ab%", "a%"] for escape in ["!", "", "ab", None, "%", "_"]]
    assert [sqlite_answer(site, sql, args) for sql, args in cases] == [sqlite_answer(plain, sql, args)
                                                                      for sql, args in cases]


@pytest.mark.asyncio(loop_scope="session")
async def test_like_filters_find_what_they_did(ds, db_path):
    plain = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    for suffix, pattern in [("contains", "%MODEL%"), ("startswith", "the%"), ("endswith", "%."), ("like", "%mo_el%")]:
        expected = plain.execute("select count(*) from claims where quote like ?", [pattern]).fetchone()[0]
        value = pattern.strip("%") if suffix != "like" else pattern
        response = await ds.client.get("/hindsight/claims.json?" + urlencode({f"quote__{suffix}": value, "_size": 1}))
        assert response.status_code == 200 and response.json()["filtered_table_rows_count"] == expected > 0, suffix


def test_the_like_budget_bounds_one_call_to_a_few_milliseconds():
    budget = plugin("query_limits").MATCH_BUDGET
    conn = sqlite3.connect(":memory:")  # SQLite's own LIKE, at its worst: text x pattern at the budget
    text, pattern = "a" * (budget // 1000), "%" + "a" * 998 + "b"
    start = time.perf_counter()
    assert conn.execute("select ? like ?", (text, pattern)).fetchone() == (0,)
    assert time.perf_counter() - start < 0.02  # about 2 ms; slack for a loaded machine


@pytest.mark.asyncio(loop_scope="session")
async def test_every_connection_has_the_length_limit_and_legitimate_values_fit(ds):
    limit = plugin("query_limits").LENGTH_LIMIT
    assert limit >= 2 * MAX_BYTES  # a document's text and markdown, from the largest source the build takes
    db = ds.get_database("hindsight")
    assert await db.execute_fn(lambda conn: conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)) == limit
    response = await ds.client.get("/hindsight.json?" + urlencode(
        {"sql": f"select length(zeroblob({MAX_BYTES})) as n", "_shape": "array"}))
    assert response.json() == [{"n": MAX_BYTES}]


@pytest.mark.asyncio(loop_scope="session")
async def test_a_response_over_the_cap_is_an_error_not_a_stream(ds, monkeypatch):
    monkeypatch.setattr(plugin("query_limits"), "RESPONSE_LIMIT", 20_000)
    response = await ds.client.get("/hindsight.json?" + urlencode({"sql": "select hex(zeroblob(200000)) as x"}))
    assert response.status_code == 500 and response.json()["title"] == "Response too large"
    assert len(response.content) < 1000
    small = await ds.client.get("/hindsight.json?" + urlencode({"sql": "select hex(zeroblob(1000)) as x"}))
    assert small.status_code == 200
    # A streamed CSV is cut off at the cap with a last line saying why.
    streamed = await ds.client.get("/hindsight/documents.csv?_stream=on&_size=1")
    assert streamed.status_code == 200 and len(streamed.content) < 21_000
    assert streamed.text.rstrip().endswith("the whole database can be downloaded instead).")
    # The database download is a file: not capped.
    download = await ds.client.get("/hindsight.db")
    assert download.status_code == 200 and len(download.content) > 100_000


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", ["/hindsight.json", "/hindsight"])
async def test_a_query_fetching_too_much_is_a_clear_400(ds, monkeypatch, path):
    # Datasette reads up to max_returned_rows rows into memory before the response cap applies:
    # one query's text and blobs are held to FETCH_LIMIT (1,000 rows of zeroblob(1e8) held 7 GB).
    monkeypatch.setattr(plugin("query_limits"), "FETCH_LIMIT", 50_000)
    rows = "(with recursive c(x) as (select 1 union all select x + 1 from c limit 100) select x from c)"
    response = await ds.client.get(path + "?" + urlencode({"sql": f"select x, zeroblob(1000) as b from {rows}"}))
    assert response.status_code == 400 and "ask for fewer rows or columns" in response.text
    small = await ds.client.get(path + "?" + urlencode({"sql": f"select x, zeroblob(100) as b from {rows}"}))
    assert small.status_code == 200
    assert (await ds.client.get("/hindsight/claims.json?_size=5")).status_code == 200  # with its own queries
    monkeypatch.setattr(plugin("query_limits"), "FETCH_LIMIT", 2_000)
    table = await ds.client.get("/hindsight/documents.json?_size=100&_col=text")
    assert table.status_code == 400 and "ask for fewer rows or columns" in table.text


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", ["/hindsight.json", "/hindsight"])
async def test_one_row_of_many_huge_values_is_a_clear_400(ds, path):
    # The row is whole in memory before any row is counted: SQLite's heap limit stops it instead
    # (six values of 100 MB, each under the length limit, are 600 MB: past the 512 MiB).
    limits = plugin("query_limits")
    assert (await ds.client.get("/hindsight/claims.json?_size=1")).status_code == 200  # a connection prepared
    assert sqlite3.connect(":memory:").execute("pragma hard_heap_limit").fetchone()[0] == limits.HEAP_LIMIT
    wide = ", ".join(["zeroblob(100000000)"] * 6)
    response = await ds.client.get(path + "?" + urlencode({"sql": f"select {wide}"}))
    assert response.status_code == 400 and "more memory than the site gives SQLite (512 MiB)" in response.text
    assert (await ds.client.get("/hindsight/claims.json?_size=5")).status_code == 200


# -- 1 and 2 against a real server: hostile requests fail fast while other pages are answered ------

def fetch(url, timeout=60):
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    return status, body, time.monotonic() - start


HOSTILE = [
    ("/hindsight/search", {"q": MANY_WORDS}),
    ("/hindsight/search.json", {"q": MANY_WORDS}),
    ("/hindsight/claims.json", {"_search": MANY_WORDS}),
    ("/hindsight/documents", {"_search": MANY_WORDS}),
    ("/hindsight.json", {"sql": HUGE_VALUES["randomblob"]}),
    ("/hindsight.json", {"sql": HUGE_VALUES["replace"]}),
    ("/hindsight.json", {"sql": HUGE_VALUES["zeroblob"]}),
    ("/hindsight.json", {"sql": WORST_LIKE}),
]


def test_hostile_requests_fail_fast_while_other_pages_are_served(db_path):
    with hindsight_serve(db_path) as base:
        hostile, stop = [], threading.Event()

        def attacker(k):
            n = 0
            while not stop.is_set() and n < 15:  # bounded in count and time
                path, params = HOSTILE[(k + n) % len(HOSTILE)]
                hostile.append((path, fetch(base + path + "?" + urlencode(params))))
                n += 1

        attackers = [threading.Thread(target=attacker, args=(k,)) for k in range(6)]  # twice the SQL threads
        for thread in attackers:
            thread.start()
        answered = []
        deadline = time.monotonic() + 20
        try:
            while any(t.is_alive() for t in attackers) and time.monotonic() < deadline:
                for page in ("/hindsight/claims.json?_size=5", "/scorecard", "/hindsight/search?q=models"):
                    status, _, seconds = fetch(base + page)
                    answered.append((page, status, seconds))
        finally:
            stop.set()
            for thread in attackers:
                thread.join(timeout=60)
    assert len(hostile) == 6 * 15
    for path, (status, body, seconds) in hostile:
        assert status == 400 and seconds < 3, (path, status, seconds, body[:200])
        assert any(reason in body for reason in (b"Search too long", b"string or blob too big"))
    assert answered and {status for _, status, _ in answered} == {200}
    assert max(seconds for _, _, seconds in answered) < 3, answered


# -- 3. CSV -----------------------------------------------------------------------------------------

FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\r=x", "=HYPERLINK(\"http://x\")", "-cmd|' /C calc'!A0"]


def rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("suffix", [".csv", ".csv?_dl=1", ".csv?_stream=on", ".csv?_size=max"])
async def test_csv_cells_cannot_be_formulas(ds, suffix):
    path, _, extra = suffix.partition("?")
    columns = ", ".join(f"{value!r} as c{i}".replace("\\t", "' || char(9) || '").replace("\\r", "' || char(13) || '")
                        for i, value in enumerate(FORMULAS))
    sql = f"select {columns}, -3 as n, '+0.5' as p, 'a\n=b' as multi, 'plain' as s, 1 as \"=head\""
    url = "/hindsight" + path + "?" + urlencode({"sql": sql}) + ("&" + extra if extra else "")
    response = await ds.client.get(url)
    assert response.status_code == 200, response.text[:300]
    header, row = rows(response.text)
    assert header[-1] == "'=head"
    assert row[:len(FORMULAS)] == ["'" + value for value in FORMULAS]
    assert row[len(FORMULAS):] == ["-3", "+0.5", "a\n=b", "plain", "1"]


@pytest.mark.asyncio(loop_scope="session")
async def test_a_table_csv_is_unchanged_apart_from_formulas(ds):
    # Sorted by id: Datasette's own pagination of a stream repeats rows on a column with ties.
    csv_text = (await ds.client.get("/hindsight/claims.csv?_stream=on&_size=10&_sort=id")).text
    data = (await ds.client.get("/hindsight/claims.json?_shape=array&_size=max&_sort=id")).json()
    table = rows(csv_text)
    assert len(table) == len(data) + 1 and table[0] == list(data[0])
    assert [r[0] for r in table[1:]] == [d["id"] for d in data]
    assert [r[5] for r in table[1:]] == [d["statement"] for d in data]


def test_the_csv_rewriter_is_safe_across_chunk_boundaries():
    csv_safety = plugin("csv_safety")
    source = io.StringIO()
    writer = csv.writer(source)
    written = [["=a", 'say "hi"\n=b', "-1"], ["x", "@y", "multi\r\nline"], ["", "+", "ok"]]
    for row in written:
        writer.writerow(row)
    text = source.getvalue()
    for size in (1, 2, 3, 7, len(text)):
        out, pending = [], ""
        for i in range(0, len(text), size):
            done, pending = csv_safety.complete_records(pending + text[i:i + size])
            out.append(csv_safety.rewrite(done) if done else "")
        out.append(csv_safety.rewrite(pending) if pending else "")
        assert rows("".join(out)) == [[csv_safety.safe_cell(c) for c in row] for row in written]
    assert rows("".join(out))[0] == ["'=a", "say \"hi\"\n=b", "-1"]


# -- 4. server paths ----------------------------------------------------------------------------------

@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", ["/-/threads", "/-/threads.json"])
async def test_the_threads_page_is_not_published(ds, path):
    assert (await ds.client.get(path)).status_code == 404


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", ["/-/databases.json", "/-/databases", "/-/versions.json", "/-/plugins.json",
                                  "/-/settings.json", "/-/metadata.json", "/-/actor.json", "/hindsight.json"])
async def test_no_page_shows_where_the_database_lies(ds, db_path, path):
    response = await ds.client.get(path)
    assert response.status_code == 200
    assert str(db_path.parent) not in response.text
    if path == "/-/databases.json":
        assert [d["path"] for d in response.json()] == ["hindsight.db"]


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("sql", ["select * from pragma_database_list", "select file from pragma_database_list()",
                                 "select group_concat(file) as file from pragma_database_list"])
async def test_pragma_database_list_does_not_show_the_file(ds, db_path, sql):
    response = await ds.client.get("/hindsight.json?" + urlencode({"sql": sql, "_shape": "array"}))
    assert response.status_code == 200
    assert str(db_path.parent) not in response.text
    assert {row["file"] for row in response.json()} == {None}
