"""The database schema and the bulk inserts into it (sqlite-utils)."""
from .validate import VERDICTS

VERDICT_ROWS = [
    # id, label, score, strict, lenient, in_denominator, colour, description
    ("correct", "Correct", 1.0, 1.0, 1.0, 1, "#1a7f37", "Happened as stated, by the horizon."),
    ("partially_correct", "Partially correct", 0.5, 0.0, 1.0, 1, "#9a6700", "Happened in part, in a weaker form, or late."),
    ("incorrect", "Incorrect", 0.0, 0.0, 0.0, 1, "#cf222e", "Did not happen by the horizon, or the observation was wrong."),
    ("too_early", "Too early", None, None, None, 0, "#0969da", "The horizon has not passed and it has not happened yet."),
    ("unresolvable", "Unresolvable", None, None, None, 0, "#6e7781", "Too vague, or the evidence to decide it is not available."),
]
assert tuple(v[0] for v in VERDICT_ROWS) == VERDICTS

# table: (columns, primary key, foreign keys as (column, other table, other column))
TABLES = {
    "verdicts": (
        {"id": str, "label": str, "score": float, "strict_score": float, "lenient_score": float,
         "in_denominator": int, "color": str, "description": str},
        "id", [],
    ),
    "publishers": ({"id": str, "name": str, "url": str, "description": str}, "id", []),
    "authors": (
        {"id": str, "name": str, "role": str, "publisher_id": str},
        "id", [("publisher_id", "publishers", "id")],
    ),
    "documents": (
        {"id": str, "title": str, "publisher_id": str, "published": str, "published_note": str, "url": str,
         "kind": str, "format": str, "file": str, "sha256": str, "bytes": int, "claim_count": int,
         "front_matter": str, "markdown": str, "text": str},
        "id", [("publisher_id", "publishers", "id")],
    ),
    "document_authors": (
        {"document_id": str, "author_id": str}, ("document_id", "author_id"),
        [("document_id", "documents", "id"), ("author_id", "authors", "id")],
    ),
    "sections": (
        {"id": str, "document_id": str, "position": int, "heading": str, "level": int,
         "start": int, "end": int, "body_end": int},
        "id", [("document_id", "documents", "id")],
    ),
    "topics": (
        {"id": str, "name": str, "parent_id": str, "description": str, "depth": int, "path": str},
        "id", [("parent_id", "topics", "id")],
    ),
    "topic_closure": (
        {"ancestor_id": str, "topic_id": str, "distance": int}, ("ancestor_id", "topic_id"),
        [("ancestor_id", "topics", "id"), ("topic_id", "topics", "id")],
    ),
    # Published scales of probability words (seeds/probability_scales.yml, confidence_words.yml).
    "probability_scales": ({"id": str, "name": str, "reference": str, "url": str, "convention": str}, "id", []),
    "confidence_words": (
        {"word": str, "scale_id": str, "term": str, "probability": float, "low": float, "high": float},
        "word", [("scale_id", "probability_scales", "id")],
    ),
    "claims": (
        {"id": str, "document_id": str, "section_id": str, "author_id": str, "kind": str, "statement": str,
         "quote": str, "quote_start": int, "quote_end": int, "made": str, "horizon": str,
         "horizon_inferred": int, "verdict": str, "resolved": str, "confidence": str,
         "probability": float, "confidence_words": str, "probability_source": str, "probability_word": str},
        "id", [("document_id", "documents", "id"), ("section_id", "sections", "id"),
               ("author_id", "authors", "id"), ("verdict", "verdicts", "id"),
               ("probability_word", "confidence_words", "word")],
    ),
    "claim_topics": (
        {"claim_id": str, "topic_id": str}, ("claim_id", "topic_id"),
        [("claim_id", "claims", "id"), ("topic_id", "topics", "id")],
    ),
    "resolutions": (
        {"id": str, "claim_id": str, "seq": int, "verdict": str, "resolved": str, "resolver": str,
         "confidence": str, "rationale": str, "is_current": int},
        "id", [("claim_id", "claims", "id"), ("verdict", "verdicts", "id")],
    ),
    "evidence": (
        {"id": str, "resolution_id": str, "claim_id": str, "title": str, "url": str, "date": str},
        "id", [("resolution_id", "resolutions", "id"), ("claim_id", "claims", "id")],
    ),
    # Links as curated (ingest/links.py): kind same_as (the same prediction) or responds_to (with a stance).
    "claim_links": (
        {"claim_id": str, "target_id": str, "kind": str, "stance": str}, ("claim_id", "target_id", "kind"),
        [("claim_id", "claims", "id"), ("target_id", "claims", "id")],
    ),
    # Every claim linked as the same prediction as another: its group's canonical claim, and whether scorecards count it.
    "claim_groups": (
        {"claim_id": str, "prediction_id": str, "counted": int}, "claim_id",
        [("claim_id", "claims", "id"), ("prediction_id", "claims", "id")],
    ),
}

NOT_NULL = {
    "documents": {"title", "published", "sha256", "text"},
    "claims": {"document_id", "kind", "quote", "quote_start", "quote_end", "statement"},
    "resolutions": {"claim_id", "verdict"},
}


def create_schema(db):
    for name, (columns, pk, fks) in TABLES.items():
        db[name].create(columns, pk=pk, foreign_keys=fks, not_null=NOT_NULL.get(name, ()))
    db["verdicts"].insert_all(
        dict(zip(("id", "label", "score", "strict_score", "lenient_score", "in_denominator", "color", "description"), v))
        for v in VERDICT_ROWS
    )


def create_indexes(db):
    """An index on every foreign key, plus the columns pages sort and filter by."""
    for name, (_, _, fks) in TABLES.items():
        for column, _, _ in fks:
            db[name].create_index([column], if_not_exists=True)
    db["claims"].create_index(["kind", "verdict"], if_not_exists=True)
    db["claims"].create_index(["made"], if_not_exists=True)
    db["documents"].create_index(["published"], if_not_exists=True)
    db["resolutions"].create_index(["resolved"], if_not_exists=True)


def values(table, rows):
    """Rows (dicts) of a table of TABLES as value tuples in column order, ready for executemany."""
    columns = TABLES[table][0]
    for row in rows:
        if not columns.keys() >= row.keys():
            raise ValueError(f"{table} has no column {sorted(row.keys() - columns.keys())[0]!r}")
    return [tuple(map(row.get, columns)) for row in rows]


def _insert_sql(table):
    columns = TABLES[table][0]
    return f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"


INSERT_SQL = {table: _insert_sql(table) for table in TABLES}


def insert_values(conn, table, values):
    """Value tuples (from values()) into a table, with one prepared executemany: the bulk of a build."""
    if values:
        conn.executemany(INSERT_SQL[table], values)


FLUSH_ROWS = 20_000


class Inserts:
    """Value tuples gathered per table and inserted some thousands at a time: one executemany per
    table per flush, not seven per document (a call costs about as much as a few rows)."""

    def __init__(self, conn, then=None):
        self.conn, self.pending, self.size = conn, {}, 0
        self.then = then  # called with the tables of each flush

    def add(self, table, values):
        self.pending.setdefault(table, []).extend(values)
        self.size += len(values)
        if self.size >= FLUSH_ROWS:
            self.flush()

    def flush(self):
        for table, values in self.pending.items():  # in the order tables first came: each keeps its row order
            insert_values(self.conn, table, values)
        if self.then:
            self.then(self.pending.keys())
        self.pending, self.size = {}, 0


def insert(conn, table, rows):
    """Rows (dicts) into a table of TABLES."""
    insert_values(conn, table, values(table, rows))
