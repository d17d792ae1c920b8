"""The file a full build writes: compact without a VACUUM (the build no longer runs one)."""
import sqlite3

from ingest import build, index, load


def test_full_build_leaves_no_free_pages(db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    assert conn.execute("pragma freelist_count").fetchone()[0] == 0
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"


def test_search_indexes_filled_flush_by_flush_hold_every_row_and_follow_edits(seeds_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(load, "FLUSH_ROWS", 7)  # many flushes, each adding its rows to the search indexes
    db = tmp_path / "h.db"
    build.build(seeds_copy, db)
    conn = sqlite3.connect(db)
    for table in index.SEARCH:
        # FTS5 checks its index against the table's rows, and fails on any row missing or stale.
        conn.execute(f"insert into [{table}_fts] ([{table}_fts], rank) values ('integrity-check', 1)")
    assert conn.execute("select count(*) from claims").fetchone()[0] > 7
    # sqlite-utils' triggers are back: a later edit is searchable at once
    conn.execute("update claims set statement = 'zyxwvut' where rowid = 3")
    assert conn.execute("select rowid from claims_fts where claims_fts match 'zyxwvut'").fetchall() == [(3,)]


def test_the_planner_has_statistics_for_every_index(db_path):
    """Without them SQLite takes every index as equally selective (claims?author_id=&verdict=
    then reads a fifth of all claims through the verdict index)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    indexes = {r[0] for r in conn.execute("select name from sqlite_master where type = 'index' and tbl_name = 'claims'")}
    assert indexes <= {r[0] for r in conn.execute("select idx from sqlite_stat1 where tbl = 'claims'")}


def test_a_build_leaves_the_garbage_collector_as_it_found_it(seeds_copy, tmp_path):
    import gc

    before = gc.get_threshold()
    build.build(seeds_copy, tmp_path / "h.db")
    assert gc.get_threshold() == before
