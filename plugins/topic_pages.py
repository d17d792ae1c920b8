"""Topics: the taxonomy with each topic's scorecard, and a page per topic with its sub-topics and claims."""
from urllib.parse import urlencode

from datasette import NotFound, hookimpl

from hindsight_site import ledger
from hindsight_site.pages import answer

SCORED_TOPICS = """
select t.id, t.name, t.description, t.depth, t.parent_id, s.predictions, s.resolved, s.correct,
  s.partially_correct, s.incorrect, s.too_early, s.unresolvable, s.unreviewed, s.hit_rate, s.wilson_low, s.wilson_high
from topics t left join scorecards s on s.id = 'topic/' || t.id
"""
ANCESTORS = """
select t.id, t.name from topic_closure tc join topics t on t.id = tc.ancestor_id
where tc.topic_id = :id and tc.distance > 0 order by tc.distance desc
"""


async def verdict_labels(db):
    labels = {r["id"]: r["label"] for r in (await db.execute("select id, label from verdicts")).rows}
    return {**labels, "unreviewed": "Unreviewed"}


async def topics_page(datasette, request):
    db = ledger(datasette)
    topics = [dict(r) for r in (await db.execute(SCORED_TOPICS + " order by t.path")).rows]
    return await answer(datasette, request, {"topics": topics}, "hindsight_topics.html",
                        datasette.urls.path("/topics.json"), title="Topics", later={"labels": lambda: verdict_labels(db)})


async def topic_page(datasette, request):
    db = ledger(datasette)
    topic = (await db.execute(SCORED_TOPICS + " where t.id = :id", {"id": request.url_vars["id"]})).first()
    if topic is None:
        raise NotFound("No topic with that id")
    topic = dict(topic)
    # The topic's claims and its sub-topics', newest first: the claims list's first page, which knows
    # how to read them quickly at any size.
    claims = (await datasette.client.get("/claims.json?" + urlencode({"topic": topic["id"]}))).json()
    data = {
        "topic": topic,
        "ancestors": [dict(r) for r in (await db.execute(ANCESTORS, {"id": topic["id"]})).rows],
        "subtopics": [dict(r) for r in (await db.execute(
            SCORED_TOPICS + " where t.parent_id = :id order by t.name", {"id": topic["id"]})).rows],
        "claims": claims["claims"],
        "more_claims_url": claims["next_url"],
    }
    return await answer(datasette, request, data, "hindsight_topic.html",
                        datasette.urls.path(f"/topics/{topic['id']}.json"), title=topic["name"],
                        trail=[(datasette.urls.instance(), "Home"), (datasette.urls.path("/topics"), "Topics")]
                        + [(datasette.urls.path(f"/topics/{a['id']}"), a["name"]) for a in data["ancestors"]])


@hookimpl
def register_routes():
    return [
        (r"^/topics(?P<format>\.json)?$", topics_page),
        (r"^/topics/(?P<id>[^/]+?)(?P<format>\.json)?$", topic_page),
    ]
