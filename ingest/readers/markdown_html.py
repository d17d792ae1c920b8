"""Markdown notes with [[wikilinks]] and inline HTML (timestamp anchors, <br/>).

Only the HTML fragments go through markdownify, so the markdown around them keeps its
own * and _ unescaped; wikilinks become their label; timestamp anchors stay links.
"""
import bisect
import re

from markdownify import MarkdownConverter

from ..hookspecs import hookimpl
from .base import ReadDocument, render_text, split_front_matter

_WIKILINK = re.compile(r"\[\[([^\[\]|]*?)(?:\s*\|\s*([^\[\]]*?))?\s*\]\]")
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_OPENING = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
_CLOSING = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)\s*>")
_HMS = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


class _Converter(MarkdownConverter):
    def __init__(self, video_id=None, **options):
        super().__init__(heading_style="ATX", escape_asterisks=False, escape_underscores=False, **options)
        self.video_id = video_id

    def convert_a(self, el, text, *args, **kwargs):
        stamp = _HMS.match(el.get("data-t") or "")
        if "yt-timestamp" in (el.get("class") or []) and stamp:
            h, m, s = (int(g or 0) for g in stamp.groups())
            seconds = h * 3600 + m * 60 + s
            href = (
                f"https://www.youtube.com/watch?v={self.video_id}&t={seconds}s"
                if self.video_id
                else f"#t={seconds}"
            )
            return f"[{text}]({href})"
        return super().convert_a(el, text, *args, **kwargs)


def html_fragments(text):
    """(start, end) of each HTML fragment: an element with its content up to the first closing
    tag of its name, or a lone (void, self-closing or unclosed) tag.

    Tags are found in one pass and paired by lookup, not by a regex that scans ahead from every
    opening tag, so a large file full of unclosed tags still reads in linear time.
    """
    tags = list(_TAG.finditer(text))
    closings = {}  # tag name -> indexes in tags of its closing tags, ascending
    for i, tag in enumerate(tags):
        if closing := _CLOSING.fullmatch(tag.group()):
            closings.setdefault(closing[1], []).append(i)
    i = 0
    while i < len(tags):
        opening = _OPENING.fullmatch(tags[i].group())
        later = closings.get(opening[1], []) if opening else []
        k = bisect.bisect_right(later, i)
        end = later[k] if k < len(later) else i
        yield tags[i].start(), tags[end].end()
        i = end + 1


def convert_html(text, converter):
    """Each HTML fragment of text replaced by its markdown."""
    out, at, done = [], 0, {}  # a fragment met again (<br/>) is not converted again
    for start, end in html_fragments(text):
        fragment = text[start:end]
        if fragment not in done:
            done[fragment] = converter.convert(fragment).strip(" \t")
        out += [text[at:start], done[fragment]]
        at = end
    return "".join(out) + text[at:]


class MarkdownHtmlReader:
    name = "markdown_html"

    def detect(self, raw):
        return 40 if _WIKILINK.search(raw) or _TAG.search(raw) else 0

    def read(self, raw):
        metadata, body = split_front_matter(raw)
        video_id = metadata.get("videoId")
        converter = _Converter(video_id=str(video_id) if video_id else None)
        body = _WIKILINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), body)
        body = convert_html(body, converter)
        text, sections = render_text(body.strip("\n") + "\n")
        return ReadDocument(self.name, body.strip("\n") + "\n", text, sections, metadata)


@hookimpl
def register_readers(register):
    register(MarkdownHtmlReader())
