"""Issue 16, the build: each class of bad input an outside probe got through is a clear
file:line error, a non-zero exit, and the previous database untouched (full and incremental)."""
import os
import re
import time

import pytest
import sqlite_utils
from click.testing import CliRunner

from ingest.build import build
from ingest.cli import cli
from ingest.read import active_content
from test_bad_input import MARKDOWN, NOTES, append, claims_files, edit, line_of


def files_in(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.fixture
def built(seeds_copy, tmp_path):
    """(seeds, database, its directory's files) after a good build."""
    db = tmp_path / "out" / "hindsight.db"
    build(seeds_copy, db)
    return seeds_copy, db, files_in(db.parent)


def refused(seeds, db, before, name, line, message, *args):
    """The build fails with name:line and message, and leaves db's directory as it was."""
    result = CliRunner().invoke(cli, ["build", *args, "--seeds", str(seeds), "--db", str(db)])
    assert result.exit_code not in (0, None) and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert f"{seeds / name}:{line}: " in result.output, result.output
    assert message in result.output, result.output
    assert files_in(db.parent) == before
    return result.output


# Containment: one rule for every seed file, full and incremental.

@pytest.mark.parametrize("mode", [[], ["--full"]], ids=["incremental", "full"])
def test_a_document_replaced_by_a_link_outside_seeds_is_refused(built, tmp_path, mode):
    seeds, db, before = built
    secret = tmp_path / "secret.txt"
    secret.write_text("---\ntitle: Secret\n---\n\nThe password is hunter2.\n")
    (seeds / MARKDOWN).unlink()
    (seeds / MARKDOWN).symlink_to(secret)
    line = line_of(seeds / "documents.yml", f"file: {MARKDOWN}")
    refused(seeds, db, before, "documents.yml", line, "is outside seeds/", *mode)
    assert "hunter2" not in sqlite_utils.Database(db).execute("select group_concat(text) from documents").fetchone()[0]


@pytest.mark.parametrize("name", ["documents.yml", "authors.yml", "publishers.yml", "topics.yml", "claims"])
@pytest.mark.parametrize("mode", [[], ["--full"]], ids=["incremental", "full"])
def test_a_yaml_seed_file_linked_outside_seeds_is_refused(built, tmp_path, name, mode):
    seeds, db, before = built
    if name == "claims":
        name = str(claims_files(seeds)[0][0].relative_to(seeds))
    elsewhere = tmp_path / "elsewhere.yml"
    elsewhere.write_bytes((seeds / name).read_bytes())
    (seeds / name).unlink()
    (seeds / name).symlink_to(elsewhere)
    refused(seeds, db, before, name, 1, "is outside seeds/", *mode)


def test_check_refuses_a_claims_file_linked_outside_seeds(seeds_copy, tmp_path):
    path = claims_files(seeds_copy)[0][0]
    elsewhere = tmp_path / "claims.yml"
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(elsewhere)
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy)])
    assert result.exit_code != 0 and f"{path}:1: " in result.output and "is outside seeds/" in result.output


def test_links_inside_seeds_are_fine(seeds_copy, tmp_path):
    path = claims_files(seeds_copy)[0][0]
    (seeds_copy / "kept.yml").write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(seeds_copy / "kept.yml")
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy)])
    assert result.exit_code == 0, result.output


# Validation gaps.

def claim_line(path, claim, key):
    return line_of(path, f"  {key}:", line_of(path, f"- id: {claim['id']}"))


def test_an_id_ending_in_a_newline_is_refused(built):
    seeds, db, before = built
    path, claim = claims_files(seeds)[0]
    line = edit(path, f"- id: {claim['id']}\n", f'- id: "{claim["id"]}\\n"\n')
    refused(seeds, db, before, path.relative_to(seeds), line, "must be lowercase letters, digits and '-'")


def test_a_document_id_ending_in_a_newline_is_refused(built):
    seeds, db, before = built
    text = (seeds / "documents.yml").read_text()
    doc_id = re.search(r"^- id: (\S+)", text, re.M)[1]
    line = edit(seeds / "documents.yml", f"- id: {doc_id}\n", f'- id: "{doc_id}\\n"\n')
    refused(seeds, db, before, "documents.yml", line, "must be lowercase letters, digits and '-'", "--full")


@pytest.mark.parametrize("written", ['"false"', "'no'", '"0"', "0", "1", '"true"'])
def test_a_boolean_written_as_text_or_a_number_is_refused(built, written):
    seeds, db, before = built
    path, claim = claims_files(seeds)[0]
    line = claim_line(path, claim, "horizon_inferred")
    text = path.read_text().splitlines()
    text[line - 1] = f"  horizon_inferred: {written}"
    path.write_text("\n".join(text) + "\n")
    refused(seeds, db, before, path.relative_to(seeds), line, "horizon_inferred of claim", "--full")


def test_real_booleans_are_kept(built):
    seeds, db, _ = built
    assert {r[0] for r in sqlite_utils.Database(db).execute("select distinct horizon_inferred from claims")} <= {0, 1}


def test_a_nul_byte_after_the_first_8_kb_is_refused(built):
    seeds, db, before = built
    line = append(seeds / MARKDOWN, "\n" + "Filler text for the test. " * 400 + "\nA NUL\x00 here.\n")
    line = line_of(seeds / MARKDOWN, "A NUL")
    assert (seeds / MARKDOWN).read_bytes().index(b"\x00") > 8192
    refused(seeds, db, before, MARKDOWN, line, "NUL byte")


def test_an_occurrence_past_the_last_says_how_many_there_are(built):
    seeds, db, before = built
    path, claim = claims_files(seeds)[0]
    quote_line = claim_line(path, claim, "quote")
    text = path.read_text().splitlines()
    text.insert(quote_line, "  occurrence: 7")
    path.write_text("\n".join(text) + "\n")
    refused(seeds, db, before, path.relative_to(seeds), quote_line + 1,
            f"occurrence 7 of claim '{claim['id']}' points past the last: the quote occurs 1 time in")


# Script URLs, however encoded.

ENCODED = ["&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "&#X6a;avascript:alert(1)", "java&#09;script:alert(1)",
           "%6Aavascript:alert(1)", "jav\tascript:alert(1)", "JaVaScRiPt:alert(1)", "javascript&colon;alert(1)",
           "java&Tab;script:alert(1)", "&amp;#106;avascript:alert(1)", "&#0000106avascript:alert(1)",
           "vbscript&#58;msgbox(1)", "data&colon;text/html,<b>x</b>", "java&NewLine;script:alert(1)"]


@pytest.mark.parametrize("url", ENCODED)
def test_an_encoded_script_url_in_html_is_refused(built, url):
    seeds, db, before = built
    line = append(seeds / NOTES, f"\nSee <a href=\"{url}\">more</a> here.\n")
    refused(seeds, db, before, NOTES, line, "URL in a link")


@pytest.mark.parametrize("url", ENCODED[:8])
def test_an_encoded_script_url_in_markdown_is_refused(built, url):
    seeds, db, before = built
    line = append(seeds / MARKDOWN, f"\nRead [more]({url}).\n")
    refused(seeds, db, before, MARKDOWN, line, "URL in a link")


@pytest.mark.parametrize("text", ["[more]: javascript:alert(1)", "<javascript:alert(1)>"])
def test_reference_links_and_autolinks_are_checked(text):
    assert active_content(f"intro\n\n{text}\n") == (3, "javascript: URL in a link")


def test_the_stored_markdown_of_the_ledger_holds_no_script_url(db_path):
    for (markdown,) in sqlite_utils.Database(db_path).execute("select markdown from documents"):
        assert active_content(markdown) is None


def test_prose_about_javascript_and_percentages_is_fine():
    assert active_content("JavaScript: a language. 50% = half & more; a = b\njava script is fine\n") is None


def test_the_scan_stays_fast_on_a_large_document():
    prose = ("Models will get cheaper & better; 40% of [tasks](https://example.com/a?b=c&amp;d) = done. " * 8 + "\n\n") * 40_000
    started = time.perf_counter()
    assert active_content(prose) is None
    assert time.perf_counter() - started < 5


# Values pasted into URLs.

@pytest.mark.parametrize("video_id", ['"x) [a](https://evil.example/"', "abc", '"_TghtP0ZyoM&x=1"', "12345678901234"])
def test_a_video_id_that_is_not_one_is_refused(built, video_id):
    seeds, db, before = built
    line = edit(seeds / NOTES, "videoId: _TghtP0ZyoM\n", f"videoId: {video_id}\n")
    refused(seeds, db, before, NOTES, line, "is not a YouTube video id")


def test_a_video_id_is_quoted_where_it_becomes_a_link():
    from ingest.readers.html_to_markdown import convert_html
    stamp = '<a class="yt-timestamp" data-t="00:01:02">[00:01:02]</a>'
    assert "watch?v=a%29%20%5Bb%5D%28c&t=62s" in convert_html(f"Hi {stamp}", "a) [b](c")
    assert "watch?v=_TghtP0ZyoM&t=62s" in convert_html(f"Hi {stamp}", "_TghtP0ZyoM")


def test_a_timestamp_with_a_trailing_newline_is_no_timestamp():
    from ingest.readers.html_to_markdown import _seconds
    assert _seconds("00:01:02") == 62 and _seconds("00:01:02\n") is None
