"""hindsight build after a change: only the changed documents are redone, and the rows equal a full build."""
import ast
import datetime
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bench.compare import differences, fts_intact
from ingest import incremental, probability_scores
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


# Predictions given a probability before the first build (the seeds give one to a scored prediction).
PROBABILITIES = {"ai-predictions-2024": {"aip24-01": 0.6, "aip24-02": 0.7, "aip24-03": 0.7, "aip24-11": 0.25},
                 "hu-po-future-directions": {"hupo24-06": 0.35, "hupo24-16": 0.9}}


def _edit_claim(seeds, doc_id, claim_id, edit):
    """Apply edit to one claim entry (the claims file is written anew, without its comments)."""
    path = seeds / "claims" / f"{doc_id}.yml"
    entries = yaml.safe_load(path.read_text())
    edit(next(e for e in entries if e["id"] == claim_id))
    path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True))


def _remove_document(seeds, doc_id):
    text = (seeds / "documents.yml").read_text()
    start = text.index(f"- id: {doc_id}\n")
    end = text.index("- id: ", start + 1)
    (seeds / "documents.yml").write_text(text[:start] + text[end:])
    (seeds / yaml.safe_load(text[start:end])[0]["file"]).unlink()
    (seeds / "claims" / f"{doc_id}.yml").unlink()


def _rows(db, table):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"select * from [{table}] order by id").fetchall()
    finally:
        conn.close()


PROBABILITY_CHANGES = {
    "a probability moves to another bin": lambda s: _edit_claim(
        s, "ai-predictions-2024", "aip24-03", lambda c: c.update(probability=0.15)),
    "a verdict changes": lambda s: _edit_claim(
        s, "hu-po-future-directions", "hupo24-16", lambda c: c["resolutions"][-1].update(verdict="correct")),
    "a same_as link removed counts the claim": lambda s: _edit_claim(
        s, "ai-predictions-2024", "aip24-02", lambda c: c.pop("same_as")),
    # Made earlier by the same author, hupo24-16 becomes the one counted: aip24-11, in a document
    # that did not change, stops counting.
    "a same_as link from another document": lambda s: _edit_claim(
        s, "hu-po-future-directions", "hupo24-16",
        lambda c: c.update(author="anonymous-blogger", made=datetime.date(2024, 1, 1), same_as="aip24-11")),
    "a document removed": lambda s: _remove_document(s, "ai-predictions-2024"),
}


@pytest.mark.parametrize("change", PROBABILITY_CHANGES)
def test_probability_scores_follow_a_change_as_a_full_build_counts_them(change, seeds_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(incremental, "MOST", 1.0)  # four seed documents: one removed is a quarter
    for doc_id, probabilities in PROBABILITIES.items():
        for claim_id, p in probabilities.items():
            _edit_claim(seeds_copy, doc_id, claim_id, lambda c: c.update(probability=p))
    db = tmp_path / "out" / "hindsight.db"
    build(seeds_copy, db, incremental=True)
    scores, bins = _rows(db, "probability_scores"), _rows(db, "calibration_bins")
    PROBABILITY_CHANGES[change](seeds_copy)
    with monkeypatch.context() as m:  # only the keys the change touches are recounted
        m.setattr(probability_scores, "materialise", lambda db: pytest.fail("probability scores recounted whole"))
        assert build(seeds_copy, db, incremental=True)["mode"] == "incremental"
    assert _rows(db, "probability_scores") != scores and _rows(db, "calibration_bins") != bins
    assert differences(db, _full(seeds_copy, tmp_path)) == []


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
