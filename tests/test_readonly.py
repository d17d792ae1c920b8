"""The served site under attack and load: nothing is writable through SQL or any HTTP method, a
heavy query is cut off by the SQL time limit while other requests are answered, and the load test
runs against a real server with no errors."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml

from browser import free_port, wait_for
from conftest import ROOT

HINDSIGHT = Path(sys.executable).parent / "hindsight"
SETTINGS = yaml.safe_load((ROOT / "metadata.yml").read_text())["settings"]

WRITES = [
    "insert into publishers (id, name) values ('evil', 'Evil')",
    "update claims set verdict = 'correct'",
    "delete from claims",
    "replace into publishers (id, name) values ('evil', 'Evil')",
    "drop table claims",
    "create table evil (x)",
    "alter table claims add column evil text",
    "attach database ':memory:' as evil",
    "attach database 'evil.db' as evil",
    "detach database hindsight",
    "pragma journal_mode = wal",
    "pragma user_version = 5",
    "pragma writable_schema = 1",
    "pragma query_only = 0",
    "vacuum",
    "vacuum into 'copy.db'",
    "reindex",
    "analyze",
    "begin",
    "savepoint evil",
    "insert into documents_fts(documents_fts) values ('rebuild')",
    "select 1; delete from claims",
    "explain delete from claims",
    "with x as (select 1) insert into publishers (id, name) select 'evil', 'Evil' from x",
    "with x as (select 1) delete from claims",
    "select load_extension('/tmp/evil.so')",
    "select writefile('/tmp/evil', 'x')",
]


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("sql", WRITES)
async def test_sql_that_would_write_is_refused(ds, db_path, sql):
    before = sha256(db_path)
    response = await ds.client.get("/hindsight.json?" + urlencode({"sql": sql}))
    assert response.status_code == 400, response.text[:300]
    assert response.json()["ok"] is False and response.json()["error"]
    assert sha256(db_path) == before


@pytest.mark.asyncio(loop_scope="session")
async def test_a_write_that_passes_datasettes_check_is_refused_by_sqlite(ds):
    # A statement starting with "with" is accepted as a query; the immutable connection refuses it.
    sql = "with x as (select 1) delete from claims"
    response = await ds.client.get("/hindsight.json?" + urlencode({"sql": sql}))
    assert "attempt to write a readonly database" in response.json()["error"]


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("method,path", [
    ("POST", "/hindsight"), ("POST", "/hindsight/claims"), ("POST", "/hindsight/search"), ("POST", "/claims"),
    ("POST", "/"), ("PUT", "/hindsight/claims"), ("PATCH", "/hindsight/publishers"),
    ("DELETE", "/hindsight/claims"), ("POST", "/hindsight/-/create"), ("POST", "/hindsight/claims/-/insert"),
])
async def test_only_reading_methods_are_answered(ds, db_path, method, path):
    before = sha256(db_path)
    response = await ds.client.request(method, path, data={"sql": "delete from claims", "q": "x"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert sha256(db_path) == before


@pytest.mark.asyncio(loop_scope="session")
async def test_no_canned_query_writes(ds):
    queries = await ds.get_canned_queries("hindsight", None)
    assert queries, "metadata.yml defines canned queries"
    assert {name: bool(q.get("write")) for name, q in queries.items()} == {name: False for name in queries}


@pytest.mark.asyncio(loop_scope="session")
async def test_the_database_is_served_immutable(ds):
    databases = (await ds.client.get("/-/databases.json")).json()
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("hindsight", False)]


@contextmanager
def hindsight_serve(db_path):
    """`hindsight serve` on 127.0.0.1, as a reader gets it; stopped by its process group."""
    port = free_port()
    process = subprocess.Popen([str(HINDSIGHT), "serve", "--db", str(db_path), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/-/versions.json", process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(db_path):
    with hindsight_serve(db_path) as base_url:
        yield base_url


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_the_real_server_is_immutable_with_the_sql_time_limit(server):
    databases = json.loads(fetch(server + "/-/databases.json")[1])
    assert [d["is_mutable"] for d in databases] == [False]
    settings = json.loads(fetch(server + "/-/settings.json")[1])
    assert {k: settings[k] for k in SETTINGS} == SETTINGS  # metadata.yml's settings reach Datasette


HEAVY = {
    "recursive CTE": "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c",
    "cross join": "select count(*) from claims a, claims b, sections c, sections d, evidence e",
}


@pytest.mark.parametrize("sql", HEAVY.values(), ids=HEAVY.keys())
def test_a_heavy_query_is_cut_off_while_other_requests_are_answered(server, sql):
    heavy = {}

    def run_heavy():
        heavy["response"] = fetch(server + "/hindsight.json?" + urlencode({"sql": sql}))
        heavy["done"] = time.monotonic()

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.2)  # the heavy query is running
    answered = []
    while thread.is_alive():
        status, body = fetch(server + "/hindsight/claims.json?_shape=array&_size=5")
        answered.append((status, time.monotonic()))
    thread.join()
    status, body = heavy["response"]
    assert status == 400
    error = json.loads(body)
    assert error["title"] == "SQL Interrupted" and "SQL query took too long" in error["error"]
    assert answered and {s for s, _ in answered} == {200}
    during = sum(1 for _, t in answered if t < heavy["done"])
    assert during >= 3, f"only {during} requests answered while the heavy query ran"


def test_the_time_limit_error_page_says_what_happened(server):
    status, html = fetch(server + "/hindsight?" + urlencode({"sql": HEAVY["recursive CTE"]}))
    assert status == 400 and "SQL query took too long" in html and "sql_time_limit_ms" in html


def test_load_test_smoke(server):
    """bench/load_test.py on a small budget: every endpoint answered, no error, figures printed."""
    run = subprocess.run([sys.executable, "-m", "bench.load_test", "--url", server, "--clients", "2",
                          "--requests", "24", "--seconds", "30"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("24 requests from 2 clients")
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    for endpoint in ("home", "scorecard", "table", "FTS", "all"):
        assert endpoint in rows, run.stdout
    assert rows["all"][1:3] == ["24", "0"]  # requests, errors
    assert lines[-1].startswith("throughput: ") and lines[-1].endswith("errors: 0")
