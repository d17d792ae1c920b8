"""Bad input: each case is a clear error naming the file, the line and what to fix, a non-zero
exit and no traceback, and nothing is written. Each case breaks a private copy of seeds/."""
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import SEEDS
from ingest.cli import cli
from ingest.read import MAX_BYTES

HINDSIGHT = Path(sys.executable).parent / "hindsight"
DOCUMENTS = {d["id"]: d["file"] for d in yaml.safe_load((SEEDS / "documents.yml").read_text())}
MARKDOWN = DOCUMENTS["ai-predictions-2024"]  # markdown with front matter
NOTES = DOCUMENTS["hu-po-future-directions"]  # markdown notes with inline HTML


def line_of(path, needle, start=1):
    """The number of the first line at or after start that holds needle."""
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    return next(n for n, line in enumerate(lines, 1) if n >= start and needle in line)


def edit(path, old, new):
    """Replace the first old in the file; returns the line the replacement starts on."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
    return text[: text.index(old)].count("\n") + 1


def first_line_starting(path, prefix):
    return next(line for line in path.read_text().splitlines() if line.startswith(prefix))


def claims_files(seeds):
    """Claims files of documents in documents.yml order, with their first claim (at least two)."""
    found = []
    for doc_id in DOCUMENTS:
        path = seeds / "claims" / f"{doc_id}.yml"
        claims = yaml.safe_load(path.read_text()) if path.exists() else None
        if claims:
            found.append((path, claims[0]))
    assert len(found) >= 2, "these tests need claims for two documents"
    return found


def append(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)
    return line_of(path, text.strip().splitlines()[0])


# Each case breaks the seeds and returns (file relative to seeds/, line, what the message says).

def malformed_yaml(seeds):
    title = first_line_starting(seeds / "documents.yml", "  title: ")
    return "documents.yml", edit(seeds / "documents.yml", title, "  title: Predictions: the sequel"), "invalid YAML"


def yaml_tab_indentation(seeds):
    entry = first_line_starting(seeds / "topics.yml", "- id: ")
    return "topics.yml", edit(seeds / "topics.yml", entry + "\n", entry + "\n\tname: tabbed\n") + 1, "invalid YAML"


def yaml_unclosed_quote(seeds):
    path, claim = claims_files(seeds)[0]
    line = edit(path, f"- id: {claim['id']}\n", f"- id: {claim['id']}\n  statement: \"never closed\n")
    # A quoted string may span lines: YAML notices on the next line, and the message says where the quote opened.
    return path.relative_to(seeds), line + 2, f"invalid YAML: the quote opened on line {line + 1} is never closed"


def impossible_date(seeds):
    published = first_line_starting(seeds / "documents.yml", "  published: ")
    return "documents.yml", edit(seeds / "documents.yml", published, "  published: 2024-02-30"), "is not a valid date"


def yaml_alias_bomb(seeds):
    line = append(seeds / "topics.yml", "\n- id: lol\n  name: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                  "  description: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  parent: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n")
    return "topics.yml", line + 1, "aliases (*name) are not accepted"


def yaml_nested_deep(seeds):
    path, _ = claims_files(seeds)[0]
    line = append(path, "\n- id: deep\n  quote: " + "[" * 50_000 + "]" * 50_000 + "\n")  # libyaml alone would crash
    return path.relative_to(seeds), line + 1, "nested more than"


def list_where_one_value_belongs(seeds):
    path, claim = claims_files(seeds)[0]
    line = edit(path, f"- id: {claim['id']}\n", f"- id: {claim['id']}\n  occurrence: [1, 2]\n")
    return path.relative_to(seeds), line + 1, "'occurrence' in claim must be a single value, not a list"


def front_matter_broken(seeds):
    path = seeds / MARKDOWN
    second = path.read_text().splitlines()[1]
    assert ": " in second
    edit(path, second + "\n", second + ": and: more\n")
    return MARKDOWN, 2, "front matter is not valid YAML"


def front_matter_never_closed(seeds):
    path = seeds / MARKDOWN
    text = path.read_text()
    assert text.startswith("---\n")
    closing = text.index("\n---\n", 3)
    path.write_text(text[:closing] + text[closing + 4:])
    return MARKDOWN, 1, "front matter opened with --- on line 1 is never closed"


def front_matter_not_a_mapping(seeds):
    path = seeds / MARKDOWN
    text = path.read_text()
    closing = text.index("\n---\n", 3)
    path.write_text("---\n- just\n- a list" + text[closing:])
    return MARKDOWN, 2, "front matter must be key: value lines"


def binary_file(seeds):
    (seeds / MARKDOWN).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    return MARKDOWN, 1, "binary file"


def not_utf8(seeds):
    path = seeds / MARKDOWN
    lines = path.read_bytes().split(b"\n")
    lines[6] = "Caf\u00e9 au lait. ".encode("latin-1") + lines[6]
    path.write_bytes(b"\n".join(lines))
    return MARKDOWN, 7, "not UTF-8 text"


def seed_file_not_utf8(seeds):
    path = seeds / "authors.yml"
    line = path.read_text().count("\n") + 2
    path.write_bytes(path.read_bytes() + "\n- id: jose\n  name: Jos\u00e9\n".encode("latin-1"))
    return "authors.yml", line + 1, "not UTF-8 text"


def empty_document(seeds):
    (seeds / MARKDOWN).write_text("")
    return MARKDOWN, 1, "empty document"


def blank_document(seeds):
    (seeds / MARKDOWN).write_text("\n  \n\t\n")
    return MARKDOWN, 1, "empty document"


def document_over_the_size_limit(seeds):
    with open(seeds / MARKDOWN, "r+b") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: nothing is written to disk
    return MARKDOWN, 1, f"the limit is {MAX_BYTES:,}"


def directory_for_a_document(seeds):
    (seeds / MARKDOWN).unlink()
    (seeds / MARKDOWN).mkdir()
    return MARKDOWN, 1, "cannot read the file"


def duplicate_document_id(seeds):
    first, second = list(DOCUMENTS)[:2]
    return "documents.yml", edit(seeds / "documents.yml", f"- id: {second}\n", f"- id: {first}\n"), f"duplicate document id '{first}'"


def duplicate_claim_id(seeds):
    (_, first), (path, second) = claims_files(seeds)[:2]
    line = edit(path, f"- id: {second['id']}\n", f"- id: {first['id']}\n")
    return path.relative_to(seeds), line, f"duplicate claim id '{first['id']}'"


def dangling_publisher(seeds):
    publisher = first_line_starting(seeds / "documents.yml", "  publisher: ")
    line = edit(seeds / "documents.yml", publisher, "  publisher: no-such-publisher")
    return "documents.yml", line, "names publisher 'no-such-publisher' that does not exist"


def dangling_document_author(seeds):
    authors = first_line_starting(seeds / "documents.yml", "  authors: [")
    line = edit(seeds / "documents.yml", authors, "  authors: [no-such-author]")
    return "documents.yml", line, "author 'no-such-author' does not exist"


def dangling_topic(seeds):
    path, _ = claims_files(seeds)[0]
    topics = first_line_starting(path, "  topics: ")
    return path.relative_to(seeds), edit(path, topics, "  topics: [no-such-topic]"), "topic 'no-such-topic' does not exist"


def dangling_parent_topic(seeds):
    parent = first_line_starting(seeds / "topics.yml", "  parent: ")
    return "topics.yml", edit(seeds / "topics.yml", parent, "  parent: no-such-topic"), "names topic 'no-such-topic'"


def missing_source_file(seeds):
    line = edit(seeds / "documents.yml", f"file: {MARKDOWN}\n", "file: documents/no-such-file.txt\n")
    return "documents.yml", line, "'documents/no-such-file.txt' does not exist"


def source_outside_seeds(seeds):
    line = edit(seeds / "documents.yml", f"file: {MARKDOWN}\n", "file: ../../../etc/passwd\n")
    return "documents.yml", line, "is outside seeds/"


def source_symlinked_outside_seeds(seeds):
    (seeds / "documents" / "link.txt").symlink_to("/etc/passwd")
    line = edit(seeds / "documents.yml", f"file: {MARKDOWN}\n", "file: documents/link.txt\n")
    return "documents.yml", line, "is outside seeds/"


def source_in_a_symlinked_directory_outside_seeds(seeds):
    (seeds / "documents" / "elsewhere").symlink_to("/etc")
    line = edit(seeds / "documents.yml", f"file: {MARKDOWN}\n", "file: documents/elsewhere/passwd\n")
    return "documents.yml", line, "is outside seeds/"


def quote_not_in_document(seeds):
    path, claim = claims_files(seeds)[0]
    start = line_of(path, f"- id: {claim['id']}")
    line = line_of(path, "quote:", start)
    words = claim["quote"].split(" ")
    words.insert(1, "surely")
    text = path.read_text().splitlines()
    text[line - 1] = "  quote: " + yaml.safe_dump(" ".join(words), width=10**6).removesuffix("\n...\n").strip()
    path.write_text("\n".join(text) + "\n")
    return path.relative_to(seeds), line, f"quote of claim '{claim['id']}' is not verbatim"


def script_element(seeds):
    return NOTES, append(seeds / NOTES, "\n<script>document.title = 'pwned'</script>\n"), "<script> element"


def event_handler(seeds):
    return NOTES, append(seeds / NOTES, "\nSee <img src=x onerror=\"document.title = 'pwned'\"> here.\n"), "onerror= event handler"


def javascript_link_in_html(seeds):
    return NOTES, append(seeds / NOTES, "\n<a href=\"javascript:document.title = 'pwned'\">more</a>\n"), "javascript: URL"


def javascript_link_in_markdown(seeds):
    return MARKDOWN, append(seeds / MARKDOWN, "\nRead [more](javascript:alert(1)).\n"), "javascript: URL"


def javascript_document_url(seeds):
    url = first_line_starting(seeds / "documents.yml", "  url: ")
    line = edit(seeds / "documents.yml", url, "  url: \"javascript:alert(1)\"")
    return "documents.yml", line, "must start with https:// or http://"


def javascript_evidence_url(seeds):
    path, _ = claims_files(seeds)[0]
    url = next(line for line in path.read_text().splitlines() if line.strip().startswith("url: http"))
    line = edit(path, url, url[: url.index("url:")] + "url: javascript:alert(1)")
    return path.relative_to(seeds), line, "must start with https:// or http://"


CASES = [malformed_yaml, yaml_tab_indentation, yaml_unclosed_quote, impossible_date, yaml_alias_bomb,
         yaml_nested_deep, list_where_one_value_belongs, front_matter_broken, front_matter_never_closed,
         front_matter_not_a_mapping, binary_file, not_utf8, seed_file_not_utf8, empty_document, blank_document,
         document_over_the_size_limit, directory_for_a_document, duplicate_document_id, duplicate_claim_id,
         dangling_publisher, dangling_document_author, dangling_topic, dangling_parent_topic, missing_source_file,
         source_outside_seeds, source_symlinked_outside_seeds,
         source_in_a_symlinked_directory_outside_seeds, quote_not_in_document, script_element, event_handler, javascript_link_in_html,
         javascript_link_in_markdown, javascript_document_url, javascript_evidence_url]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_is_a_clear_error(case, seeds_copy, tmp_path):
    name, line, message = case(seeds_copy)
    db = tmp_path / "out" / "hindsight.db"
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds_copy), "--db", str(db)])
    assert result.exit_code not in (0, None)
    assert isinstance(result.exception, SystemExit), result.exc_info  # click's clean exit, not a crash
    assert "Traceback" not in result.output
    assert f"{seeds_copy / name}:{line}: " in result.output, result.output
    assert message in result.output, result.output
    assert "nothing was written" in result.output
    assert not db.exists() and list(db.parent.iterdir()) == []


@pytest.mark.parametrize("case", [malformed_yaml, not_utf8, script_element], ids=lambda c: c.__name__)
def test_bad_input_through_the_installed_command(case, seeds_copy, tmp_path):
    name, line, message = case(seeds_copy)
    db = tmp_path / "out" / "hindsight.db"
    run = subprocess.run([str(HINDSIGHT), "build", "--seeds", str(seeds_copy), "--db", str(db)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert f"{seeds_copy / name}:{line}: " in run.stderr and message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert not db.exists()


def test_a_document_without_front_matter_is_not_an_error(seeds_copy, tmp_path):
    """Front matter is optional: documents.yml carries the metadata. Only broken front matter is an error."""
    path = seeds_copy / MARKDOWN
    text = path.read_text()
    path.write_text(text[text.index("\n---\n", 3) + 5:])
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy)])
    assert result.exit_code == 0, result.output


def test_every_problem_is_listed_in_one_run(seeds_copy, tmp_path):
    cases = [dangling_publisher, script_element, dangling_topic]
    expected = [case(seeds_copy) for case in cases]
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy)])
    assert result.exit_code != 0
    for name, line, message in expected:
        assert f"{seeds_copy / name}:{line}: " in result.output and message in result.output, result.output


RSS_PROBE = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)  # Linux reports kB
sys.exit(code)
"""


def test_a_30_mb_document_builds_within_memory_bounds(seeds_copy, tmp_path):
    paragraph = " ".join(["Large models will keep getting cheaper to run, and the cost of a token will fall."] * 8)
    blocks, size, n = ["---\ntitle: A very large report\n---\n"], 0, 0
    while size < 30_000_000:
        n += 1
        blocks.append(f"\n## Part {n}\n\n{paragraph}\n")
        size += len(blocks[-1])
    quote = "Robots will fold laundry in most homes by 2031."
    blocks.append(f"\n## Outlook\n\n{quote}\n")
    (seeds_copy / "documents" / "large.txt").write_text("".join(blocks))
    publisher = yaml.safe_load((seeds_copy / "publishers.yml").read_text())[0]["id"]
    topic = yaml.safe_load((seeds_copy / "topics.yml").read_text())[0]["id"]
    append(seeds_copy / "documents.yml", f"\n- id: large-report\n  file: documents/large.txt\n  title: A very large report\n"
                                         f"  publisher: {publisher}\n  published: 2024-01-01\n  kind: report\n")
    (seeds_copy / "claims" / "large-report.yml").write_text(
        f"- id: large-report-01\n  quote: \"{quote}\"\n  statement: {quote}\n  kind: prediction\n"
        f"  made: 2024-01-01\n  horizon: 2031-12-31\n  topics: [{topic}]\n  resolutions:\n"
        "    - verdict: too_early\n      resolved: 2026-11-22\n      resolver: tests\n      confidence: high\n"
        "      rationale: The horizon has not passed.\n")
    db = tmp_path / "out" / "hindsight.db"
    run = subprocess.run([sys.executable, "-c", RSS_PROBE, str(HINDSIGHT), "build", "--seeds", str(seeds_copy),
                          "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    peak = int(run.stdout.split()[-1])
    assert peak < 1.5 * 2**30, f"peak RSS {peak / 2**20:.0f} MB"  # a sanity bound: about 0.3 GB measured
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    length, start = conn.execute("select length(d.text), c.quote_start from claims c join documents d"
                                 " on d.id = c.document_id where c.id = 'large-report-01'").fetchone()
    assert length > 29_000_000 and start > 29_000_000
    assert conn.execute("select count(*) from sections where document_id = 'large-report'").fetchone()[0] == n + 1
