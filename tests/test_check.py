"""`hindsight check` as the curator's one-pass review: every problem of every file at once, with
file:line; the folder checks (a source no entry lists, a document without claims: a warning);
too_early after the horizon; the claim keys the proposer writes (probability, confidence_words)."""
import re
import sqlite3
import textwrap

import pytest
from click.testing import CliRunner

from ingest.cli import cli

DOCS = {
    "alpha": "---\ntitle: Alpha\n---\n\n## Outlook\n\nRobots will fold laundry by 2030. Chips get cheaper.\n",
    "beta": "---\ntitle: Beta\n---\n\n## Outlook\n\nAgents will book flights by 2026.\n",
    "gamma": "---\ntitle: Gamma\n---\n\n## Outlook\n\nModels will run on phones by 2027.\n",
}
QUOTES = {"alpha": "Robots will fold laundry by 2030.", "beta": "Agents will book flights by 2026.",
          "gamma": "Models will run on phones by 2027."}

LISTS = {
    "publishers.yml": "- id: pub\n  name: A publisher\n",
    "authors.yml": "- id: ann\n  name: Ann\n  publisher: pub\n",
    "topics.yml": "- id: robotics\n  name: Robotics\n  description: Robots.\n",
}


def entry(doc_id):
    return textwrap.dedent(f"""\
        - id: {doc_id}
          file: documents/{doc_id}.txt
          title: {doc_id.title()}
          publisher: pub
          authors: [ann]
          published: 2024-01-01
          kind: blog post
        """)


def claims(doc_id, verdict="too_early", resolved="2026-11-22", horizon="2030-12-31", extra=""):
    """One claim of doc_id; extra lines go after horizon (indented as claim keys)."""
    return (f"- id: {doc_id}-01\n"
            f"  quote: \"{QUOTES[doc_id]}\"\n"
            f"  statement: {QUOTES[doc_id]}\n"
            "  author: ann\n"
            "  kind: prediction\n"
            "  made: 2024-01-01\n"
            f"  horizon: {horizon}\n"
            + "".join(f"  {line}\n" for line in extra.splitlines())
            + "  topics: [robotics]\n"
            "  resolutions:\n"
            f"    - verdict: {verdict}\n"
            f"      resolved: {resolved}\n"
            "      resolver: tester\n"
            "      confidence: high\n"
            "      rationale: Not yet.\n")


def write_seeds(root, overrides=None, docs=("alpha", "beta", "gamma")):
    """A valid ledger of three documents, each with one claim; overrides: {path under seeds/: text or None}."""
    files = {**LISTS, "documents.yml": "".join(entry(d) for d in docs)}
    for d in docs:
        files[f"documents/{d}.txt"] = DOCS[d]
        files[f"claims/{d}.yml"] = claims(d)
    files.update(overrides or {})
    (root / "documents").mkdir(parents=True)
    (root / "claims").mkdir()
    for name, text in files.items():
        if text is not None:
            (root / name).write_text(text)
    return root


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def line_of(path, needle, start=1):
    lines = path.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if n >= start and needle in line)


def problem_lines(out):
    return [l for l in out.splitlines() if re.match(r"^\S+:\d+: ", l) and ": warning: " not in l]


def test_the_fixture_is_valid(tmp_path):
    seeds = write_seeds(tmp_path / "seeds")
    code, out = run("check", "--seeds", seeds)
    assert code == 0, out
    assert "OK: 3 documents" in out and "3 claims" in out
    assert "warning" not in out


def test_problems_in_different_files_are_all_reported_in_one_run(tmp_path):
    alpha = claims("alpha").replace("topics: [robotics]", "topics: [telepathy]")
    seeds = write_seeds(tmp_path / "seeds", {
        "claims/alpha.yml": alpha,  # an unknown topic
        "claims/beta.yml": claims("beta") + "- id: [broken\n",  # invalid YAML
        "documents/gamma.txt": "",  # a document that cannot be read...
        "claims/gamma.yml": claims("gamma", verdict="maybe"),  # ...whose claims still get checked
        "documents/stray.txt": "Nobody lists me.\n",  # a source no entry lists
    })
    docs_yml = seeds / "documents.yml"
    docs_yml.write_text(docs_yml.read_text().replace("  title: Beta\n", ""))  # an entry with a problem of its own
    code, out = run("check", "--seeds", seeds)
    assert code != 0
    expected = [
        (seeds / "claims/alpha.yml", line_of(seeds / "claims/alpha.yml", "telepathy"), "topic 'telepathy' does not exist"),
        (seeds / "claims/beta.yml", None, "invalid YAML"),  # the parser's line: where it noticed
        (seeds / "documents/gamma.txt", None, str(seeds / "documents/gamma.txt")),
        (seeds / "claims/gamma.yml", line_of(seeds / "claims/gamma.yml", "maybe"), "verdict 'maybe' is not one of"),
        (seeds / "documents/stray.txt", 1, "documents/stray.txt is listed by no entry of documents.yml"),
        (docs_yml, line_of(docs_yml, "- id: beta"), "document is missing required 'title'"),
    ]
    for path, line, message in expected:
        at = f"{path}:{line}: " if line else f"{path}:"
        assert any(l.startswith(at) and message in l for l in out.splitlines()), (at, message, out)
    assert len(problem_lines(out)) == len(expected), out
    assert f"{len(expected)} problem(s) found" in out


def test_claims_of_an_entry_with_problems_are_checked_too(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", {"claims/beta.yml": claims("beta", verdict="maybe")})
    docs_yml = seeds / "documents.yml"
    docs_yml.write_text(docs_yml.read_text().replace("title: Beta\n", "title: Beta\n  colour: red\n"))
    code, out = run("check", "--seeds", seeds)
    assert code != 0
    assert f"{docs_yml}:{line_of(docs_yml, 'colour')}: unknown key 'colour' in document" in out, out
    assert f"{seeds / 'claims/beta.yml'}:{line_of(seeds / 'claims/beta.yml', 'maybe')}: verdict 'maybe'" in out, out
    assert "claims file for document 'beta'" not in out  # the entry names it, problems or not
    assert "documents/beta.txt is listed by no entry" not in out  # nor is its source unlisted


def test_an_unreadable_documents_yml_does_not_hide_the_claims_problems(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", {"claims/beta.yml": claims("beta", verdict="maybe")})
    (seeds / "documents.yml").write_text("- id: [broken\n")
    code, out = run("check", "--seeds", seeds)
    assert code != 0
    assert f"{seeds / 'documents.yml'}:" in out and "invalid YAML" in out
    assert f"{seeds / 'claims/beta.yml'}:{line_of(seeds / 'claims/beta.yml', 'maybe')}: verdict 'maybe'" in out, out
    assert "listed by no entry" not in out and "claims file for document" not in out  # nothing to compare against


def test_too_early_after_the_horizon_must_be_decided(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", {"claims/beta.yml": claims("beta", horizon="2026-06-30", resolved="2026-11-22")})
    code, out = run("check", "--seeds", seeds)
    assert code != 0
    path = seeds / "claims/beta.yml"
    assert f"{path}:{line_of(path, 'resolved: 2026-11-22')}: verdict too_early resolved 2026-11-22, after the horizon" in out, out
    assert "the horizon has passed" in out
    assert len(problem_lines(out)) == 1, out


def test_too_early_on_or_before_the_horizon_and_other_verdicts_after_it_are_fine(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", {
        "claims/alpha.yml": claims("alpha", horizon="2026-11-22", resolved="2026-11-22"),
        "claims/beta.yml": claims("beta", verdict="unresolvable", horizon="2026-06-30", resolved="2026-11-22"),
    })
    code, out = run("check", "--seeds", seeds)
    assert code == 0, out


def test_a_file_no_entry_lists_is_an_error_dotfiles_aside(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", {"documents/extra.md": "# Extra\n", "documents/.DS_Store": "x"})
    code, out = run("check", "--seeds", seeds)
    assert code != 0
    assert f"{seeds / 'documents/extra.md'}:1: documents/extra.md is listed by no entry of documents.yml" in out, out
    assert "add an entry for it" in out and "or remove the file" in out
    assert ".DS_Store" not in out
    assert len(problem_lines(out)) == 1, out


def test_a_document_without_claims_is_a_warning_and_check_passes(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", {"claims/beta.yml": None})
    code, out = run("check", "--seeds", seeds)
    assert code == 0, out
    docs_yml = seeds / "documents.yml"
    line = line_of(docs_yml, "- id: beta")
    assert f"{docs_yml}:{line}: warning: document beta has no claims file {seeds / 'claims' / 'beta.yml'}" in out, out
    assert "OK: 3 documents" in out and "2 claims" in out
    assert out.count("warning") == 1


def test_the_warning_survives_a_failing_check_and_shows_in_builds_full_and_incremental(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", {"claims/beta.yml": None})
    db = tmp_path / "out" / "hindsight.db"
    code, out = run("build", "--seeds", seeds, "--db", db)
    assert code == 0, out
    assert "warning: document beta has no claims file" in out, out
    code, out = run("build", "--seeds", seeds, "--db", db)  # nothing changed: the incremental path
    assert code == 0 and "incremental" in out, out
    assert "warning: document beta has no claims file" in out, out
    (seeds / "claims/alpha.yml").write_text(claims("alpha", verdict="maybe"))
    code, out = run("check", "--seeds", seeds)
    assert code != 0
    assert "warning: document beta has no claims file" in out and "verdict 'maybe'" in out, out


def test_the_incremental_build_applies_the_folder_and_horizon_rules(tmp_path):
    seeds = write_seeds(tmp_path / "seeds")
    db = tmp_path / "out" / "hindsight.db"
    code, out = run("build", "--seeds", seeds, "--db", db)
    assert code == 0, out
    (seeds / "documents/stray.txt").write_text("Nobody lists me.\n")
    code, out = run("build", "--seeds", seeds, "--db", db)
    assert code != 0
    assert f"{seeds / 'documents/stray.txt'}:1: documents/stray.txt is listed by no entry" in out, out
    (seeds / "documents/stray.txt").unlink()
    (seeds / "claims/beta.yml").write_text(claims("beta", horizon="2026-06-30", resolved="2026-11-22"))
    code, out = run("build", "--seeds", seeds, "--db", db)
    assert code != 0
    assert "verdict too_early resolved 2026-11-22, after the horizon" in out, out
    (seeds / "claims/beta.yml").write_text(claims("beta"))
    (seeds / "claims/gamma.yml").unlink()
    code, out = run("build", "--seeds", seeds, "--db", db)
    assert code == 0 and "incremental" in out, out
    assert "warning: document gamma has no claims file" in out, out


def test_probability_and_confidence_words_are_stored(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", {
        "claims/alpha.yml": claims("alpha", extra="probability: 0.7\nconfidence_words: I expect"),
        "claims/beta.yml": claims("beta", extra="probability: 1\nconfidence_words: \"likely\""),
    })
    db = tmp_path / "out" / "hindsight.db"
    code, out = run("build", "--seeds", seeds, "--db", db, "--full")
    assert code == 0, out
    rows = sqlite3.connect(db).execute("select id, probability, confidence_words from claims order by id").fetchall()
    assert rows == [("alpha-01", 0.7, "I expect"), ("beta-01", 1.0, "likely"), ("gamma-01", None, None)]
    types = dict(sqlite3.connect(db).execute("select name, type from pragma_table_info('claims')").fetchall())
    assert (types["probability"], types["confidence_words"]) == ("REAL", "TEXT")


@pytest.mark.parametrize("extra,needle,message", [
    ("probability: 1.5", "probability", "probability 1.5 of claim 'alpha-01' is outside 0 to 1"),
    ("probability: -0.2", "probability", "probability -0.2 of claim 'alpha-01' is outside 0 to 1"),
    ("probability: 70%", "probability", "probability of claim 'alpha-01' is '70%', not a number"),
    ("probability: \"0.7\"", "probability", "probability of claim 'alpha-01' is '0.7', not a number"),
    ("probability: true", "probability", "probability of claim 'alpha-01' is True, not a number"),
    ("confidence_words: 42", "confidence_words", "confidence_words of claim 'alpha-01' must be text"),
    ("confidence_words: true", "confidence_words", "confidence_words of claim 'alpha-01' must be text"),  # yes is text in YAML 1.2
    ("confidence_words: [likely]", "confidence_words", "'confidence_words' in claim must be a single value"),
])
def test_bad_probability_or_confidence_words_is_an_error_with_its_line(tmp_path, extra, needle, message):
    seeds = write_seeds(tmp_path / "seeds", {"claims/alpha.yml": claims("alpha", extra=extra)})
    code, out = run("check", "--seeds", seeds)
    assert code != 0
    path = seeds / "claims/alpha.yml"
    assert f"{path}:{line_of(path, needle + ':')}: {message}" in out, out


@pytest.mark.parametrize("kind", ["transcript", "web page"])
def test_new_document_kinds(tmp_path, kind):
    seeds = write_seeds(tmp_path / "seeds")
    docs_yml = seeds / "documents.yml"
    docs_yml.write_text(docs_yml.read_text().replace("kind: blog post", f"kind: {kind}", 1))
    code, out = run("check", "--seeds", seeds)
    assert code == 0, out
