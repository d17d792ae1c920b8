"""No parameter makes a page fail: every parameter of Hindsight's pages and of Datasette's own table,
row and query pages, given hostile values, is answered with a 2xx/3xx or a 400/404 saying what is wrong,
never a 5xx. And a claims list's heading names only authors, verdicts (...) that exist."""
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from ledger import Ledger
from markupsafe import escape

ROOT = Path(__file__).resolve().parent.parent
LEDGER = Ledger()
aio = pytest.mark.asyncio(loop_scope="session")

HOSTILE = ["", " ", "abc", "-5", "0", "1e9", "1.5", str(10 ** 30), str(-10 ** 30), "99999999999999999999999",
           "9" * 5000, "'", '"', "%", "\x00", "a\x00b", "<script>alert(1)</script>", "\u2028", "é", "NaN",
           "[]", "{}", "{", '{"column": 5}', "null",
           # names of scorecard columns, which a verdict filter once looked up as one
           "id", "label", "dimension", "hit_rate", "predictions", "rowid",
           '{"table": "claim_topics", "column": "topic_id", "value": "x"}',
           '{"table": "nope", "column": "nope", "value": 1}']

# one value of each kind, for Datasette's pages (each request to a table is slower than to ours)
SOME = ["", "abc", "-5", "1e9", str(10 ** 30), "9" * 5000, "a\x00b", "<script>alert(1)</script>", "{", "{}",
        '{"column": 5}', "[]", "label", '{"table": "nope", "column": "nope", "value": 1}']

CLAIM = next(iter(sorted(LEDGER.claims)))
DOCUMENT = LEDGER.claims[CLAIM]["document"]
TOPIC = LEDGER.claims[CLAIM]["topics"][0]
AUTHOR = next(iter(sorted(LEDGER.authors)))
# Hindsight's pages -> the parameters each reads (test_every_parameter_is_covered keeps this complete)
OURS = {
    "/": [], "/claims": ["author", "publisher", "document", "topic", "year", "kind", "verdict", "counted", "page"],
    "/documents": ["page"], f"/documents/{DOCUMENT}": [], f"/claims/{CLAIM}": [],
    "/scorecard": ["rule"], "/scorecard/author": ["rule", "sort", "page"], "/scorecard/year": ["rule", "sort", "page"],
    "/topics": [], f"/topics/{TOPIC}": [],
    "/calibration": ["rule"], f"/calibration/author/{AUTHOR}": ["rule"], "/calibration/words": [],
}
# how a plugin reads a parameter: from request.args itself, or through hindsight_site/pages.py
READS = re.compile(r"""(?:request\.args\.get(?:list)?\(|\bchoice\(request,)\s*["']([^"']+)["']""")
# Datasette's own pages -> parameters they read: sorting, paging, facets, filters on integer, text and
# rowid columns, full-text search, time limits, shapes, joins.
TABLE = ["_sort", "_sort_desc", "_size", "_next", "_facet", "_facet_array", "_facet_date", "_facet_size", "_search",
         "_col", "_nocol", "_labels", "_shape", "_where", "_through", "_timelimit", "_json", "_nofacet",
         "_nocount", "_trace", "_ttl", "_hash", "_dl", "_stream"]
DATASETTE = {
    "/hindsight/claims": TABLE + ["quote_start", "quote_start__gt", "quote_start__lt", "quote_start__in",
                                  "quote_start__isnull", "id__gt", "id__contains", "made__gte", "made__date",
                                  "_search_statement"],
    "/hindsight/resolutions": ["_sort", "_next", "_size", "seq", "seq__gt", "rowid__gt", "rowid", "_timelimit"],
    "/hindsight/claims_fts": ["_search", "rowid__gt", "_sort", "_next"],
    f"/hindsight/claims/{CLAIM}": ["_shape", "_json", "_labels"],
    "/hindsight": ["sql", "_shape", "_size", "_timelimit", "_json"],
    "/hindsight/search": ["q", "_shape", "_size", "_timelimit", "_json"],
    "/hindsight/overdue": ["as_of"], "/hindsight/came_true": ["q"],
    "/hindsight/predictions_by_topic": ["topic"], "/hindsight/disagreements": ["topic"],
    "/hindsight/scorecard_by_rule": ["rule", "dimension"],
}


def urls(pages, formats, values=HOSTILE):
    for path, params in pages.items():
        for fmt in formats(path):
            base = ("/" + fmt if fmt else "/") if path == "/" else path + fmt
            yield base
            for name in params:
                for value in values:
                    yield base + "?" + urlencode({name: value})


async def assert_no_5xx(ds, urls):
    failed = []
    for url in urls:
        response = await ds.client.get(url)
        if response.status_code >= 500:
            failed.append((url[:120], response.status_code, response.text[-200:]))
        elif response.status_code >= 400:
            assert response.status_code in (400, 404), (url[:120], response.status_code)
    assert not failed, failed


@aio
@pytest.mark.parametrize("path", OURS)
async def test_our_pages_answer_every_parameter(ds, path):
    await assert_no_5xx(ds, urls({path: OURS[path]}, lambda p: ["", ".json"]))


@aio
@pytest.mark.parametrize("path", DATASETTE)
async def test_datasette_pages_answer_every_parameter(ds, path):
    await assert_no_5xx(ds, urls({path: DATASETTE[path]}, lambda p: ["", ".json", ".csv"], SOME))


def test_every_parameter_is_covered():
    """Every request.args a page of ours reads is probed above."""
    probed = {name for params in OURS.values() for name in params}
    for plugin in (ROOT / "plugins").glob("*.py"):
        text = plugin.read_text()
        read = set(READS.findall(text)) | ({"page"} if "page_number(request" in text else set())
        assert read <= probed | set(TABLE), (plugin.name, read - probed)


@aio
@pytest.mark.parametrize("url, message", [
    ("/hindsight/claims?_sort=nope", "Cannot sort table by nope"),
    ("/hindsight/claims.json?_sort_desc=nope", "Cannot sort table by nope"),
    ("/hindsight/claims.json?quote_start__gt=99999999999999999999999", "out of range"),
    ("/hindsight/claims.json?id__gt=" + str(10 ** 30), "out of range"),
    ("/hindsight/resolutions.json?rowid__gt=" + str(10 ** 30), "out of range"),
    ("/hindsight/claims.json?_facet=kind&_facet_size=" + "9" * 5000, "out of range"),
    ("/hindsight/claims.json?_facet_size=%7B", "_facet_size"),
    ("/hindsight/claims.csv?quote_start__lt=" + str(10 ** 30), "out of range"),
    ("/hindsight/claims.json?_size=-1", "_size"),
    ("/hindsight/claims.json?_size=" + str(10 ** 30), "_size"),
    ("/hindsight/claims.json?_timelimit=abc", "_timelimit"),
    ("/hindsight/search.json?q=x&_timelimit=1e9", "_timelimit"),
    ("/hindsight/claims.json?_through=nope", "_through"),
    ("/hindsight/claims.json?_through=%7B%7D", "_through"),
    ("/hindsight/claims.json?_facet=%7B", "_facet"),
    ("/hindsight/claims.json?_facet=%00", "NUL"),
    ("/hindsight/claims.json?_where=%00", "NUL"),
    ("/hindsight.csv", "sql="),
])
async def test_datasette_parameter_errors_are_400s_saying_why(ds, url, message):
    response = await ds.client.get(url)
    assert response.status_code == 400, (url, response.status_code, response.text[-300:])
    assert message in (response.json()["error"] if ".json" in url else response.text)


@aio
async def test_page_numbers(ds):
    for path in ("/claims", "/documents", "/scorecard/author"):
        for huge in (str(10 ** 30), str(2 ** 63), "100000", "9" * 5000):
            response = await ds.client.get(f"{path}.json?page={huge}")
            assert response.status_code == 404 and "?page=" in response.json()["error"], (path, huge[:30])
        for odd in ("abc", "-1", "0", "000", "1.5", "1e9", "+2", " 2", "２", "<b>2</b>"):  # not a page number
            response = await ds.client.get(f"{path}.json?" + urlencode({"page": odd}))
            assert response.status_code == 400, (path, odd, response.status_code)
            assert response.json()["error"] == "?page= is a page number: a whole number from 1, such as ?page=2."
            html = await ds.client.get(f"{path}?" + urlencode({"page": odd}))
            assert html.status_code == 400 and "?page= is a page number" in html.text and "<b>2" not in html.text
        for given, page in (("", 1), ("1", 1), ("01", 1)):  # empty: not chosen, the first page
            response = await ds.client.get(f"{path}.json?page={given}")
            assert response.status_code == 200 and response.json()["page"] == page, (path, given)


@aio
@pytest.mark.parametrize("url, error", [
    ("/scorecard.json?rule=harsh", "?rule= is one of: half, strict, lenient."),
    ("/scorecard/year.json?rule=HALF", "?rule= is one of: half, strict, lenient."),
    ("/scorecard/author.json?sort=hit_rate", "?sort= is one of: predictions, interval, label."),
    ("/calibration.json?rule=strict%00", "?rule= is one of: half, strict, lenient."),
    (f"/calibration/author/{AUTHOR}.json?rule=0.5", "?rule= is one of: half, strict, lenient."),
    ("/claims.json?year=24", "?year= is a year: four digits, such as 2024."),
])
async def test_unknown_choices_are_400s_listing_the_choices(ds, url, error):
    response = await ds.client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert response.json()["error"] == error
    # and the page itself says so, in the same words
    response = await ds.client.get(url.replace(".json", "", 1))
    assert response.status_code == 400 and str(escape(error)) in response.text


# Headings name only what exists

SPOOF = "Elon Musk, who said it first"


@aio
@pytest.mark.parametrize("name", ["author", "publisher", "document", "topic", "year", "kind", "verdict"])
async def test_unknown_filter_values_are_404s_not_headings(ds, name):
    value = "2999" if name == "year" else SPOOF
    for fmt in ("", ".json"):
        response = await ds.client.get(f"/claims{fmt}?" + urlencode({name: value}))
        assert response.status_code == 404, (name, fmt, response.status_code)
        assert "Musk" not in response.text
        error = response.json()["error"] if fmt else response.text
        assert f"?{name}=" in error  # says which parameter named nothing
    html = (await ds.client.get("/claims?" + urlencode({name: value}))).text
    assert "<h1>Claims" not in html and "<title>Claims" not in html


@aio
async def test_unknown_verdict_lists_the_verdicts(ds):
    response = await ds.client.get("/claims.json?verdict=totally+right")
    assert response.status_code == 404
    error = response.json()["error"]
    assert "totally" not in error
    for verdict in ("correct", "incorrect", "resolved", "unreviewed"):
        assert verdict in error


@aio
async def test_spoofed_author_with_known_verdict_is_404(ds):
    response = await ds.client.get("/claims?" + urlencode({"author": SPOOF, "verdict": "correct"}))
    assert response.status_code == 404 and "Musk" not in response.text


@aio
async def test_known_values_keep_their_headings(ds):
    author = max(LEDGER.authors, key=lambda a: len(LEDGER.predictions("author", a)))
    name = escape(LEDGER.authors[author]["name"])
    html = (await ds.client.get(f"/claims?author={author}&kind=prediction&verdict=correct")).text
    assert f"<h1>Predictions by {name}, judged correct</h1>" in html
    html = (await ds.client.get(f"/claims?author={author}&verdict=unreviewed")).text
    assert f"<h1>Claims by {name}, not yet reviewed</h1>" in html
    year = min(c["made"][:4] for c in LEDGER.claims.values())
    response = await ds.client.get(f"/claims?year={year}&kind=observation")
    assert response.status_code in (200, 404)
    html = (await ds.client.get(f"/claims?year={year}")).text
    assert f"<h1>Claims made in {year}</h1>" in html
    data = (await ds.client.get(f"/claims.json?topic={TOPIC}&verdict=resolved")).json()
    assert data["filters"] == {"topic": TOPIC, "verdict": "resolved"}
