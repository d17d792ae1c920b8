"""Do two databases hold the same ledger? Every table's rows in primary-key order, and FTS.

Row ids are left out: an incremental rebuild gives a changed document's rows new ones, and
nothing outside SQLite's own bookkeeping refers to them. Each full-text index is checked
against its content table (FTS5 integrity-check) and by the rows a set of terms finds.
"""
import hashlib
import re
import sqlite3

_CONTENT = re.compile(r"""content\s*=\s*["'\[]?(\w+)""")
SEARCH_TERMS = ("model", "quasarnet", "data", "reasoning", "will")


def _connect(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def fts_tables(conn):
    """{fts table: content table} for every FTS5 index."""
    rows = conn.execute("select name, sql from sqlite_master where type = 'table' and sql like 'create virtual table%'")
    return {name: (m.group(1) if (m := _CONTENT.search(sql)) else None) for name, sql in rows}


def table_digests(path):
    """{table: (row count, sha256 of its rows in primary-key order)}, FTS shadow tables excluded."""
    conn = _connect(path)
    fts = fts_tables(conn)
    shadow = {f"{f}_{s}" for f in fts for s in ("data", "idx", "docsize", "config", "content")}
    names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' order by name")]
    out = {}
    for name in names:
        if name in fts or name in shadow or name.startswith("sqlite_"):
            continue
        info = conn.execute(f"pragma table_info([{name}])").fetchall()
        pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]] or [r[1] for r in info]
        digest, count = hashlib.sha256(), 0
        for row in conn.execute(f"select * from [{name}] order by {', '.join(f'[{c}]' for c in pk)}"):
            digest.update(repr(row).encode())
            count += 1
        out[name] = (count, digest.hexdigest())
    for name, content in fts.items():
        if content:
            pk = next((r[1] for r in conn.execute(f"pragma table_info([{content}])") if r[5]), "rowid")
            found = [conn.execute(
                f"select t.[{pk}] from [{name}] f join [{content}] t on t.rowid = f.rowid"
                f" where [{name}] match ? order by f.rank, t.[{pk}]", [term]).fetchall() for term in SEARCH_TERMS]
            out[name] = (sum(map(len, found)), hashlib.sha256(repr(found).encode()).hexdigest())
    return out


def fts_intact(path):
    """True when every FTS5 index agrees with its content table."""
    conn = sqlite3.connect(path)
    try:
        for name in fts_tables(conn):
            conn.execute(f"insert into [{name}]([{name}]) values ('integrity-check')")
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def differences(a, b):
    """Names of the tables whose content differs between two databases (empty when identical)."""
    da, db = table_digests(a), table_digests(b)
    return sorted(name for name in da.keys() | db.keys() if da.get(name) != db.get(name))
