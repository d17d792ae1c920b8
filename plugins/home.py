"""The home page: the ledger's headline numbers, the newest resolutions and the ways in."""
from datasette import hookimpl

from hindsight_site import ledger, ledger_name
from hindsight_site.pages import answer

OVERALL = "select * from scorecards where id = 'overall/all'"
# The resolved index gives the newest first; ties keep index order, so no sort of the whole table.
NEWEST = """
select r.claim_id, r.verdict, v.label as verdict_label, r.resolved, c.statement, c.document_id, d.title as document_title
from resolutions r
join claims c on c.id = r.claim_id
join documents d on d.id = c.document_id
left join verdicts v on v.id = r.verdict
where r.is_current = 1
order by r.resolved desc
limit 10
"""
ROOT_TOPICS = """
select t.id, t.name, t.description, s.predictions, s.resolved, s.hit_rate
from topics t left join scorecards s on s.id = 'topic/' || t.id
where t.parent_id is null order by t.name
"""
# Predictions linked (same_as) to an earlier claim of the same predictor: scorecards count them once.
REPEATS = "select count(*) from claim_groups g join claims c on c.id = g.claim_id where g.counted = 0 and c.kind = 'prediction'"
DIMENSIONS = [("author", "By author"), ("publisher", "By publisher"), ("document", "By document"),
              ("topic", "By topic"), ("year", "By year made")]


async def home_data(datasette):
    db = ledger(datasette)
    # Counts from the inspect file (or an earlier count) when Datasette has them, else two index scans.
    counts = db.cached_table_counts or dict(zip(("documents", "claims"), (await db.execute(
        "select (select count(*) from documents), (select count(*) from claims)")).first()))
    overall = (await db.execute(OVERALL)).first()
    overall = dict(overall) if overall else {}
    predictions = overall.get("predictions", 0)  # each once per predictor: the repeats are not among them
    repeats = (await db.execute(REPEATS)).first()[0]
    return {
        "documents": counts.get("documents"),
        "claims": counts.get("claims"),
        "predictions": predictions,
        "observations": counts["claims"] - predictions - repeats if counts.get("claims") is not None else None,
        "repeats": repeats,
        "overall": overall,
        "newest_resolutions": [dict(r) for r in (await db.execute(NEWEST)).rows],
        "topics": [dict(r) for r in (await db.execute(ROOT_TOPICS)).rows],
    }


async def home(datasette, request):
    data = await home_data(datasette)
    return await answer(datasette, request, data, "hindsight_home.html", datasette.urls.path("/.json"),
                        title="A ledger of AI predictions", dimensions=DIMENSIONS,
                        later={"queries": lambda: datasette.get_canned_queries(ledger_name(datasette), request.actor)})


@hookimpl
def register_routes():
    return [(r"^/(?P<format>\.json)?$", home)]
