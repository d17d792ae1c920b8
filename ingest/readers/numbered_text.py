"""Plain text with numbered items ("1. Heading") each followed by an author byline."""
import re
from itertools import islice

from ..hookspecs import hookimpl
from .base import ReadDocument, normalise_newlines, render_text

_ITEM = re.compile(r"^(\d+)\.[ \t]+(\S.*)$")
# A byline is a short line of two to four capitalised words, with a role on the next line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")
_NAME = re.compile(r"^[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’.-]*){1,3}$")


def _escape(line):
    """Plain text is not markdown: escape what markdown would read as markup."""
    # A function rather than r"\\\1": re.sub runs Python code to compile a template on every call.
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(1), line)


class NumberedTextReader:
    name = "numbered_text"

    def detect(self, raw):
        if raw.startswith(("---", "+++")):
            return 0
        items = (m.group(1) for m in map(_ITEM.match, raw.splitlines()) if m)
        # Numbered 1, 2, 3... as top-level lines: the structure this format is made of. Only the
        # first two items count, so the lines after them need no match.
        return 20 if list(islice(items, 2)) == ["1", "2"] else 0

    def read(self, raw):
        lines = normalise_newlines(raw).splitlines()
        is_byline = [self._is_byline(lines, i) for i in range(len(lines))]  # each line tested once
        blocks, bylines = [], []
        for i, line in enumerate(lines):
            item = _ITEM.match(line)
            if item:
                blocks.append(f"## {item.group(1)}. {_escape(item.group(2))}")
            elif is_byline[i]:
                blocks.append(f"**{_escape(line.strip())}**  \n*{_escape(lines[i + 1].strip())}*")
                bylines.append(line.strip())
            elif i > 0 and is_byline[i - 1]:
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
        # The cheap length tests first: most lines fail them and need no pattern matched.
        return (
            0 < i < len(lines) - 1
            and len(lines[i - 1]) > 80  # follows a paragraph of the prediction's body
            and len(lines[i + 1]) > len(lines[i])
            and bool(_NAME.match(lines[i].strip()))
            and not _ITEM.match(lines[i + 1])
        )


@hookimpl
def register_readers(register):
    register(NumberedTextReader())
