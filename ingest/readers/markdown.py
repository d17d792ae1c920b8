"""Markdown with optional YAML front matter and ATX (#) headings."""
import re

from ..hookspecs import hookimpl
from .base import ReadDocument, normalise_newlines, render_text, split_front_matter

_ATX = re.compile(r"^#{1,6}[ \t]+\S", re.M)


class MarkdownReader:
    name = "markdown"

    def detect(self, raw):
        # The fallback for any prose; a clear markdown signal scores higher.
        # ("#" in raw first: a fast scan, where a search for ^# tries every line start.)
        return 10 if raw.startswith(("---", "+++")) or ("#" in raw and _ATX.search(raw)) else 1

    def read(self, raw):
        metadata, body = split_front_matter(normalise_newlines(raw))
        text, sections = render_text(body)
        return ReadDocument(self.name, body.strip("\n") + "\n", text, sections, metadata)


@hookimpl
def register_readers(register):
    register(MarkdownReader())
