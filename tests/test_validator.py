"""`hindsight check` on small broken fixtures: every problem at once, each with file:line and a fix."""
import re
import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import validate
from ingest.cli import cli
from ingest.seeds import Record

DOC = "---\ntitle: Small\n---\n\n## Outlook\n\nRobots will fold laundry by 2030. Chips get cheaper.\n"

SEEDS = {
    "publishers.yml": """
        - id: pub
          name: A publisher
    """,
    "authors.yml": """
        - id: ann
          name: Ann
          publisher: pub
    """,
    "topics.yml": """
        - id: robotics
          name: Robotics
          description: Robots.
        - id: manipulation
          name: Manipulation
          parent: robotics
          description: Hands.
    """,
    "documents.yml": """
        - id: small
          file: documents/small.txt
          title: Small
          publisher: pub
          authors: [ann]
          published: 2024-01-01
          kind: blog post
    """,
    "claims/small.yml": """
        - id: small-01
          quote: "Robots will fold laundry by 2030."
          statement: Household robots will fold laundry by 2030.
          author: ann
          kind: prediction
          made: 2024-01-01
          horizon: 2030-12-31
          topics: [manipulation]
          resolutions:
            - verdict: too_early
              resolved: 2026-11-22
              resolver: tester
              confidence: high
              rationale: The horizon has not passed.
    """,
}


def write_seeds(root, **overrides):
    (root / "documents").mkdir(parents=True)
    (root / "claims").mkdir()
    (root / "documents" / "small.txt").write_text(DOC)
    for name, text in {**SEEDS, **overrides}.items():
        (root / name).write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def check(tmp_path, **overrides):
    seeds = write_seeds(tmp_path / "seeds", **overrides)
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds)])
    return result.exit_code, result.output


def line_of(text, needle):
    return next(i for i, l in enumerate(textwrap.dedent(text).lstrip("\n").splitlines(), 1) if needle in l)


def test_fixture_is_valid(tmp_path):
    code, out = check(tmp_path)
    assert code == 0, out
    assert "1 claims" in out


CLAIM = SEEDS["claims/small.yml"]


@pytest.mark.parametrize("name,text,needle,message", [
    ("claims/small.yml", CLAIM.replace("kind: prediction", "kind: prediction\n          colour: red"), "colour",
     "unknown key 'colour' in claim"),
    ("claims/small.yml", CLAIM.replace("          statement: Household robots will fold laundry by 2030.\n", ""), "- id: small-01",
     "claim is missing required 'statement'"),
    ("authors.yml", SEEDS["authors.yml"].rstrip(" ") + "        - {id: ann, name: Ann again}\n", "Ann again",
     "duplicate author id 'ann'"),
    ("documents.yml", SEEDS["documents.yml"].replace("publisher: pub", "publisher: nobody"), "nobody",
     "names publisher 'nobody' that does not exist"),
    ("claims/small.yml", CLAIM.replace("topics: [manipulation]", "topics: [telepathy]"), "telepathy",
     "topic 'telepathy' does not exist"),
    ("claims/small.yml", CLAIM.replace("author: ann", "author: bob"), "author: bob",
     "names author 'bob' that does not exist"),
    ("claims/small.yml", CLAIM.replace("verdict: too_early", "verdict: maybe"), "maybe",
     "verdict 'maybe' is not one of"),
    ("claims/small.yml", CLAIM.replace("made: 2024-01-01", "made: 01/02/2024"), "01/02/2024",
     "not an ISO date"),
    ("claims/small.yml", CLAIM.replace("resolved: 2026-11-22", "resolved: 2023-05-01"), "2023-05-01",
     "is before claim 'small-01' was made"),
    ("claims/small.yml", CLAIM.replace("topics: [manipulation]", "topics: []"), "- id: small-01",
     "claim is missing required 'topics'"),
    ("claims/small.yml", CLAIM.split("          resolutions:")[0], "- id: small-01",
     "prediction 'small-01' has no resolution"),
    ("topics.yml", SEEDS["topics.yml"].replace("parent: robotics", "parent: robotcs"), "robotcs",
     "names topic 'robotcs' that does not exist"),
])
def test_each_problem_names_file_line_and_fix(tmp_path, name, text, needle, message):
    code, out = check(tmp_path, **{name: text})
    assert code != 0
    assert f"{name}:{line_of(text, needle)}: " in out, out
    assert message in out, out
    assert "Traceback" not in out


def test_quote_not_verbatim_points_at_the_closest_match(tmp_path):
    text = CLAIM.replace("Robots will fold laundry by 2030.", "Robots will fold the laundry by 2030.")
    code, out = check(tmp_path, **{"claims/small.yml": text})
    assert code != 0
    assert f"claims/small.yml:{line_of(text, 'quote:')}:" in out
    assert "not verbatim in documents/small.txt" in out
    assert "closest match at line 3" in out  # the line of the document's text holding "Robots will fold"
    assert "'Robots will fold '" in out


def test_claims_file_for_unknown_document(tmp_path):
    code, out = check(tmp_path, **{"claims/ghost.yml": "[]\n"})
    assert code != 0
    assert "claims/ghost.yml:1: claims file for document 'ghost'" in out


def test_every_problem_is_reported_at_once(tmp_path):
    text = CLAIM.replace("verdict: too_early", "verdict: maybe").replace("author: ann", "author: bob")
    code, out = check(tmp_path, **{"claims/small.yml": text, "documents.yml": SEEDS["documents.yml"].replace("publisher: pub", "publisher: nobody")})
    assert code != 0
    problems = [l for l in out.splitlines() if re.match(r"^\S+\.yml:\d+: ", l)]
    assert len(problems) == 3, out
    assert "3 problem(s) found" in out


def test_seeds_pass_check():
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output


def test_propose_lists_forward_looking_sentences_as_valid_yaml(tmp_path):
    import yaml
    source = tmp_path / "new.txt"
    source.write_text(DOC)
    result = CliRunner().invoke(cli, ["propose", str(source)])
    assert result.exit_code == 0, result.output
    claims = yaml.safe_load(result.output)
    assert [c["quote"] for c in claims] == ["Robots will fold laundry by 2030."]
    assert claims[0]["id"] == "new-01"


ODD = st.sampled_from([None, "", True, 0, [], ["a"], {"k": "v"}, Record({"k": "v"})])


@settings(max_examples=500, deadline=None)
@given(kind=st.sampled_from(sorted(validate.SCHEMAS)), data=st.data())
def test_the_quick_key_check_agrees_with_the_one_that_reports(kind, data):
    """check_keys answers the usual record in C; any record gets its answer and problems as before."""
    required, optional = validate.SCHEMAS[kind]
    keys = sorted(required - set(data.draw(st.lists(st.sampled_from(sorted(required)), max_size=1))))
    keys += data.draw(st.lists(st.sampled_from(sorted(optional | {"extra"})), unique=True))
    record = Record({k: data.draw(st.one_of(st.just("x"), st.dates(), ODD) if data.draw(st.booleans()) else st.just("x"))
                     for k in keys})
    if data.draw(st.booleans()) and keys:
        record.duplicate_keys = [(keys[0], 3)]
    quick, reported = validate.Problems(), validate.Problems()
    assert validate.check_keys(kind, record, "f.yml", quick) == validate._report_keys(kind, record, "f.yml", reported)
    assert quick.items == reported.items
