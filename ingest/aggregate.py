"""Scorecards, materialised at build so a page reads a few rows instead of grouping every claim.

A scorecard row counts the predictions of one key of a dimension: an author, a publisher, a
document, a topic with its sub-topics, a year, or all of them. One query reads each prediction's
document, author, year, verdict and topics, and Python counts every dimension from those rows:
SQL's grouping, count(distinct ...) and the distinct over claim topics x topic closure took
seconds at 10k documents.

Every figure of a row is a sum over the documents its predictions come from (a document adds 0
or 1 to a sources column), so overall and publisher rows are sums of document rows, and an
incremental build changes a row by what the changed documents counted before and count now
(counts_of, apply) instead of reading every prediction again.
"""
import functools
import json
import math
from collections import Counter, defaultdict
from itertools import compress, repeat
from operator import itemgetter, or_

DIMENSIONS = ("overall", "author", "publisher", "document", "topic", "year")
LABELS = {  # dimension -> SQL giving each key's label (a year is its own label)
    "author": "select id, name from authors",
    "publisher": "select id, name from publishers",
    "document": "select id, title from documents",
    "topic": "select id, name from topics",
}
# The count columns, in this order in every figures tuple below.
COUNTS = ("predictions", "resolved", "correct", "partially_correct", "incorrect", "too_early", "unresolvable",
          "unreviewed", "points", "strict_points", "lenient_points",
          "sources", "sources_resolved", "sources_right", "sources_wrong")
SCHEMA = {"id": str, "dimension": str, "key": str, "label": str, "predictions": int, "resolved": int,
          "correct": int, "partially_correct": int, "incorrect": int, "too_early": int, "unresolvable": int,
          "unreviewed": int, "points": float, "strict_points": float, "lenient_points": float,
          "hit_rate": float, "hit_rate_strict": float, "hit_rate_lenient": float,
          "wilson_low": float, "wilson_high": float, "wilson_low_strict": float, "wilson_high_strict": float,
          "wilson_low_lenient": float, "wilson_high_lenient": float,
          "sources": int, "sources_resolved": int, "sources_right": int, "sources_wrong": int}

# One row per prediction: document, author, year, verdict, and its own topics joined by a unit
# separator (topic ids are slugs, so splitting is safe, and quicker than parsing JSON).
# +kind: reading the whole table through the kind index costs more than scanning it. A prediction made
# again by the same predictor (claim_groups.counted = 0, ingest/links.py) is counted once, by its first claim.
FACTS = """select c.document_id, c.author_id, substr(c.made, 1, 4), c.verdict,
  (select coalesce(group_concat(ct.topic_id, char(31)), '') from claim_topics ct where ct.claim_id = c.id)
from claims c where +c.kind = 'prediction' and ({where})
  and c.id not in (select claim_id from claim_groups where counted = 0)"""
@functools.lru_cache(maxsize=None)  # rows share few (points, n) pairs: a document has a dozen predictions
def wilson(points, n, z=1.96):
    """95% Wilson score interval for a rate of points out of n (None when n is 0)."""
    if not n:
        return None, None
    p = points / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


@functools.lru_cache(maxsize=None)
def rate(points, n):
    return round(points / n, 4) if n else None


class _Ledger:
    """What counting needs besides the predictions: verdict scores, publishers, the topic tree."""

    def __init__(self, db, documents=None):
        self.verdicts = {v: rest for v, *rest in db.execute(
            "select id, score, strict_score, lenient_score, in_denominator from verdicts")}
        # The verdicts counted by sources_resolved, sources_right and sources_wrong (sources: any).
        self.sourced = ({v for v, (*_, in_denominator) in self.verdicts.items() if in_denominator == 1},
                        {"correct", "partially_correct"}, {"incorrect"})
        if documents is None:
            self.publisher = dict(db.execute("select id, publisher_id from documents"))
        else:  # just these documents' publishers: an incremental build counts a few of 10,000s
            self.publisher = dict(db.execute("select id, publisher_id from documents where id in (select value from json_each(?))",
                                             [json.dumps(sorted(documents))]))
        self.ancestors = defaultdict(set)  # topic -> itself and every topic above it
        for ancestor, topic in db.execute("select ancestor_id, topic_id from topic_closure"):
            self.ancestors[topic].add(ancestor)
        self._figures = {}

    def figures(self, counts, sources):
        """The count columns from {verdict: predictions} and the four sources counts."""
        pattern = (*counts.items(), *sources)
        found = self._figures.get(pattern)
        if found is None:  # documents repeat a few thousand patterns
            # points, strict, lenient, resolved: an int 0 when no verdict has a value, as SQL's coalesce(sum(), 0)
            totals = [0, 0, 0, 0]
            for verdict, n in counts.items():
                for i, value in enumerate(self.verdicts.get(verdict, ())):
                    if value is not None:
                        totals[i] += n * value
            points, strict, lenient, resolved = totals
            found = self._figures[pattern] = (
                sum(counts.values()), resolved, counts.get("correct", 0), counts.get("partially_correct", 0),
                counts.get("incorrect", 0), counts.get("too_early", 0), counts.get("unresolvable", 0),
                counts.get(None, 0), points, strict, lenient, *sources)
        return found


def _by_key(pairs):
    """{key: {verdict: predictions}} from a (key, verdict) pair per prediction."""
    out = defaultdict(dict)
    for (key, verdict), n in Counter(pairs).items():
        out[key][verdict] = n
    return out


def _summed(figures):
    """The count columns of a set of documents' predictions, from each document's."""
    return tuple(map(sum, zip(*figures)))


def _one_key(ledger, keys, documents, verdicts):
    """{key: count columns} for a dimension where each prediction counts under one key."""
    sources = []
    for chosen in (None, *ledger.sourced):  # documents with a prediction of any verdict, resolved, right, wrong
        pick = repeat(True) if chosen is None else list(map(chosen.__contains__, verdicts))
        pairs = dict.fromkeys(zip(compress(keys, pick), compress(documents, pick)))  # distinct (key, document)
        sources.append(Counter(map(itemgetter(0), pairs)))
    return {key: ledger.figures(n, [s[key] for s in sources]) for key, n in _by_key(zip(keys, verdicts)).items()}


def _documents(ledger, documents, verdicts):
    """{document: count columns}: a document is its own only source."""
    return {document: ledger.figures(n, [1, *(int(not chosen.isdisjoint(n)) for chosen in ledger.sourced)])
            for document, n in _by_key(zip(documents, verdicts)).items()}


def _in_lanes(ledger, bits, documents, verdicts, lanes, width):
    """[count columns or None, per lane], each prediction counting under the keys whose lanes its bits set.

    An integer holds a lane of width bits per key: adding the integers of predictions counts
    every key at once, and OR-ing them counts a document once however many of its predictions
    share a key. A lane is wide enough that no count carries into the next.
    """
    # Predictions share a few thousand topic sets: counted by value, not kept one integer each
    # (a million integers of a few hundred bytes at 100,000 documents).
    by_verdict, by_document = defaultdict(Counter), defaultdict(dict)  # document -> {verdict: its keys}
    for document, verdict, some in zip(documents, verdicts, bits):
        by_verdict[verdict][some] += 1
        seen = by_document[document]
        seen[verdict] = seen.get(verdict, 0) | some
    totals = {verdict: sum(some * n for some, n in counted.items()) for verdict, counted in by_verdict.items()}
    sources = [sum(functools.reduce(or_, seen.values()) for seen in by_document.values())]  # any verdict
    for chosen in ledger.sourced:
        sources.append(sum(functools.reduce(or_, map(seen.get, chosen, repeat(0))) for seen in by_document.values()))
    out, full = [], (1 << width) - 1
    for shift in range(0, lanes * width, width):
        counts = {verdict: n for verdict, total in totals.items() if (n := total >> shift & full)}
        out.append(ledger.figures(counts, [s >> shift & full for s in sources]) if counts else None)
    return out


def _topics_and_years(ledger, documents, years, verdicts, topics):
    """{dimension: {key: count columns}} for topics and years: few keys, counted together in lanes."""
    topics_in_tree = set(ledger.ancestors).union(*ledger.ancestors.values())
    names = [("topic", t) for t in topics_in_tree] + [("year", y) for y in set(years)]
    width = len(verdicts).bit_length() + 1
    lane = {name: 1 << (width * i) for i, name in enumerate(names)}
    above = defaultdict(int)  # topic -> the lanes of it and its ancestors
    for topic, found in ledger.ancestors.items():
        above[topic] = sum(lane.get(("topic", a), 0) for a in found)
    packed = {some: functools.reduce(or_, map(above.__getitem__, some.split("\x1f")), 0) if some else 0
              for some in set(topics)}  # many predictions share their topics
    year = {y: lane.get(("year", y), 0) for y in set(years)}
    bits = map(or_, map(packed.__getitem__, topics), map(year.__getitem__, years))
    out = {"topic": {}, "year": {}}
    for (dimension, key), figures in zip(names, _in_lanes(ledger, bits, documents, verdicts, len(names), width)):
        if figures:
            out[dimension][key] = figures
    return out


def _facts(cursor, chunk=20_000):
    """The rows of FACTS as five columns, each value held once however many rows repeat it.

    A row's strings are new objects, one per prediction: at 100,000 documents a plain fetchall()
    held about 400 MB of them, the build's peak memory. Read a chunk at a time and mapped to
    one copy each (in C, by dict.setdefault), the columns hold a few distinct values.
    """
    columns, one = ([], [], [], [], []), {}
    while rows := cursor.fetchmany(chunk):
        for column, values in zip(columns, zip(*rows)):
            column += map(one.setdefault, values, values)
    return columns


def _count(ledger, columns):
    """{dimension: {key: count columns}} of the predictions in columns (_facts of FACTS)."""
    documents, authors, years, verdicts, topics = columns
    out = {"author": _one_key(ledger, authors, documents, verdicts)}
    out["author"].pop(None, None)  # a prediction without an author counts in no author's row
    out["document"] = _documents(ledger, documents, verdicts)
    out["overall"] = {"all": _summed(out["document"].values())} if documents else {}
    by_publisher = defaultdict(list)
    for document, figures in out["document"].items():
        if ledger.publisher.get(document) is not None:
            by_publisher[ledger.publisher[document]].append(figures)
    out["publisher"] = {publisher: _summed(figures) for publisher, figures in by_publisher.items()}
    out.update(_topics_and_years(ledger, documents, years, verdicts, topics))
    return out


def _rows(db, dimension, figures, keys=None):
    """Rows as tuples in SCHEMA order, in key order as SQL's group by gave them; for keys, or all of figures."""
    if dimension == "overall":
        label = {"all": "All predictions"}
    elif dimension in LABELS and keys is None:
        label = dict(db.execute(LABELS[dimension]))
    elif dimension in LABELS:  # just the labels of these keys
        label = dict(db.execute(f"{LABELS[dimension]} where id in (select value from json_each(?))",
                                [json.dumps(sorted(keys, key=str))]))
    else:
        label = {}
    keys = figures.keys() if keys is None else [k for k in keys if k in figures]
    for key in sorted(keys, key=lambda k: (k is not None, k)):
        f = figures[key]
        n, points, strict, lenient = f[1], f[8], f[9], f[10]
        yield (f"{dimension}/{key}", dimension, key, label.get(key, key), *f[:11],
               rate(points, n), rate(strict, n), rate(lenient, n),
               *wilson(points, n), *wilson(strict, n), *wilson(lenient, n), *f[11:])


def scorecard_rows(db):
    """Every scorecard row, as dicts."""
    figures = _count(_Ledger(db), _facts(db.execute(FACTS.format(where="1"))))
    for dimension in DIMENSIONS:
        for row in _rows(db, dimension, figures[dimension]):
            yield dict(zip(SCHEMA, row))


def _insert(db, rows):
    """Insert row tuples: in the open transaction if there is one, else in one committed here (as insert_all did)."""
    conn = getattr(db, "conn", db)
    sql = f"insert into scorecards ({', '.join(SCHEMA)}) values ({', '.join('?' * len(SCHEMA))})"
    if conn.in_transaction:
        conn.executemany(sql, rows)
    else:
        with conn:
            conn.executemany(sql, rows)


def count_all(db):
    """The counting materialise() needs, as a function: the predictions are read now, and counted
    (in pure Python) when it is called, so a thread can count while SQLite works without the GIL."""
    ledger, facts = _Ledger(db), _facts(db.execute(FACTS.format(where="1")))
    return lambda: _count(ledger, facts)


def materialise(db, figures=None):
    """The scorecards table, from figures = count_all(db)() (counted here when not given)."""
    db["scorecards"].create(SCHEMA, pk="id")
    figures = figures or count_all(db)()
    _insert(db, (row for dimension in DIMENSIONS for row in _rows(db, dimension, figures[dimension])))
    # The orders the scorecard pages offer, so a page reads a few rows whatever the table's size.
    for column in ("predictions", "label", "wilson_low", "wilson_low_strict", "wilson_low_lenient"):
        db["scorecards"].create_index(["dimension", column])


def counts_of(db, claim_ids):
    """{dimension: {key: count columns}} of just these claims' predictions: what they add to each row."""
    facts = _facts(db.execute(FACTS.format(where="c.id in (select value from json_each(?))"), [json.dumps(list(claim_ids))]))
    return _count(_Ledger(db, set(facts[0])), facts)


def apply(db, before, after):
    """Change the materialised rows from what some claims counted (before: counts_of them, taken
    before they were deleted) to what the claims that replace them count (after: counts_of those).

    A row's count columns minus before plus after are exactly what a full count gives, the rows
    of unchanged documents aside (exact in floating point too: scores are multiples of 1/2);
    rates and intervals are computed from the new counts, and a row left with no prediction goes.
    """
    zero = (0,) * len(COUNTS)
    for dimension in DIMENSIONS:
        old, new = before.get(dimension, {}), after.get(dimension, {})
        ids = {f"{dimension}/{key}": key for key in old.keys() | new.keys()}
        if not ids:
            continue
        params = [json.dumps(list(ids))]
        current = {ids[i]: counts for i, *counts in db.execute(
            f"select id, {', '.join(COUNTS)} from scorecards where id in (select value from json_each(?))", params)}
        figures = {}
        for key in ids.values():
            counts = tuple(c - b + a for c, b, a in zip(current.get(key, zero), old.get(key, zero), new.get(key, zero)))
            if counts[0]:  # predictions
                figures[key] = counts
        db.execute("delete from scorecards where id in (select value from json_each(?))", params)
        _insert(db, _rows(db, dimension, figures, set(figures)))
