"""hindsight build after a change: only the changed documents are redone, and the rows equal a full build."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.compare import differences, fts_intact
from ingest import incremental
from ingest.build import build
from ingest.cli import cli
from ingest.validate import ValidationFailed


@pytest.fixture
def built(seeds_copy, tmp_path):
    db = tmp_path / "out" / "hindsight.db"
    counts = build(seeds_copy, db, incremental=True)
    assert counts["mode"].startswith("full")
    return seeds_copy, db


def _first_document(seeds):
    import yaml
    return yaml.safe_load((seeds / "documents.yml").read_text())[0]


def _full(seeds, tmp_path):
    db = tmp_path / "full" / "hindsight.db"
    build(seeds, db)
    return db


def test_nothing_changed_redoes_nothing(built, tmp_path):
    seeds, db = built
    counts = build(seeds, db, incremental=True)
    assert counts["mode"] == "incremental" and counts["changed_documents"] == 0
    assert differences(db, _full(seeds, tmp_path)) == []


def test_changed_source_and_claims_match_a_full_build(built, tmp_path):
    seeds, db = built
    doc = _first_document(seeds)
    source = seeds / doc["file"]
    source.chmod(0o644)
    source.write_text(source.read_text() + "\nA sentence added after the first build, about reasoning.\n")
    claims = seeds / "claims" / f"{doc['id']}.yml"
    claims.write_text(claims.read_text().replace("statement: ", "statement: Edited. ", 1))
    counts = build(seeds, db, incremental=True)
    assert counts["mode"] == "incremental" and counts["changed_documents"] == 1
    assert differences(db, _full(seeds, tmp_path)) == []
    assert fts_intact(db)


def test_edited_documents_yml_entry_is_redone(built, tmp_path):
    seeds, db = built
    doc = _first_document(seeds)
    text = (seeds / "documents.yml").read_text()
    (seeds / "documents.yml").write_text(text.replace(f"title: {doc['title']}", "title: A retitled document", 1))
    counts = build(seeds, db, incremental=True)
    assert counts["changed_documents"] == 1
    assert differences(db, _full(seeds, tmp_path)) == []


def test_topics_change_means_a_full_build(built):
    seeds, db = built
    with open(seeds / "topics.yml", "a") as f:
        f.write("- id: a-new-topic\n  name: A new topic\n  description: Added after the first build.\n")
    assert build(seeds, db, incremental=True)["mode"] == "full (topics.yml changed)"


def test_failed_incremental_build_keeps_the_database_and_its_manifest(built):
    seeds, db = built
    doc = _first_document(seeds)
    claims = seeds / "claims" / f"{doc['id']}.yml"
    before = db.read_bytes()
    claims.write_text(claims.read_text().replace("quote: ", "quote: not in the document ", 1))
    with pytest.raises(ValidationFailed) as e:
        build(seeds, db, incremental=True)
    assert any(p.path == str(claims) and "not verbatim" in p.message for p in e.value.problems)
    assert db.read_bytes() == before
    plan, why = incremental.plan(seeds, db, incremental.snapshot(seeds))
    assert plan is not None, why


def test_cli_builds_incrementally_unless_full(built):
    seeds, db = built
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--seeds", str(seeds), "--db", str(db)])
    assert result.exit_code == 0 and "incremental" in result.output
    result = runner.invoke(cli, ["build", "--full", "--seeds", str(seeds), "--db", str(db)])
    assert result.exit_code == 0 and "full (full build asked for)" in result.output


def test_renamed_document_is_removed_and_added(built, tmp_path, monkeypatch):
    monkeypatch.setattr(incremental, "MOST", 1.0)  # four seed documents: one change is a quarter
    seeds, db = built
    doc = _first_document(seeds)
    text = (seeds / "documents.yml").read_text()
    (seeds / "documents.yml").write_text(text.replace(f"- id: {doc['id']}\n", "- id: a-renamed-document\n", 1))
    (seeds / "claims" / f"{doc['id']}.yml").rename(seeds / "claims" / "a-renamed-document.yml")
    counts = build(seeds, db, incremental=True)
    assert (counts["changed_documents"], counts["removed_documents"]) == (1, 1)
    assert differences(db, _full(seeds, tmp_path)) == []


def test_a_new_claims_file_for_no_document_is_an_error_as_in_a_full_build(built):
    seeds, db = built
    stray = seeds / "claims" / "no-such-document.yml"
    stray.write_text((seeds / "claims" / f"{_first_document(seeds)['id']}.yml").read_text())
    before = db.read_bytes()
    with pytest.raises(ValidationFailed) as incremental_error:
        build(seeds, db, incremental=True)
    with pytest.raises(ValidationFailed) as full_error:
        build(seeds, db)
    assert [str(p) for p in incremental_error.value.problems] == [str(p) for p in full_error.value.problems]
    assert f"{stray}:1: claims file for document 'no-such-document'" in str(incremental_error.value)
    assert db.read_bytes() == before


def _imports(module):
    """Every ingest module a file imports, at any level (function bodies included)."""
    names = set()
    for node in ast.walk(ast.parse(Path(module.__file__).read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names |= {node.module} if node.module else {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ingest"):
            names.add(node.module.removeprefix("ingest.") or node.names[0].name)
        elif isinstance(node, ast.Import):
            names |= {a.name.removeprefix("ingest.") for a in node.names if a.name.startswith("ingest.")}
    return names


def test_build_and_incremental_share_rows_without_a_circle():
    """What both need lives in ingest/rows.py: incremental.py imports nothing of build.py, anywhere,
    and imported first in a fresh interpreter it loads no build.py."""
    from ingest import build as pipeline

    assert "build" not in _imports(incremental)
    assert "rows" in _imports(incremental) and "rows" in _imports(pipeline)
    fresh = subprocess.run([sys.executable, "-c", "import sys, ingest.incremental; print('ingest.build' in sys.modules)"],
                           capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.strip() == "False"
