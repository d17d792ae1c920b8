"""Security headers on every response, a Content-Security-Policy the pages satisfy, and hostile
data (script, event handlers, javascript: links) rendered inert. Checked over HTTP, and in headless
Chromium, with the CSP on and with it bypassed, so escaping alone must keep every payload inert.
Without Chromium the browser tests skip, unless HINDSIGHT_REQUIRE_BROWSER=1."""
import base64
import hashlib
import re
import shutil
import sqlite3
import textwrap
import urllib.error
import urllib.request
from html.parser import HTMLParser

import pytest
import yaml

from browser import serve
from conftest import SEEDS
from ingest.build import build

HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def csp_directives(value):
    return {part.split()[0]: part.split()[1:] for part in value.split(";") if part.strip()}


def assert_security_headers(headers):
    headers = {k.lower(): v for k, v in headers.items()}
    for name, value in HEADERS.items():
        assert headers.get(name) == value, (name, headers.get(name))
    csp = csp_directives(headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    return csp


class Page(HTMLParser):
    """Every tag with its attributes, and the text of each inline script."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self._script = [], [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script" and not dict(attrs).get("src"):
            self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None


def sha256(text):
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def active_content(html):
    """What in a page could run script: event-handler attributes, script URLs, frames, inline
    scripts (their text); the page's own inline scripts are checked against the CSP separately."""
    page = Page(html)
    found = []
    for tag, attrs in page.tags:
        found += [f"<{tag} {k}=...>" for k in attrs if k.startswith("on")]
        for k in ("href", "src", "action", "formaction", "data", "xlink:href"):
            value = re.sub(r"[\x00-\x20]", "", (attrs.get(k) or "")).lower()
            if value.startswith(("javascript:", "vbscript:", "data:text/html")):
                found.append(f"<{tag} {k}={attrs[k]!r}>")
        if tag in ("iframe", "object", "embed", "base") or (tag == "meta" and "refresh" in str(attrs).lower()):
            found.append(f"<{tag}>")
    return found, page.scripts


# Every kind of response: pages, JSON, CSV, static files, an error, a redirect, a refused method.
PATHS = ["/", "/scorecard", "/documents", "/claims", "/topics", "/hindsight", "/hindsight/claims",
         "/hindsight/claims.json", "/hindsight/claims.csv", "/hindsight?sql=select+1", "/hindsight/search?q=model",
         "/-/versions.json", "/-/static/app.css", "/static/hindsight.css", "/no-such-page", "/hindsight/claims/"]


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", PATHS)
async def test_security_headers_on_every_response(ds, path):
    response = await ds.client.get(path)
    assert response.status_code in (200, 302, 404), (path, response.status_code)
    assert_security_headers(response.headers)


@pytest.mark.asyncio(loop_scope="session")
async def test_security_headers_on_a_refused_write(ds):
    response = await ds.client.post("/hindsight", data={"sql": "delete from claims"})
    assert response.status_code >= 400
    assert_security_headers(response.headers)


@pytest.mark.asyncio(loop_scope="session")
async def test_pages_inline_scripts_are_all_allowed_by_the_csp(ds, db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    claim, document = conn.execute("select id, document_id from claims limit 1").fetchone()
    paths = ["/", "/scorecard", "/scorecard/author", "/documents", f"/documents/{document}", "/claims",
             f"/claims/{claim}", "/topics", "/hindsight", "/hindsight/claims", f"/hindsight/claims/{claim}",
             "/hindsight?sql=select+1", "/hindsight/search?q=model", "/no-such-page",
             "/hindsight?sql=with+recursive+c(x)+as+(select+1+union+all+select+x%2B1+from+c)+select+count(*)+from+c"]
    scripts = 0
    for path in paths:
        response = await ds.client.get(path)
        allowed = csp_directives(response.headers["content-security-policy"])["script-src"]
        found, inline = active_content(response.text)
        assert found == [], (path, found)
        for text in inline:
            assert sha256(text) in allowed, (path, text[:200])
        scripts += len(inline)
    assert scripts >= len(paths)  # Datasette's own inline scripts were seen (so the check can fail)


# Hostile data: markup in every text field the seeds allow, plus rows written straight into the
# database (as if the validator had been bypassed). Each payload would set window.__pwned.
def hostile(mark):
    return (f"<script>window.__pwned = '{mark}'</script><img src=x onerror=\"window.__pwned = '{mark}-img'\">"
            f" [link](javascript:window.__pwned='{mark}-link')")


HOSTILE_SEEDS = {
    "publishers.yml": {"id": "hostile-press", "name": hostile("publisher"),
                       "url": "https://example.org/\"><script>window.__pwned='publisher-url'</script>",
                       "description": hostile("publisher-description")},
    "authors.yml": {"id": "hostile-author", "name": "<svg onload=\"window.__pwned = 'author'\">Mallory</svg>",
                    "publisher": "hostile-press", "role": hostile("role")},
    "topics.yml": {"id": "hostile-topic", "name": "<b onmouseover=\"window.__pwned = 'topic'\">Hostile</b>",
                   "description": hostile("topic-description")},
    "documents.yml": {"id": "hostile", "file": "documents/hostile.txt", "title": hostile("title"),
                      "publisher": "hostile-press", "authors": ["hostile-author"], "published": "2024-01-01",
                      "url": "https://example.org/?q=\"><script>window.__pwned='document-url'</script>", "kind": "blog post"},
}
# Passes ingest's own check: escaped markup only. (Entity-encoded javascript: links are refused by the
# build now, issue 16; they reach the database below, written into it directly.)
HOSTILE_DOCUMENT = textwrap.dedent("""\
    ---
    title: Hostile
    ---

    ## &lt;script&gt;window.__pwned = 'heading'&lt;/script&gt;

    Hostile robots will take over by 2030. Read more, where 1 < 2 & "quotes" stay text.
    """)
HOSTILE_CLAIMS = [{
    "id": "hostile-01", "quote": "Hostile robots will take over by 2030.", "statement": hostile("statement"),
    "author": "hostile-author", "kind": "prediction", "made": "2024-01-01", "horizon": "2030-12-31",
    "topics": ["hostile-topic"],
    "resolutions": [{
        "verdict": "incorrect", "resolved": "2025-01-01", "resolver": hostile("resolver"), "confidence": "high",
        "rationale": hostile("rationale"),
        "evidence": [{"title": hostile("evidence-title"), "date": "2024-06-01",
                      "url": "https://example.org/\"><script>window.__pwned='evidence-url'</script>"}],
    }],
}]
# Straight into the database: raw HTML in the markdown, script URLs where the validator allows none.
RAW_MARKDOWN = ("\n\nRead [more](&#106;avascript:window.__pwned='entity-link') or "
                "[this](java&#x09;script:window.__pwned='tab-link').\n\n<script>window.__pwned = 'db-script'</script>\n\n<img src=x onerror=\"window.__pwned = 'db-img'\">\n\n"
                "[click](javascript:window.__pwned='db-link')\n\n<a href=\"javascript:window.__pwned='db-a'\">a</a>\n\n"
                "<iframe src=\"javascript:window.__pwned='db-iframe'\"></iframe>\n")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    seeds = shutil.copytree(SEEDS, root / "seeds")
    for name, entry in HOSTILE_SEEDS.items():
        with open(seeds / name, "a", encoding="utf-8") as f:
            f.write("\n" + yaml.safe_dump([entry], allow_unicode=True, sort_keys=False))
    (seeds / "documents" / "hostile.txt").write_text(HOSTILE_DOCUMENT)
    (seeds / "claims" / "hostile.yml").write_text(yaml.safe_dump(HOSTILE_CLAIMS, allow_unicode=True, sort_keys=False))
    db = root / "hindsight.db"
    build(seeds, db)
    with sqlite3.connect(db) as conn:
        conn.execute("update documents set markdown = markdown || ?, text = text || ?, url = ? where id = 'hostile'",
                     [RAW_MARKDOWN, RAW_MARKDOWN, "javascript:window.__pwned='db-url'"])
        conn.execute("update evidence set url = ? where claim_id = 'hostile-01'", ["javascript:window.__pwned='db-evidence'"])
        conn.execute("update publishers set url = ? where id = 'hostile-press'", ["javascript:window.__pwned='db-publisher'"])
    conn.close()
    return db


HOSTILE_PAGES = ["/", "/documents", "/documents/hostile", "/claims", "/claims/hostile-01", "/topics",
                 "/topics/hostile-topic", "/scorecard/author", "/scorecard/document", "/scorecard/publisher",
                 "/hindsight/documents", "/hindsight/documents/hostile", "/hindsight/claims", "/hindsight/claims/hostile-01",
                 "/hindsight/resolutions", "/hindsight/evidence", "/hindsight/publishers", "/hindsight/authors",
                 "/hindsight/topics", "/hindsight/search?q=hostile", "/hindsight/claims?_search=hostile",
                 "/hindsight?sql=select+*+from+documents+where+id+%3D+%27hostile%27"]


@pytest.fixture(scope="module")
def hostile_site(hostile_db):
    with serve(hostile_db) as base_url:
        yield base_url


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_data_is_escaped_or_sanitised(hostile_site, path):
    status, headers, html = get(hostile_site + path)
    assert status == 200, (path, status)
    csp = assert_security_headers(headers)
    found, inline = active_content(html)
    assert found == [], found
    for text in inline:
        assert "__pwned" not in text and sha256(text) in csp["script-src"], text[:200]


def test_hostile_text_is_shown_as_text(hostile_site):
    _, _, html = get(hostile_site + "/claims/hostile-01")
    assert "&lt;script&gt;window.__pwned = &#39;statement&#39;&lt;/script&gt;" in html


# The browser ------------------------------------------------------------------------------------

DOM_CHECKS = {
    "pwned": "window.__pwned === undefined ? null : String(window.__pwned)",
    "handlers": "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on'))"
                ".map(a => e.tagName + ' ' + a.name))",
    "script_links": "[...document.querySelectorAll('a[href], iframe[src], form[action]')].map(e => e.href || e.src || e.action)"
                    ".filter(u => /^(javascript|vbscript|data):/i.test(u))",
    "hostile_scripts": "[...document.scripts].filter(s => s.textContent.includes('__pwned')).length",
}


def load_without_csp(browser, url, expressions):
    """Load url with the page's CSP bypassed: escaping alone must hold."""
    return browser.load(url, expressions=expressions, bypass_csp=True)


def violations(page):
    return page.csp_violations


@pytest.fixture(scope="module")
def site(db_path):
    with serve(db_path) as base_url:
        yield base_url


def test_pages_satisfy_the_csp_in_the_browser(site, browser, db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    claim, document, topic = conn.execute("select c.id, c.document_id, t.topic_id from claims c"
                                          " join claim_topics t on t.claim_id = c.id limit 1").fetchone()
    # path -> a JavaScript expression showing the page's own scripts ran (None: nothing to run)
    pages = {
        "/": None, "/scorecard": None, "/scorecard/author": None, "/documents": None, f"/documents/{document}": None,
        "/claims": None, f"/claims/{claim}": None, "/topics": None, f"/topics/{topic}": None, "/hindsight": None,
        "/hindsight/claims": "typeof DATASETTE_ALLOW_FACET === 'boolean'",  # the table page's inline script
        "/hindsight/claims?_facet=verdict": "typeof DATASETTE_ALLOW_FACET === 'boolean'",
        f"/hindsight/claims/{claim}": None, "/hindsight/search?q=model": None,
        "/hindsight?sql=select+1": "!!document.querySelector('.CodeMirror')",  # the SQL editor
        # the time-limit error page's textarea resizer, written by Datasette's Python code
        "/hindsight?sql=with+recursive+c(x)+as+(select+1+union+all+select+x%2B1+from+c)+select+count(*)+from+c":
            "document.querySelector('textarea').style.height !== ''",
    }
    for path, ran in pages.items():
        page = browser.load(site + path, expressions={"ran": ran or "true"})
        assert page.status in (200, 400), (path, page.status)
        assert_security_headers(page.headers)
        assert violations(page) == [], (path, violations(page))
        assert not [m for m in page.errors if "status of 400" not in m["text"]], (path, page.errors)
        assert page.values["ran"] is True, path


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_data_renders_inert_in_the_browser(hostile_site, browser, path):
    page = browser.load(hostile_site + path, expressions=DOM_CHECKS)
    assert page.status == 200
    assert violations(page) == []  # nothing even tried to run
    assert page.values == {"pwned": None, "handlers": [], "script_links": [], "hostile_scripts": 0}, page.values
    unguarded = load_without_csp(browser, hostile_site + path, DOM_CHECKS)
    assert unguarded.values["pwned"] is None, f"{path} ran {unguarded.values['pwned']} once the CSP was bypassed"


LIVE = (b"<!DOCTYPE html><title>t</title><p>x</p><script>window.__pwned = 'live'</script>"
        b"<img src=x onerror=\"window.__pwned = 'live-img'\"><a href=\"javascript:void(0)\">a</a>")


@pytest.fixture(scope="module")
def live_payload_site():
    """A page whose payload is live, under the site's CSP: the control that shows the checks can fail."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-security-policy", "default-src 'self'; script-src 'self'")
            self.end_headers()
            self.wfile.write(LIVE)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_the_checks_catch_a_live_payload(live_payload_site, browser):
    found, inline = active_content(LIVE.decode())
    assert found == ["<img onerror=...>", "<a href='javascript:void(0)'>"] and inline == ["window.__pwned = 'live'"]
    guarded = browser.load(live_payload_site + "/", expressions=DOM_CHECKS)
    assert violations(guarded) and guarded.values["pwned"] is None
    assert guarded.values["handlers"] == ["IMG onerror"] and guarded.values["script_links"] == ["javascript:void(0)"]
    assert load_without_csp(browser, live_payload_site + "/", DOM_CHECKS).values["pwned"] in ("live", "live-img")
