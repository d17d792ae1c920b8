"""Full-text search, set up last and idempotently, so it covers every loaded row."""

SEARCH = {
    "documents": ["title", "text"],
    "claims": ["statement", "quote"],
    "resolutions": ["rationale"],
}


def enable_search(db):
    for table, columns in SEARCH.items():
        # Triggers keep the index in step with any later change to the table.
        db[table].enable_fts(columns, fts_version="FTS5", tokenize="porter", create_triggers=True, replace=True)
