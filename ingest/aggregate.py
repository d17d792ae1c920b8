"""Scorecards, materialised at build so a page reads a few rows instead of grouping every claim."""
import json
import math

# dimension -> (SQL giving key and claim id per prediction, SQL giving the key's label)
DIMENSIONS = {
    "overall": ("select 'all' as key, id as claim_id from claims where kind = 'prediction'", "select 'all', 'All predictions'"),
    "author": (
        "select author_id as key, id as claim_id from claims where kind = 'prediction' and author_id is not null",
        "select id, name from authors",
    ),
    "publisher": (
        "select d.publisher_id as key, c.id as claim_id from claims c join documents d on d.id = c.document_id"
        " where c.kind = 'prediction' and d.publisher_id is not null",
        "select id, name from publishers",
    ),
    "document": (
        "select document_id as key, id as claim_id from claims where kind = 'prediction'",
        "select id, title from documents",
    ),
    # A topic counts the predictions of its sub-topics too; distinct so a claim counts once.
    "topic": (
        "select distinct tc.ancestor_id as key, ct.claim_id from claim_topics ct"
        " join topic_closure tc on tc.topic_id = ct.topic_id"
        " join claims c on c.id = ct.claim_id where c.kind = 'prediction'",
        "select id, name from topics",
    ),
    "year": (
        "select substr(made, 1, 4) as key, id as claim_id from claims where kind = 'prediction'",
        "select distinct substr(made, 1, 4), substr(made, 1, 4) from claims",
    ),
}

COUNTS = """
select k.key,
  count(*) as predictions,
  coalesce(sum(v.in_denominator), 0) as resolved,
  coalesce(sum(c.verdict = 'correct'), 0) as correct,
  coalesce(sum(c.verdict = 'partially_correct'), 0) as partially_correct,
  coalesce(sum(c.verdict = 'incorrect'), 0) as incorrect,
  coalesce(sum(c.verdict = 'too_early'), 0) as too_early,
  coalesce(sum(c.verdict = 'unresolvable'), 0) as unresolvable,
  coalesce(sum(c.verdict is null), 0) as unreviewed,
  coalesce(sum(v.score), 0) as points,
  coalesce(sum(v.strict_score), 0) as strict_points,
  coalesce(sum(v.lenient_score), 0) as lenient_points,
  count(distinct c.document_id) as sources,
  count(distinct case when v.in_denominator = 1 then c.document_id end) as sources_resolved,
  count(distinct case when c.verdict in ('correct', 'partially_correct') then c.document_id end) as sources_right,
  count(distinct case when c.verdict = 'incorrect' then c.document_id end) as sources_wrong
from ({keys}) k
join claims c on c.id = k.claim_id
left join verdicts v on v.id = c.verdict
group by k.key
"""


def wilson(points, n, z=1.96):
    """95% Wilson score interval for a rate of points out of n (None when n is 0)."""
    if not n:
        return None, None
    p = points / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def rate(points, n):
    return round(points / n, 4) if n else None


def scorecard_rows(db, only=None):
    """Every scorecard row; with only={dimension: [key, ...]}, just those keys' rows."""
    for dimension, (keys, labels) in DIMENSIONS.items():
        params = {}
        if only is not None:
            if not only.get(dimension):
                continue
            keys = f"select * from ({keys}) where key in (select value from json_each(:only))"
            params = {"only": json.dumps(sorted(only[dimension], key=str))}
        label = dict(db.execute(labels).fetchall())
        cursor = db.execute(COUNTS.format(keys=keys), params)
        columns = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(columns, values))
            n = row["resolved"]
            low, high = wilson(row["points"], n)
            strict_low, strict_high = wilson(row["strict_points"], n)
            lenient_low, lenient_high = wilson(row["lenient_points"], n)
            yield {
                "id": f"{dimension}/{row['key']}", "dimension": dimension, "key": row["key"],
                "label": label.get(row["key"], row["key"]), **{k: v for k, v in row.items() if k != "key"},
                "hit_rate": rate(row["points"], n), "hit_rate_strict": rate(row["strict_points"], n),
                "hit_rate_lenient": rate(row["lenient_points"], n), "wilson_low": low, "wilson_high": high,
                "wilson_low_strict": strict_low, "wilson_high_strict": strict_high,
                "wilson_low_lenient": lenient_low, "wilson_high_lenient": lenient_high,
            }


def materialise(db):
    db["scorecards"].create(
        {"id": str, "dimension": str, "key": str, "label": str, "predictions": int, "resolved": int,
         "correct": int, "partially_correct": int, "incorrect": int, "too_early": int, "unresolvable": int,
         "unreviewed": int, "points": float, "strict_points": float, "lenient_points": float,
         "hit_rate": float, "hit_rate_strict": float, "hit_rate_lenient": float,
         "wilson_low": float, "wilson_high": float, "wilson_low_strict": float, "wilson_high_strict": float,
         "wilson_low_lenient": float, "wilson_high_lenient": float,
         "sources": int, "sources_resolved": int, "sources_right": int, "sources_wrong": int},
        pk="id",
    )
    db["scorecards"].insert_all(scorecard_rows(db), batch_size=2000)
    # The orders the scorecard pages offer, so a page reads a few rows whatever the table's size.
    for column in ("predictions", "label", "wilson_low", "wilson_low_strict", "wilson_low_lenient"):
        db["scorecards"].create_index(["dimension", column])


def keys_of(db, claim_ids):
    """{dimension: keys} whose scorecard counts any of the given claims.

    A temporary view named claims, which the dimensions' SQL reads in place of the table,
    holds just those claims, so each query reads a few rows instead of every claim.
    """
    db.execute("create temp table scored_claims (id text primary key)")
    db.executemany("insert or ignore into temp.scored_claims values (?)", [(i,) for i in claim_ids])
    db.execute("create temp view claims as select * from main.claims where id in (select id from temp.scored_claims)")
    try:
        return {dimension: {r[0] for r in db.execute(f"select distinct key from ({keys})")}
                for dimension, (keys, _) in DIMENSIONS.items()}
    finally:
        db.execute("drop view temp.claims")
        db.execute("drop table temp.scored_claims")


def refresh(db, keys):
    """Recompute only the given {dimension: keys} rows of a materialised scorecards table."""
    ids = [f"{dimension}/{key}" for dimension, some in keys.items() for key in some]
    db.execute("delete from scorecards where id in (select value from json_each(?))", [json.dumps(ids)])
    db["scorecards"].insert_all(scorecard_rows(db, only=keys), batch_size=2000)
