"""The site mounted under a prefix (--setting base_url /ledger/), in headless Chromium: the home page
and the main pages load with every stylesheet, script and image, and no console error.
Without Chromium or Playwright the tests skip, unless HINDSIGHT_REQUIRE_BROWSER=1."""
import pytest
from browser import require_browser, serve
from ledger import Ledger

PREFIX = "/ledger/"
LEDGER = Ledger()
require_browser()


@pytest.fixture(scope="module")
def site(db_path):
    with serve(db_path, extra_args=("--setting", "base_url", PREFIX)) as base:
        yield base


@pytest.mark.parametrize("path", ["", "documents", f"documents/{next(iter(LEDGER.documents))}", "scorecard/author",
                                  "hindsight/search?q=model"])
def test_pages_under_the_prefix_load_everything_without_errors(site, browser, path):
    page = browser.load(site + PREFIX + path, screenshot=f"base-url-{path.split('?')[0].replace('/', '-') or 'home'}.png",
                        expressions={"sheets": "document.styleSheets.length",
                                     "links": "[...document.querySelectorAll('a[href^=\"/\"]')].map(a => a.getAttribute('href'))"})
    assert page.status == 200, (path, page.status)
    assert not page.errors, page.errors  # a stylesheet, script or image that failed to load is an error
    assert page.values["sheets"] >= 3  # Datasette's, Hindsight's and the verdict colours
    outside = [href for href in page.values["links"] if not href.startswith(PREFIX)]
    assert not outside, outside[:10]
