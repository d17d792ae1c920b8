"""What every reader returns, and the markdown -> plain text step they share."""
import re
from dataclasses import dataclass, field

import frontmatter
import yaml

from ..seeds import DECLINED, fast_yaml, parse_yaml, yaml_error_line, yaml_problem


class ReaderError(ValueError):
    """A document that cannot be read; ``line`` is 1-based within the file, when known."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


@dataclass
class Section:
    heading: str
    level: int
    start: int  # offset of the heading text in ReadDocument.text
    end: int  # end of the heading text
    body_end: int = 0  # end of the section: the next heading of the same or higher level


@dataclass
class ReadDocument:
    format: str
    markdown: str
    text: str
    sections: list = field(default_factory=list)
    front_matter: dict = field(default_factory=dict)


_FRONT_MATTER = frontmatter.YAMLHandler()


def split_front_matter(raw):
    """Return (metadata, body). Broken YAML is a ReaderError with the line it is on."""
    if not _FRONT_MATTER.detect(raw):
        return {}, raw
    try:
        fm, body = _FRONT_MATTER.split(raw)
    except ValueError:
        raise ReaderError("front matter opened with --- on line 1 is never closed: add a --- line after it", 1) from None
    try:  # the seeds' loader: no aliases, no absurd nesting, bad dates reported with their line
        metadata = fast_yaml(fm, lambda: parse_yaml(fm))
        if metadata is DECLINED:
            metadata = parse_yaml(fm)
    except yaml.YAMLError as e:
        # fm starts with the newline that ends the opening ---, so its line 0 is the file's line 1
        raise ReaderError(f"front matter is not valid YAML: {yaml_problem(e)}", yaml_error_line(e) + 1) from None
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise ReaderError("front matter must be key: value lines (a YAML mapping)", 2)
    return metadata, body.strip()


_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_LIST_MARKER = re.compile(r"^[ \t]*(?:[*+-]|\d+[.)])[ \t]+")
_BLOCKQUOTE = re.compile(r"^[ \t]*>[ \t]?")
# Each pattern stops at the next delimiter of its kind, rather than scanning on to the end of
# the line from every opener, so a long line full of stray [ * _ < reads in linear time.
_LINK = re.compile(r"!?\[((?:\\.|[^\[\]\\]|\[[^\[\]]*\])*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_STRONG = re.compile(r"\*\*(?=\S)((?:[^*]|\*(?!\*))+?)(?<=\S)\*\*|__(?=\S)((?:[^_]|_(?!_))+?)(?<=\S)__")
_EMPH = re.compile(
    r"(?<![\w*])\*(?=[^\s*])((?:[^*]|\*(?=\s)|(?<=\w)\*(?=\w))+?)(?<=[^\s*])\*(?![\w*])"
    r"|(?<![\w_])_(?=[^\s_])((?:[^_]|_(?=\s)|(?<=\w)_(?=\w))+?)(?<=[^\s_])_(?![\w_])"
)
_CODE = re.compile(r"`+([^`]*)`+")
_TAG = re.compile(r"<[^<>\n]*>")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


_PROTECT = 0xE000  # escaped characters hide in the private-use area while markup is removed


_MARKUP = re.compile(r"[\\`*_\[<]")  # a line without these has no inline markup to remove
_PROTECTED = re.compile("[\ue000-\ue07f]")
_BLOCK_START = frozenset(" \t>*+-0123456789")  # a line starting otherwise has no quote or list marker


def inline_text(line):
    """Markdown inline markup -> the text a reader sees."""
    if not _MARKUP.search(line):
        return line
    # Each pattern needs its character, so a line without it skips the pass (most lines).
    if "\\" in line:
        line = _ESCAPE.sub(lambda m: chr(_PROTECT + ord(m.group(1))), line)
    if "`" in line:
        line = _CODE.sub(r"\1", line)
    if "[" in line:
        line = _LINK.sub(r"\1", line)
    if "<" in line:
        line = _TAG.sub("", line)
    if "*" in line or "_" in line:
        line = _STRONG.sub(lambda m: m.group(1) or m.group(2), line)
        line = _EMPH.sub(lambda m: m.group(1) or m.group(2), line)
    return _PROTECTED.sub(lambda m: chr(ord(m.group()) - _PROTECT), line)


def render_text(markdown):
    """Plain text of a markdown body, line for line, and the sections its ATX headings open."""
    out, sections, offset = [], [], 0
    for line in markdown.split("\n"):
        heading = _HEADING.match(line)
        if heading:
            text = inline_text(heading.group(2)).strip()
            if text:  # a heading with no words opens no section
                sections.append(Section(text, len(heading.group(1)), offset, offset + len(text)))
        else:
            if line[:1] in _BLOCK_START:
                line = _LIST_MARKER.sub("", _BLOCKQUOTE.sub("", line))
            text = inline_text(line).rstrip()
        out.append(text)
        offset += len(text) + 1
    text = "\n".join(out).strip("\n")
    shift = len("\n".join(out)) - len("\n".join(out).lstrip("\n"))
    for s in sections:
        s.start -= shift
        s.end -= shift
    close_sections(sections, len(text))
    return text, sections


def close_sections(sections, text_length):
    """Each section runs to the next heading of the same or a higher level.

    One pass with a stack of open sections, so a document of many thousand headings stays linear.
    """
    open_sections = []
    for s in sections:
        while open_sections and open_sections[-1].level >= s.level:
            open_sections.pop().body_end = s.start
        open_sections.append(s)
    for s in open_sections:
        s.body_end = text_length
