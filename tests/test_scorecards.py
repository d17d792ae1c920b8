"""Scorecards: computed in one pass in Python, changed by difference in an incremental build; both
must give exactly the rows of the SQL that defines them (below, the build's SQL before it moved to Python)."""
import json
import math
import random
import sqlite3

import pytest
import sqlite_utils

from ingest import aggregate, load
from ingest.rows import topic_rows
from tests.ledger import VERDICTS, Ledger

REFERENCE = {  # dimension -> (SQL giving key and claim id per prediction, SQL giving the key's label)
    "overall": ("select 'all' as key, id as claim_id from claims where kind = 'prediction'", "select 'all', 'All predictions'"),
    "author": ("select author_id as key, id as claim_id from claims where kind = 'prediction' and author_id is not null",
               "select id, name from authors"),
    "publisher": ("select d.publisher_id as key, c.id as claim_id from claims c join documents d on d.id = c.document_id"
                  " where c.kind = 'prediction' and d.publisher_id is not null", "select id, name from publishers"),
    "document": ("select document_id as key, id as claim_id from claims where kind = 'prediction'", "select id, title from documents"),
    "topic": ("select distinct tc.ancestor_id as key, ct.claim_id from claim_topics ct join topic_closure tc on tc.topic_id = ct.topic_id"
              " join claims c on c.id = ct.claim_id where c.kind = 'prediction'", "select id, name from topics"),
    "year": ("select substr(made, 1, 4) as key, id as claim_id from claims where kind = 'prediction'",
             "select distinct substr(made, 1, 4), substr(made, 1, 4) from claims"),
}
REFERENCE_COUNTS = """
select k.key, count(*) as predictions, coalesce(sum(v.in_denominator), 0) as resolved,
  coalesce(sum(c.verdict = 'correct'), 0) as correct, coalesce(sum(c.verdict = 'partially_correct'), 0) as partially_correct,
  coalesce(sum(c.verdict = 'incorrect'), 0) as incorrect, coalesce(sum(c.verdict = 'too_early'), 0) as too_early,
  coalesce(sum(c.verdict = 'unresolvable'), 0) as unresolvable, coalesce(sum(c.verdict is null), 0) as unreviewed,
  coalesce(sum(v.score), 0) as points, coalesce(sum(v.strict_score), 0) as strict_points,
  coalesce(sum(v.lenient_score), 0) as lenient_points,
  count(distinct c.document_id) as sources,
  count(distinct case when v.in_denominator = 1 then c.document_id end) as sources_resolved,
  count(distinct case when c.verdict in ('correct', 'partially_correct') then c.document_id end) as sources_right,
  count(distinct case when c.verdict = 'incorrect' then c.document_id end) as sources_wrong
from ({keys}) k join claims c on c.id = k.claim_id left join verdicts v on v.id = c.verdict
group by k.key
"""


def reference_rows(conn):
    """Every scorecard row, as the SQL definition gives them, in the order it gives them."""
    rows = []
    for dimension, (keys, labels) in REFERENCE.items():
        label = dict(conn.execute(labels).fetchall())
        cursor = conn.execute(REFERENCE_COUNTS.format(keys=keys))
        columns = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(columns, values))
            key, n = row.pop("key"), row["resolved"]
            intervals = {}
            for rule, points in (("", "points"), ("_strict", "strict_points"), ("_lenient", "lenient_points")):
                intervals[f"hit_rate{rule}"] = aggregate.rate(row[points], n)
                intervals[f"wilson_low{rule}"], intervals[f"wilson_high{rule}"] = aggregate.wilson(row[points], n)
            rows.append({"id": f"{dimension}/{key}", "dimension": dimension, "key": key,
                         "label": label.get(key, key), **row, **intervals})
    return rows


def table_rows(conn):
    cursor = conn.execute("select * from scorecards order by id")
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, r)) for r in cursor]


def random_ledger(path, seed):
    """A small database with every case a scorecard meets: no publisher, no author, no date, no verdict,
    observations, documents without predictions, claims without topics or with several topics under one
    ancestor, a topic tree three levels deep."""
    rng = random.Random(seed)
    db = sqlite_utils.Database(path)
    load.create_schema(db)
    load.insert(db.conn, "publishers", [{"id": f"p{i}", "name": f"Publisher {i}"} for i in range(3)])
    load.insert(db.conn, "authors", [{"id": f"a{i}", "name": f"Author {i}"} for i in range(5)])
    topics, closure = topic_rows([{"id": t, "name": t.title(), "parent_id": p} for t, p in (
        ("r0", None), ("r1", None), ("r0-a", "r0"), ("r0-b", "r0"), ("r1-a", "r1"), ("r0-a-x", "r0-a"))])
    load.insert(db.conn, "topics", topics)
    load.insert(db.conn, "topic_closure", closure)
    for d in range(12):
        add_document(db, rng, f"d{d:02}", rng.choice(["p0", "p1", "p2", None]))
    return db


def add_document(db, rng, doc, publisher):
    load.insert(db.conn, "documents", [{"id": doc, "title": f"Document {doc}", "publisher_id": publisher,
                                   "published": "2020-01-01", "sha256": "0" * 64, "text": "text"}])
    claims, claim_topics = [], []
    for i in range(rng.randint(0, 7)):
        cid = f"{doc}-{rng.random():.6f}-{i}"
        made = rng.choice([f"{rng.randint(2019, 2023)}-0{rng.randint(1, 9)}-01"] * 9 + [None])
        claims.append({"id": cid, "document_id": doc, "author_id": rng.choice(["a0", "a1", "a2", "a3", "a4", None]),
                       "kind": rng.choice(["prediction"] * 4 + ["observation"]), "statement": "s", "quote": "q",
                       "quote_start": 0, "quote_end": 1, "made": made, "verdict": rng.choice([*VERDICTS, None])})
        for topic in rng.sample(["r0", "r1", "r0-a", "r0-b", "r1-a", "r0-a-x"], rng.randint(0, 3)):
            claim_topics.append({"claim_id": cid, "topic_id": topic})
    load.insert(db.conn, "claims", claims)
    load.insert(db.conn, "claim_topics", claim_topics)


@pytest.mark.parametrize("seed", range(8))
def test_rows_equal_the_sql_definition(tmp_path, seed):
    db = random_ledger(tmp_path / "ledger.db", seed)
    expected = reference_rows(db.conn)
    got = list(aggregate.scorecard_rows(db.conn))
    assert got == expected  # the same rows, values and order
    assert [{k: type(v) for k, v in r.items()} for r in got] == [{k: type(v) for k, v in r.items()} for r in expected]
    aggregate.materialise(db)
    assert table_rows(db.conn) == sorted(expected, key=lambda r: r["id"])


def test_counting_holds_each_value_once_across_chunks(tmp_path):
    """Memory: a million predictions held as ~400 MB of repeated strings was the build's peak."""
    db = random_ledger(tmp_path / "ledger.db", 0)
    sql = aggregate.FACTS.format(where="1")
    columns = aggregate._facts(db.conn.execute(sql), chunk=3)
    assert list(zip(*columns)) == db.conn.execute(sql).fetchall()
    for column in columns:
        assert len({id(v) for v in column}) == len(set(column)) < len(column)


@pytest.mark.parametrize("seed", range(8))
def test_rows_changed_by_difference_equal_a_fresh_count(tmp_path, seed):
    """As an incremental build does: count the changed documents' claims, redo them, count again, apply."""
    db = random_ledger(tmp_path / "ledger.db", seed)
    aggregate.materialise(db)
    rng = random.Random(seed + 100)
    for _ in range(4):  # several builds, each redoing one to three documents at once
        docs = rng.sample([f"d{d:02}" for d in range(12)], rng.randint(1, 3))
        claims_of = "select id from claims where document_id in (select value from json_each(?))"
        before = aggregate.counts_of(db.conn, [r[0] for r in db.execute(claims_of, [json.dumps(docs)])])
        db.execute(f"delete from claim_topics where claim_id in ({claims_of})", [json.dumps(docs)])
        db.execute("delete from claims where document_id in (select value from json_each(?))", [json.dumps(docs)])
        db.execute("delete from documents where id in (select value from json_each(?))", [json.dumps(docs)])
        for doc in docs:
            if rng.random() < 0.8:  # else the document is removed; a redone one may change publisher
                add_document(db, rng, doc, rng.choice(["p0", "p1", "p2", None]))
        after = aggregate.counts_of(db.conn, [r[0] for r in db.execute(claims_of, [json.dumps(docs)])])
        aggregate.apply(db.conn, before, after)
        assert table_rows(db.conn) == sorted(reference_rows(db.conn), key=lambda r: r["id"])


def test_counts_of_every_claim_are_the_rows_counts(tmp_path):
    db = random_ledger(tmp_path / "ledger.db", 3)
    counted = aggregate.counts_of(db.conn, [r[0] for r in db.execute("select id from claims")])
    expected = {(r["dimension"], r["key"]): tuple(r[c] for c in aggregate.COUNTS) for r in reference_rows(db.conn)}
    assert {(d, k): v for d, keys in counted.items() for k, v in keys.items()} == expected


def test_seeds_scorecards_equal_an_independent_count(db_path):
    """The built database against the seeds read straight from the YAML (tests/ledger.py)."""
    ledger = Ledger()
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    rows = {(r["dimension"], r["key"]): dict(r) for r in conn.execute("select * from scorecards")}
    expected = {}
    for dimension in aggregate.DIMENSIONS:
        for key, figures in ledger.scorecard(dimension).items():
            claims = ledger.predictions(None if dimension == "overall" else dimension, key)
            figures["sources"] = len({c["document"] for c in claims})
            for column, verdicts in (("sources_resolved", {"correct", "partially_correct", "incorrect"}),
                                     ("sources_right", {"correct", "partially_correct"}), ("sources_wrong", {"incorrect"})):
                figures[column] = len({c["document"] for c in claims if c["verdict"] in verdicts})
            expected[dimension, key] = figures
    assert rows.keys() == expected.keys()
    for key, figures in expected.items():
        for column, value in figures.items():
            got = rows[key][column]
            assert (got is None and value is None) or math.isclose(got, value, abs_tol=1e-4), (key, column, got, value)


def test_a_ledger_without_predictions_has_no_scorecards(tmp_path):
    db = sqlite_utils.Database(tmp_path / "empty.db")
    load.create_schema(db)
    assert list(aggregate.scorecard_rows(db.conn)) == reference_rows(db.conn) == []
    aggregate.materialise(db)
    aggregate.apply(db.conn, aggregate.counts_of(db.conn, []), aggregate.counts_of(db.conn, []))
    assert table_rows(db.conn) == []
