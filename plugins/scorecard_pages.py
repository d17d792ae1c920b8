"""Scorecards: who predicted well, by author, publisher, document, topic and year, read from the
materialised scorecards table through its indexes: no grouping at request time, whatever the size."""
import json
from urllib.parse import urlencode

from datasette import NotFound, hookimpl

from hindsight_site import ledger
from hindsight_site.pages import answer, choice, page_number

PAGE = 50
PREVIEW = 5
# dimension -> (column heading, title, note)
DIMENSIONS = {
    "author": ("Author", "By author", ""),
    "publisher": ("Publisher", "By publisher", ""),
    "document": ("Document", "By document", ""),
    "topic": ("Topic", "By topic", "A topic counts its sub-topics' predictions too."),
    "year": ("Year", "By year made", "The year the prediction was made."),
}
# rule -> (label, how partial credit scores, rate column, points column, interval columns)
RULES = {
    "half": ("Half credit", "partially correct scores 0.5", "hit_rate", "points", "wilson_low", "wilson_high"),
    "strict": ("Strict", "partially correct scores 0", "hit_rate_strict", "strict_points",
               "wilson_low_strict", "wilson_high_strict"),
    "lenient": ("Lenient", "partially correct scores 1", "hit_rate_lenient", "lenient_points",
                "wilson_low_lenient", "wilson_high_lenient"),
}
# Orders the page offers; each is served by an index on (dimension, column) built with the table.
SORTS = {"predictions": ("predictions desc", "most predictions"),
         "interval": ("{low} desc", "lower bound of the 95% interval"), "label": ("label", "name")}
COUNTS = ["predictions", "resolved", "correct", "partially_correct", "incorrect", "too_early",
          "unresolvable", "unreviewed"]
# count column -> the verdict filter of the claims behind it
VERDICT_FILTER = {"predictions": None, "resolved": "resolved", "unreviewed": "unreviewed"}


def claims_links(datasette, dimension, key):
    """count column -> the list of the predictions it counts."""
    chosen = {dimension: key} if dimension != "overall" else {}
    # counted=1: a prediction linked as made again by the same predictor is counted (and listed) once
    base = datasette.urls.path("/claims?" + urlencode({"kind": "prediction", **chosen, "counted": "1"}))
    links = {}
    for count in COUNTS:
        verdict = VERDICT_FILTER.get(count, count)  # a fixed id: nothing to escape
        links[count] = f"{base}&verdict={verdict}" if verdict else base
    return links


def present(datasette, row, rule):
    """A scorecard row with the chosen rule's rate and interval, and links to the claims behind each number."""
    _, _, rate, _, low, high = RULES[rule]
    row = dict(row)
    links = claims_links(datasette, row["dimension"], row["key"])
    url = datasette.urls.path(f"/{row['dimension']}s/{row['key']}") if row["dimension"] in ("document", "topic") else links["predictions"]
    row.update(rule=rule, rate=row[rate], low=row[low], high=row[high], url=url, links=links)
    return row


async def with_probability_scores(db, rows, rule):
    """rows, each with "probability_scores": its Brier and log scores under the rule (None when none scored)."""
    ids = [r["id"] for r in rows]
    found = {r["id"]: dict(r) for r in (await db.execute(
        "select * from probability_scores where id in (select value from json_each(:ids))", {"ids": json.dumps(ids)})).rows}
    suffix = {"half": "", "strict": "_strict", "lenient": "_lenient"}[rule]
    for row in rows:
        scores = found.get(row["id"])
        if scores:
            scores.update({name: scores[name + suffix] for name in ("brier", "log_score", "brier_reference")})
        row["probability_scores"] = scores
    return rows


async def verdict_labels(db):
    labels = {r["id"]: r["label"] for r in (await db.execute("select id, label from verdicts")).rows}
    return {**labels, "unreviewed": "Unreviewed"}


async def overview(datasette, request):
    db = ledger(datasette)
    rule = choice(request, "rule", RULES, "half")
    overall = (await db.execute("select * from scorecards where id = 'overall/all'")).first()
    dimensions = {}
    for dimension in DIMENSIONS:
        rows = await db.execute("select * from scorecards where dimension = :d order by predictions desc limit :n",
                                {"d": dimension, "n": PREVIEW})
        dimensions[dimension] = [present(datasette, r, rule) for r in rows.rows]
    data = {"rule": rule, "overall": (await with_probability_scores(db, [present(datasette, overall, rule)], rule))[0] if overall else None,
            "dimensions": dimensions}
    return await answer(datasette, request, data, "hindsight_scorecards.html",
                        datasette.urls.path("/scorecard.json?" + urlencode({"rule": rule})),
                        title="Scorecards", names=DIMENSIONS, rules=RULES, later={"labels": lambda: verdict_labels(db)})


async def dimension_page(datasette, request):
    dimension = request.url_vars["dimension"]
    db = ledger(datasette)
    rule = choice(request, "rule", RULES, "half")
    sort = choice(request, "sort", SORTS, "predictions")
    past_the_end = f"The {dimension} scorecard has no page with the number given in ?page=: it ends before it."
    page = page_number(request, PAGE, past_the_end)
    order = SORTS[sort][0].format(low=RULES[rule][4])  # chosen from fixed strings, never from the request
    rows = await db.execute(
        f"select * from scorecards where dimension = :d order by {order} limit :n offset :o",
        {"d": dimension, "n": PAGE + 1, "o": (page - 1) * PAGE},
    )
    rows = await with_probability_scores(db, [present(datasette, r, rule) for r in rows.rows[:PAGE]], rule) + rows.rows[PAGE:]
    if page > 1 and not rows:
        raise NotFound(past_the_end)
    overall = (await db.execute("select * from scorecards where id = 'overall/all'")).first()

    def url(fmt="", **changes):
        params = {"rule": rule, "sort": sort, "page": page, **changes}
        return datasette.urls.path(f"/scorecard/{dimension}{fmt}?" + urlencode(params))

    data = {
        "dimension": dimension, "rule": rule, "sort": sort, "page": page, "rows": rows[:PAGE],
        "overall": present(datasette, overall, rule) if overall else None,
        "next_url": url(page=page + 1) if len(rows) > PAGE else None,
        "previous_url": url(page=page - 1) if page > 1 else None,
    }
    return await answer(datasette, request, data, "hindsight_scorecard.html", url(".json"),
                        title=f"Scorecard {DIMENSIONS[dimension][1].lower()}", names=DIMENSIONS, rules=RULES,
                        sorts=SORTS, url=url, later={"labels": lambda: verdict_labels(db)})


@hookimpl
def register_routes():
    dimensions = "|".join(DIMENSIONS)
    return [
        (r"^/scorecard(?P<format>\.json)?$", overview),
        (rf"^/scorecard/(?P<dimension>{dimensions})(?P<format>\.json)?$", dimension_page),
    ]
