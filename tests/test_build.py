"""The database built from seeds/ through the real ingest code."""
import hashlib
import sqlite3

import pytest
import yaml
from click.testing import CliRunner

from conftest import SEEDS
from ingest.cli import cli

DOCUMENTS = yaml.safe_load((SEEDS / "documents.yml").read_text())


@pytest.fixture(scope="module")
def conn(db_path):
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)


def test_documents_with_hash_title_and_date(conn):
    rows = {r[0]: r[1:] for r in conn.execute("select id, sha256, title, published, file from documents")}
    assert len(rows) == 4 == len(DOCUMENTS)
    for d in DOCUMENTS:
        sha256, title, published, file = rows[d["id"]]
        assert sha256 == hashlib.sha256((SEEDS / d["file"]).read_bytes()).hexdigest()
        assert title == d["title"]
        assert published == d["published"].isoformat()


def test_sections_slice_back_to_their_headings(conn):
    rows = conn.execute(
        "select d.format, s.heading, substr(d.text, s.start + 1, s.end - s.start) from sections s"
        " join documents d on d.id = s.document_id"
    ).fetchall()
    assert {r[0] for r in rows} == {"markdown", "numbered_text", "emoji_outline", "markdown_html"}
    for _, heading, sliced in rows:
        assert sliced == heading


def test_claim_offsets_slice_their_quotes(conn):
    rows = conn.execute(
        "select c.quote, substr(d.text, c.quote_start + 1, c.quote_end - c.quote_start) from claims c"
        " join documents d on d.id = c.document_id"
    ).fetchall()
    for quote, sliced in rows:
        assert sliced == quote


def test_foreign_keys_hold_and_are_declared(conn):
    assert conn.execute("pragma foreign_key_check").fetchall() == []
    fks = {r[2] for r in conn.execute("pragma foreign_key_list(claims)")}
    assert {"documents", "authors", "verdicts", "sections"} <= fks
    indexed = {r[1] for r in conn.execute("pragma index_list(claims)")}
    assert any("document_id" in name for name in indexed)


@pytest.mark.parametrize("word,document", [
    ("Magnific", "ai-predictions-2024"),
    ("productionize", "predibase-llm-predictions-2024"),
    ("AlphaProteo", "state-of-ai-report-2024-summary"),
    ("hypotheses", "hu-po-future-directions"),
])
def test_full_text_search_finds_each_document(conn, word, document):
    hits = [r[0] for r in conn.execute(
        "select documents.id from documents_fts join documents on documents.rowid = documents_fts.rowid"
        " where documents_fts match ?", [word])]
    assert hits == [document]


def test_porter_stemming(conn):
    # "predicting" stems to the same token as "prediction"
    assert conn.execute("select count(*) from documents_fts where documents_fts match 'predicting'").fetchone()[0] >= 1


def test_verdict_scores(conn):
    scores = dict(conn.execute("select id, score from verdicts"))
    assert scores == {"correct": 1.0, "partially_correct": 0.5, "incorrect": 0.0, "too_early": None, "unresolvable": None}


def _break_seed(seeds, name, old, new):
    path = seeds / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_broken_seed_fails_with_file_and_line_and_keeps_the_old_database(seeds_copy, tmp_path):
    db = tmp_path / "out" / "hindsight.db"
    runner = CliRunner()
    ok = runner.invoke(cli, ["build", "--seeds", str(seeds_copy), "--db", str(db)])
    assert ok.exit_code == 0, ok.output
    before = db.read_bytes()

    _break_seed(seeds_copy, "documents.yml", "publisher: predibase\n", "publisher: no-such-publisher\n")
    result = runner.invoke(cli, ["build", "--seeds", str(seeds_copy), "--db", str(db)])
    assert result.exit_code != 0
    line = next(i for i, l in enumerate((seeds_copy / "documents.yml").read_text().splitlines(), 1) if "no-such-publisher" in l)
    assert f"documents.yml:{line}:" in result.output
    assert "no-such-publisher" in result.output
    assert db.read_bytes() == before
    # nothing left behind but the database and the manifest an incremental rebuild starts from
    assert sorted(p.name for p in db.parent.iterdir()) == [".hindsight.db.manifest.json", "hindsight.db"]


def test_invalid_yaml_names_the_line(seeds_copy, tmp_path):
    _break_seed(seeds_copy, "topics.yml", "- id: multimodality\n", "- id: multimodality\n  name: [unclosed\n")
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy)])
    assert result.exit_code != 0
    assert "topics.yml:" in result.output and "invalid YAML" in result.output
