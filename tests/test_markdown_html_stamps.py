"""A timestamp anchor of the common shape gets its markdown from the shape converted once, with its
own time filled in: it must be exactly what markdownify gives the anchor itself."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.readers import html_to_markdown
from ingest.readers.html_to_markdown import _STAMP, _Converter, convert_html, fragments_markdown, html_fragments


def reference(fragment, video_id):
    return _Converter(video_id=str(video_id) if video_id else None).convert(fragment).strip(" \t")


def reference_convert_html(text, video_id):
    out, at = [], 0
    for start, end in html_fragments(text):
        out += [text[at:start], reference(text[start:end], video_id)]
        at = end
    return "".join(out) + text[at:]


# Times _HMS takes (one to three digit hours, one digit minutes) and some it does not.
times = st.one_of(
    st.from_regex(r"(?:[0-9]{1,3}:)?[0-9]{1,2}:[0-9]{2}", fullmatch=True),
    st.sampled_from(["", "1:2:3", "01:02:03 ", "00:60:99", "٣:٠٠", "1:00:00:00", "x", "&#48;1:00"]),
)
exact = times.map(lambda t: f'<a class="yt-timestamp" data-t="{t}">[{t}]</a>')


@st.composite
def varied(draw):
    """An anchor like the common shape, changed in one or more places."""
    data_t = draw(times)
    text = draw(st.one_of(st.just(data_t), times, st.sampled_from(["&#48;1:00", "&amp;", "*x*", "[", ""])))
    cls = draw(st.sampled_from(["yt-timestamp", "x yt-timestamp", "yt-timestamp x", "x", "YT-timestamp"]))
    q = draw(st.sampled_from(['"', "'"]))
    attrs = [f"class={q}{cls}{q}", f"data-t={q}{data_t}{q}"]
    attrs.insert(draw(st.integers(0, 2)), draw(st.sampled_from(["", 'href="x"', "data-x=1", "class=z"])))
    if draw(st.booleans()):
        attrs.reverse()
    brackets = draw(st.sampled_from(["[{}]", "{}", "[{} ]", " [{}]"]))
    return f"<a {' '.join(a for a in attrs if a)}>{brackets.format(text)}</a>"


video_ids = st.one_of(st.sampled_from([None, "", "abc", "v161050564", "a b", "x\ny", "\ue001", "\ue002\ue003", "&t=", "[x](y)"]),
                      st.text(max_size=6))
FUZZ = settings(max_examples=500, deadline=None, database=None)


@pytest.fixture(autouse=True)
def cold_cache():
    html_to_markdown._CACHE.clear()


@FUZZ
@given(fragments=st.lists(st.one_of(exact, varied()), min_size=1, max_size=6), video_id=video_ids)
def test_stamp_markdown_matches_markdownify(fragments, video_id):
    markdown = fragments_markdown(dict.fromkeys(fragments), video_id)
    assert [markdown[f] for f in fragments] == [reference(f, video_id) for f in fragments]


@FUZZ
@given(stamps=st.lists(st.one_of(exact, varied()), min_size=1, max_size=6), video_ids=st.lists(video_ids, min_size=1, max_size=3))
def test_notes_with_stamps_match_the_reference(stamps, video_ids):
    text = "From: a <br/>\n\n" + ", ".join(stamps) + "\n* <b>x</b> " + stamps[0]
    for video_id in video_ids:
        assert convert_html(text, video_id) == reference_convert_html(text, video_id)


@pytest.mark.parametrize("time", ["01:31:56", "1:31:56", "100:00:01", "9:59", "00:00"])
def test_the_common_shape_takes_no_parse_of_its_own(time, monkeypatch):
    fragment = f'<a class="yt-timestamp" data-t="{time}">[{time}]</a>'
    assert _STAMP.fullmatch(fragment)
    expected = {video_id: reference(fragment, video_id) for video_id in [None, "abc"]}
    fragments_markdown([fragment], "warm")  # the shape, converted once
    monkeypatch.setattr(_Converter, "convert_soup", lambda self, soup: pytest.fail(f"converted: {soup}"))
    for video_id in [None, "abc"]:
        assert fragments_markdown([fragment], video_id) == {fragment: expected[video_id]}
