"""The built-in readers, tested directly on the seed documents and small inputs."""
from pathlib import Path

import pytest

from ingest.read import choose_reader, read_source
from ingest.readers.base import ReaderError, split_front_matter

DOCS = Path(__file__).resolve().parent.parent / "seeds" / "documents"
FORMATS = {
    "000_5326e3d299a7a98b.txt": "markdown",
    "001_7020c332b10828a1.txt": "numbered_text",
    "002_a3332056be811972.txt": "emoji_outline",
    "003_24dbfdf4cc9e498c.txt": "markdown_html",
}


@pytest.mark.parametrize("name,fmt", FORMATS.items())
def test_format_is_told_from_content(name, fmt):
    source = read_source(DOCS / name)
    assert source.document.format == fmt
    assert source.document.sections, "every seed document has headings"
    for s in source.document.sections:
        assert source.document.text[s.start:s.end] == s.heading
        assert s.start < s.end <= s.body_end <= len(source.document.text)


def test_numbered_items_become_sections_and_bylines_are_found():
    doc = read_source(DOCS / "001_7020c332b10828a1.txt").document
    assert [s.heading for s in doc.sections][0] == "Small Language Models will drive enterprise AI adoption"
    assert len(doc.sections) == 11
    assert doc.front_matter["bylines"][:2] == ["Piero Molino", "Travis Addair"]
    assert len(doc.front_matter["bylines"]) == 11


def test_markdown_html_converts_only_the_html():
    raw = (
        "---\ntitle: t\nvideoId: abcdefghijk\n---\n\n## [[Page | Label]] here\n\n"
        "Keep *stars* and snake_case and [[plain]] <a class=\"yt-timestamp\" data-t=\"01:02:03\">[01:02:03]</a> end<br/>\n"
    )
    doc = choose_reader(raw).read(raw)
    assert doc.format == "markdown_html"
    assert "## Label here" in doc.markdown
    assert "*stars*" in doc.markdown and "snake_case" in doc.markdown and "\\_" not in doc.markdown
    assert "[[01:02:03]](https://www.youtube.com/watch?v=abcdefghijk&t=3723s)" in doc.markdown
    assert "Keep stars and snake_case and plain [01:02:03] end" in doc.text
    assert doc.sections[0].heading == "Label here"


def test_script_and_handlers_do_not_survive_into_markdown():
    raw = 'Intro [[x]] <a href="javascript:alert(1)" onclick="steal()">click</a><script>alert(1)</script>\n'
    doc = choose_reader(raw).read(raw)
    assert "onclick" not in doc.markdown and "<script" not in doc.markdown
    assert "alert(1)</script>" not in doc.text and "<" not in doc.text


def test_plain_text_is_not_read_as_markdown():
    raw = "1. First thing with *stars*, snake_case and [brackets]\nbody text\n2. Second\nmore\n"
    doc = choose_reader(raw).read(raw)
    assert doc.format == "numbered_text"
    assert "First thing with *stars*, snake_case and [brackets]" in doc.text


def test_broken_front_matter_names_its_line():
    with pytest.raises(ReaderError) as e:
        split_front_matter("---\ntitle: ok\ndate: [unclosed\n---\nbody\n")
    assert e.value.line >= 3
