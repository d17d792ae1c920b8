"""The benchmark's own pieces, on a 20-document corpus: figures come from `python -m bench`, not from here."""
import sqlite3

import pytest

from bench import baseline, corpus
from bench.__main__ import one_document_edit
from bench.compare import differences, fts_intact
from ingest.build import build

N = 20


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    seeds = tmp_path_factory.mktemp("corpus") / "seeds"
    return seeds, corpus.generate(seeds, N, processes=1)


def _files(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_corpus_is_deterministic(generated, tmp_path):
    seeds, _ = generated
    again = tmp_path / "seeds"
    corpus.generate(again, N, processes=2)
    assert _files(again) == _files(seeds)


def test_corpus_builds_in_every_format_with_verbatim_quotes(generated, tmp_path):
    seeds, summary = generated
    db = tmp_path / "hindsight.db"
    build(seeds, db)  # fails unless every quote is verbatim in its document's plain text
    conn = sqlite3.connect(db)
    assert {r[0] for r in conn.execute("select distinct format from documents")} == set(corpus.FORMATS)
    assert conn.execute("select count(*) from claims").fetchone()[0] == summary["claims"] >= 8 * N
    rare = conn.execute("select count(*) from documents_fts where documents_fts match ?", [corpus.RARE_TERM]).fetchone()[0]
    assert rare == len([i for i in range(N) if i % corpus.RARE_EVERY == corpus.RARE_EVERY // 2])
    # every prediction has a resolution
    assert conn.execute("select count(*) from claims where kind = 'prediction' and verdict is null").fetchone()[0] == 0


def test_raw_baseline_holds_the_same_rows(generated, tmp_path):
    seeds, _ = generated
    db, raw = tmp_path / "hindsight.db", tmp_path / "raw.db"
    build(seeds, db)
    figures = baseline.run(db, raw)
    assert figures["seconds"] > 0
    assert differences(db, raw) == []
    assert fts_intact(raw)


def test_incremental_rebuild_equals_a_full_build(generated, tmp_path):
    seeds, _ = generated
    db, full = tmp_path / "hindsight.db", tmp_path / "full" / "hindsight.db"
    build(seeds, db, incremental=True)
    doc_id, edit, undo = one_document_edit(seeds, N)
    try:
        edit()
        counts = build(seeds, db, incremental=True)
        build(seeds, full)
    finally:
        undo()
    assert counts["mode"] == "incremental" and counts["changed_documents"] == 1
    conn = sqlite3.connect(db)
    assert "Edited for the benchmark." in conn.execute(
        "select group_concat(statement) from claims where document_id = ?", [doc_id]).fetchone()[0]
    assert differences(db, full) == []
    assert fts_intact(db)
