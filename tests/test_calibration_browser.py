"""The calibration page in a real browser on a real server (issue 14): it renders its reliability
diagram without console errors, and the numbers a reader sees are the JSON's. Screenshots go to
test-artifacts/. Without Chromium or Playwright the tests skip, unless HINDSIGHT_REQUIRE_BROWSER=1."""
import json
import urllib.request

import pytest
from browser import require_browser, serve
from test_calibration import write_ledger

from ingest.build import build

require_browser()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hand-browser")
    build(write_ledger(root / "seeds"), root / "hindsight.db")
    with serve(root / "hindsight.db") as base_url:
        yield base_url


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


POINTS = "document.querySelectorAll('svg a.bin-point circle').length"
LINKS = "Array.from(document.querySelectorAll('svg a.bin-point')).map(a => a.getAttribute('href'))"
FIGURES = "Object.fromEntries(Array.from(document.querySelectorAll('[data-figure]')).map(e => [e.dataset.figure, e.textContent.trim()]))"


@pytest.mark.parametrize("path, name", [("/calibration", "calibration"), ("/calibration/author/bob", "calibration-author"),
                                        ("/calibration?rule=strict", "calibration-strict")])
def test_calibration_page(site, browser, path, name):
    page = browser.load(site + path, screenshot=f"{name}.png",
                        expressions={"points": POINTS, "links": LINKS, "figures": FIGURES})
    assert page.status == 200 and not page.errors, (page.status, page.errors)
    assert page.screenshot.stat().st_size > 10_000
    data = get_json(site + path.replace("?", ".json?") if "?" in path else site + path + ".json")
    filled = [b for b in data["bins"] if b["predictions"]]
    assert page.values["points"] == len(filled)  # a dot per group with predictions
    assert page.values["links"] == [b["claims_url"] for b in filled]  # each linking to its claims
    shown = page.values["figures"]
    assert shown["scored"] == str(data["scores"]["scored"])
    for figure in ("brier", "log_score", "brier_reference"):
        assert shown[figure] == f"{data['scores'][figure]:.4f}", figure
    assert "Reliability" not in page.text  # the SVG title is for screen readers, not shown as text
    assert "Brier score" in page.text and "Log score" in page.text


def test_point_opens_its_claims(site, browser):
    data = get_json(site + "/calibration.json")
    top = next(b for b in data["bins"] if b["bin"] == 9)
    page = browser.load(site + top["claims_url"], screenshot="calibration-claims.png")
    assert page.status == 200 and not page.errors
    for claim in ("c1", "c3", "c8"):
        assert claim in page.text
