"""Probability scores and calibration bins, materialised at build like the hit rates.

A prediction is scored when it has a probability and a verdict in the denominator (correct,
partially correct, incorrect). Its outcome o is the verdict's points under each rule of the hit
rate: half credit (partially correct is 0.5), strict (0), lenient (1).

    Brier score   mean of (p - o)^2; 0 is perfect, lower is better.
    reference     the Brier score of always saying 50% on the same predictions: mean of (0.5 - o)^2.
    log score     mean of o ln(p) + (1 - o) ln(1 - p), natural log, p clipped to [0.01, 0.99] so a
                  stated 0 or 1 that went wrong costs ln(0.01) = -4.6 instead of minus infinity;
                  0 is perfect, higher is better, always saying 50% scores ln(0.5) = -0.693.

probability_scores has a row per scorecard key (same id as scorecards: "author/jane-doe");
calibration_bins a row per rule and tenth of the probability scale, overall and per author.
Everything is computed from {(probability, verdict): predictions} per key, so the figures do not
depend on row order. Those integer counts are kept in probability_counts: an incremental build
changes a key's counts by what the changed documents' claims counted before and count now
(count, apply) and recomputes just those keys' rows, exactly as a full build computes them
(subtracting from the stored rounded floats would not be exact).
"""
import json
import math
from collections import Counter, defaultdict

from .aggregate import LABELS, wilson

RULES = {"half": "score", "strict": "strict_score", "lenient": "lenient_score"}  # rule -> verdicts column
SUFFIX = {"half": "", "strict": "_strict", "lenient": "_lenient"}
CLIP = 0.01
BINS = 10
BIN_DIMENSIONS = ("overall", "author")
SCORES = {"id": str, "dimension": str, "key": str, "label": str, "scored": int, "correct": int,
          "partially_correct": int, "incorrect": int, "mean_probability": float,
          **{f"{score}{SUFFIX[rule]}": float for score in ("brier", "log_score", "brier_reference") for rule in RULES}}
COUNTS = {"dimension": str, "key": str, "probability": float, "verdict": str, "predictions": int}
BIN_SCHEMA = {"id": str, "dimension": str, "key": str, "rule": str, "bin": int, "low": float, "high": float,
              "predictions": int, "mean_probability": float, "points": float, "share": float,
              "wilson_low": float, "wilson_high": float}
TABLES = {"probability_counts": (COUNTS, "dimension, key, probability, verdict"),  # table: (schema, primary key)
          "probability_scores": (SCORES, "id"), "calibration_bins": (BIN_SCHEMA, "id")}

FACTS = """select c.document_id, c.author_id, substr(c.made, 1, 4), d.publisher_id, c.probability, c.verdict,
  (select coalesce(group_concat(ct.topic_id, char(31)), '') from claim_topics ct where ct.claim_id = c.id)
from claims c join documents d on d.id = c.document_id
where c.probability is not null and c.kind = 'prediction'
  and c.verdict in (select id from verdicts where in_denominator = 1)
  and c.id not in (select claim_id from claim_groups where counted = 0){where}"""  # once per predictor, as the hit rates


def bin_of(p):
    """0..BINS-1: [0, 0.1), [0.1, 0.2), ..., [0.9, 1] (rounded first: 0.3 * 10 is 3.0000000000000004)."""
    return min(int(round(p * BINS, 9)), BINS - 1)


def log_term(p, o):
    p = min(max(p, CLIP), 1 - CLIP)
    return o * math.log(p) + (1 - o) * math.log(1 - p)


def count(db, claim_ids=None):
    """{(dimension, key): Counter({(probability, verdict): predictions})}, of every prediction or of just these claims."""
    ancestors = defaultdict(set)
    for ancestor, topic in db.execute("select ancestor_id, topic_id from topic_closure"):
        ancestors[topic].add(ancestor)
    if claim_ids is None:
        facts = db.execute(FACTS.format(where=""))
    else:
        facts = db.execute(FACTS.format(where=" and c.id in (select value from json_each(?))"), [json.dumps(list(claim_ids))])
    out = defaultdict(Counter)
    for document, author, year, publisher, p, verdict, topics in facts:
        keys = [("overall", "all"), ("document", document), ("year", year)]
        if author is not None:
            keys.append(("author", author))
        if publisher is not None:
            keys.append(("publisher", publisher))
        keys += [("topic", t) for t in set().union(*(ancestors[t] for t in topics.split("\x1f") if t))]
        for key in keys:
            out[key][(p, verdict)] += 1
    return out


def _round(x):
    return None if x is None else round(x, 4)


def count_rows(counts):
    """probability_counts rows."""
    for (dimension, key), counted in sorted(counts.items()):
        for (p, verdict), m in sorted(counted.items()):
            yield {"dimension": dimension, "key": key, "probability": p, "verdict": verdict, "predictions": m}


def score_rows(counts, points, labels):
    """probability_scores rows. points: {verdict: {rule: o}}."""
    for (dimension, key), counted in sorted(counts.items()):
        n = sum(counted.values())
        row = {"id": f"{dimension}/{key}", "dimension": dimension, "key": key,
               "label": labels.get(dimension, {}).get(key, key), "scored": n,
               **{v: sum(m for (_, verdict), m in counted.items() if verdict == v)
                  for v in ("correct", "partially_correct", "incorrect")},
               "mean_probability": _round(sum(p * m for (p, _), m in sorted(counted.items())) / n)}
        for rule in RULES:
            items = [(p, points[verdict][rule], m) for (p, verdict), m in sorted(counted.items())]
            row["brier" + SUFFIX[rule]] = _round(sum((p - o) ** 2 * m for p, o, m in items) / n)
            row["log_score" + SUFFIX[rule]] = _round(sum(log_term(p, o) * m for p, o, m in items) / n)
            row["brier_reference" + SUFFIX[rule]] = _round(sum((0.5 - o) ** 2 * m for _, o, m in items) / n)
        yield row


def bin_rows(counts, points):
    """calibration_bins rows: every bin of every rule, empty ones too (predictions 0), overall and per author."""
    for (dimension, key), counted in sorted(counts.items()):
        if dimension not in BIN_DIMENSIONS:
            continue
        for rule in RULES:
            bins = defaultdict(lambda: [0, 0.0, 0.0])  # predictions, sum of p, points
            for (p, verdict), m in sorted(counted.items()):
                b = bins[bin_of(p)]
                b[0] += m
                b[1] += p * m
                b[2] += points[verdict][rule] * m
            for i in range(BINS):
                n, total, got = bins.get(i, (0, 0.0, 0.0))
                low, high = wilson(got, n) if n else (None, None)
                yield {"id": f"{dimension}/{key}/{rule}/{i}", "dimension": dimension, "key": key, "rule": rule,
                       "bin": i, "low": i / BINS, "high": (i + 1) / BINS, "predictions": n,
                       "mean_probability": _round(total / n) if n else None, "points": got,
                       "share": _round(got / n) if n else None, "wilson_low": low, "wilson_high": high}


def materialise(db):
    """(Re)create probability_counts, probability_scores and calibration_bins from the claims (db: a
    sqlite3 connection or a sqlite_utils Database), in the open transaction if there is one."""
    _in_transaction(db, _materialise)


def apply(db, before, after):
    """Change the three tables from what some claims counted (before: count(db, their ids), taken
    before they were deleted) to what the claims that replace them count (after: count of those).

    Only the keys those claims count under are recomputed, from their stored counts minus before
    plus after; a key left with no scored prediction loses its rows.
    """
    _in_transaction(db, lambda conn: _apply(conn, before, after))


def _in_transaction(db, work):
    conn = getattr(db, "conn", db)
    if conn.in_transaction:
        work(conn)
    else:
        with conn:  # committed here, as aggregate's inserts are
            work(conn)


def _materialise(conn):
    conn.execute("create index if not exists claims_probability on claims(probability) where probability is not null")
    counts = count(conn)
    for table, (schema, key) in TABLES.items():
        conn.execute(f"drop table if exists [{table}]")
        columns = ", ".join(f"[{c}] {'text' if t is str else 'integer' if t is int else 'float'}" for c, t in schema.items())
        conn.execute(f"create table [{table}] ({columns}, primary key ({key}))")
    _insert(conn, counts, _labels(conn))
    conn.execute("create index probability_scores_dimension on probability_scores(dimension, scored)")
    conn.execute("create index calibration_bins_key on calibration_bins(dimension, key, rule, bin)")


def _apply(conn, before, after):
    keys = sorted(before.keys() | after.keys())
    counts = {}
    for key in keys:
        stored = Counter({(p, verdict): m for p, verdict, m in conn.execute(
            "select probability, verdict, predictions from probability_counts where dimension = ? and key = ?", key)})
        counts[key] = stored - before.get(key, Counter()) + after.get(key, Counter())  # Counter drops keys left at 0
    conn.executemany("delete from probability_counts where dimension = ? and key = ?", keys)
    conn.executemany("delete from probability_scores where id = ?", [(f"{d}/{k}",) for d, k in keys])
    conn.executemany("delete from calibration_bins where dimension = ? and key = ?", keys)
    counts = {key: counted for key, counted in counts.items() if counted}
    _insert(conn, counts, _labels(conn, counts))


def _labels(conn, keys=None):
    """{dimension: {key: label}}, of every key or of just these (dimension, key) pairs."""
    labels = {"overall": {"all": "All predictions"}}
    for dimension, sql in LABELS.items():
        if keys is None:
            labels[dimension] = dict(conn.execute(sql))
        else:
            wanted = json.dumps([k for d, k in keys if d == dimension])
            labels[dimension] = dict(conn.execute(f"{sql} where id in (select value from json_each(?))", [wanted]))
    return labels


def _insert(conn, counts, labels):
    points = {verdict: {rule: value for rule, value in zip(RULES, values)} for verdict, *values in conn.execute(
        f"select id, {', '.join(RULES.values())} from verdicts where in_denominator = 1")}
    for table, rows in (("probability_counts", count_rows(counts)),
                        ("probability_scores", score_rows(counts, points, labels)),
                        ("calibration_bins", bin_rows(counts, points))):
        schema = TABLES[table][0]
        conn.executemany(f"insert into [{table}] values ({', '.join('?' * len(schema))})",
                         [tuple(map(row.get, schema)) for row in rows])
