"""The HTML fragments of a markdown note turned into markdown by markdownify (timestamp anchors stay links).

Only the fragments go through markdownify, so the markdown around them keeps its own * and _
unescaped. A document's fragments go through markdownify together, and a timestamp anchor or
<br/> met in an earlier document is not converted again: both give what converting each
fragment alone gives. A module of its own so bs4 is imported only when a note is read.
"""
import bisect
import functools
import re
from urllib.parse import quote

from bs4 import BeautifulSoup, NavigableString
from bs4.builder import HTMLTreeBuilder
from bs4.exceptions import ParserRejectedMarkup
from markdownify import MarkdownConverter

from .html_cells import CellsMixin

# A tag: group 1 the name of a closing tag, group 2 of an opening one, neither for another tag.
_TAG = re.compile(r"<(?:/([a-zA-Z][a-zA-Z0-9]*)\s*>|([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>|/?[a-zA-Z][^<>]*>)")
_HMS = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})\Z")


class _Converter(CellsMixin, MarkdownConverter):
    def __init__(self, video_id=None, **options):
        super().__init__(heading_style="ATX", escape_asterisks=False, escape_underscores=False, **options)
        self.video_id = video_id

    def convert_a(self, el, text, *args, **kwargs):
        seconds = self.seconds(el)
        if seconds is not None:
            href = (  # the id %-quoted: a value from the front matter must not reshape the link
                f"https://www.youtube.com/watch?v={_quoted(self.video_id)}&t={seconds}s"
                if self.video_id
                else f"#t={seconds}"
            )
            return f"[{text}]({href})"
        return super().convert_a(el, text, *args, **kwargs)

    def seconds(self, el):
        """The time a timestamp anchor points at, in seconds; None for any other link."""
        return _seconds(el.get("data-t") or "") if "yt-timestamp" in (el.get("class") or []) else None


def _quoted(video_id):
    """video_id as it goes into a link: %-quoted, but for the stand-in that fragments_markdown replaces."""
    return video_id if video_id == _VIDEO else quote(str(video_id), safe="")


def _seconds(time):
    if stamp := _HMS.match(time):
        h, m, s = map(int, stamp.groups("0"))
        return h * 3600 + m * 60 + s
    return None


def html_fragments(text):
    """(start, end) of each HTML fragment: an element with its content up to the first closing
    tag of its name, or a lone (void, self-closing or unclosed) tag.

    Tags are found in one pass and paired by lookup, not by a regex that scans ahead from every
    opening tag, so a large file full of unclosed tags still reads in linear time.
    """
    tags = list(_TAG.finditer(text))
    closings = {}  # tag name -> indexes in tags of its closing tags, ascending
    for i, tag in enumerate(tags):
        if tag[1]:
            closings.setdefault(tag[1], []).append(i)
    i = 0
    while i < len(tags):
        later = closings.get(tags[i][2], [])
        k = bisect.bisect_right(later, i)
        end = later[k] if k < len(later) else i
        yield tags[i].start(), tags[end].end()
        i = end + 1


def convert_html(text, video_id=None):
    """Each HTML fragment of text replaced by its markdown."""
    spans = list(html_fragments(text))
    markdown = fragments_markdown(dict.fromkeys(text[start:end] for start, end in spans), video_id)
    out, at = [], 0
    for start, end in spans:
        out += [text[at:start], markdown[text[start:end]]]
        at = end
    return "".join(out) + text[at:]


# Private-use characters. Only a fragment that holds one, or holds a numeric character reference
# (which may name one; no named reference does), can put one into a parse.
_SEPARATOR = "\ue000"  # joins the fragments converted in one pass
_VIDEO = "\ue001"  # stands for the video id in markdown shared between documents


def _without(char, fragment):
    return char not in fragment and "&#" not in fragment


# A fragment with at most one start tag (a timestamp anchor, <br/>) holds at most one element, with
# only text in it: the video id is only in that anchor's own "[text](href)", which no enclosing
# element reshapes (indents, collapses, compares). Converted once with _VIDEO for the id, its
# markdown serves every document; linked: whether the document has a video id.
_SHARED = {linked: _Converter(video_id=_VIDEO if linked else None) for linked in (False, True)}
_CACHE = {}  # (fragment, linked) -> markdown
_CACHE_LIMIT = 20_000  # fragments of up to _CACHE_CHARS: a few MB; past it the cache starts afresh
_CACHE_CHARS = 500

# A timestamp anchor of exactly this shape differs from another only by its time: markdownify
# converts the shape once, with _TIME for the time and _SECONDS for its seconds, and each anchor
# fills in its own. Spares a parse for each of the thousands of distinct times.
_STAMP = re.compile(r'<a class="yt-timestamp" data-t="((?:[0-9]+:)?[0-9]{1,2}:[0-9]{2})">\[\1\]</a>')
_TIME, _SECONDS = "\ue002", "\ue003"


class _StampShape(_Converter):
    """Converts the shape: its anchor points at _SECONDS."""

    def seconds(self, el):
        return _SECONDS


@functools.cache
def _stamp_shape(linked):
    fragment = f'<a class="yt-timestamp" data-t="{_TIME}">[{_TIME}]</a>'
    return _StampShape(video_id=_VIDEO if linked else None).convert(fragment).strip(" \t")


def _stamp_markdown(time, linked):
    # before fragments_markdown puts the video id in: the id may hold _TIME or _SECONDS
    return _stamp_shape(linked).replace(_TIME, time).replace(_SECONDS, str(_seconds(time)))


def _one_element(fragment):
    return fragment.count("<") - fragment.count("</") <= 1


def fragments_markdown(fragments, video_id=None):
    """{fragment: _Converter(video_id).convert(fragment).strip(" \t")} for the distinct fragments."""
    linked = bool(video_id)
    markdown, own = {}, []
    for fragment in fragments:
        if stamp := _STAMP.fullmatch(fragment):
            markdown[fragment] = _stamp_markdown(stamp[1], linked)
        elif _one_element(fragment) and len(fragment) <= _CACHE_CHARS and _without(_VIDEO, fragment):
            markdown[fragment] = _CACHE.get((fragment, linked))
        else:
            own.append(fragment)
    new = [fragment for fragment, md in markdown.items() if md is None]
    markdown.update(convert_fragments(new, _SHARED[linked]))
    if len(_CACHE) + len(new) > _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE.update(((fragment, linked), markdown[fragment]) for fragment in new)
    if linked:
        markdown = {fragment: md.replace(_VIDEO, _quoted(str(video_id))) for fragment, md in markdown.items()}
    if own:
        markdown.update(convert_fragments(own, _Converter(video_id=str(video_id) if linked else None)))
    return markdown


_BATCH = 1000  # fragments per parse, so a huge document never holds one huge tree

# Lets one fragment change another's markdown even when every separator comes out of the parse
# alone: the end tag of a void element (</br>: html.parser's builder drops it when an earlier
# fragment held a <br>) and table rows (convert_tr looks at the rows and the table around a row).
_CROSS_TALK = re.compile(r"</\s*(?:%s)|<tr" % "|".join(sorted(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS)), re.I)


def convert_fragments(fragments, converter):
    """{fragment: converter.convert(fragment).strip(" \t")}, with one parse for many fragments.

    A BeautifulSoup parse and a markdownify pass cost more per call than per fragment, so the
    fragments are joined by _SEPARATOR and converted together, unless that might change a result.
    Still linear: a batch that fails its checks costs one more parse of the same fragments.
    """
    markdown = {}
    together = [fragment for fragment in dict.fromkeys(fragments) if _without(_SEPARATOR, fragment)]
    for at in range(0, len(together), _BATCH):
        batch = together[at:at + _BATCH]
        markdown.update(zip(batch, _converted_together(batch, converter) or []))  # None: one by one below
    for fragment in fragments:
        if fragment not in markdown:
            markdown[fragment] = converter.convert(fragment).strip(" \t")
    return markdown


def _converted_together(fragments, converter):
    """The markdown of each fragment from one conversion of them all, or None if it may differ.

    When every separator comes out of the parse as a top-level string of its own, no fragment ran
    into the next (an open tag, a comment, a quote takes the separator in), so each parsed as it
    does alone. markdownify collapses no newlines across a separator, and only a list's trailing
    newline depends on what follows it, which the strip of each piece removes.
    """
    joined = _SEPARATOR.join(fragments)
    if _CROSS_TALK.search(joined):
        return None
    try:
        soup = BeautifulSoup(joined, **converter.options["bs4_options"])
    except ParserRejectedMarkup:
        return None
    alone = sum(type(node) is NavigableString and node == _SEPARATOR for node in soup.contents)
    if alone != len(fragments) - 1:
        return None
    pieces = converter.convert_soup(soup).split(_SEPARATOR)
    if len(pieces) != len(fragments):  # a video id in a link held the separator
        return None
    return [piece.strip("\n").strip(" \t") for piece in pieces]  # as convert() strips a whole document
