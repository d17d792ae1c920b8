"""The site works wherever it is put (issue 15): the ledger under any database name (found by its
schema, or named in metadata), a clear page when no ledger is attached, and every link under
Datasette's base_url when the site is mounted below the root."""
import html
import shutil
import sqlite3
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlencode, urlsplit

import httpx
import pytest
import pytest_asyncio
import yaml
from datasette.app import Datasette
from ledger import Ledger

ROOT = Path(__file__).resolve().parent.parent
METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text())
LEDGER = Ledger()
PREFIX = "/ledger/"
aio = pytest.mark.asyncio(loop_scope="session")


async def site(databases, metadata=METADATA, **settings):
    datasette = Datasette(immutables=[str(p) for p in databases], metadata=metadata,
                          plugins_dir=str(ROOT / "plugins"), template_dir=str(ROOT / "templates"),
                          static_mounts=[("static", str(ROOT / "static"))],
                          settings={**(metadata.get("settings") or {}), **settings})
    await datasette.invoke_startup()
    return datasette


def client(datasette):
    """A client that sends paths as given (datasette.client would put base_url in front again)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=datasette.app()), base_url="http://localhost")


def with_config(**config):
    return {**METADATA, "plugins": {**(METADATA.get("plugins") or {}), "hindsight": config}}


@pytest.fixture(scope="module")
def renamed(db_path, tmp_path_factory):
    """The real ledger as ledger.db, with one document's title changed to tell it from hindsight.db."""
    path = tmp_path_factory.mktemp("renamed") / "ledger.db"
    shutil.copy(db_path, path)
    document = next(iter(LEDGER.documents))
    with sqlite3.connect(path) as db:
        db.execute("update documents set title = 'The renamed copy' where id = ?", [document])
    return path, document


@pytest.fixture(scope="module")
def not_a_ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("other") / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("create table notes (id integer primary key, text text)")
    return path


# -- 1. any database name ---------------------------------------------------------------------------

@aio
async def test_a_ledger_under_another_name_gets_every_page_and_query(renamed, not_a_ledger):
    path, document = renamed
    ds = await site([path, not_a_ledger])
    claim = next(iter(LEDGER.claims))
    async with client(ds) as http:
        for page in ("/", "/documents", f"/documents/{document}", f"/claims/{claim}", "/claims", "/topics",
                     "/scorecard", "/scorecard/author", "/-/verdicts.css"):
            response = await http.get(page)
            assert response.status_code == 200, (page, response.text[-300:])
        assert "The renamed copy" in (await http.get(f"/documents/{document}")).text
        home = (await http.get("/")).text
        assert 'action="/ledger/search"' in home and 'href="/ledger/overdue"' in home and 'href="/ledger.db"' in home
        # metadata.yml's databases: hindsight block describes the ledger whatever its name
        search = await http.get("/ledger/search.json?" + urlencode({"q": "AlphaFold", "_shape": "array"}))
        assert search.status_code == 200 and search.json(), search.text[:300]
        assert "Every claim quoted from a document" in (await http.get("/ledger/claims")).text
        # ... including the bounds on its full-text canned queries
        too_long = await http.get("/ledger/search.json?" + urlencode({"q": " ".join(f"w{i}" for i in range(500))}))
        assert too_long.status_code == 400 and "Search too long" in too_long.text


def test_hindsight_serve_serves_a_ledger_of_any_name(renamed):
    from test_readonly import fetch, hindsight_serve

    path, document = renamed
    with hindsight_serve(path) as base:
        for page in ("/", f"/documents/{document}", "/claims", "/ledger/search?q=model"):
            status, text = fetch(base + page)
            assert status == 200, (page, text[-300:])


@aio
async def test_metadata_names_the_ledger_among_several(db_path, renamed):
    path, document = renamed
    several = await site([db_path, path])
    async with client(several) as http:
        response = await http.get(f"/documents/{document}")
        assert response.status_code == 503
        assert "Several attached databases are ledgers (hindsight, ledger)" in response.text
        assert "plugins: hindsight: database: NAME" in response.text
    chosen = await site([db_path, path], metadata=with_config(database="ledger"))
    async with client(chosen) as http:
        assert "The renamed copy" in (await http.get(f"/documents/{document}")).text
        assert 'href="/ledger/overdue"' in (await http.get("/")).text


@aio
async def test_no_ledger_is_a_page_saying_how_to_attach_one(not_a_ledger):
    ds = await site([not_a_ledger])
    async with client(ds) as http:
        for page in ("/", "/documents", "/claims/x", "/scorecard", "/topics", "/-/verdicts.css"):
            response = await http.get(page)
            assert response.status_code == 503, (page, response.status_code)
            assert "No ledger database is attached" in response.text and "hindsight serve --db" in response.text
        data = (await http.get("/documents.json")).json()
        assert data["status"] == 503 and "No ledger database is attached" in data["error"]
        other = await http.get("/other/notes")  # Datasette's own pages still work, with no broken stylesheet
        assert other.status_code == 200 and "verdicts.css" not in other.text


@aio
async def test_metadata_naming_a_database_not_attached_says_so(db_path):
    ds = await site([db_path], metadata=with_config(database="ledger"))
    async with client(ds) as http:
        response = await http.get("/claims")
        assert response.status_code == 503
        text = html.unescape(response.text)
        assert "names 'ledger' as the ledger database" in text and "attached: hindsight" in text


@aio
async def test_a_bad_plugin_setting_stops_the_start(db_path):
    with pytest.raises(ValueError, match="database: NAME"):
        await site([db_path], metadata=with_config(database=["a", "b"]))


# -- 2. any mount point -----------------------------------------------------------------------------

class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.found.append(value)


def links_of(html):
    parser = Links()
    parser.feed(html)
    return parser.found


def same_site(url):
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith("#")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def mounted(db_path):
    return await site([db_path], base_url=PREFIX)


def main_pages():
    document = max(LEDGER.documents, key=lambda d: sum(c["document"] == d for c in LEDGER.claims.values()))
    claim = next(c for c in LEDGER.claims if LEDGER.claims[c]["resolutions"])
    topic = max(LEDGER.topics, key=lambda t: len(LEDGER.predictions("topic", t)))
    return ["", "documents", f"documents/{document}", f"claims/{claim}", "claims", "topics", f"topics/{topic}",
            "scorecard", "scorecard/author", "calibration", "calibration/words", "hindsight/search?q=model"]


@aio
async def test_every_link_of_the_main_pages_stays_under_the_mount_point_and_answers(mounted):
    followed, broken = {}, []
    async with client(mounted) as http:
        for page in main_pages():
            response = await http.get(PREFIX + page)
            assert response.status_code == 200, (page, response.status_code)
            links = [urldefrag(link).url for link in links_of(response.text) if same_site(link)]
            assert links, page
            outside = [link for link in links if not link.startswith(PREFIX)]
            assert not outside, (page, outside[:10])
            for link in links:
                if link in followed:
                    continue
                answer = await http.get(link)
                followed[link] = answer.status_code
                if answer.status_code in (301, 302):
                    assert answer.headers["location"].startswith(PREFIX), (link, answer.headers["location"])
                elif answer.status_code >= 400:
                    broken.append((page, link, answer.status_code))
    assert not broken, broken[:10]
    assert len(followed) > 50  # the pages were really crawled


@aio
async def test_json_urls_and_menu_are_under_the_mount_point(mounted):
    async with client(mounted) as http:
        documents = (await http.get(PREFIX + "documents.json")).json()
        claims = (await http.get(PREFIX + "claims.json")).json()
        scorecard = (await http.get(PREFIX + "scorecard.json")).json()
        if claims["next_url"]:
            assert claims["next_url"].startswith(PREFIX + "claims?")
        assert all(c["url"].startswith(PREFIX + "claims/")
                   for c in (await http.get(f"{PREFIX}documents/{main_pages()[2].split('/')[1]}.json")).json()["claims"])
        assert scorecard["overall"]["links"]["predictions"].startswith(PREFIX + "claims?")
        assert documents["previous_url"] is None
        menu = (await http.get(PREFIX + "hindsight")).text  # Datasette's own page: the site's menu and stylesheets
        assert f'href="{PREFIX}hindsight/search"' in menu and f'href="{PREFIX}static/hindsight.css"' in menu
        assert f'href="{PREFIX}-/verdicts.css"' in menu


@aio
async def test_the_site_guards_hold_under_the_mount_point(mounted):
    async with client(mounted) as http:
        assert (await http.get(PREFIX + "-/threads")).status_code == 404  # no server paths
        search = await http.get(PREFIX + "hindsight/search.json?" + urlencode({"q": " ".join(f"w{i}" for i in range(500))}))
        assert search.status_code == 400 and "Search too long" in search.text
        assert (await http.get(PREFIX + "hindsight.csv")).status_code == 400  # a database's CSV needs ?sql=


@aio
async def test_datasette_own_links_and_redirects_get_the_prefix_once(mounted):
    """Datasette 0.65 builds these from the request's path: with the prefix in it, they had it twice."""
    async with client(mounted) as http:
        query = (await http.get(PREFIX + "hindsight/search?q=model")).text
        assert f'href="{PREFIX}hindsight/search.json?q=model"' in query and f"{PREFIX}ledger/" not in query
        table = (await http.get(PREFIX + "hindsight/claims?_size=1")).text
        assert f'href="{PREFIX}hindsight/claims.json?_size=1&amp;_labels=on"' in table and f"{PREFIX}ledger/" not in table
        filtered = await http.get(PREFIX + "hindsight/claims?_filter_column=kind&_filter_op=exact&_filter_value=prediction")
        assert filtered.status_code == 302 and filtered.headers["location"].startswith(PREFIX + "hindsight/claims?")
        slash = await http.get(PREFIX + "claims/")
        assert slash.status_code == 302 and slash.headers["location"] == PREFIX + "claims"


@aio
async def test_a_database_named_as_the_mount_point(renamed):
    """ledger.db under /ledger/: /ledger/ledger/... is the database, not the prefix twice."""
    path, document = renamed
    ds = await site([path], base_url=PREFIX)
    async with client(ds) as http:
        for page in ("", f"documents/{document}", "ledger/search?q=model", "ledger/claims?_size=1"):
            response = await http.get(PREFIX + page)
            assert response.status_code == 200, (page, response.status_code)
        assert f'action="{PREFIX}ledger/search"' in (await http.get(PREFIX)).text


@aio
async def test_content_addressed_urls_redirect_under_the_mount_point(db_path):
    metadata = {**METADATA, "plugins": {**(METADATA.get("plugins") or {}), "cache-headers": {"max_age": 60, "key": "abcdef0"}}}
    ds = await site([db_path], metadata=metadata, base_url=PREFIX)
    async with client(ds) as http:
        response = await http.get(PREFIX + "hindsight/claims.json?_size=1")
        assert response.status_code == 302
        assert response.headers["location"] == PREFIX + "hindsight-abcdef0/claims.json?_size=1"
        hashed = await http.get(response.headers["location"])
        assert hashed.status_code == 200 and hashed.headers["cache-control"].startswith("public, max-age=60")
