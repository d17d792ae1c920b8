"""Claims: each claim's page (statement, quote in context, topics, verdict history with evidence, related
claims from other sources), and lists of claims filtered by what a scorecard counts."""
import json
from urllib.parse import urlencode

from datasette import NotFound, hookimpl
from datasette.utils.asgi import BadRequest

from hindsight_site import ledger
from hindsight_site.pages import answer, page_number

PAGE = 50
CONTEXT = 600  # characters of the document read either side of the quote

CLAIM = """
select c.id, c.document_id, d.title as document_title, d.publisher_id, p.name as publisher, c.section_id,
  s.heading as section, c.author_id, a.name as author, a.role as author_role, c.kind, c.statement, c.quote,
  c.quote_start, c.quote_end, c.made, c.horizon, c.horizon_inferred, coalesce(c.verdict, 'unreviewed') as verdict,
  coalesce(v.label, 'Unreviewed') as verdict_label, c.resolved, c.confidence,
  c.probability, c.probability_source, c.confidence_words, c.probability_word,
  w.probability as word_probability, w.scale_id as word_scale, coalesce(g.counted, 1) as counted
from claims c
join documents d on d.id = c.document_id
left join claim_groups g on g.claim_id = c.id
left join publishers p on p.id = d.publisher_id
left join authors a on a.id = c.author_id
left join sections s on s.id = c.section_id
left join verdicts v on v.id = c.verdict
left join confidence_words w on w.word = c.probability_word
where c.id = :id
"""
TOPICS = """
select ct.claim_id, t.id, t.name, t.path from claim_topics ct join topics t on t.id = ct.topic_id
where ct.claim_id in (select value from json_each(:ids)) order by t.path
"""
RESOLUTIONS = """
select r.id, r.seq, r.verdict, coalesce(v.label, r.verdict) as verdict_label, r.resolved, r.resolver,
  r.confidence, r.rationale, r.is_current
from resolutions r left join verdicts v on v.id = r.verdict where r.claim_id = :id order by r.seq desc
"""
EVIDENCE = "select resolution_id, title, url, date from evidence where claim_id = :id order by rowid"  # as curated
# Claims sharing a topic, from other documents: the topic index is read until enough are found.
RELATED = """
select distinct c.id, c.statement, c.kind, c.made, coalesce(c.verdict, 'unreviewed') as verdict,
  coalesce(v.label, 'Unreviewed') as verdict_label, c.document_id, d.title as document_title
from claim_topics mine
join claim_topics ct on ct.topic_id = mine.topic_id
join claims c on c.id = ct.claim_id
join documents d on d.id = c.document_id
left join verdicts v on v.id = c.verdict
where mine.claim_id = :id and c.document_id != :document
limit 20
"""
# The other claims of its same-prediction group, and the claims it answers or that answer it (ingest/links.py).
SAME = """
select c.id, c.statement, c.kind, c.made, c.horizon, coalesce(c.verdict, 'unreviewed') as verdict,
  coalesce(v.label, 'Unreviewed') as verdict_label, c.document_id, d.title as document_title, a.name as author,
  g.counted, g.claim_id = g.prediction_id as canonical
from claim_groups mine
join claim_groups g on g.prediction_id = mine.prediction_id and g.claim_id != mine.claim_id
join claims c on c.id = g.claim_id
join documents d on d.id = c.document_id
left join authors a on a.id = c.author_id
left join verdicts v on v.id = c.verdict
where mine.claim_id = :id
order by c.made, c.id
"""
RESPONSES = """
select c.id, c.statement, c.kind, c.made, c.horizon, coalesce(c.verdict, 'unreviewed') as verdict,
  coalesce(v.label, 'Unreviewed') as verdict_label, c.document_id, d.title as document_title, a.name as author,
  r.stance, r.direction
from (select target_id as other, stance, 'responds_to' as direction from claim_links where claim_id = :id and kind = 'responds_to'
      union all
      select claim_id, stance, 'response' from claim_links where target_id = :id and kind = 'responds_to') r
join claims c on c.id = r.other
join documents d on d.id = c.document_id
left join authors a on a.id = c.author_id
left join verdicts v on v.id = c.verdict
order by r.direction desc, c.made, c.id
"""
LIST = """
select c.id, c.statement, c.kind, c.made, c.horizon, coalesce(c.verdict, 'unreviewed') as verdict,
  coalesce(v.label, 'Unreviewed') as verdict_label, c.resolved, c.document_id, d.title as document_title
from claims c
join documents d on d.id = c.document_id
left join verdicts v on v.id = c.verdict
where {where}
order by c.made desc, c.id
limit :n offset :o
"""
# filter -> (condition that can drive an index, the same condition checked row by row, SQL for its label).
# Conditions are fixed strings; the values are parameters. A unary + keeps SQLite off a column's index.
# A label query finds no row for a value that names nothing: the list is then a 404, so a heading only
# ever names what exists.
FILTERS = {
    "author": ("c.author_id = :author", "+c.author_id = :author", "select name from authors where id = :author"),
    "publisher": ("c.document_id in (select id from documents where publisher_id = :publisher)",
                  "exists (select 1 from documents p where p.id = c.document_id and p.publisher_id = :publisher)",
                  "select name from publishers where id = :publisher"),
    "document": ("c.document_id = :document", "+c.document_id = :document",
                 "select title from documents where id = :document"),
    "topic": ("c.id in (select ct.claim_id from claim_topics ct join topic_closure tc on tc.topic_id = ct.topic_id"
              " where tc.ancestor_id = :topic)",
              "exists (select 1 from claim_topics ct join topic_closure tc on tc.topic_id = ct.topic_id"
              " where ct.claim_id = c.id and tc.ancestor_id = :topic)",
              "select name from topics where id = :topic"),
    "year": ("c.made >= :year || '-01-01' and c.made < (:year + 1) || '-01-01'",
             "c.made >= :year || '-01-01' and c.made < (:year + 1) || '-01-01'",
             "select :year from claims where made >= :year || '-01-01' and made < (:year + 1) || '-01-01' limit 1"),
    "kind": ("c.kind = :kind", "+c.kind = :kind", "select kind from claims where kind = :kind limit 1"),
    # The claims scorecards count: a prediction made again by its predictor (same_as) only once.
    "counted": ("c.id not in (select claim_id from claim_groups where counted = 0)",
                "c.id not in (select claim_id from claim_groups where counted = 0)", "select 1 where :counted = '1'"),
}
# filter -> the 404's message when its value names nothing (the value itself is not repeated)
UNKNOWN = {
    "author": "No author has the id given in ?author=. The authors are listed at /scorecard/author.",
    "publisher": "No publisher has the id given in ?publisher=. The publishers are listed at /scorecard/publisher.",
    "document": "No document has the id given in ?document=. The documents are listed at /documents.",
    "topic": "No topic has the id given in ?topic=. The topics are listed at /topics.",
    "year": "No claim was made in the year given in ?year=. The years are listed at /scorecard/year.",
    "kind": "No claim is of the kind given in ?kind=: a claim is a prediction or an observation.",
    "counted": "?counted= takes 1: the claims scorecards count, each prediction once per predictor.",
}
# verdict filter -> (indexed condition, row-by-row condition, the scorecard column counting it, words)
VERDICTS = {
    "resolved": ("c.verdict in (select id from verdicts where in_denominator = 1)",
                 "+c.verdict in (select id from verdicts where in_denominator = 1)", "resolved", "resolved"),
    "unreviewed": ("c.verdict is null", "+c.verdict is null", "unreviewed", "not yet reviewed"),
}
SCORED = ("author", "publisher", "document", "topic", "year")
DENSE = 0.01  # a filter keeping at least this share of the predictions is checked row by row
PAST_THE_END = "These claims have no page with the number given in ?page=: the list ends before it."


def in_context(before, after, more_before, more_after):
    """Trim the text read either side of a quote to its paragraph, or to whole words where it was cut."""
    if "\n\n" in before:
        before = before[before.rindex("\n\n") + 2:]
    elif more_before and " " in before:
        before = "…" + before[before.index(" ") + 1:]
    if "\n\n" in after:
        after = after[:after.index("\n\n")]
    elif more_after and " " in after:
        after = after[:after.rindex(" ")] + "…"
    return before, after


async def topics_of(db, ids):
    topics = {}
    for row in (await db.execute(TOPICS, {"ids": json.dumps(ids)})).rows:
        topics.setdefault(row["claim_id"], []).append({"id": row["id"], "name": row["name"]})
    return topics


async def claim_page(datasette, request):
    db = ledger(datasette)
    claim = (await db.execute(CLAIM, {"id": request.url_vars["id"]})).first()
    if claim is None:
        raise NotFound("No claim with that id")
    claim = dict(claim)
    start = max(0, claim["quote_start"] - CONTEXT)
    length = claim["quote_end"] + CONTEXT - start
    text = (await db.execute("select substr(text, :s, :n) from documents where id = :id",
                             {"s": start + 1, "n": length, "id": claim["document_id"]})).first()[0]
    before, after = in_context(text[: claim["quote_start"] - start], text[claim["quote_end"] - start:],
                               start > 0, len(text) == length)
    evidence = {}
    for row in (await db.execute(EVIDENCE, {"id": claim["id"]})).rows:
        evidence.setdefault(row["resolution_id"], []).append(dict(row))
    resolutions = [dict(r, evidence=evidence.get(r["id"], []))
                   for r in (await db.execute(RESOLUTIONS, {"id": claim["id"]})).rows]
    related = sorted((dict(r) for r in (await db.execute(
        RELATED, {"id": claim["id"], "document": claim["document_id"]})).rows),
        key=lambda r: (r["made"] or "", r["id"]), reverse=True)
    data = {
        "claim": claim,
        "context": {"before": before, "quote": claim["quote"], "after": after},
        "topics": (await topics_of(db, [claim["id"]])).get(claim["id"], []),
        "resolutions": resolutions,
        "related": related,
        "same_prediction": [dict(r) for r in (await db.execute(SAME, {"id": claim["id"]})).rows],
        "responses": [dict(r) for r in (await db.execute(RESPONSES, {"id": claim["id"]})).rows],
    }
    return await answer(datasette, request, data, "hindsight_claim.html",
                        datasette.urls.path(f"/claims/{claim['id']}.json"), title=claim["statement"])


async def plan(db, params, verdict_column):
    """Which filter drives the query, from the scorecards' counts of the predictions each filter keeps.
    A filter keeping few (under DENSE of all) is read through its index and its rows sorted; when every
    filter keeps many, claims are read newest first through the made index, each checked, until a page
    is full (about PAGE / DENSE rows at most). Also returns the scorecard of the one entity listed."""
    ids = ["overall/all"] + [f"{name}/{params[name]}" for name in SCORED if name in params]
    rows = {r["id"]: r for r in (await db.execute(
        "select * from scorecards where id in (select value from json_each(:ids))", {"ids": json.dumps(ids)})).rows}

    def kept(scorecard_id):  # predictions a filter keeps, by its scorecard (none: it keeps none)
        row = rows.get(scorecard_id)
        if row is None:
            return 0
        return row[verdict_column] if verdict_column in row.keys() else row["predictions"]

    total = kept("overall/all")
    counts = {name: kept(f"{name}/{params[name]}") for name in SCORED if name in params}
    if not counts and verdict_column != "predictions":
        counts["verdict"] = kept("overall/all")
    driver = min(counts, key=counts.get, default=None)
    if driver is None or counts[driver] >= DENSE * total:
        driver = None
    single = [name for name in SCORED if name in params]
    scorecard = rows.get(f"{single[0]}/{params[single[0]]}") if len(single) == 1 else None
    return driver, scorecard


async def claims_page(datasette, request):
    db = ledger(datasette)
    params, conditions, described = {}, {}, {}
    for name, (indexed, checked, label_sql) in FILTERS.items():
        value = request.args.get(name)
        if not value:
            continue
        if name == "year" and not (len(value) == 4 and value.isascii() and value.isdigit()):
            raise BadRequest("?year= is a year: four digits, such as 2024.")
        row = (await db.execute(label_sql, {name: value})).first()
        if row is None:
            raise NotFound(UNKNOWN[name])
        params[name] = value
        conditions[name] = (indexed, checked)
        if name not in ("kind", "counted"):
            described[name] = row[0]
    verdict = request.args.get("verdict")
    verdict_column = "predictions"
    if verdict:
        if verdict in VERDICTS:
            indexed, checked, verdict_column, label = VERDICTS[verdict]
        else:
            row = (await db.execute("select label from verdicts where id = :verdict", {"verdict": verdict})).first()
            if row is None:
                known = [r[0] for r in (await db.execute("select id from verdicts order by rowid")).rows]
                raise NotFound("No verdict has the id given in ?verdict=. It is one of: "
                               + ", ".join(known + list(VERDICTS)) + ".")
            indexed, checked, verdict_column = "c.verdict = :verdict", "+c.verdict = :verdict", verdict
            label = f"judged {row[0].lower()}"
            params["verdict"] = verdict
        conditions["verdict"] = (indexed, checked)
        described["verdict"] = label
    page = page_number(request, PAGE, PAST_THE_END)
    driver, scorecard = await plan(db, params, verdict_column)
    where = [indexed if name == driver or (driver == "verdict" and name == "kind") else checked
             for name, (indexed, checked) in conditions.items()]
    rows = await db.execute(LIST.format(where=" and ".join(where) or "1"),
                            {**params, "n": PAGE + 1, "o": (page - 1) * PAGE})
    claims = [dict(r) for r in rows.rows]
    if page > 1 and not claims:
        raise NotFound(PAST_THE_END)
    topics = await topics_of(db, [c["id"] for c in claims[:PAGE]])
    for claim in claims:
        claim["topics"] = topics.get(claim["id"], [])
    filters = {**params, **({"verdict": verdict} if verdict else {})}

    def url(fmt="", **changes):
        return datasette.urls.path(f"/claims{fmt}?" + urlencode({**filters, "page": page, **changes}))

    data = {
        "filters": filters, "described": described, "page": page, "claims": claims[:PAGE],
        "scorecard": dict(scorecard) if scorecard else None,  # the figures of the one author (topic, ...) listed
        "next_url": url(page=page + 1) if len(claims) > PAGE else None,
        "previous_url": url(page=page - 1) if page > 1 else None,
    }
    return await answer(datasette, request, data, "hindsight_claims.html", url(".json"),
                        title=describe(filters.get("kind"), described))


def describe(kind, described):
    """'Predictions by Jane Doe on Efficiency, judged correct' from the filters in use."""
    title = {"prediction": "Predictions", "observation": "Observations"}.get(kind, "Claims")
    for name, joiner in (("author", "by"), ("publisher", "published by"), ("document", "in"),
                         ("topic", "on"), ("year", "made in")):
        if name in described:
            title += f" {joiner} {described[name]}"
    if "verdict" in described:
        title += f", {described['verdict']}"
    return title


@hookimpl
def register_routes():
    return [
        (r"^/claims(?P<format>\.json)?$", claims_page),
        (r"^/claims/(?P<id>[^/]+?)(?P<format>\.json)?$", claim_page),
    ]
