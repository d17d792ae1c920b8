"""Markdown notes with [[wikilinks]] and inline HTML (timestamp anchors, <br/>).

Only the HTML fragments go through markdownify, so the markdown around them keeps its
own * and _ unescaped; wikilinks become their label; timestamp anchors stay links.
"""
import re

from markdownify import MarkdownConverter

from ..hookspecs import hookimpl
from .base import ReadDocument, render_text, split_front_matter

_WIKILINK = re.compile(r"\[\[([^\[\]|]*?)(?:\s*\|\s*([^\[\]]*?))?\s*\]\]")
# An inline element with its content, or a lone (void or self-closing) tag.
_HTML = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>(?:[^<]|<(?!/\1>))*</\1\s*>|</?[a-zA-Z][^<>]*>")
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


class MarkdownHtmlReader:
    name = "markdown_html"

    def detect(self, raw):
        return 40 if _WIKILINK.search(raw) or _HTML.search(raw) else 0

    def read(self, raw):
        metadata, body = split_front_matter(raw)
        video_id = metadata.get("videoId")
        converter = _Converter(video_id=str(video_id) if video_id else None)
        body = _WIKILINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), body)
        body = _HTML.sub(lambda m: converter.convert(m.group(0)).strip(" \t") or "", body)
        text, sections = render_text(body.strip("\n") + "\n")
        return ReadDocument(self.name, body.strip("\n") + "\n", text, sections, metadata)


@hookimpl
def register_readers(register):
    register(MarkdownHtmlReader())
