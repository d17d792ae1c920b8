"""The site mounted under a prefix (--setting base_url /ledger/), in headless Chromium: the home page
and the main pages load with every stylesheet, script and image, and no console error.
Without Chromium the tests skip, unless HINDSIGHT_REQUIRE_BROWSER=1."""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager

import pytest
from browser import Browser, find_chromium
from conftest import ROOT
from ledger import Ledger

PREFIX = "/ledger/"
LEDGER = Ledger()

if not find_chromium():
    if os.environ.get("HINDSIGHT_REQUIRE_BROWSER") == "1":
        raise RuntimeError("HINDSIGHT_REQUIRE_BROWSER=1 but chromium is not installed (apt-get install chromium)")
    pytest.skip("chromium is not installed", allow_module_level=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"the server exited with code {process.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            assert time.monotonic() < deadline, f"{url} did not answer within {timeout}s"
            time.sleep(0.2)


@contextmanager
def serve_under_prefix(db_path):
    """`datasette serve` of the site with base_url set, on 127.0.0.1; stopped by its pid."""
    port = free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", "-i", str(db_path), "--metadata", str(ROOT / "metadata.yml"),
         "--plugins-dir", str(ROOT / "plugins"), "--template-dir", str(ROOT / "templates"),
         "--static", f"static:{ROOT / 'static'}", "--setting", "base_url", PREFIX,
         "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}{PREFIX}-/versions.json", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def site(db_path):
    with serve_under_prefix(db_path) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with Browser() as chromium:
        yield chromium


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
