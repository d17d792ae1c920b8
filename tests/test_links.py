"""Links between claims (issue 14): the same prediction in several sources (same_as) and responses
(responds_to). Validated with file:line, stored, counted once per predictor by the scorecards, kept
right by incremental builds, shown on the claim page and in canned queries, and suggested."""
import json
import sqlite3
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from bench.compare import differences
from ingest.build import build
from ingest.cli import cli
from ingest.validate import ValidationFailed

ROOT = Path(__file__).resolve().parent.parent
aio = pytest.mark.asyncio(loop_scope="session")

# document -> (author, date, its text); every text restates the laundry forecast in its own words
DOCS = {
    "alpha": ("ann", "2024-01-01", "Robots will fold laundry by 2030. Chips will get cheaper by 2026."),
    "beta": ("bob", "2024-03-01", "I agree with Ann: robots will fold laundry by 2030. Nobody will fold it before 2035."),
    "gamma": ("ann", "2024-06-01", "As I said in January, robots will fold laundry by 2030."),
}


def claim(cid, quote, author, made, verdict="correct", extra=""):
    evidence = ("      evidence:\n        - title: A report\n          url: https://example.com/report\n"
                "          date: 2026-01-01\n") if verdict in ("correct", "incorrect", "partially_correct") else ""
    return (f"- id: {cid}\n  quote: \"{quote}\"\n  statement: {quote}\n  author: {author}\n  kind: prediction\n"
            f"  made: {made}\n  horizon: 2030-12-31\n" + "".join(f"  {line}\n" for line in extra.splitlines())
            + "  topics: [robotics]\n  resolutions:\n"
            f"    - verdict: {verdict}\n      resolved: 2026-11-22\n      resolver: editors\n      confidence: high\n"
            f"      rationale: Checked.\n" + evidence)


CLAIMS = {
    "alpha": claim("alpha-01", "Robots will fold laundry by 2030.", "ann", "2024-01-01")
    + claim("alpha-02", "Chips will get cheaper by 2026.", "ann", "2024-01-01", "incorrect"),
    "beta": claim("beta-01", "robots will fold laundry by 2030.", "bob", "2024-03-01", extra="same_as: alpha-01")
    + claim("beta-02", "Nobody will fold it before 2035.", "bob", "2024-03-01", "too_early",
            extra="responds_to:\n  - claim: alpha-01\n    stance: disagrees"),
    "gamma": claim("gamma-01", "robots will fold laundry by 2030.", "ann", "2024-06-01", extra="same_as: beta-01"),
}


def write_ledger(root, claims=CLAIMS, fillers=0):
    """A ledger of the documents of DOCS with these claims, plus fillers documents of one observation
    each (so one changed document is few enough for an incremental build)."""
    seeds = root / "seeds"
    (seeds / "documents").mkdir(parents=True)
    (seeds / "claims").mkdir()
    (seeds / "publishers.yml").write_text("- id: pub\n  name: A publisher\n")
    (seeds / "authors.yml").write_text("- id: ann\n  name: Ann\n- id: bob\n  name: Bob\n")
    (seeds / "topics.yml").write_text("- id: robotics\n  name: Robotics\n  description: Robots.\n")
    entries = ""
    for doc, (author, date, text) in DOCS.items():
        (seeds / "documents" / f"{doc}.txt").write_text(f"---\ntitle: {doc.title()}\n---\n\n{text}\n")
        entries += (f"- id: {doc}\n  file: documents/{doc}.txt\n  title: {doc.title()}\n  publisher: pub\n"
                    f"  authors: [{author}]\n  published: {date}\n  kind: blog post\n")
        (seeds / "claims" / f"{doc}.yml").write_text(claims[doc])
    for n in range(fillers):
        (seeds / "documents" / f"filler-{n}.txt").write_text(f"---\ntitle: Filler {n}\n---\n\nRobots exist.\n")
        entries += (f"- id: filler-{n}\n  file: documents/filler-{n}.txt\n  title: Filler {n}\n  publisher: pub\n"
                    "  published: 2024-01-01\n  kind: blog post\n")
        (seeds / "claims" / f"filler-{n}.yml").write_text(
            f"- id: filler-{n}-01\n  quote: Robots exist.\n  statement: Robots exist.\n  kind: observation\n"
            "  made: 2024-01-01\n  topics: [robotics]\n")
    (seeds / "documents.yml").write_text(entries)
    return seeds


def rows(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def ledger(tmp_path):
    seeds = write_ledger(tmp_path)
    db = tmp_path / "out" / "hindsight.db"
    build(seeds, db, incremental=True)
    return seeds, db


@pytest.fixture
def larger_ledger(tmp_path):
    seeds = write_ledger(tmp_path, fillers=3)
    db = tmp_path / "out" / "hindsight.db"
    build(seeds, db, incremental=True)
    return seeds, db


def test_links_are_stored_and_a_group_counts_once_per_predictor(ledger):
    _, db = ledger
    assert rows(db, "select * from claim_links order by claim_id") == [
        ("beta-01", "alpha-01", "same_as", None), ("beta-02", "alpha-01", "responds_to", "disagrees"),
        ("gamma-01", "beta-01", "same_as", None)]
    # gamma-01 -> beta-01 -> alpha-01: one group, whose canonical claim is the first made. Ann made the
    # prediction twice (alpha, then gamma): counted once, by her first claim; Bob's copy counts for Bob.
    assert rows(db, "select * from claim_groups order by claim_id") == [
        ("alpha-01", "alpha-01", 1), ("beta-01", "alpha-01", 1), ("gamma-01", "alpha-01", 0)]
    card = {r[0]: r[1:] for r in rows(db, "select id, predictions, correct from scorecards")}
    assert card["author/ann"] == (2, 1)  # alpha-01 and alpha-02; gamma-01 is alpha-01 again
    assert card["author/bob"] == (2, 1)  # beta-01 (Bob's own copy) and beta-02
    assert card["overall/all"] == (4, 2)  # five predictions, one of them a repeat by its predictor
    assert "document/gamma" not in card  # its one prediction is counted in alpha
    assert card["topic/robotics"] == (4, 2)


def test_check_reports_every_bad_link_at_its_line(tmp_path):
    bad = {
        **CLAIMS,
        "alpha": CLAIMS["alpha"].replace("  made: 2024-01-01\n", "  made: 2024-01-01\n  same_as: nobody-01\n", 1),
        "beta": CLAIMS["beta"].replace("stance: disagrees", "stance: maybe")
        + claim("beta-03", "Nobody will fold it before 2035.", "bob", "2024-03-01", "too_early",
                extra="same_as: beta-03\nresponds_to:\n  - claim: alpha-02\n    stance: agrees\n"
                      "  - claim: alpha-02\n    stance: agrees"),
        "gamma": CLAIMS["gamma"].replace("verdict: correct", "verdict: incorrect"),
    }
    seeds = write_ledger(tmp_path, bad)
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds)])
    assert result.exit_code == 1

    def line(doc, text, nth=0):
        """file:line: of the nth line reading text (stripped) in doc's claims file."""
        lines = [l.strip() for l in (seeds / "claims" / f"{doc}.yml").read_text().splitlines()]
        return f"{seeds / 'claims' / doc}.yml:{[i + 1 for i, l in enumerate(lines) if l == text][nth]}:"

    out = result.output
    assert f"{line('alpha', 'same_as: nobody-01')} claim 'alpha-01' is the same as 'nobody-01', which is no claim's id" in out
    assert f"{line('beta', 'stance: maybe')} stance 'maybe' of claim 'beta-02' is not one of: agrees, disagrees" in out
    assert f"{line('beta', 'same_as: beta-03')} claim 'beta-03' is linked to itself (same_as)" in out
    assert f"{line('beta', '- claim: alpha-02', nth=1)} claim 'beta-03' responds to 'alpha-02' twice: keep one entry" in out
    # Ann's and Bob's copies say correct, Ann's later one incorrect: one prediction cannot be both.
    assert (f"{line('beta', 'same_as: alpha-01')} claims alpha-01 (correct), beta-01 (correct), gamma-01 (incorrect) "
            "are linked as the same prediction (same_as) but their current verdicts differ") in out


def test_a_prediction_and_an_observation_are_not_one_claim(tmp_path):
    observed = {**CLAIMS, "gamma": CLAIMS["gamma"].replace("kind: prediction", "kind: observation")}
    seeds = write_ledger(tmp_path, observed)
    with pytest.raises(ValidationFailed) as e:
        build(seeds, tmp_path / "out.db")
    beta = seeds / "claims" / "beta.yml"
    at = beta.read_text().splitlines().index("  same_as: alpha-01") + 1
    assert [str(p) for p in e.value.problems] == [
        f"{beta}:{at}: claims alpha-01 (prediction), beta-01 (prediction), gamma-01 (observation) are linked as the "
        "same claim (same_as) but are not of one kind: a later observation of what a prediction foresaw answers it "
        "(responds_to, stance agrees), it is not the same claim"]


def test_a_claim_links_to_a_list_is_a_clear_problem(tmp_path):
    bad = {**CLAIMS, "gamma": CLAIMS["gamma"].replace("same_as: beta-01", "same_as: [beta-01, alpha-01]")}
    seeds = write_ledger(tmp_path, bad)
    with pytest.raises(ValidationFailed) as e:
        build(seeds, tmp_path / "out.db")
    assert [p.message for p in e.value.problems] == [
        "'same_as' in claim must be a single value, not a list: put text holding [ ] { } or ': ' in quotes"]


def edit(seeds, doc, old, new):
    path = seeds / "claims" / f"{doc}.yml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_incremental_builds_follow_links_into_unchanged_documents(larger_ledger, tmp_path):
    seeds, db = larger_ledger

    def matches_a_full_build(name):
        full = tmp_path / name / "hindsight.db"
        build(seeds, full)
        counts = build(seeds, db, incremental=True)
        assert counts["mode"] == "incremental" and counts["changed_documents"] == 1
        assert differences(db, full) == []

    # gamma alone changes, and so does the counting of alpha's and beta's claims, which it joins or leaves
    edit(seeds, "gamma", "  same_as: beta-01\n", "")
    matches_a_full_build("unlinked")
    assert rows(db, "select predictions from scorecards where id = 'author/ann'") == [(3,)]
    edit(seeds, "gamma", "  made: 2024-06-01\n", "  made: 2024-06-01\n  same_as: alpha-01\n")
    matches_a_full_build("linked")
    assert rows(db, "select claim_id from claim_groups where counted = 0") == [("gamma-01",)]
    # alpha changes: an earlier date elsewhere makes gamma-01 the first, so alpha-01 is now the repeat
    edit(seeds, "alpha", "  made: 2024-01-01\n  horizon", "  made: 2024-09-01\n  horizon")  # alpha-01's date
    matches_a_full_build("reordered")
    assert rows(db, "select claim_id, prediction_id from claim_groups where counted = 0") == [("alpha-01", "beta-01")]


def test_incremental_build_reports_a_link_left_dangling_by_another_document(larger_ledger):
    seeds, db = larger_ledger
    before = db.read_bytes()
    edit(seeds, "alpha", "- id: alpha-01", "- id: alpha-renamed")
    with pytest.raises(ValidationFailed) as e:
        build(seeds, db, incremental=True)
    messages = [str(p) for p in e.value.problems]
    beta = seeds / "claims" / "beta.yml"
    at = beta.read_text().splitlines().index("  same_as: alpha-01") + 1
    assert any(m.startswith(f"{beta}:{at}: claim 'beta-01' is the same as 'alpha-01', which is no claim's id")
               for m in messages)
    assert any("claim 'beta-02' responds to 'alpha-01', which is no claim's id" in m for m in messages)
    assert db.read_bytes() == before


# The site

def datasette_for(db):
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text())
    return Datasette(immutables=[str(db)], metadata=metadata, plugins_dir=str(ROOT / "plugins"),
                     template_dir=str(ROOT / "templates"), static_mounts=[("static", str(ROOT / "static"))],
                     settings=metadata.get("settings"))


@aio
async def test_claim_page_shows_the_same_prediction_elsewhere_and_the_responses(ledger):
    _, db = ledger
    ds = datasette_for(db)
    data = (await ds.client.get("/claims/alpha-01.json")).json()
    assert [(c["id"], c["document_title"], c["author"], c["counted"]) for c in data["same_prediction"]] == [
        ("beta-01", "Beta", "Bob", 1), ("gamma-01", "Gamma", "Ann", 0)]
    assert [(c["id"], c["stance"], c["direction"]) for c in data["responses"]] == [("beta-02", "disagrees", "response")]
    html = (await ds.client.get("/claims/alpha-01")).text
    assert '<h2 id="same-prediction">The same prediction in other sources</h2>' in html
    assert '<a class="statement" href="/claims/gamma-01">robots will fold laundry by 2030.</a>' in html
    assert "not counted again" in html
    assert "Disagrees with this claim:" in html and 'href="/claims/beta-02"' in html
    answering = (await ds.client.get("/claims/beta-02")).text
    assert "This claim disagrees with:" in answering and 'href="/claims/alpha-01"' in answering
    repeat = (await ds.client.get("/claims/gamma-01")).text
    assert "this one is not counted, an earlier one is" in repeat
    alone = (await ds.client.get("/claims/alpha-02")).text
    assert "same-prediction" not in alone and "Responses" not in alone


@aio
async def test_scorecard_numbers_list_each_prediction_once_per_predictor(ledger):
    _, db = ledger
    ds = datasette_for(db)
    row = next(r for r in (await ds.client.get("/scorecard/author.json")).json()["rows"] if r["key"] == "ann")
    listed = (await ds.client.get(row["links"]["predictions"].replace("/claims?", "/claims.json?"))).json()["claims"]
    assert sorted(c["id"] for c in listed) == ["alpha-01", "alpha-02"] and row["predictions"] == 2
    every = (await ds.client.get("/claims.json?author=ann&kind=prediction")).json()["claims"]
    assert sorted(c["id"] for c in every) == ["alpha-01", "alpha-02", "gamma-01"]  # the list of claims keeps the repeat
    assert (await ds.client.get("/claims?counted=yes")).status_code == 404
    home = (await ds.client.get("/.json")).json()
    assert (home["predictions"], home["repeats"], home["observations"]) == (4, 1, 0)


@aio
async def test_canned_queries_list_repeated_predictions_and_disagreements(ledger):
    _, db = ledger
    ds = datasette_for(db)
    repeated = (await ds.client.get("/hindsight/repeated_predictions.json?_shape=array")).json()
    assert [(r["claim_id"], r["sources"], r["predictors"]) for r in repeated] == [("alpha-01", 3, 2)]
    disagreeing = (await ds.client.get("/hindsight/disagreeing_responses.json?_shape=array")).json()
    assert [(r["claim_id"], r["response_id"], r["claim_source"], r["response_source"]) for r in disagreeing] == [
        ("alpha-01", "beta-02", "Alpha", "Beta")]


@aio
async def test_the_seeds_links(ds):
    """The pairs linked among the four seeds: a heading and its body in one post, and one observation
    about Llama 3 made by hu-po in July and by the State of AI Report in October."""
    page = (await ds.client.get("/claims/aip24-01.json")).json()
    assert [c["id"] for c in page["same_prediction"]] == ["aip24-02"]
    assert [c["id"] for c in (await ds.client.get("/claims/soai24-04.json")).json()["same_prediction"]] == ["hupo24-17"]
    row = (await ds.client.get("/scorecard/author.json")).json()["rows"]
    blogger = next(r for r in row if r["key"] == "anonymous-blogger")
    listed = (await ds.client.get(blogger["links"]["predictions"].replace("/claims?", "/claims.json?"))).json()["claims"]
    assert "aip24-02" not in {c["id"] for c in listed} and len(listed) == blogger["predictions"] == 10


# hindsight links

def test_links_lists_what_the_seeds_declare(tmp_path):
    seeds = write_ledger(tmp_path)
    result = CliRunner().invoke(cli, ["links", "--seeds", str(seeds)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["beta-01 same_as alpha-01", "beta-02 responds_to alpha-01 (disagrees)",
                                          "gamma-01 same_as beta-01"]


def test_links_suggest_finds_an_unlinked_restatement_and_not_a_linked_one(tmp_path):
    unlinked = {**CLAIMS, "gamma": CLAIMS["gamma"].replace("  same_as: beta-01\n", "")}
    seeds = write_ledger(tmp_path, unlinked)
    result = CliRunner().invoke(cli, ["links", "--suggest", "--seeds", str(seeds)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # gamma-01 says what alpha-01 and beta-01 say; alpha-01 and beta-01 are linked already
    assert lines[0] == "100.0  gamma-01 (gamma, 2024-06-01) ~ alpha-01 (alpha, 2024-01-01)"
    assert lines[4] == "100.0  gamma-01 (gamma, 2024-06-01) ~ beta-01 (beta, 2024-03-01)"
    assert f"accept: under '- id: gamma-01' in {seeds / 'claims' / 'gamma.yml'} add 'same_as: alpha-01'" in lines[3]
    assert not any("beta-01 (beta, 2024-03-01) ~ alpha-01" in line for line in lines)
    quiet = CliRunner().invoke(cli, ["links", "--suggest", "--min-score", "100", "--seeds", str(write_ledger(tmp_path / "b"))])
    assert quiet.exit_code == 0 and "No unlinked pair" in quiet.output


def test_links_suggest_for_one_document(tmp_path):
    """--document: only the pairs a new document's claims make, and a clear error for an unknown id."""
    unlinked = {**CLAIMS, "gamma": CLAIMS["gamma"].replace("  same_as: beta-01\n", ""),
                "beta": CLAIMS["beta"].replace("  same_as: alpha-01\n", "")}
    seeds = write_ledger(tmp_path, unlinked)
    every = CliRunner().invoke(cli, ["links", "--suggest", "--seeds", str(seeds)]).output
    assert "beta-01 (beta, 2024-03-01) ~ alpha-01" in every
    result = CliRunner().invoke(cli, ["links", "--suggest", "--document", "gamma", "--seeds", str(seeds)])
    assert result.exit_code == 0, result.output
    pairs = [line for line in result.output.splitlines() if " ~ " in line]
    assert pairs == [line for line in every.splitlines() if "gamma-01 (gamma" in line] and len(pairs) == 3
    missing = CliRunner().invoke(cli, ["links", "--suggest", "--document", "delta", "--seeds", str(seeds)])
    assert missing.exit_code == 1 and "--document takes a document id that has claims" in missing.output


@aio
async def test_probability_scores_and_calibration_count_a_repeat_once(tmp_path):
    stated = "  probability: 0.8\n  made: 2024-0"
    probable = {**CLAIMS, "alpha": CLAIMS["alpha"].replace("  made: 2024-0", stated, 1),
                "gamma": CLAIMS["gamma"].replace("  made: 2024-0", stated, 1)}
    db = tmp_path / "hindsight.db"
    build(write_ledger(tmp_path, probable), db)
    assert rows(db, "select id, scored from probability_scores where dimension = 'author'") == [("author/ann", 1)]
    listed = (await datasette_for(db).client.get("/hindsight/calibration_claims.json?author=ann&bin=&rule=&_shape=array")).json()
    assert [r["claim_id"] for r in listed] == ["alpha-01"]
