"""hindsight publish: the deploy bundle, checked offline, then served locally from its own files."""
import hashlib
import importlib.metadata
import json
import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT, SEEDS
from ingest.cli import cli

METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text())
HEAD = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
CANARY = "c0ffee" * 10  # a signing secret offered through datasette publish's own variable: it must go nowhere
SITE = "plugins/hindsight-site"  # the bundle's copy of hindsight_site, which pip installs on the host


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """A release, then `hindsight publish fly --generate-dir` from the same seeds."""
    tmp = tmp_path_factory.mktemp("publish")
    seeds = shutil.copytree(SEEDS, tmp / "seeds")  # fixed, while others edit seeds/
    runner = CliRunner()
    made = runner.invoke(cli, ["release", "--seeds", str(seeds), "--out", str(tmp / "releases"), "--date", "2026-02-03",
                               "--changelog", str(tmp / "CHANGELOG.md"), "--citation", str(tmp / "CITATION.cff")])
    assert made.exit_code == 0, made.output
    published = runner.invoke(cli, ["publish", "fly", "--app", "hindsight-test", "--seeds", str(seeds),
                                    "--releases", str(tmp / "releases"), "--generate-dir", str(tmp / "bundle")],
                              env={"DATASETTE_PUBLISH_SECRET": CANARY})
    assert published.exit_code == 0, published.output
    (tmp / "publish-output.txt").write_text(published.output)
    return tmp / "bundle", tmp / "releases" / "hindsight-2026.02.03.db"


def dockerfile(bundle_dir):
    return (bundle_dir / "Dockerfile").read_text().splitlines()


def instruction(bundle_dir, prefix):
    return shlex.split(next(line for line in dockerfile(bundle_dir) if line.startswith(prefix))[len(prefix):])


def test_bundle_holds_the_released_database_metadata_and_plugins(bundle):
    bundle_dir, released = bundle
    assert (bundle_dir / "hindsight.db").read_bytes() == released.read_bytes()  # rebuilt byte for byte
    metadata = json.loads((bundle_dir / "metadata.json").read_text())
    assert metadata["title"] == METADATA["title"]
    assert metadata["databases"] == METADATA["databases"]
    info = metadata["plugins"]["release-info"]
    assert (info["version"], info["file"]) == ("2026.02.03", released.name)
    assert info["sha256"] == hashlib.sha256(released.read_bytes()).hexdigest()
    ours = {p.name: p.read_bytes() for p in (ROOT / "plugins").glob("*.py")}
    assert {p.name: p.read_bytes() for p in (bundle_dir / "plugins").glob("*.py")} == ours
    shared = {p.name: p.read_bytes() for p in (ROOT / "hindsight_site").glob("*.py")}  # the code the plugins import
    assert {p.name: p.read_bytes() for p in (bundle_dir / SITE / "hindsight_site").glob("*.py")} == shared
    assert 'app = "hindsight-test"' in (bundle_dir / "fly.toml").read_text()


def test_every_install_is_pinned_to_what_the_tests_ran_with(bundle):
    words = instruction(bundle[0], "RUN pip install -U ")
    pins = {}
    assert words[-1] == f"./{SITE}"  # the plugins' shared code, built from the bundle's own copy
    for word in words[:-1]:
        if word == "datasette":  # the bare name datasette's Dockerfile always adds; pinned beside it
            continue
        name, _, version = word.partition("==")
        assert version, f"{word} is not pinned"
        assert version == importlib.metadata.version(name), word
        pins[canonicalize_name(name)] = version
    assert pins["datasette"] == importlib.metadata.version("datasette")
    for name in pins:  # closed: whatever a pinned package needs is pinned too
        for spec in importlib.metadata.distribution(name).requires or ():
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                assert canonicalize_name(req.name) in pins, f"{name} needs {req.name}, not pinned"


def test_serve_command_is_immutable_with_our_plugins_and_settings(bundle):
    cmd = " ".join(instruction(bundle[0], "CMD "))
    assert cmd.startswith("datasette serve ")
    assert "-i hindsight.db" in cmd and " --create" not in cmd
    assert "--metadata metadata.json" in cmd and "--plugins-dir plugins/" in cmd
    for name in METADATA["settings"]:
        assert f"--setting {name} " in cmd
    assert f"--version-note {HEAD}" in cmd


def test_no_signing_secret_is_staged(bundle):
    bundle_dir = bundle[0]
    for path in bundle_dir.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    assert "ENV DATASETTE_SECRET ''" in dockerfile(bundle_dir)  # empty: Datasette draws one at start
    assert not [line for line in dockerfile(bundle_dir) if "SECRET" in line and line != "ENV DATASETTE_SECRET ''"]
    said = (bundle_dir.parent / "publish-output.txt").read_text()
    assert "flyctl secrets set DATASETTE_SECRET=" in said and "--app hindsight-test" in said


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(bundle):
    """The bundle's own inspect and serve commands, run from its files on 127.0.0.1."""
    bundle_dir = bundle[0]
    env = dict(os.environ)
    for line in dockerfile(bundle_dir):
        if line.startswith("ENV "):
            key, value = shlex.split(line[4:])
            env[key] = value
    env["PORT"] = str(free_port())
    # The bundle's hindsight_site, as the host's pip installs it, comes before the one installed here.
    env["PYTHONPATH"] = str(bundle_dir / SITE)
    datasette = [sys.executable, "-m", "datasette"]
    inspect = instruction(bundle_dir, "RUN datasette ")
    subprocess.run(datasette + inspect, cwd=bundle_dir, check=True)
    serve = instruction(bundle_dir, "CMD datasette ")
    serve[serve.index("--host") + 1] = "127.0.0.1"
    serve = [env["PORT"] if word == "$PORT" else word for word in serve]
    log = open(bundle_dir.parent / "serve.log", "wb")
    server = subprocess.Popen(datasette + serve, cwd=bundle_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    client = httpx.Client(base_url=f"http://127.0.0.1:{env['PORT']}", follow_redirects=True, timeout=10)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client.get("/-/versions.json")
                break
            except httpx.TransportError:
                assert server.poll() is None, (bundle_dir.parent / "serve.log").read_text()
                assert time.monotonic() < deadline, "the bundle's server did not start in 30s"
                time.sleep(0.2)
        yield client, bundle_dir / "hindsight.db"
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_the_plugins_shared_code_is_the_bundles_own_and_installable(site, bundle):
    bundle_dir = bundle[0]
    project = tomllib.loads((bundle_dir / SITE / "pyproject.toml").read_text())
    assert project["project"]["name"] == "hindsight-site"
    assert project["tool"]["setuptools"]["packages"]["find"]["include"][0] == "hindsight_site"
    where = subprocess.run([sys.executable, "-c", "import hindsight_site; print(hindsight_site.__file__)"],
                           cwd=bundle_dir, env={**os.environ, "PYTHONPATH": str(bundle_dir / SITE)},
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where) == bundle_dir / SITE / "hindsight_site" / "__init__.py"  # what the served site ran
    assert site[0].get("/documents").status_code == 200  # a page made with it


def test_bundle_serves_home_page_with_its_release(site, bundle):
    client, _ = site
    home = client.get("/")
    assert home.status_code == 200
    assert METADATA["title"] in home.text
    assert "Release 2026.02.03" in home.text
    release = client.get("/-/release.json").json()
    assert release["sha256"] == hashlib.sha256(bundle[1].read_bytes()).hexdigest()
    download = client.get(release["download_url"])
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == release["sha256"]
    settings = client.get("/-/settings.json").json()
    assert {name: settings[name] for name in METADATA["settings"]} == METADATA["settings"]
    versions = client.get("/-/versions.json").json()
    assert versions["datasette"]["version"] == importlib.metadata.version("datasette")
    assert versions["datasette"]["note"] in (HEAD, f"{HEAD}+dirty")  # +dirty: uncommitted changes


def test_bundle_serves_a_scorecard_and_a_table_as_json_cacheably(site):
    client, db = site
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    expected = dict(conn.execute("select * from scorecards where id = 'overall/all'").fetchone())
    key = json.loads((db.parent / "metadata.json").read_text())["plugins"]["cache-headers"]["key"]

    scorecard = client.get("/hindsight/scorecards/overall~2Fall.json?_shape=objects")
    assert scorecard.status_code == 200
    assert scorecard.json()["rows"] == [expected]
    assert str(scorecard.url.path).startswith(f"/hindsight-{key[:7]}/")  # content-addressed
    assert scorecard.headers["cache-control"] == "public, max-age=31536000, immutable"

    claims = client.get("/hindsight/claims.json?_shape=objects&_size=3")
    assert claims.status_code == 200
    assert claims.json()["filtered_table_rows_count"] == conn.execute("select count(*) from claims").fetchone()[0]
    assert len(claims.json()["rows"]) == min(3, claims.json()["filtered_table_rows_count"])

    write = client.get("/hindsight.json", params={"sql": "delete from claims"})
    assert write.status_code == 400


@pytest.mark.parametrize("args, says", [
    (["fly", "--app", "x"], ["flyctl is not installed", "https://fly.io/docs/flyctl/install/", "--generate-dir"]),
    (["cloudrun", "--service", "x"], ["gcloud is not installed", "https://cloud.google.com/sdk/docs/install"]),
])
def test_missing_host_tooling_is_a_clear_message(monkeypatch, args, says):
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # neither flyctl nor gcloud here
    result = CliRunner().invoke(cli, ["publish", *args])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert all(s in result.output for s in says)


@pytest.mark.asyncio(loop_scope="session")
async def test_a_local_site_claims_no_release(ds):
    assert (await ds.client.get("/-/release.json")).status_code == 404
    assert 'href="/-/release"' not in (await ds.client.get("/hindsight")).text
