"""The markdown_html reader converts its HTML fragments in one markdownify pass and reuses the
markdown of fragments met before; both must give exactly what converting each fragment on its own
gives (the reference below, the reader's former code)."""
import bisect
import html.entities
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEEDS
from ingest.readers import html_to_markdown as markdown_html
from ingest.readers.html_to_markdown import (
    _SEPARATOR, _Converter, convert_fragments, convert_html, fragments_markdown, html_fragments,
)


def one_by_one(fragments, converter):
    return [converter.convert(fragment).strip(" \t") for fragment in fragments]


def together(fragments, converter):
    markdown = convert_fragments(fragments, converter)
    return [markdown[fragment] for fragment in fragments]


def reference_convert_html(text, video_id):
    converter = _Converter(video_id=str(video_id) if video_id else None)
    out, at = [], 0
    for start, end in html_fragments(text):
        out += [text[at:start], converter.convert(text[start:end]).strip(" \t")]
        at = end
    return "".join(out) + text[at:]


def joined_and_split(fragments, converter):
    """The batch without its checks: what they guard against."""
    return [p.strip("\n").strip(" \t") for p in converter.convert(_SEPARATOR.join(fragments)).split(_SEPARATOR)]


@pytest.fixture(autouse=True)
def cold_cache():
    markdown_html._CACHE.clear()


STAMP = '<a class="yt-timestamp" data-t="01:02:03">[01:02:03]</a>'
VIDEO_IDS = [None, "abc", "a b", "x\ny\n", "`tick`", "[x](y)", "\ue001", "v\ue000"]

# Fragment lists where one conversion of the joined fragments, split, differs from converting each
# alone: the batch must notice and fall back.
DIVERGING = {
    "void end tag after a void tag": ["<i><br></i>", "<p>a </br> b</p>"],
    "table rows": ["<tr><td>a</td></tr>", "<tr><td>b</td></tr>"],
    "table body after a head": ["<thead><tr><th>h</th></tr></thead>", "<tbody><tr><td>b</td></tr></tbody>"],
    "unclosed tag": ["<b>", "<i>x</i>"],
    "unclosed comment": ["<b><!--</b>", "<i>x</i>", "<s>-->y</s>"],
    "unclosed quote": ["<a b='>", "<i title='x'>y</i>"],
    "unclosed style": ["<style>", "<i>x</i>", "<b>y</b>"],
    "separator inside": ["<b>a\ue000b</b>", "<i>x</i>"],
    "reference to the separator": ["<b>&#xe000;</b>", "<i>x</i>"],
    # a stray separator at the top level while a real one disappears in a <style>
    "separator, and one swallowed": ["<p/>\ue000</p>", "<style>", "<b>x</b>"],
    "reference to the separator, and one swallowed": ["<p/>&#xe000;</p>", "<style>", "<b>x</b>"],
}
# Lists the batch converts in one pass, including what sits at the edges of a piece.
TOGETHER = {
    "anchors": [STAMP, '<a class="yt-timestamp" data-t="1:00">[1:00]</a>', "<br/>"],
    "blocks": ["<p>a</p>", "<ul><li>a</li><li>b</li></ul>", "<ol start='3'><li>c</li></ol>", "<h2>t</h2>"],
    "list last": ["<b>x</b>", "<ul><li>a</li></ul>"],
    "nested": ["<b>bold <i>both</i></b>", "<blockquote><p>q <br> r</p></blockquote>", "<pre>  a\n\n b</pre>"],
    "entities": ["<b>&amp; &lt;x&gt; &eacute; &nbsp;</b>", "<i>&amp</i>", "<code>`a`</code>", "<b>&amp;</b>"],
    "whitespace": ["<b> x </b>", "<p>\n a \n</p>", "<span>\t</span>", "<div> </div>"],
    "repeated": ["<br/>", "<br/>", "<b>x</b>", "<b>x</b>"],
    "stray end tags": ["</p>", "<p/> </p>", "</b>"],
    "comment and declaration": ["<b><!-- c --></b>", "<!DOCTYPE html>", "<?pi x?>", "<i>y</i>"],
    "empty": ["", "<b></b>", ""],
}


@pytest.mark.parametrize("fragments", DIVERGING.values(), ids=DIVERGING.keys())
def test_fragments_that_would_diverge_in_one_pass_are_converted_alone(fragments):
    converter = _Converter(video_id="v")
    assert joined_and_split(fragments, converter) != one_by_one(fragments, converter)  # the case is a real one
    assert together(fragments, converter) == one_by_one(fragments, converter)


@pytest.mark.parametrize("fragments", TOGETHER.values(), ids=TOGETHER.keys())
def test_fragments_converted_in_one_pass_match_one_by_one(fragments, monkeypatch):
    converter = _Converter(video_id="v")
    expected = one_by_one(fragments, converter)
    monkeypatch.setattr(converter, "convert", lambda html: pytest.fail(f"converted alone: {html!r}"))
    assert together(fragments, converter) == expected


def test_no_named_reference_gives_a_private_use_character():
    """What lets a fragment without "&#" be joined with _SEPARATOR and converted with _VIDEO."""
    assert not [name for name, chars in html.entities.html5.items() if any(0xE000 <= ord(c) <= 0xF8FF for c in chars)]


@pytest.mark.parametrize("video_id", VIDEO_IDS)
def test_markdown_reused_across_documents_matches_each_documents_own(video_id):
    text = (
        f"{STAMP} start, then *text* {STAMP}{STAMP}<br/>\n* <li>{STAMP}</li>\n## <h3>{STAMP}</h3>\n"
        f"<code>{STAMP}</code> <a href='https://www.youtube.com/watch?v={video_id}&t=3723s'>{STAMP}</a>\n"
        f"<ul><li>{STAMP}</li></ul> <a class='yt-timestamp' data-t='1:00'/>tail <a class=\"x yt-timestamp\" data-t=\"9:59\">"
        '<a class="yt-timestamp" data-t="0:01">&#xe001; \ue001</a>'
    )
    for other in ["first", None, video_id]:  # the cache filled by other documents, then by this one
        convert_html(text, other)
        assert convert_html(text, video_id) == reference_convert_html(text, video_id)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("documents/*.txt")), ids=lambda p: p.name)
def test_seed_documents_match_the_reference(path):
    raw = path.read_text()
    for video_id in [None, "abc", None, "abc"]:  # cold, then from the cache
        assert convert_html(raw, video_id) == reference_convert_html(raw, video_id)


@pytest.mark.parametrize("video_id", VIDEO_IDS)
def test_shared_markdown_only_for_a_single_element(video_id):
    """Two start tags nest: an enclosing element may reshape the link, video id and all."""
    anchor = '<a class="yt-timestamp" data-t="1:00">[1:00]'  # two "<", like a stamp with its end tag
    fragments = [f"<li>{anchor}", f"<h1>{anchor}", f"<code>{anchor}", f"<blockquote>{anchor}", "<br/>", STAMP]
    for other in ["first", video_id]:
        fragments_markdown(fragments, other)
        markdown = fragments_markdown(fragments, video_id)
        assert [markdown[f] for f in fragments] == one_by_one(fragments, _Converter(video_id=video_id or None))


# Pieces of markup that interact: blocks, lists, tables, void and unclosed tags, comments, quotes,
# entities (one of them naming the separator), whitespace, markdown characters.
PIECES = [
    "<p>", "</p>", "<ul>", "<ol start='2'>", "</ol>", "<li>", "</li>", "</ul>", "<b>", "</b>", "<i>", "</i>",
    "<br>", "<br/>", "</br>", "<img src='s' alt='a'>", "<hr>", "<pre>", "</pre>", "<code>", "</code>",
    "<table>", "<tr>", "<td>", "</td>", "</tr>", "<th>", "<thead>", "<tbody>", "<h1>", "</h1>", "<blockquote>",
    "</blockquote>", "<div>", "</div>", "<!--", "-->", "<![CDATA[", "]]>", "<?x ", "<style>", "</style>",
    "<a href='x'>", "<a href=\"", STAMP, "<a class='yt-timestamp' data-t='2:03'>", "</a>", "<a b='>", "'", '"',
    "&amp;", "&lt;", "&#xe000;", "&#57344;", "&#xe001;", "&", "&amp", " ", "  ", "\n", "\n\n", "\t", "x", "y z", "*", "_",
    "-", "1.", "#", "`", "\\", "[", "]", ">", "<", "</", "/", "=", "\ue000", "\ue001",
]
fragment = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)
FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(fragments=st.lists(fragment, min_size=1, max_size=8), video_id=st.sampled_from(VIDEO_IDS))
def test_one_pass_matches_one_by_one(fragments, video_id):
    converter = _Converter(video_id=video_id)
    assert together(fragments, converter) == one_by_one(fragments, converter)


@FUZZ
@given(text=st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
       video_ids=st.lists(st.one_of(st.sampled_from(VIDEO_IDS), st.text(max_size=5)), min_size=1, max_size=3))
def test_convert_html_matches_the_reference(text, video_ids):
    for video_id in video_ids:  # later ones may reuse the markdown of earlier ones
        assert convert_html(text, video_id) == reference_convert_html(text, video_id)


@FUZZ
@given(fragments=st.lists(fragment, min_size=1, max_size=8),
       video_ids=st.lists(st.sampled_from(VIDEO_IDS), min_size=1, max_size=3))
def test_fragments_markdown_matches_one_by_one(fragments, video_ids):
    for video_id in video_ids:
        markdown = fragments_markdown(dict.fromkeys(fragments), video_id)
        assert [markdown[f] for f in fragments] == one_by_one(fragments, _Converter(video_id=video_id or None))


OPENING = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
CLOSING = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)\s*>")


def reference_html_fragments(text):
    """Fragments as found before one regex told opening and closing tags apart: each tag matched
    again by a regex of its own."""
    tags = list(re.finditer(r"</?[a-zA-Z][^<>]*>", text))
    closings = {}
    for i, tag in enumerate(tags):
        if closing := CLOSING.fullmatch(tag.group()):
            closings.setdefault(closing[1], []).append(i)
    i = 0
    while i < len(tags):
        opening = OPENING.fullmatch(tags[i].group())
        later = closings.get(opening[1], []) if opening else []
        k = bisect.bisect_right(later, i)
        end = later[k] if k < len(later) else i
        yield tags[i].start(), tags[end].end()
        i = end + 1


TAG_PIECES = PIECES + [
    "<a-b>", "</a-b>", "<a_b>", "</a_b>", "<a:b x>", "</a x>", "</a >", "</a\n>", "<a\n>", "<A>", "</A>", "<a1>",
    "</a1>", "<1a>", "< a>", "</ a>", "<é>", "<aé>", "</aé>", "<a/>", "<a/b>", "<br >", "</br >", "<<a>>", "<a<b>",
]


@FUZZ
@given(text=st.lists(st.sampled_from(TAG_PIECES), max_size=40).map("".join))
def test_html_fragments_match_the_reference(text):
    assert list(html_fragments(text)) == list(reference_html_fragments(text))
