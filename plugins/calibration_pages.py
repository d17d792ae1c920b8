"""Calibration: how often predictions given a probability came true, overall and per author, and
the published scales that turn hedge words into probabilities. Every figure is read from the
tables materialised at build (probability_scores, calibration_bins): no grouping per request."""
from urllib.parse import urlencode

from datasette import NotFound, hookimpl

from hindsight_site import ledger, ledger_name
from hindsight_site.pages import answer, choice

# rule -> (label, how partial credit scores, column suffix); as the scorecards' rules
RULES = {
    "half": ("Half credit", "partially correct scores 0.5", ""),
    "strict": ("Strict", "partially correct scores 0", "_strict"),
    "lenient": ("Lenient", "partially correct scores 1", "_lenient"),
}
AUTHORS = 50
CONVENTION = (
    "Brier score: the mean of (p − o)², where p is the probability given and o is 1 when the prediction "
    "came true and 0 when it did not (a partially correct one counts as the rule says); 0 is perfect, lower "
    "is better. Always saying 50% scores 0.25 on predictions that came true or not. Log score: the mean of "
    "o·ln p + (1 − o)·ln(1 − p), natural log, with p clipped to [0.01, 0.99] so that a 0 or 1 that went wrong "
    "costs ln 0.01 ≈ −4.61 rather than minus infinity; 0 is perfect, higher is better, always saying 50% "
    "scores ln 0.5 ≈ −0.693. Only resolved predictions with a probability are scored.")


def scores(row, rule):
    """A probability_scores row with the chosen rule's figures under plain names."""
    if row is None:
        return None
    row = dict(row)
    suffix = RULES[rule][2]
    row.update(rule=rule, **{name: row[name + suffix] for name in ("brier", "log_score", "brier_reference")},
               brier_half=row["brier"], log_score_half=row["log_score"], brier_reference_half=row["brier_reference"])
    return row


def claims_url(datasette, author, rule, bin_):
    return datasette.urls.query(ledger_name(datasette), "calibration_claims") + "?" + urlencode(
        {"author": author or "", "bin": bin_, "rule": rule})


async def calibration(datasette, db, request, author=None):
    rule = choice(request, "rule", RULES, "half")
    dimension, key = ("author", author) if author else ("overall", "all")
    row = (await db.execute("select * from probability_scores where id = :id", {"id": f"{dimension}/{key}"})).first()
    bins = [dict(b) for b in (await db.execute(
        "select bin, low, high, predictions, mean_probability, points, share, wilson_low, wilson_high "
        "from calibration_bins where dimension = :d and key = :k and rule = :r order by bin",
        {"d": dimension, "k": key, "r": rule})).rows]
    for b in bins:
        b["claims_url"] = claims_url(datasette, author, rule, b["bin"])
    data = {"rule": rule, "dimension": dimension, "key": key, "scores": scores(row, rule), "bins": bins,
            "convention": CONVENTION}
    if author:
        data["label"] = row["label"] if row else (await db.execute(
            "select name from authors where id = :id", {"id": author})).first()[0]
    else:
        data["label"] = "All predictions"
        authors = await db.execute("select * from probability_scores where dimension = 'author' "
                                   "order by scored desc, key limit :n", {"n": AUTHORS})
        data["authors"] = [scores(a, rule) for a in authors.rows]
    return data


async def overview(datasette, request):
    db = ledger(datasette)
    data = await calibration(datasette, db, request)
    return await respond(datasette, request, data, "/calibration")


async def author_page(datasette, request):
    db = ledger(datasette)
    author = request.url_vars["author"]
    if not (await db.execute("select 1 from authors where id = :id", {"id": author})).first():
        raise NotFound("No author has the id in this address")
    data = await calibration(datasette, db, request, author)
    return await respond(datasette, request, data, f"/calibration/author/{author}")


async def respond(datasette, request, data, path):
    return await answer(datasette, request, data, "hindsight_calibration.html",
                        datasette.urls.path(f"{path}.json?" + urlencode({"rule": data["rule"]})),
                        title=f"Calibration: {data['label']}", rules=RULES, path=path,
                        words_url=datasette.urls.path("/calibration/words"))


async def words_page(datasette, request):
    db = ledger(datasette)
    scales = [dict(s) for s in (await db.execute("select * from probability_scales order by id")).rows]
    for scale in scales:
        scale["words"] = [dict(w) for w in (await db.execute(
            "select w.word, w.term, w.probability, w.low, w.high, "
            "(select count(*) from claims c where c.probability_word = w.word) as claims "
            "from confidence_words w where w.scale_id = :s order by w.probability desc, w.word", {"s": scale["id"]})).rows]
    counts = dict((await db.execute(
        "select probability_source, count(*) from claims where probability is not null group by 1")).rows)
    overridden = (await db.execute(
        "select count(*) from claims c join confidence_words w on w.word = c.probability_word "
        "where c.probability <> w.probability")).first()[0]
    data = {"scales": scales, "sources": counts, "overridden": overridden}
    return await answer(datasette, request, data, "hindsight_calibration_words.html",
                        datasette.urls.path("/calibration/words.json"), title="Probability words")


@hookimpl
def register_routes():
    return [
        (r"^/calibration(?P<format>\.json)?$", overview),
        (r"^/calibration/words(?P<format>\.json)?$", words_page),
        (r"^/calibration/author/(?P<author>[a-z0-9][a-z0-9-]*?)(?P<format>\.json)?$", author_page),
    ]
