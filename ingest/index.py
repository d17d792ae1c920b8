"""Full-text search: FTS5 tables made empty before the load and filled as rows are inserted.

Filling them batch by batch, while the workers still read documents, costs a little more CPU
than one rebuild after the load (about 0.8 s more at 10,000 documents), but no longer waits
alone at the end of the build. sqlite-utils'
triggers, which keep an index in step with any later change, would fill them row by row at
several times the cost: they are set aside during the load and put back after it.
"""

SEARCH = {
    "documents": ["title", "text"],
    "claims": ["statement", "quote"],
    "resolutions": ["rationale"],
}


def start_search(db):
    """Empty search indexes; returns the SQL of their triggers, dropped until finish_search."""
    for table, columns in SEARCH.items():
        db[table].enable_fts(columns, fts_version="FTS5", tokenize="porter", create_triggers=True, replace=True)
    triggers = db.execute("select name, sql from sqlite_master where type = 'trigger' order by rowid").fetchall()
    for name, _ in triggers:
        db.execute(f"drop trigger [{name}]")
    return [sql for _, sql in triggers]


def finish_search(db, triggers):
    for sql in triggers:
        db.execute(sql)


def indexer(conn):
    """A function that adds the rows inserted since its last call to the search indexes of the tables named."""
    indexed = {}  # table -> the last rowid in its index

    def index_new_rows(tables):
        for table in [t for t in SEARCH if t in tables]:  # in SEARCH's order: a set's order follows the hash seed
            columns = ", ".join(f"[{c}]" for c in SEARCH[table])
            conn.execute(f"insert into [{table}_fts] (rowid, {columns}) select rowid, {columns} from [{table}] where rowid > ?",
                         [indexed.get(table, 0)])
            indexed[table] = conn.execute(f"select max(rowid) from [{table}]").fetchone()[0]

    return index_new_rows
