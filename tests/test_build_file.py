"""The file a full build writes: compact without a VACUUM (the build no longer runs one)."""
import sqlite3


def test_full_build_leaves_no_free_pages(db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    assert conn.execute("pragma freelist_count").fetchone()[0] == 0
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
