"""Hindsight's pages and their JSON: figures checked against the seeds (tests/ledger.py computes them
without ingest/), links between pages, safe rendering of hostile content."""
import importlib.util
import re
import shutil
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
import yaml
from datasette.app import Datasette
from ledger import VERDICTS, Ledger
from markupsafe import escape

ROOT = Path(__file__).resolve().parent.parent
LEDGER = Ledger()
SCORED = ("author", "publisher", "document", "topic", "year")
COUNTS = ("predictions", "resolved", *VERDICTS, "unreviewed")
RULES = {"half": ("hit_rate", "wilson_low", "wilson_high"),
         "strict": ("hit_rate_strict", "wilson_low_strict", "wilson_high_strict"),
         "lenient": ("hit_rate_lenient", "wilson_low_lenient", "wilson_high_lenient")}
aio = pytest.mark.asyncio(loop_scope="session")


def close(a, b):
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-3)


def pct(x):
    return f"{x * 100:.0f}%"


async def get(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[-500:])
    return response


async def get_json(ds, path):
    return (await get(ds, path)).json()


def as_json(url):
    """The .json variant of a page URL."""
    parts = urlsplit(url)
    return parts.path + ".json" + (f"?{parts.query}" if parts.query else "")


async def every_row(ds, url, key):
    """All rows of a paginated page, following next_url."""
    rows = []
    while url:
        data = await get_json(ds, as_json(url))
        rows += data[key]
        url = data["next_url"]
    return rows


def expected_claims(dimension, key, count):
    """Ids of the predictions a scorecard count is made of."""
    claims = LEDGER.predictions(None if dimension == "overall" else dimension, key, counted=True)
    if count == "resolved":
        claims = [c for c in claims if c["verdict"] in ("correct", "partially_correct", "incorrect")]
    elif count == "unreviewed":
        claims = [c for c in claims if c["verdict"] is None]
    elif count != "predictions":
        claims = [c for c in claims if c["verdict"] == count]
    return {c["id"] for c in claims}


def assert_figures(row, expected):
    for column in COUNTS:
        assert row[column] == expected[column], (row["id"], column)
    for columns in RULES.values():
        for column in columns:
            assert close(row[column], expected[column]), (row["id"], column, row[column], expected[column])


# Home

@aio
async def test_home_headline_numbers(ds):
    data = await get_json(ds, "/.json")
    predictions = LEDGER.predictions()
    overall = LEDGER.scorecard("overall")["all"]
    assert data["documents"] == len(LEDGER.documents)
    assert data["claims"] == len(LEDGER.claims)
    assert data["predictions"] == len(LEDGER.predictions(counted=True))  # a prediction made again counts once
    assert data["observations"] == len(LEDGER.claims) - len(predictions)
    assert_figures(data["overall"], overall)

    html = (await get(ds, "/")).text
    assert f">{len(LEDGER.documents):,}</a>" in html and f">{len(LEDGER.claims):,}</a>" in html
    assert f"{pct(data['overall']['hit_rate'])} <small>of {overall['resolved']:,} resolved predictions" in html
    for href in ("/scorecard", "/documents", "/topics", "/hindsight/search", "/scorecard/author", "/scorecard/year"):
        assert f'href="{href}"' in html


@aio
async def test_home_newest_resolutions(ds):
    newest = (await get_json(ds, "/.json"))["newest_resolutions"]
    current = [c for c in LEDGER.claims.values() if c["resolved"]]
    assert len(newest) == min(10, len(current))
    assert [r["resolved"] for r in newest] == sorted((r["resolved"] for r in newest), reverse=True)
    assert newest[0]["resolved"] == max(c["resolved"] for c in current)
    for row in newest:
        assert row["verdict"] == LEDGER.claims[row["claim_id"]]["verdict"]
    html = (await get(ds, "/")).text
    for row in newest:
        assert f'href="/claims/{row["claim_id"]}">{escape(row["statement"])}</a>' in html


# Scorecards

@aio
@pytest.mark.parametrize("dimension", SCORED)
async def test_scorecard_figures(ds, dimension):
    expected = LEDGER.scorecard(dimension)
    rows = await every_row(ds, f"/scorecard/{dimension}", "rows")
    assert {r["key"] for r in rows} == set(expected)
    for row in rows:
        assert_figures(row, expected[row["key"]])
        assert close(row["rate"], expected[row["key"]]["hit_rate"])  # the default rule is half credit
    assert [r["predictions"] for r in rows] == sorted((r["predictions"] for r in rows), reverse=True)

    html = (await get(ds, f"/scorecard/{dimension}")).text
    shown = [r for r in rows[:50]]
    for row in shown:
        assert f">{escape(row['label'])}</a></th>" in html
    # One dot per row with resolved predictions, placed at its hit rate on a 400px axis from x=250.
    scored = [r for r in shown if r["resolved"]]
    assert html.count('<circle class="dot"') == len(scored)
    for row in scored:
        assert f'<circle class="dot" cx="{250 + row["hit_rate"] * 400}"' in html


@aio
@pytest.mark.parametrize("dimension", ("overall", *SCORED))
async def test_every_number_links_to_the_claims_behind_it(ds, dimension):
    if dimension == "overall":
        row = (await get_json(ds, "/scorecard.json"))["overall"]
    else:
        rows = (await get_json(ds, f"/scorecard/{dimension}.json"))["rows"]
        if not rows:
            pytest.skip(f"no {dimension} scorecard rows in the seeds yet")
        row = rows[0]
    html = (await get(ds, f"/scorecard/{dimension}" if dimension != "overall" else "/scorecard")).text
    for count in COUNTS:
        claims = await every_row(ds, row["links"][count], "claims")
        assert {c["id"] for c in claims} == expected_claims(dimension, row["key"], count), count
        assert len(claims) == row[count]
        if row[count]:
            assert f'<a href="{escape(row["links"][count])}">{row[count]}</a>' in html


@aio
@pytest.mark.parametrize("rule", RULES)
async def test_scorecard_rules(ds, rule):
    expected = LEDGER.scorecard("author")
    data = await get_json(ds, f"/scorecard/author.json?rule={rule}&sort=interval")
    rate, low, high = RULES[rule]
    for row in data["rows"]:
        assert close(row["rate"], expected[row["key"]][rate])
        assert close(row["low"], expected[row["key"]][low]) and close(row["high"], expected[row["key"]][high])
    lows = [r["low"] for r in data["rows"] if r["low"] is not None]
    assert lows == sorted(lows, reverse=True)
    assert all(r["low"] is None for r in data["rows"][len(lows):])  # unscored rows last
    html = (await get(ds, f"/scorecard/author?rule={rule}")).text
    assert f'value="{rule}" checked' in html


@aio
async def test_scorecard_orders_and_bad_parameters(ds):
    rows = (await get_json(ds, "/scorecard/topic.json?sort=label"))["rows"]
    assert [r["label"] for r in rows] == sorted(r["label"] for r in rows)
    for query, error in (("rule=<script>", "?rule= is one of: half, strict, lenient."),
                         ("sort=1;drop", "?sort= is one of: predictions, interval, label."),
                         ("page=x", "?page= is a page number: a whole number from 1")):
        response = await get(ds, f"/scorecard/author.json?{query}", status=400)
        assert error in response.json()["error"] and "script" not in response.text, query
    empty = await get_json(ds, "/scorecard/author.json?rule=&sort=&page=")  # an empty field is one not chosen
    assert (empty["rule"], empty["sort"], empty["page"]) == ("half", "predictions", 1)
    await get(ds, "/scorecard/author.json?page=1000", status=404)
    await get(ds, "/scorecard/nonsense", status=404)


@aio
async def test_scorecard_overview(ds):
    data = await get_json(ds, "/scorecard.json")
    assert_figures(data["overall"], LEDGER.scorecard("overall")["all"])
    for dimension in SCORED:
        expected = sorted((r["predictions"] for r in LEDGER.scorecard(dimension).values()), reverse=True)[:5]
        assert [r["predictions"] for r in data["dimensions"][dimension]] == expected
    html = (await get(ds, "/scorecard")).text
    for dimension in SCORED:
        assert f'href="/scorecard/{dimension}?rule=half"' in html
    assert html.count("<svg viewBox") == sum(1 for d in SCORED if data["dimensions"][d])


# Documents

class Highlights(HTMLParser):
    """Text of each highlighted quote piece, grouped by the claim number in its title."""

    def __init__(self):
        super().__init__()
        self.open, self.pieces, self.refs = [], {}, []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "hr", "img", "input", "meta", "link"):
            return  # void elements have no end tag
        attrs = dict(attrs)
        if tag == "sup" and attrs.get("class") == "claim-ref":
            self.refs.append(None)
        if tag == "a" and self.refs and self.refs[-1] is None and attrs.get("id", "").startswith("claim-"):
            self.refs[-1] = attrs["id"][len("claim-"):]
        number = attrs.get("title", "").partition(":")[0].removeprefix("Claim ")
        self.open.append(int(number) if "hl" in attrs.get("class", "").split() else None)

    def handle_endtag(self, tag):
        if self.open:
            self.open.pop()

    def handle_data(self, data):
        numbers = [n for n in self.open if n is not None]
        if numbers:
            self.pieces.setdefault(numbers[-1], []).append(data)


@aio
@pytest.mark.parametrize("document_id", sorted(LEDGER.documents))
async def test_annotated_document(ds, document_id):
    data = await get_json(ds, f"/documents/{document_id}.json")
    expected = {c["id"]: c for c in LEDGER.claims.values() if c["document"] == document_id}
    claims = data["claims"]
    assert {c["id"] for c in claims} == set(expected)
    assert [c["quote_start"] for c in claims] == sorted(c["quote_start"] for c in claims)
    assert all(c["placed"] for c in claims), [c["id"] for c in claims if not c["placed"]]
    for claim in claims:
        assert claim["verdict"] == (expected[claim["id"]]["verdict"] or "unreviewed")
    verdicts = [c["verdict"] or "unreviewed" for c in expected.values()]
    assert data["verdict_counts"] == {v: verdicts.count(v) for v in set(verdicts)}
    assert [a["id"] for a in data["authors"]] == sorted(
        LEDGER.documents[document_id].get("authors") or [], key=lambda a: LEDGER.authors[a]["name"])
    scorecard = LEDGER.scorecard("document").get(document_id)
    if scorecard:
        assert_figures(data["scorecard"], scorecard)
    else:
        assert data["scorecard"] is None

    html = (await get(ds, f"/documents/{document_id}")).text
    assert f"<h1>{escape(LEDGER.documents[document_id]['title'])}</h1>" in html
    # Every quote is highlighted in full, in its verdict's colour, followed by its numbered reference.
    parser = Highlights()
    parser.feed(html.split('<article class="document-body">')[1].split("</article>")[0])
    assert parser.refs == [c["id"] for c in sorted(claims, key=lambda c: c["quote_start"])]
    for claim in claims:
        assert "".join(parser.pieces[claim["number"]]) == claim["quote"], claim["id"]
        assert f'class="hl hl-{claim["verdict"]}" href="/claims/{claim["id"]}"' in html
    for verdict in set(verdicts):  # the legend counts each verdict present
        assert f'<span class="count">{verdicts.count(verdict)}</span>' in html


@aio
async def test_documents_list_and_unknown_ids(ds):
    documents = (await get_json(ds, "/documents.json"))["documents"]
    assert {d["id"] for d in documents} == set(LEDGER.documents)
    assert [d["published"] for d in documents] == sorted((d["published"] for d in documents), reverse=True)
    html = (await get(ds, "/documents")).text
    for document in documents:
        assert f'<a href="/documents/{document["id"]}">{escape(document["title"])}</a>' in html
    for path in ("/documents/no-such-document", "/documents/no-such-document.json", "/claims/no-such-claim",
                 "/claims/no-such-claim.json", "/topics/no-such-topic", "/topics/no-such-topic.json"):
        await get(ds, path, status=404)


# Claims

@aio
async def test_claim_pages(ds):
    for claim_id, claim in LEDGER.claims.items():
        data = await get_json(ds, f"/claims/{claim_id}.json")
        assert data["claim"]["statement"] == claim["statement"]
        assert data["claim"]["verdict"] == (claim["verdict"] or "unreviewed")
        assert data["context"]["quote"] == claim["quote"]
        assert "\n\n" not in data["context"]["before"] and "\n\n" not in data["context"]["after"]  # one paragraph
        assert {t["id"] for t in data["topics"]} == set(claim["topics"])
        history = list(reversed(claim["resolutions"]))  # newest first
        assert [(r["verdict"], r["resolved"]) for r in data["resolutions"]] == [
            (r["verdict"], str(r["resolved"])) for r in history]
        for shown, seeded in zip(data["resolutions"], history):
            assert [e["url"] for e in shown["evidence"]] == [e["url"] for e in seeded.get("evidence") or []]
        for related in data["related"]:
            other = LEDGER.claims[related["id"]]
            assert other["document"] != claim["document"] and set(other["topics"]) & set(claim["topics"])
        if any(c["document"] != claim["document"] and set(c["topics"]) & set(claim["topics"])
               for c in LEDGER.claims.values()):
            assert data["related"]


@aio
async def test_claim_page_html(ds):
    claim = next(c for c in LEDGER.claims.values() if len(c["resolutions"]) > 1) if any(
        len(c["resolutions"]) > 1 for c in LEDGER.claims.values()) else next(iter(LEDGER.claims.values()))
    html = (await get(ds, f"/claims/{claim['id']}")).text
    assert f'<h1 class="statement">{escape(claim["statement"])}</h1>' in html
    assert f'<mark class="hl hl-{claim["verdict"] or "unreviewed"}">{escape(claim["quote"])}</mark>' in html
    assert f'href="/documents/{claim["document"]}#claim-{claim["id"]}"' in html
    for topic in claim["topics"]:
        assert f'href="/topics/{topic}"' in html
    for resolution in claim["resolutions"]:
        for evidence in resolution.get("evidence") or []:
            assert f'href="{escape(evidence["url"])}"' in html


@aio
async def test_claim_context_is_the_text_around_the_quote(ds):
    claim = max(LEDGER.claims.values(), key=lambda c: len(c["quote"]))
    data = await get_json(ds, f"/claims/{claim['id']}.json")
    text = (await get_json(ds, "/hindsight.json?_shape=array&sql=select+text+from+documents+where+id=:id&id="
                           + claim["document"]))[0]["text"]
    start, end = data["claim"]["quote_start"], data["claim"]["quote_end"]
    before, after = data["context"]["before"].removeprefix("…"), data["context"]["after"].removesuffix("…")
    assert text[start - len(before):start] == before and text[end:end + len(after)] == after


@aio
async def test_claims_list_filters(ds):
    def ids(rows):
        return {r["id"] for r in rows}

    correct = await every_row(ds, "/claims?kind=prediction&verdict=correct", "claims")
    assert ids(correct) == {c["id"] for c in LEDGER.predictions() if c["verdict"] == "correct"}
    year = min(c["made"][:4] for c in LEDGER.claims.values())
    made = await every_row(ds, f"/claims?year={year}", "claims")
    assert ids(made) == {c["id"] for c in LEDGER.claims.values() if c["made"].startswith(year)}
    everything = await every_row(ds, "/claims", "claims")
    assert ids(everything) == set(LEDGER.claims)
    assert [c["made"] for c in everything] == sorted((c["made"] for c in everything), reverse=True)
    await get(ds, "/claims.json?verdict=no-such-verdict", status=404)  # only values that exist are named
    await get(ds, "/claims?year=20x4", status=400)  # not a year at all
    await get(ds, "/claims?year=2999", status=404)  # a year, but no claim was made in it

    author = max(LEDGER.authors, key=lambda a: len(LEDGER.predictions("author", a)))
    html = (await get(ds, f"/claims?author={author}&kind=prediction&verdict=correct")).text
    assert f"<h1>Predictions by {escape(LEDGER.authors[author]['name'])}, judged correct</h1>" in html


# Topics

@aio
async def test_topic_pages(ds):
    scorecard = LEDGER.scorecard("topic")
    for topic_id, topic in LEDGER.topics.items():
        data = await get_json(ds, f"/topics/{topic_id}.json")
        assert {t["id"] for t in data["subtopics"]} == {t for t, v in LEDGER.topics.items() if v.get("parent") == topic_id}
        assert [a["id"] for a in data["ancestors"]] == list(reversed(LEDGER.ancestors(topic_id)[1:]))
        under = LEDGER.under(topic_id)
        expected = {c["id"] for c in LEDGER.claims.values() if set(c["topics"]) & under}
        shown = {c["id"] for c in data["claims"]}
        assert shown == expected if len(expected) <= 50 else shown < expected
        assert data["topic"]["predictions"] == (scorecard[topic_id]["predictions"] if topic_id in scorecard else None)
        html = (await get(ds, f"/topics/{topic_id}")).text
        for ancestor in data["ancestors"]:
            assert f'<a href="/topics/{ancestor["id"]}">{escape(ancestor["name"])}</a> / ' in html


@aio
async def test_topics_index_is_a_tree(ds):
    topics = (await get_json(ds, "/topics.json"))["topics"]
    assert {t["id"] for t in topics} == set(LEDGER.topics)
    seen = set()
    for topic in topics:  # every parent comes before its children
        assert topic["parent_id"] is None or topic["parent_id"] in seen
        seen.add(topic["id"])


# Plain Datasette pages

@aio
async def test_table_cells_read_well(ds):
    claims = (await get(ds, "/hindsight/claims?_size=5")).text
    assert '<span class="verdict verdict-' in claims and 'href="/claims/' in claims
    resolutions = (await get(ds, "/hindsight/resolutions?_size=5")).text
    assert '<td class="col-rationale type-str"><p>' in resolutions
    documents = (await get(ds, "/hindsight/documents")).text
    assert 'href="/documents/' in documents
    verdicts = await get_json(ds, "/hindsight/verdicts.json?_shape=array")
    css = (await get(ds, "/-/verdicts.css")).text
    for verdict in verdicts:
        assert f".verdict.verdict-{verdict['id']}{{background:{verdict['color']};" in css


# Hostile content renders as text

HOSTILE_STATEMENT = '<script>alert("statement")</script> & <b>bold</b>'
HOSTILE_PARAGRAPH = 'Note <script>alert("doc")</script> and [click](javascript:alert(1)) <img src=x onerror=alert(2)>'
HOSTILE_QUOTE = '<script>alert("doc")</script>'
HOSTILE_RATIONALE = '**Bold** [evil](javascript:alert(3)) <script>alert(4)</script> [fine](https://example.org/)'


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def hostile(db_path, tmp_path_factory):
    """The real database with one document, claim, resolution and evidence item made hostile."""
    path = tmp_path_factory.mktemp("hostile") / "hindsight.db"
    shutil.copy(db_path, path)
    claim = next(c for c in LEDGER.claims.values() if c["resolutions"] and c["topics"])
    with sqlite3.connect(path) as db:
        text, = db.execute("select text from documents where id = ?", [claim["document"]]).fetchone()
        plain = HOSTILE_PARAGRAPH.replace("[click](javascript:alert(1))", "click")
        start = len(text) + 2 + plain.index(HOSTILE_QUOTE)
        db.execute("update documents set markdown = markdown || ?, text = text || ?, url = ? where id = ?",
                   ["\n\n" + HOSTILE_PARAGRAPH + "\n", "\n\n" + plain, "javascript:alert(6)", claim["document"]])
        db.execute("update claims set statement = ?, quote = ?, quote_start = ?, quote_end = ? where id = ?",
                   [HOSTILE_STATEMENT, HOSTILE_QUOTE, start, start + len(HOSTILE_QUOTE), claim["id"]])
        db.execute("update resolutions set rationale = ? where claim_id = ?", [HOSTILE_RATIONALE, claim["id"]])
        db.execute("update evidence set url = 'javascript:alert(5)' where claim_id = ?", [claim["id"]])
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text())
    datasette = Datasette(immutables=[str(path)], metadata=metadata, plugins_dir=str(ROOT / "plugins"),
                          template_dir=str(ROOT / "templates"), static_mounts=[("static", str(ROOT / "static"))],
                          settings=metadata.get("settings"))
    await datasette.invoke_startup()
    return datasette, claim


def assert_inert(html):
    """No hostile tag, attribute or link survives; the same characters as text are fine."""
    assert "<script>alert" not in html and "<b>bold" not in html and "<img" not in html
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.I)
    assert not re.search(r"<[^>]*\son\w+\s*=", html)


@aio
async def test_hostile_claim_renders_as_text(hostile):
    ds, claim = hostile
    for path in (f"/claims/{claim['id']}", f"/documents/{claim['document']}", "/claims?verdict=" + claim["verdict"],
                 f"/topics/{claim['topics'][0]}", f"/hindsight/claims/{claim['id']}",
                 f"/hindsight/resolutions?claim_id={claim['id']}", "/hindsight/search?q=alert"):
        html = (await get(ds, path)).text
        assert_inert(html)
    html = (await get(ds, f"/claims/{claim['id']}")).text
    assert str(escape(HOSTILE_STATEMENT)) in html
    assert "<strong>Bold</strong>" in html and 'href="https://example.org/"' in html


@aio
async def test_hostile_document_quote_is_highlighted_as_text(hostile):
    ds, claim = hostile
    data = await get_json(ds, f"/documents/{claim['document']}.json")
    assert next(c for c in data["claims"] if c["id"] == claim["id"])["placed"]
    html = (await get(ds, f"/documents/{claim['document']}")).text
    assert_inert(html)
    assert f'href="/claims/{claim["id"]}" title="Claim ' in html
    assert "&lt;script&gt;alert(&#34;doc&#34;)&lt;/script&gt;</a>" in html or \
           "&lt;script&gt;alert(\"doc\")&lt;/script&gt;</a>" in html


# Pure pieces: the highlighter

def plugin(name):
    spec = importlib.util.spec_from_file_location(f"hindsight_test_{name}", ROOT / "plugins" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def claim(id, quote, text, number=1, verdict="correct"):
    start = text.index(quote)
    return {"id": id, "url": f"/claims/{id}", "number": number, "quote": quote, "quote_start": start,
            "quote_end": start + len(quote),
            "verdict": verdict, "verdict_label": verdict.capitalize(), "statement": f"Statement {id}"}


def test_highlight_crosses_inline_markup_and_links():
    render = plugin("document_pages").render
    markdown = "Alpha **bravo charlie** [delta echo](https://example.org/) foxtrot"
    text = "Alpha bravo charlie delta echo foxtrot"
    claims = [claim("c1", "charlie delta", text)]
    html = str(render(markdown, text, claims))
    parser = Highlights()
    parser.feed(html)
    assert claims[0]["placed"] and "".join(parser.pieces[1]) == "charlie delta"
    # Inside the existing link the quote is marked, not nested in a second link; the reference follows the link.
    assert '<mark class="hl hl-correct" title="Claim 1: Correct">delta</mark> echo</a><sup class="claim-ref">' in html
    assert '<strong>bravo <a class="hl hl-correct" href="/claims/c1"' in html


def test_highlight_overlapping_and_missing_quotes():
    render = plugin("document_pages").render
    text = "One two three four five."
    claims = [claim("outer", "two three four", text, 1), claim("inner", "three", text, 2, "incorrect"),
              claim("lost", "seven", text + " seven", 3)]
    claims[2]["quote_start"] = claims[2]["quote_end"] = 0
    html = str(render(text, text, claims))
    parser = Highlights()
    parser.feed(html)
    assert "".join(parser.pieces[1]) == "two  four" and parser.pieces[2] == ["three"]
    assert parser.refs == ["inner", "outer"]
    assert [c["placed"] for c in claims] == [True, True, False]


def test_repeated_quote_takes_the_same_occurrence():
    render = plugin("document_pages").render
    text = "It will rain.\n\nMaybe. It will rain."
    second = {**claim("c2", "It will rain.", text), "quote_start": text.rindex("It will rain.")}
    html = str(render(text, text, [second]))
    assert html.index('class="hl') > html.index("Maybe.")


def test_markdown_is_sanitised():
    markdown = plugin("render_cells").markdown
    html = str(markdown('<script>x</script> [a](javascript:alert(1)) [b](/claims/x) ![i](https://x.test/i.png) **c**'))
    assert_inert(html)
    assert "&lt;script&gt;x" in html and '<a href="/claims/x"' in html and "<strong>c</strong>" in html
    assert '<a href="https://x.test/i.png" rel="noopener noreferrer">i</a>' in html  # an image becomes a link
