"""The hindsight command works on the ledger folder it runs in, as sqlite-utils works on the files it is named."""
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, SEEDS
from ingest import folders
from ingest.cli import cli

HINDSIGHT = Path(sys.executable).parent / "hindsight"


def state(path):
    """What a user would compare: the file's presence, bytes and modification time."""
    return (path.read_bytes(), path.stat().st_mtime_ns) if path.exists() else None


@pytest.fixture
def ledger(tmp_path):
    """A ledger folder elsewhere: a copy of seeds/ with one document title changed, nothing else."""
    folder = tmp_path / "my-ledger"
    shutil.copytree(SEEDS, folder / "seeds")
    documents = folder / "seeds" / "documents.yml"
    text = documents.read_text()
    first_title = next(line for line in text.splitlines() if line.strip().startswith("title:"))
    documents.write_text(text.replace(first_title, first_title.split("title:")[0] + "title: Retitled in the copy", 1))
    return folder


def test_check_and_build_use_the_current_folder(ledger):
    repo_db = ROOT / "build" / "hindsight.db"
    before = state(repo_db)
    checked = subprocess.run([str(HINDSIGHT), "check"], cwd=ledger, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("OK: 4 documents")

    built = subprocess.run([str(HINDSIGHT), "build"], cwd=ledger, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    db = ledger / "build" / "hindsight.db"
    titles = [r[0] for r in sqlite3.connect(db).execute("select title from documents")]
    assert "Retitled in the copy" in titles  # this folder's seeds, not the repository's
    assert state(repo_db) == before  # the repository's database untouched


def test_without_seeds_here_the_error_says_where_to_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (["check"], ["build"], ["serve"], ["release"], ["publish", "fly", "--app", "x", "--generate-dir", "b"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), command  # a message, not a traceback
        assert f"no seeds folder at {tmp_path / 'seeds'}" in result.output, command
        assert "ledger folder" in result.output and "--seeds" in result.output, command
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_serve_builds_here_and_serves_the_code_site(ledger, monkeypatch):
    """A folder holding only seeds/ is served with the site shipped with the code (metadata, plugins...)."""
    served = []
    monkeypatch.setattr(os, "execv", lambda path, args: served.append(args))  # instead of becoming Datasette
    monkeypatch.chdir(ledger)
    result = CliRunner().invoke(cli, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    args = served[0]
    assert args[args.index("-i") + 1] == str(ledger / "build" / "hindsight.db")
    assert args[args.index("--metadata") + 1] == str(folders.CODE_ROOT / "metadata.yml")
    assert args[args.index("--plugins-dir") + 1] == str(folders.CODE_ROOT / "plugins")
    assert args[args.index("--port") + 1] == "8123"


def test_a_folder_with_its_own_site_files_uses_them(tmp_path, monkeypatch):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "metadata.yml").write_text("title: My own\n")
    monkeypatch.chdir(tmp_path)
    assert folders.site_root() == tmp_path
