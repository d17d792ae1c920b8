"""A real browser on a real server: the key pages render what a reader needs, with no console errors.
Screenshots go to test-artifacts/. Without Chromium or Playwright the tests skip, unless HINDSIGHT_REQUIRE_BROWSER=1."""
import sqlite3

import pytest
from browser import require_browser, serve
from ledger import Ledger

require_browser()
LEDGER = Ledger()


@pytest.fixture(scope="module")
def site(db_path):
    with serve(db_path) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def colours(db_path):
    """Each verdict's colour as the browser reports a computed background."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute("select id, color from verdicts").fetchall()
    return {v: "rgb({}, {}, {})".format(*(int(c[i:i + 2], 16) for i in (1, 3, 5))) for v, c in rows}


def load(browser, url, name, **expressions):
    page = browser.load(url, screenshot=f"{name}.png", expressions=expressions)
    assert page.status == 200, (url, page.status)
    assert not page.errors, page.errors
    assert page.screenshot.stat().st_size > 10_000  # a rendered page, not a blank image
    return page


BADGE = "(() => { const b = document.querySelector('.verdict.verdict-correct'); " \
        "return b ? getComputedStyle(b).backgroundColor : null })()"


def test_home(site, browser, colours):
    page = load(browser, site + "/", "home", badge=BADGE)
    for text in ("Hindsight", "DOCUMENTS", f"{len(LEDGER.documents):,}", f"{len(LEDGER.claims):,}",
                 "HIT RATE", "Scorecards", "Newest resolutions", "Search"):
        assert text in page.text, text
    if any(c["verdict"] == "correct" for c in LEDGER.claims.values()):
        assert page.values["badge"] == colours["correct"]  # verdict colours served from the database


def test_scorecard(site, browser):
    author = max(LEDGER.authors, key=lambda a: len(LEDGER.predictions("author", a)))
    page = load(browser, site + "/scorecard/author", "scorecard-author",
                chart="document.querySelector('figure.chart svg').getBoundingClientRect().height",
                dots="document.querySelectorAll('figure.chart circle.dot').length",
                rows="document.querySelectorAll('table.scorecard tbody tr').length")
    assert "Scorecard by author" in page.text and LEDGER.authors[author]["name"] in page.text
    assert page.values["chart"] > 100
    scorecard = LEDGER.scorecard("author")
    assert page.values["rows"] == min(50, len(scorecard))
    assert page.values["dots"] == min(50, sum(1 for r in scorecard.values() if r["resolved"]))


def test_annotated_document(site, browser, colours):
    document = max(LEDGER.documents, key=lambda d: sum(c["document"] == d for c in LEDGER.claims.values()))
    claims = [c for c in LEDGER.claims.values() if c["document"] == document]
    first = next((c for c in claims if c["verdict"]), None)
    page = load(browser, site + f"/documents/{document}", "document",
                refs="document.querySelectorAll('.document-body sup.claim-ref').length",
                highlight=f"(() => {{ const h = document.querySelector('.document-body .hl-{first['verdict'] if first else 'x'}');"
                          " return h ? [getComputedStyle(h).borderBottomColor, h.getBoundingClientRect().height] : null })()")
    assert LEDGER.documents[document]["title"] in page.text and "Legend" in page.text
    assert page.values["refs"] == len(claims)
    if first:
        colour, height = page.values["highlight"]
        assert colour == colours[first["verdict"]] and height > 0
        assert first["quote"].split("\n")[0][:40] in page.text


def test_claim(site, browser, colours):
    claim = max((c for c in LEDGER.claims.values() if c["verdict"]), key=lambda c: len(c["resolutions"]))
    page = load(browser, site + f"/claims/{claim['id']}", "claim",
                mark="getComputedStyle(document.querySelector('blockquote.context mark')).borderBottomColor")
    assert claim["statement"] in page.text and "Verdict history" in page.text
    assert page.values["mark"] == colours[claim["verdict"]]
    for resolution in claim["resolutions"]:
        for evidence in resolution.get("evidence") or []:
            assert evidence["title"] in page.text


def test_search_page(site, browser):
    page = load(browser, site + "/hindsight/search?q=open+models", "search")
    assert "Search documents, claims and rationales" in page.text
