"""Probabilities, Brier and log scores, calibration bins and their pages (issue 14).

A hand-made ledger of ten claims by two authors; every expected figure below is worked out by
hand from the table in HAND, independently of ingest/probability_scores.py (Wilson intervals come
from tests/ledger.py's own implementation)."""
import math
import re
import textwrap
from html import unescape
from pathlib import Path

import pytest
import pytest_asyncio
import yaml
from datasette.app import Datasette

from ingest.build import build, check
from ingest.validate import ValidationFailed
from ledger import wilson

ROOT = Path(__file__).resolve().parent.parent

# claim: (author, how the probability is written, verdict); the probability each ends up with is in P.
HAND = {
    "c1": ("ann", {"probability": 0.9}, "correct"),
    "c2": ("ann", {"probability": 0.8}, "incorrect"),
    "c3": ("ann", {"confidence_words": "very likely", "probability_source": "words"}, "partially_correct"),  # IPCC: 0.95
    "c4": ("ann", {"probability": 0.2, "probability_source": "stated"}, "correct"),
    "c5": ("bob", {"probability": 0.3}, "incorrect"),
    "c6": ("bob", {"confidence_words": "likely", "probability_source": "words", "probability": 0.6}, "correct"),  # overridden
    "c7": ("bob", {"probability": 0.0}, "incorrect"),
    "c8": ("bob", {"probability": 1.0}, "incorrect"),
    "c9": ("bob", {"probability": 0.7}, "too_early"),  # not resolved: not scored
    "c10": ("bob", {}, "correct"),  # no probability: not scored
}
P = {"c1": 0.9, "c2": 0.8, "c3": 0.95, "c4": 0.2, "c5": 0.3, "c6": 0.6, "c7": 0.0, "c8": 1.0}


def write_ledger(seeds, claims=HAND):
    (seeds / "documents").mkdir(parents=True)
    (seeds / "claims").mkdir()
    text = "# Forecasts\n\n" + "\n\n".join(f"Forecast number {c[1:]} will happen." for c in claims) + "\n"
    (seeds / "documents" / "forecasts.md").write_text(text)
    for name in ("confidence_words.yml", "probability_scales.yml"):
        (seeds / name).write_text((ROOT / "seeds" / name).read_text())
    (seeds / "publishers.yml").write_text("- {id: pub, name: Pub}\n")
    (seeds / "authors.yml").write_text("- {id: ann, name: Ann, publisher: pub}\n- {id: bob, name: Bob, publisher: pub}\n")
    (seeds / "topics.yml").write_text("- {id: ai, name: AI, description: Everything.}\n")
    (seeds / "documents.yml").write_text(textwrap.dedent("""\
        - id: forecasts
          file: documents/forecasts.md
          title: Forecasts
          publisher: pub
          authors: [ann, bob]
          published: 2024-01-01
          kind: blog post
        """))
    entries = []
    for cid, (author, chance, verdict) in claims.items():
        resolution = {"verdict": verdict, "resolved": "2025-01-01" if verdict != "too_early" else "2024-06-01",
                      "resolver": "test", "confidence": "high", "rationale": "By hand."}
        if verdict != "too_early":
            resolution["evidence"] = [{"title": "E", "url": "https://example.org/e", "date": "2024-12-01"}]
        entries.append({"id": cid, "quote": f"Forecast number {cid[1:]} will happen.", "statement": f"Forecast {cid}.",
                        "author": author, "kind": "prediction", "made": "2024-01-01", "horizon": "2024-12-31",
                        "topics": ["ai"], **chance, "resolutions": [resolution]})
    (seeds / "claims" / "forecasts.yml").write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True))
    return seeds


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("hand")
    build(write_ledger(root / "seeds"), root / "hindsight.db")  # the database name the pages look for
    return root / "hindsight.db"


@pytest_asyncio.fixture(scope="module")
async def hand_ds(hand_db):
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text())
    ds = Datasette(immutables=[str(hand_db)], metadata=metadata, plugins_dir=str(ROOT / "plugins"),
                   template_dir=str(ROOT / "templates"), settings=metadata.get("settings"))
    await ds.invoke_startup()
    return ds


def rows(db_path, sql, params=()):
    import sqlite3
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


# Outcomes of the eight scored claims: c3 is partially correct (0.5, 0 or 1 by rule).
ln = math.log
BRIER = {  # (p - o)^2 by hand: c1 .01, c2 .64, c3 (.45^2 | .95^2 | .05^2), c4 .64, c5 .09, c6 .16, c7 0, c8 1
    "half": (0.01 + 0.64 + 0.2025 + 0.64 + 0.09 + 0.16 + 0 + 1) / 8,
    "strict": (0.01 + 0.64 + 0.9025 + 0.64 + 0.09 + 0.16 + 0 + 1) / 8,
    "lenient": (0.01 + 0.64 + 0.0025 + 0.64 + 0.09 + 0.16 + 0 + 1) / 8,
}
# o ln p + (1 - o) ln(1 - p), p clipped to [0.01, 0.99]: c7 (p 0, o 0) gives ln .99, c8 (p 1, o 0) ln .01
LOG_REST = ln(0.9) + ln(0.2) + ln(0.2) + ln(0.7) + ln(0.6) + ln(0.99) + ln(0.01)
LOG = {"half": (LOG_REST + 0.5 * ln(0.95) + 0.5 * ln(0.05)) / 8,
       "strict": (LOG_REST + ln(0.05)) / 8, "lenient": (LOG_REST + ln(0.95)) / 8}
# Always 50%: 0.25 for each 0/1 outcome; c3 half-credit is 0.5, so (0.5 - 0.5)^2 = 0
REFERENCE = {"half": 7 * 0.25 / 8, "strict": 8 * 0.25 / 8, "lenient": 8 * 0.25 / 8}
SUFFIX = {"half": "", "strict": "_strict", "lenient": "_lenient"}


def test_probabilities_stated_mapped_and_overridden(hand_db):
    got = {r["id"]: r for r in rows(hand_db, "select * from claims")}
    assert {c: got[c]["probability"] for c in P} == P
    assert (got["c3"]["probability_source"], got["c3"]["probability_word"]) == ("words", "very likely")
    # the curator's 0.6 stands; the word it overrides is still named, and the scale's value differs
    assert (got["c6"]["probability"], got["c6"]["probability_word"]) == (0.6, "likely")
    assert rows(hand_db, "select probability from confidence_words where word = 'likely'")[0]["probability"] == 0.83
    assert got["c1"]["probability_source"] == "stated" and got["c1"]["probability_word"] is None
    assert got["c10"]["probability"] is None and got["c10"]["probability_source"] is None


def test_brier_log_and_reference_overall_under_each_rule(hand_db):
    row = rows(hand_db, "select * from probability_scores where id = 'overall/all'")[0]
    assert (row["scored"], row["correct"], row["partially_correct"], row["incorrect"]) == (8, 3, 1, 4)
    for rule, suffix in SUFFIX.items():
        assert row["brier" + suffix] == pytest.approx(BRIER[rule], abs=1e-4), rule
        assert row["log_score" + suffix] == pytest.approx(LOG[rule], abs=1e-4), rule
        assert row["brier_reference" + suffix] == pytest.approx(REFERENCE[rule], abs=1e-4), rule


def test_scores_per_author_publisher_document_topic_year(hand_db):
    got = {r["id"]: r for r in rows(hand_db, "select * from probability_scores")}
    # Ann: c1 .01, c2 .64, c3 .2025, c4 .64; Bob: c5 .09, c6 .16, c7 0, c8 1
    assert got["author/ann"]["scored"] == 4 and got["author/bob"]["scored"] == 4
    assert got["author/ann"]["brier"] == pytest.approx((0.01 + 0.64 + 0.2025 + 0.64) / 4, abs=1e-4)
    assert got["author/bob"]["brier"] == pytest.approx((0.09 + 0.16 + 0 + 1) / 4, abs=1e-4)
    assert got["author/bob"]["log_score"] == pytest.approx((ln(0.7) + ln(0.6) + ln(0.99) + ln(0.01)) / 4, abs=1e-4)
    for key in ("publisher/pub", "document/forecasts", "topic/ai", "year/2024"):
        assert got[key]["scored"] == 8 and got[key]["brier"] == pytest.approx(BRIER["half"], abs=1e-4), key


def test_calibration_bins_counted_by_hand(hand_db):
    bins = {(r["key"], r["rule"], r["bin"]): r for r in rows(hand_db, "select * from calibration_bins")}
    # overall: c7 (0.0) bin 0; c4 (0.2) bin 2; c5 (0.3) bin 3; c6 (0.6) bin 6; c2 (0.8) bin 8; c1, c3, c8 bin 9
    expected = {0: (1, 0), 2: (1, 1), 3: (1, 0), 6: (1, 1), 8: (1, 0), 9: (3, 1.5)}  # bin: (predictions, half points)
    for i in range(10):
        row = bins[("all", "half", i)]
        n, points = expected.get(i, (0, 0))
        assert (row["predictions"], row["points"]) == (n, points), i
    top = {rule: bins[("all", rule, 9)] for rule in SUFFIX}
    assert [top[r]["points"] for r in ("half", "strict", "lenient")] == [1.5, 1, 2]  # c1 1 + c3 (.5|0|1) + c8 0
    assert top["half"]["share"] == 0.5
    assert top["half"]["mean_probability"] == pytest.approx((0.9 + 0.95 + 1.0) / 3, abs=1e-4)
    assert (top["strict"]["wilson_low"], top["strict"]["wilson_high"]) == pytest.approx(wilson(1, 3), abs=1e-4)
    # Ann alone: c4 bin 2, c2 bin 8, c1 and c3 bin 9
    assert {i: bins[("ann", "half", i)]["predictions"] for i in range(10) if bins[("ann", "half", i)]["predictions"]} \
        == {2: 1, 8: 1, 9: 2}


def figures(html):
    """The data-figure values a page shows, as text."""
    return {name: unescape(value).strip() for name, value in re.findall(r'data-figure="(\w+)">([^<]*)<', html)}


@pytest.mark.asyncio
async def test_calibration_page_shows_the_json_numbers(hand_ds):
    data = (await hand_ds.client.get("/calibration.json?rule=strict")).json()
    assert data["scores"]["brier"] == pytest.approx(BRIER["strict"], abs=1e-4)
    assert [b["predictions"] for b in data["bins"]] == [1, 0, 1, 1, 0, 0, 1, 0, 1, 3]
    html = (await hand_ds.client.get("/calibration?rule=strict")).text
    shown = figures(html)
    assert shown["scored"] == "8"
    assert shown["brier"] == f"{data['scores']['brier']:.4f}"
    assert shown["log_score"] == f"{data['scores']['log_score']:.4f}"
    assert shown["brier_reference"] == f"{data['scores']['brier_reference']:.4f}"
    table = re.findall(r'<tr data-bin="(\d)">.*?data-figure="predictions">(?:<[^>]*>)?(\d+)<.*?data-figure="share">([^<]*)<',
                       html, re.S)
    assert [(int(b), int(n)) for b, n, _ in table] == [(b["bin"], b["predictions"]) for b in data["bins"]]
    assert table[9][2] == "33%"  # strict: c1 only of c1, c3, c8
    # the diagram: a point per non-empty bin, each linking to its claims
    points = re.findall(r'<a href="([^"]+)" class="bin-point" data-bin="(\d)">', html)
    assert [int(b) for _, b in points] == [0, 2, 3, 6, 8, 9]
    assert "<svg" in html and "Log score" in html and "clipped to [0.01, 0.99]" in html


@pytest.mark.asyncio
async def test_every_point_links_to_its_claims(hand_ds):
    data = (await hand_ds.client.get("/calibration/author/ann.json")).json()
    top = next(b for b in data["bins"] if b["bin"] == 9)
    listed = (await hand_ds.client.get(top["claims_url"].replace("calibration_claims?", "calibration_claims.json?")
                                       + "&_shape=array")).json()
    assert sorted(r["claim_id"] for r in listed) == ["c1", "c3"]
    every = (await hand_ds.client.get("/hindsight/calibration_claims.json?author=&bin=9&rule=half&_shape=array")).json()
    assert sorted(r["claim_id"] for r in every) == ["c1", "c3", "c8"]
    assert data["scores"]["scored"] == 4 and data["label"] == "Ann"
    assert (await hand_ds.client.get("/calibration/author/nobody")).status_code == 404


@pytest.mark.asyncio
async def test_probability_counts_are_hidden_from_the_table_list_but_queryable(hand_ds):
    tables = {t["name"]: t["hidden"] for t in (await hand_ds.client.get("/hindsight.json")).json()["tables"]}
    assert tables["probability_counts"] and not tables["probability_scores"]
    ann = (await hand_ds.client.get("/hindsight/probability_counts.json?dimension=author&key=ann&_shape=array")).json()
    assert sorted((r["probability"], r["verdict"], r["predictions"]) for r in ann) == [
        (0.2, "correct", 1), (0.8, "incorrect", 1), (0.9, "correct", 1), (0.95, "partially_correct", 1)]


@pytest.mark.asyncio
async def test_canned_confident_and_wrong_and_doubted_but_happened(hand_ds):
    wrong = (await hand_ds.client.get("/hindsight/confident_and_wrong.json?_shape=array")).json()
    assert [r["claim_id"] for r in wrong] == ["c8", "c2"]  # at least 0.8, incorrect; most confident first
    doubted = (await hand_ds.client.get("/hindsight/doubted_but_happened.json?_shape=array")).json()
    assert [r["claim_id"] for r in doubted] == ["c4"]  # at most 0.3 and correct (c5 0.3 and c7 0 were wrong)


@pytest.mark.asyncio
async def test_scorecards_carry_the_scores(hand_ds):
    data = (await hand_ds.client.get("/scorecard/author.json?rule=lenient")).json()
    bob = next(r for r in data["rows"] if r["key"] == "bob")["probability_scores"]
    assert bob["scored"] == 4 and bob["brier"] == pytest.approx((0.09 + 0.16 + 0 + 1) / 4, abs=1e-4)
    ann = next(r for r in data["rows"] if r["key"] == "ann")["probability_scores"]
    assert ann["brier"] == pytest.approx((0.01 + 0.64 + 0.0025 + 0.64) / 4, abs=1e-4)  # lenient: c3 counts as 1
    html = (await hand_ds.client.get("/scorecard/author?rule=lenient")).text
    assert f"{ann['brier']:.3f}" in html and "Brier" in html


@pytest.mark.asyncio
async def test_words_page_names_the_scales_and_what_was_mapped(hand_ds):
    data = (await hand_ds.client.get("/calibration/words.json")).json()
    assert data["sources"] == {"stated": 7, "words": 2}  # c1 c2 c4 c5 c7 c8 c9; c3 c6 and data["overridden"] == 1
    html = (await hand_ds.client.get("/calibration/words")).text
    assert "Words of Estimative Probability" in html and "Mastrandrea" in html
    assert 'data-figure="overridden">1<' in html


def broken(tmp_path, cid, chance):
    seeds = write_ledger(tmp_path / "seeds", {cid: ("ann", chance, "correct")})
    with pytest.raises(ValidationFailed) as e:
        check(seeds)
    return str(e.value)


@pytest.mark.parametrize("chance, says", [
    ({"confidence_words": "I think", "probability_source": "words"}, "no word of confidence_words 'I think'"),
    ({"probability_source": "stated"}, "says its probability is stated but has none"),
    ({"probability": 0.5, "probability_source": "guessed"}, "is not one of: stated, words"),
    ({"probability_source": "words"}, "has no confidence_words"),
    ({"confidence_words": "likely; probably", "probability_source": "words"}, "several words of the scale"),
])
def test_bad_probability_sources_say_file_line_and_fix(tmp_path, chance, says):
    message = broken(tmp_path, "c1", chance)
    assert says in message
    assert re.search(r"claims/forecasts\.yml:\d+: ", message)


def test_bad_word_table_says_file_and_line(tmp_path):
    seeds = write_ledger(tmp_path / "seeds", {"c1": ("ann", {"probability": 0.5}, "correct")})
    with open(seeds / "confidence_words.yml", "a") as f:
        f.write("- {word: Likely, scale: kent-1964, term: Probable, probability: 0.75}\n"
                "- {word: toss-up, scale: nobody, term: Even, probability: 0.5}\n"
                "- {word: sure thing, scale: kent-1964, term: Certain, probability: 1.5}\n")
    with pytest.raises(ValidationFailed) as e:
        check(seeds)
    message = str(e.value)
    assert re.search(r"confidence_words\.yml:\d+: word 'likely' is listed twice", message)
    assert "scale 'nobody' does not exist in probability_scales.yml" in message
    assert "probability 1.5 of word 'sure thing' must be a number from 0 to 1" in message


def test_seeds_map_only_hedges_on_a_published_scale(db_path):
    got = {r["id"]: r for r in rows(db_path, "select id, probability, probability_source, probability_word, "
                                             "confidence_words from claims where confidence_words is not null")}
    assert (got["hupo24-01"]["probability"], got["hupo24-01"]["probability_word"]) == (0.83, "likely")
    assert got["pb24-10"]["confidence_words"] == "I expect" and got["pb24-10"]["probability"] is None


@pytest.mark.asyncio
async def test_claim_pages_say_where_the_probability_came_from(hand_ds):
    stated = (await hand_ds.client.get("/claims/c1")).text
    assert "90%" in stated and "stated in the document" in stated
    mapped = (await hand_ds.client.get("/claims/c3")).text
    assert "95%" in mapped and "mapped from “very likely”" in mapped and "ipcc-ar5" in mapped
    overridden = (await hand_ds.client.get("/claims/c6")).text
    assert "60%" in overridden and "set by a curator" in overridden and "to 83%" in overridden
    data = (await hand_ds.client.get("/claims/c6.json")).json()
    assert (data["claim"]["probability"], data["claim"]["probability_word"]) == (0.6, "likely")
