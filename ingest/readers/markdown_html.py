"""Markdown notes with [[wikilinks]] and inline HTML (timestamp anchors, <br/>).

Wikilinks become their label; the HTML fragments go through markdownify (html_to_markdown.py).
"""
import re

from ..hookspecs import hookimpl
from .base import ReadDocument, ReaderError, normalise_newlines, render_text, split_front_matter

_WIKILINK = re.compile(r"\[\[([^\[\]|]*?)(?:\s*\|\s*([^\[\]]*?))?\s*\]\]")
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")  # it becomes part of a link: nothing else may


class MarkdownHtmlReader:
    name = "markdown_html"

    def detect(self, raw):
        return 40 if _WIKILINK.search(raw) or _TAG.search(raw) else 0

    def read(self, raw):
        metadata, body = split_front_matter(normalise_newlines(raw))
        video_id = metadata.get("videoId")
        if video_id is not None and not (isinstance(video_id, str) and _VIDEO_ID.fullmatch(video_id)):
            line = next((n for n, text in enumerate(raw.split("\n"), 1) if text.lstrip().startswith("videoId")), 1)
            raise ReaderError(f"videoId {video_id!r} is not a YouTube video id (11 letters, digits, - or _): "
                              "copy it from the video's address, after watch?v=", line)
        body = _WIKILINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), body)
        from .html_to_markdown import convert_html  # bs4 and markdownify load only when a note is read

        body = convert_html(body, video_id)
        text, sections = render_text(body.strip("\n") + "\n")
        return ReadDocument(self.name, body.strip("\n") + "\n", text, sections, metadata)


@hookimpl
def register_readers(register):
    register(MarkdownHtmlReader())
