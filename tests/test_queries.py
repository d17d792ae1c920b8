"""Canned queries: each documented, each answering with no parameters, ordinary input and hostile input,
and each giving the rows the seeds say it should (tests/ledger.py computes them without ingest/)."""
import datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from ledger import Ledger

ROOT = Path(__file__).resolve().parent.parent
QUERIES = yaml.safe_load((ROOT / "metadata.yml").read_text())["databases"]["hindsight"]["queries"]
LEDGER = Ledger()
ORDINARY = ["self-driving", "efficiency", "model", "Small language models", "strict", "author", "2100-01-01"]
HOSTILE = ['"', "'", '""', "a\"b", "<script>alert(1)</script>", "NEAR(", "AND", "OR NOT", "*", "-", "^x",
           "col:value", "%", "_", "\\", "'; drop table claims; --", "\x00", "é ü 🤖", "x" * 2000]
aio = pytest.mark.asyncio(loop_scope="session")


async def run(ds, name, **params):
    """The query's rows as JSON, after checking its HTML page answers too."""
    query = "?" + urlencode(params) if params else ""
    html = await ds.client.get(f"/hindsight/{name}{query}")
    assert html.status_code == 200, (name, params, html.text[-500:])
    assert "<script>alert(1)" not in html.text
    response = await ds.client.get(f"/hindsight/{name}.json{query}&_shape=array" if query else
                                   f"/hindsight/{name}.json?_shape=array")
    assert response.status_code == 200, (name, params, response.text[-500:])
    return response.json()


def assert_listed(listed, expected, limit=500):
    """A query lists everything it should, or the first `limit` of it."""
    assert listed == expected if len(expected) <= limit else (listed < expected and len(listed) == limit)


def test_every_query_is_documented():
    assert set(QUERIES) == {"search", "overdue", "came_true", "predictions_by_topic", "disagreements",
                            "scorecard_by_rule", "confident_and_wrong", "doubted_but_happened", "calibration_claims",
                            "repeated_predictions", "disagreeing_responses"}
    for name, query in QUERIES.items():
        assert query.get("title") and len(query.get("description", "")) > 40, name
        for param in query.get("params", []):
            assert f":{param}" in query["sql"], (name, param)


@aio
@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_query_answers_any_input(ds, name):
    await run(ds, name)
    for value in ["", *ORDINARY, *HOSTILE]:
        await run(ds, name, **{p: value for p in QUERIES[name].get("params", [])})


@aio
async def test_search_finds_claims_documents_and_rationales(ds):
    claim = next(c for c in LEDGER.claims.values() if c["resolutions"])
    word = max(claim["statement"].split(), key=len).strip(".,;:()\"'")
    rows = await run(ds, "search", q=word)
    assert any(r["found_in"] == "claim" and r["claim_id"] == claim["id"] for r in rows)
    assert all("\ue000" in r["snippet"] for r in rows)  # every snippet marks its match
    html = (await ds.client.get("/hindsight/search?" + urlencode({"q": word}))).text
    assert "<mark>" in html and f'href="/claims/{claim["id"]}"' in html

    document = next(iter(LEDGER.documents.values()))
    title_word = max(document["title"].split(), key=len).strip(".,;:()\"'")
    assert any(r["found_in"] == "document" and r["document_id"] == document["id"]
               for r in await run(ds, "search", q=title_word))
    rationale = claim["resolutions"][-1]["rationale"]
    rationale_word = max(rationale.split(), key=len).strip(".,;:()\"'")
    assert any(r["found_in"] == "rationale" and r["claim_id"] == claim["id"]
               for r in await run(ds, "search", q=rationale_word))


@aio
async def test_search_takes_punctuation_literally(ds):
    hyphenated = {c["id"] for c in LEDGER.claims.values()
                  if "self-driving" in (c["statement"] + " " + c["quote"]).lower()}
    rows = await run(ds, "search", q="self-driving")
    assert hyphenated <= {r["claim_id"] for r in rows if r["found_in"] == "claim"}
    assert await run(ds, "search", q="") == []
    assert await run(ds, "search", q='"') == []


@aio
@pytest.mark.parametrize("as_of", ["", "2100-01-01", "2024-06-30", "self-driving"])
async def test_overdue(ds, as_of):
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    cutoff = as_of if as_of[:1].isdigit() else today
    expected = {c["id"] for c in LEDGER.predictions()
                if c["horizon"] and c["horizon"] < cutoff and c["verdict"] in (None, "too_early")}
    rows = await run(ds, "overdue", as_of=as_of)
    assert_listed({r["claim_id"] for r in rows}, expected)
    assert [r["horizon"] for r in rows] == sorted(r["horizon"] for r in rows)


@aio
async def test_came_true(ds):
    correct = {c["id"] for c in LEDGER.predictions() if c["verdict"] == "correct"}
    rows = await run(ds, "came_true")
    assert_listed({r["claim_id"] for r in rows}, correct)
    assert [r["resolved"] for r in rows] == sorted((r["resolved"] for r in rows), reverse=True)
    if correct:
        claim = LEDGER.claims[sorted(correct)[0]]
        word = max(claim["statement"].split(), key=len).strip(".,;:()\"'")
        narrowed = {r["claim_id"] for r in await run(ds, "came_true", q=word)}
        assert claim["id"] in narrowed and narrowed <= correct


@aio
async def test_predictions_by_topic(ds):
    every = {(t, c["id"]) for c in LEDGER.predictions() for t in c["topics"]}
    assert_listed({(r["topic_id"], r["claim_id"]) for r in await run(ds, "predictions_by_topic")}, every)
    root = max((t for t in LEDGER.topics if not LEDGER.topics[t].get("parent")), key=lambda t: len(LEDGER.under(t)))
    under = LEDGER.under(root)
    expected = {(t, c) for t, c in every if t in under}
    for value in (root, LEDGER.topics[root]["name"].upper()):
        rows = await run(ds, "predictions_by_topic", topic=value)
        assert_listed({(r["topic_id"], r["claim_id"]) for r in rows}, expected)


@aio
async def test_disagreements(ds):
    sides = {}  # topic, rolled up -> documents proved right, documents proved wrong
    for claim in LEDGER.predictions():
        for topic in LEDGER.keys(claim, "topic"):
            right, wrong = sides.setdefault(topic, (set(), set()))
            if claim["verdict"] in ("correct", "partially_correct"):
                right.add(claim["document"])
            elif claim["verdict"] == "incorrect":
                wrong.add(claim["document"])
    expected = {t for t, (right, wrong) in sides.items() if right and wrong and len(right | wrong) >= 2}
    rows = await run(ds, "disagreements")
    assert {r["topic_id"] for r in rows} == expected
    for row in rows:
        right, wrong = sides[row["topic_id"]]
        assert (row["sources_right"], row["sources_wrong"]) == (len(right), len(wrong))
    if rows:
        root = max((t for t in LEDGER.topics if not LEDGER.topics[t].get("parent")),
                   key=lambda t: len(LEDGER.under(t) & expected))
        for value in (root, LEDGER.topics[root]["name"]):
            narrowed = {r["topic_id"] for r in await run(ds, "disagreements", topic=value)}
            assert narrowed == expected & LEDGER.under(root)


@aio
@pytest.mark.parametrize("rule,column", [("", "hit_rate"), ("half", "hit_rate"), ("strict", "hit_rate_strict"),
                                         ("LENIENT", "hit_rate_lenient"), ("<script>", "hit_rate")])
async def test_scorecard_by_rule(ds, rule, column):
    expected = LEDGER.scorecard("author")
    rows = await run(ds, "scorecard_by_rule", rule=rule, dimension="author")
    assert {r["key"] for r in rows} == {k for k, v in expected.items() if v["resolved"]}
    for row in rows:
        assert abs(row["hit_rate"] - expected[row["key"]][column]) < 1e-3
    lows = [r["wilson_low"] for r in rows]
    assert lows == sorted(lows, reverse=True)
    every = await run(ds, "scorecard_by_rule", rule=rule, dimension="")
    assert {r["dimension"] for r in every} == {"overall", "author", "publisher", "document", "topic", "year"}
