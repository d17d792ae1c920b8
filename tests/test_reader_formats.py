"""Readers keep each document's structure: CRLF paragraphs, whole HTML pages, transcripts, tables with
several items per cell, TOML front matter, headings in mathematical letters (issue 13)."""
import sqlite3
import time
from pathlib import Path

import pytest
import yaml

from ingest.read import DocumentError, choose_reader, read_source
from ingest.readers.base import ReaderError, render_text, split_front_matter
from plugins.document_pages import render

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "readers"


def read(raw):
    reader = choose_reader(raw)
    return reader.name, reader.read(raw)


def assert_aligned(doc):
    """The invariant the proposer relies on: text is line for line the markdown's."""
    md_lines = doc.markdown.lstrip("\n").rstrip("\n").split("\n")
    assert len(md_lines) == len(doc.text.split("\n"))
    assert (doc.text, [s.heading for s in doc.sections]) == (
        render_text(doc.markdown)[0], [s.heading for s in render_text(doc.markdown)[1]])


# ---------------------------------------------------------------- 1. line endings

@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_html_fragment_paragraphs_survive_any_line_ending(tmp_path, newline):
    lines = ["---", "title: t", "---", "", "## Outlook", "", "<p>First paragraph.</p>", "",
             "Second paragraph with [[Some Page | a link]].", "", "<div>Third paragraph.", "", "Fourth paragraph.</div>", ""]
    path = tmp_path / "note.md"
    path.write_bytes(newline.join(lines).encode())
    doc = read_source(path).document
    assert doc.format == "markdown_html"
    assert "\r" not in doc.markdown and "\r" not in doc.text
    assert doc.text.split("\n\n") == ["Outlook", "First paragraph.", "Second paragraph with a link.",
                                      "Third paragraph.", "Fourth paragraph."]
    assert_aligned(doc)


def test_crlf_markdown_keeps_blank_lines_between_paragraphs():
    name, doc = read("# Title\r\n\r\nOne.\r\n\r\n- item\r\n")
    assert name == "markdown" and doc.markdown == "# Title\n\nOne.\n\n- item\n"


# ---------------------------------------------------------------- 2. whole HTML pages

ARTICLE = [
    "These are my predictions for the coming year, written down so that I can be held to them later.",
    "Agents will file their own bug reports by the end of 2026.",
    "Cheaper: the price of a million tokens will halve again.",
    "Open models will match the best closed model.",
    "That being said, the likelihood of each of them being true is small, and I will check back next year.",
]
NOT_CONTENT = ["Archive of every post", "About this site", "Copyright footer text", "RSS feed", "trackPageView",
               "secret script text", "font-family", "@context", "BlogPosting", "articleBody", "init()", "predictions</a>"]


def test_html_page_keeps_only_the_main_content():
    raw = (FIXTURES / "page.html").read_text()
    name, doc = read(raw)
    assert name == "html_page"
    for sentence in ARTICLE:
        assert doc.text.count(sentence) == 1, sentence
    for junk in NOT_CONTENT:
        assert junk not in doc.text and junk not in doc.markdown, junk
    lines = doc.markdown.split("\n")
    assert "- Agents will file their own bug reports by the end of 2026\\." in lines
    assert "  - Cheaper: the price of a million tokens will halve again." in lines  # nested bullet
    assert [s.heading for s in doc.sections] == ["Software", "Forecasts by team"]
    assert doc.front_matter == {"title": "Five predictions for 2026", "date": "2026-01-04", "author": "Ada Example",
                                "url": "https://notes.example.org/posts/five-predictions/", "sitename": "Example Notes"}
    assert_aligned(doc)


def test_saved_page_with_scripts_is_accepted_but_a_script_link_in_its_content_is_refused(tmp_path):
    page = (FIXTURES / "page.html").read_text()
    ok = tmp_path / "ok.html"
    ok.write_text(page)
    assert read_source(ok).document.format == "html_page"
    bad = tmp_path / "bad.html"
    bad.write_text(page.replace("<h2>Software</h2>", '<h2>Software</h2>\n<p>Read <a href="javascript:steal()">the rules</a> first.</p>'))
    with pytest.raises(DocumentError) as e:
        read_source(bad)
    assert "javascript:" in e.value.message
    assert e.value.line == bad.read_text().split("\n").index('<p>Read <a href="javascript:steal()">the rules</a> first.</p>') + 1


def test_a_fragment_with_a_script_is_still_refused(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("Some [[note]].\n\n<script>alert(1)</script>\n")
    with pytest.raises(DocumentError) as e:
        read_source(path)
    assert e.value.line == 3


# ---------------------------------------------------------------- 3. transcripts

@pytest.mark.parametrize("lines", [
    ["Ada Lovelace [00:01:02]: one", "Bob [00:01:05]: two", "Ada Lovelace [00:01:09]: three"],
    ["[00:01:02] Ada Lovelace: one", "[00:01:05] Bob: two", "[00:01:09] Ada Lovelace: three"],
    ["00:01:02 Ada Lovelace: one", "00:01:05 Bob: two", "00:01:09 - Ada Lovelace: three"],
    ["Ada Lovelace (01:02): one", "Bob (01:05): two", "Ada Lovelace (1:01:09): three"],
])
def test_transcript_turn_shapes(lines):
    name, doc = read("\n".join(lines) + "\n")
    assert name == "transcript"
    paragraphs = doc.markdown.strip("\n").split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("**Ada Lovelace:** \\[") and paragraphs[0].endswith("\\] one")
    assert paragraphs[1].startswith("**Bob:** \\[")
    assert doc.text.split("\n\n")[0] in ("Ada Lovelace: [00:01:02] one", "Ada Lovelace: [01:02] one")
    assert_aligned(doc)


def test_transcript_turns_speakers_and_continuations():
    name, doc = read((FIXTURES / "meeting.txt").read_text())
    assert name == "transcript"
    assert doc.markdown.split("\n\n") == [
        "Weekly planning call, 3 March 2026",
        "**Ada Lovelace:** \\[00:00:05\\] Welcome, everyone. Let's start with the forecasts.",
        "**Grace Hopper:** \\[00:00:12\\] I think \\*open\\* models will match GPT-5 by the end of 2026.\n"
        "That's my main prediction\\_for this year.\n"
        "\\- and a second line that looks like a list item",
        "**Alan Turing:** \\[00:01:40\\] Agents will book 10% of all travel by 2027 \\& nobody will notice.",
        "**Ada Lovelace:** \\[00:02:03\\] Noted. \\[laughs\\] Next item.\n",
    ]
    # the words verbatim in the text, markdown characters and all
    for words in ["I think *open* models will match GPT-5 by the end of 2026.", "That's my main prediction_for this year.",
                  "- and a second line that looks like a list item", "by 2027 & nobody will notice.", "Noted. [laughs] Next item."]:
        assert words in doc.text
    assert "Grace Hopper: [00:00:12] I think" in doc.text
    assert_aligned(doc)
    html = render(doc.markdown, doc.text, [])
    assert html.count("<p>") == 5 and "<strong>Grace Hopper:</strong> [00:00:12] I think <em>" not in html
    assert "<strong>Grace Hopper:</strong> [00:00:12] I think *open* models" in html
    assert "<ul>" not in html and "<h" not in html


def test_webvtt_voices_become_turns():
    name, doc = read((FIXTURES / "talk.vtt").read_text())
    assert name == "transcript"
    assert doc.markdown == ("**Ada Lovelace:** \\[00:00:01\\] Robots will fold laundry in most homes by 2030.\n\n"
                            "**Grace Hopper:** \\[00:00:07\\] I doubt it \\& I said so twice. Still Grace speaking.\n")
    assert "Robots will fold laundry in most homes by 2030." in doc.text  # a sentence across two cues
    assert_aligned(doc)


@pytest.mark.parametrize("raw", [
    "Meeting notes\n\nWe met at 10:30 and talked.\nAda: fine.\n\nThen at 11:00 Bob said: no.\n",
    "# Schedule\n\n- 09:00 Doors open: coffee\n- 09:30 Keynote: the future\n- 10:15 Break: more coffee\n",
    "Times: 10:00, 11:00 and 12:00.\nPlain prose follows.\n",
])
def test_prose_and_markdown_with_times_are_not_transcripts(raw):
    assert read(raw)[0] != "transcript"


def test_long_transcript_reads_fast():
    turns = [f"{'Ada Lovelace' if i % 2 else 'Grace Hopper'} [{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}]: "
             f"I expect that in {2026 + i % 5} we will see *model* number {i} do something_useful & [new]." for i in range(1500)]
    raw = "\n".join(turns) + "\n"
    assert len(raw) > 150_000
    start = time.perf_counter()
    reader = choose_reader(raw)
    doc = reader.read(raw)
    elapsed = time.perf_counter() - start
    assert reader.name == "transcript" and doc.markdown.count("\n\n") == 1499
    assert elapsed < 0.5, elapsed


# ---------------------------------------------------------------- 4. tables with several items per cell

TABLE = ("Forecasts from [[the team]].\n\n"
         "<table><tr><th></th><th>2026</th><th>2030</th></tr>"
         "<tr><th>Alpha</th><td><p>Robots fold laundry.</p><p>Taxis in ten cities.</p></td><td>Fusion opens.<hr>Mars | sample returns.</td></tr>"
         "<tr><th>Beta</th><td>Chips double.<br>GPU prices fall.</td><td>No change.</td></tr></table>\n\nAfter.\n")
ITEMS = ["Robots fold laundry.", "Taxis in ten cities.", "Fusion opens.", "Mars | sample returns.", "Chips double.",
         "GPU prices fall.", "No change."]


def test_table_cells_keep_their_items_apart():
    name, doc = read(TABLE)
    assert name == "markdown_html"
    rows = [line for line in doc.markdown.split("\n") if line.startswith("|")]
    assert rows == ["|  | 2026 | 2030 |", "| --- | --- | --- |",
                    "| Alpha | Robots fold laundry. <br> Taxis in ten cities. | Fusion opens. <br> Mars \\| sample returns. |",
                    "| Beta | Chips double. <br> GPU prices fall. | No change. |"]
    text_rows = [line for line in doc.text.split("\n") if line.startswith("|")]
    for item in ITEMS:
        assert item in doc.text
    assert "Robots fold laundry.  Taxis in ten cities." in text_rows[2] and "---" not in text_rows[2]
    assert "| 2026 | 2030 |" in text_rows[0] and text_rows[3].startswith("| Beta |")
    assert_aligned(doc)


def test_document_page_shows_cell_items_on_separate_lines():
    _, doc = read(TABLE)
    quote = "GPU prices fall."
    claims = [{"id": "c1", "url": "/claims/c1", "quote": quote, "quote_start": doc.text.index(quote), "verdict": "correct",
               "verdict_label": "Correct", "statement": "s", "number": 1}]
    html = str(render(doc.markdown, doc.text, claims))
    assert "<td>Chips double. <br> <a class=\"hl hl-correct\" href=\"/claims/c1\"" in html
    assert "Robots fold laundry. <br> Taxis in ten cities." in html
    assert "<th>2026</th>" in html and "&lt;br" not in html
    assert claims[0]["placed"]


def test_br_outside_cells_stays_escaped_text():
    html = str(render("Say \\<br\\> and <br> here\n\n| a |\n| --- |\n| x \\<br\\> y |\n", "", []))
    assert "<br>" not in html and html.count("&lt;br&gt;") == 3


def test_page_tables_keep_items_and_headers():
    _, doc = read((FIXTURES / "page.html").read_text())
    assert "| Team | 2026 | 2030 |" in doc.markdown
    assert "| Alpha | Robots fold laundry at home. <br> Self-driving taxis reach ten cities. | Fusion pilot plant opens. <br> Mars sample returns. |" in doc.markdown
    assert "| Beta | Chip exports double. <br> GPU prices fall. | No change. |" in doc.markdown


# ---------------------------------------------------------------- 5. TOML front matter

HUGO = '+++\ntitle = "Predictions for 2025"\ndate = 2025-01-05T19:28:59-05:00\ntags = [\'predictions\']\ndraft = false\n+++\n\n# US\n\n- ❌ US enters a recession: 10%\n'


def test_toml_front_matter():
    name, doc = read(HUGO)
    assert name == "markdown"
    assert doc.front_matter["title"] == "Predictions for 2025" and doc.front_matter["tags"] == ["predictions"]
    assert doc.front_matter["date"].date().isoformat() == "2025-01-05"
    assert doc.front_matter["date"].isoformat() == "2025-01-05T19:28:59-05:00"
    assert doc.markdown.startswith("# US") and doc.sections[0].heading == "US"
    assert "+++" not in doc.text and "draft" not in doc.text


@pytest.mark.parametrize("raw,line", [
    ('+++\ntitle = "x"\ndate = [unclosed\n+++\nbody\n', 3),
    ('+++\ntitle = "x"\nbody\n', 1),
    ('+++\ntitle = "x"\ntitle = "y"\n+++\n', 3),
])
def test_broken_toml_names_its_line(raw, line):
    with pytest.raises(ReaderError) as e:
        split_front_matter(raw)
    assert e.value.line == line and ("TOML" in str(e.value) or "+++" in str(e.value))


# ---------------------------------------------------------------- 6. mathematical letters

def test_heading_in_mathematical_letters_opens_a_section():
    name, doc = read("# 𝐏𝐫𝐞𝐝𝐢𝐜𝐭𝐢𝐨𝐧𝐬 𝐟𝐨𝐫 𝟐𝟎𝟐𝟕\n\nAgents will run errands.\n\n## 𝘖𝘱𝘦𝘯 𝘮𝘰𝘥𝘦𝘭𝘴\n\nThey catch up.\n")
    assert [s.heading for s in doc.sections] == ["𝐏𝐫𝐞𝐝𝐢𝐜𝐭𝐢𝐨𝐧𝐬 𝐟𝐨𝐫 𝟐𝟎𝟐𝟕", "𝘖𝘱𝘦𝘯 𝘮𝘰𝘥𝘦𝘭𝘴"]
    for s in doc.sections:
        assert doc.text[s.start:s.end] == s.heading
    assert doc.sections[0].body_end == len(doc.text)


# ---------------------------------------------------------------- end to end

def test_page_and_transcript_build_into_the_ledger(seeds_copy, tmp_path):
    from ingest.build import build

    for name, target in (("page.html", "100_page.html"), ("meeting.txt", "101_meeting.txt")):
        (seeds_copy / "documents" / target).write_bytes((FIXTURES / name).read_bytes())
    first = yaml.safe_load((seeds_copy / "documents.yml").read_text())[0]
    topic = yaml.safe_load((seeds_copy / "topics.yml").read_text())[0]["id"]
    entries = [{"id": "fixture-page", "file": "documents/100_page.html", "title": "Five predictions",
                "publisher": first["publisher"], "published": "2026-01-04", "kind": "blog post"},
               {"id": "fixture-meeting", "file": "documents/101_meeting.txt", "title": "Planning call",
                "publisher": first["publisher"], "published": "2026-03-03", "kind": "talk notes"}]
    with (seeds_copy / "documents.yml").open("a") as f:
        f.write("\n" + yaml.safe_dump(entries, sort_keys=False))
    for doc_id, quote in (("fixture-page", "GPU prices fall."), ("fixture-meeting", "I think *open* models will match GPT-5 by the end of 2026.")):
        (seeds_copy / "claims" / f"{doc_id}.yml").write_text(yaml.safe_dump([{
            "id": f"{doc_id}-01", "quote": quote, "statement": "A test claim.", "kind": "prediction",
            "made": "2026-01-04", "horizon": "2026-12-31", "horizon_inferred": False, "topics": [topic],
            "resolutions": [{"verdict": "too_early", "resolved": "2026-03-04", "resolver": "tests", "confidence": "low",
                             "rationale": "A fixture.", "evidence": []}]}], sort_keys=False))
    db = tmp_path / "hindsight.db"
    build(seeds_copy, db)
    with sqlite3.connect(db) as conn:
        rows = dict(conn.execute("select id, format from documents where id like 'fixture-%'").fetchall())
        placed = conn.execute("select count(*) from claims where document_id like 'fixture-%' and quote_start >= 0").fetchone()[0]
    assert rows == {"fixture-page": "html_page", "fixture-meeting": "transcript"}
    assert placed == 2
