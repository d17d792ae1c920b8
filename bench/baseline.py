"""The raw baseline: the same rows, the same schema and FTS indexes, with plain sqlite3.

Rows are read from a database that ``hindsight build`` made, into memory, before the clock
starts; then one transaction of ``executemany`` per table, the same indexes and triggers, the
same FTS5 indexes rebuilt from their content tables, and the planner statistics (ANALYZE) when
the build gathered them. Nothing parses a document or a YAML file here: it is the floor nothing
can beat.

Run as ``python -m bench.baseline SOURCE.db OUT.db``; prints the seconds as JSON.
"""
import json
import sqlite3
import sys
import time
from pathlib import Path


def schema(conn):
    """(tables, fts tables, indexes and triggers) as SQL, FTS shadow tables left out."""
    rows = conn.execute("select type, name, sql from sqlite_master where sql is not null order by rowid").fetchall()
    fts = [name for _, name, sql in rows if sql.lower().startswith("create virtual table")]
    shadow = {f"{f}_{suffix}" for f in fts for suffix in ("data", "idx", "docsize", "config", "content")}
    tables = [(name, sql) for kind, name, sql in rows
              if kind == "table" and name not in shadow and name not in fts and not name.startswith("sqlite_")]
    virtual = [sql for kind, name, sql in rows if name in fts]
    rest = [sql for kind, name, sql in rows if kind in ("index", "trigger")]
    return tables, fts, virtual, rest


def load_rows(source, tables):
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    return {name: conn.execute(f"select * from [{name}] order by rowid").fetchall() for name, _ in tables}


def run(source, out):
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    tables, fts, virtual, rest = schema(conn)
    analyzed = conn.execute("select 1 from sqlite_master where name = 'sqlite_stat1'").fetchone() is not None
    conn.close()
    data = load_rows(source, tables)
    Path(out).unlink(missing_ok=True)
    started = time.perf_counter()
    db = sqlite3.connect(out, isolation_level=None)
    db.execute("pragma journal_mode = off")  # the same pragmas the build uses
    db.execute("pragma synchronous = off")
    db.execute("begin")
    for name, sql in tables:
        db.execute(sql)
        rows = data[name]
        if rows:
            db.executemany(f"insert into [{name}] values ({', '.join('?' * len(rows[0]))})", rows)
    for sql in virtual:
        db.execute(sql)
    for name in fts:
        db.execute(f"insert into [{name}]([{name}]) values ('rebuild')")
    for sql in rest:
        db.execute(sql)
    if analyzed:  # the planner's statistics, as the build gathers them
        db.execute("analyze")
    db.execute("commit")
    db.close()
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "rows": sum(map(len, data.values())), "bytes": Path(out).stat().st_size}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2])))
