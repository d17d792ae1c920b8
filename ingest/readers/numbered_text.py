"""Plain text with numbered items ("1. Heading") each followed by an author byline."""
import re

from ..hookspecs import hookimpl
from .base import ReadDocument, render_text

_ITEM = re.compile(r"^(\d+)\.[ \t]+(\S.*)$")
# A byline is a short line of two to four capitalised words, with a role on the next line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")
_NAME = re.compile(r"^[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’.-]*){1,3}$")


def _escape(line):
    """Plain text is not markdown: escape what markdown would read as markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", line)


class NumberedTextReader:
    name = "numbered_text"

    def detect(self, raw):
        if raw.startswith("---"):
            return 0
        items = [m.group(1) for m in map(_ITEM.match, raw.splitlines()) if m]
        # Numbered 1, 2, 3... as top-level lines: the structure this format is made of.
        return 20 if len(items) >= 2 and items[:2] == ["1", "2"] else 0

    def read(self, raw):
        lines = raw.splitlines()
        blocks, bylines = [], []
        for i, line in enumerate(lines):
            item = _ITEM.match(line)
            if item:
                blocks.append(f"## {item.group(1)}. {_escape(item.group(2))}")
            elif self._is_byline(lines, i):
                blocks.append(f"**{_escape(line.strip())}**  \n*{_escape(lines[i + 1].strip())}*")
                bylines.append(line.strip())
            elif i > 0 and self._is_byline(lines, i - 1):
                continue  # the role line, already joined to its byline
            elif line.strip():
                blocks.append(_escape(line))
        markdown = "\n\n".join(blocks) + "\n"
        text, sections = render_text(markdown)
        for s in sections:  # "1. Heading": the section heading is the text after the number
            number, _, rest = s.heading.partition(". ")
            if number.isdigit():
                s.start += len(number) + 2
                s.heading = rest
        return ReadDocument(self.name, markdown, text, sections, {"bylines": bylines})

    @staticmethod
    def _is_byline(lines, i):
        return (
            bool(_NAME.match(lines[i].strip()))
            and i + 1 < len(lines)
            and len(lines[i + 1]) > len(lines[i])
            and not _ITEM.match(lines[i + 1])
            and i > 0
            and len(lines[i - 1]) > 80  # follows a paragraph of the prediction's body
        )


@hookimpl
def register_readers(register):
    register(NumberedTextReader())
