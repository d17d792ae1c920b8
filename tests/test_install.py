"""A regular install (a wheel, not `pip install -e`) carries the site (issue 15): in a folder holding
only a ledger, outside the checkout, `hindsight build`, `serve` and `publish` work from the installed
copy alone."""
import importlib.metadata
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from browser import free_port, wait_for
from conftest import ROOT, SEEDS

MARK = "/* served from the installed copy */"


def run(*args, **kwargs):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel of this checkout installed into its own folder, and a ledger folder beside it."""
    tmp = tmp_path_factory.mktemp("install")
    # Build from a copy (the files git would keep: tracked or not ignored): setuptools writes build/
    # in the tree it builds, and the checkout's build/ holds the database.
    files = run("git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():  # listed but deleted in the working tree: skip
            (tmp / "src" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tmp / "src" / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", tmp / "src", "-w", tmp / "wheel")
    [wheel] = (tmp / "wheel").glob("hindsight-*.whl")
    run(*pip, "install", "--no-deps", "--no-index", "--target", tmp / "site-packages", wheel)
    ledger = tmp / "ledger"
    shutil.copytree(SEEDS, ledger / "seeds")
    # Only the installed copy on the path: the venv's editable install of this checkout comes after it.
    env = {**os.environ, "PYTHONPATH": str(tmp / "site-packages")}
    return tmp / "site-packages", ledger, env


def hindsight(installed, *args, **kwargs):
    target, ledger, env = installed
    return [str(target / "bin" / "hindsight"), *map(str, args)], dict(cwd=ledger, env=env, **kwargs)


def installed_file(target, name):
    """Where the install put its file called name (from the distribution's RECORD)."""
    [dist] = importlib.metadata.distributions(path=[str(target)])
    found = [f.locate() for f in dist.files if f.name == name]
    assert found, f"the wheel carries no {name}: {sorted(str(f) for f in dist.files)}"
    return Path(found[0])


def test_the_code_runs_from_the_installed_copy(installed):
    target, ledger, env = installed
    where = run(sys.executable, "-c", "import ingest, hindsight_site; print(ingest.__file__); print(hindsight_site.__file__)",
                cwd=ledger, env=env).split()
    assert where == [str(target / "ingest" / "__init__.py"), str(target / "hindsight_site" / "__init__.py")]


def test_build_then_serve_the_whole_site(installed):
    target, ledger, env = installed
    css = installed_file(target, "hindsight.css")
    css.write_text(css.read_text() + MARK)  # a change only the installed copy has
    args, kwargs = hindsight(installed, "build")
    run(*args, **kwargs)
    assert (ledger / "build" / "hindsight.db").is_file()
    port = free_port()
    args, kwargs = hindsight(installed, "serve", "--port", port)
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/-/versions.json", timeout=60, process=server)
        for path in ("/scorecard", "/claims", "/calibration"):  # pages only the plugins and templates make
            with urllib.request.urlopen(base + path) as response:
                page = response.read().decode()
            assert response.status == 200 and "hindsight.css" in page, path
        with urllib.request.urlopen(base + "/scorecard/author.json") as response:
            assert response.headers["content-type"].startswith("application/json")
        with urllib.request.urlopen(base + "/static/hindsight.css") as response:
            assert response.headers["content-type"].startswith("text/css")
            assert response.read().decode().endswith(MARK)
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()


def test_publish_stages_the_site(installed):
    target, ledger, env = installed
    args, kwargs = hindsight(installed, "publish", "fly", "--app", "hindsight-test", "--generate-dir", "bundle")
    run(*args, **kwargs)
    bundle = ledger / "bundle"
    assert (bundle / "metadata.json").is_file() and (bundle / "hindsight.db").is_file()
    for folder in ("plugins", "templates", "static"):
        shipped = sorted(p.name for p in (ROOT / folder).iterdir() if p.is_file())
        assert sorted(p.name for p in (bundle / folder).iterdir() if p.is_file()) == shipped, folder
    assert (bundle / "plugins" / "hindsight-site" / "hindsight_site" / "__init__.py").is_file()
    version = run(sys.executable, "-c", "import importlib.metadata; print(importlib.metadata.version('hindsight'))",
                  cwd=ledger, env=env).strip()
    assert f"--version-note hindsight-{version}" in (bundle / "Dockerfile").read_text()  # no git here: the package's version
