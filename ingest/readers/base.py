"""What every reader returns, and the markdown -> plain text step they share."""
import re
import tomllib
from dataclasses import dataclass, field

import frontmatter

from ..seeds import YAMLProblem, parse_yaml


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


def normalise_newlines(raw):
    """\r\n and lone \r as \n: readers, render_text and the proposer split lines on \n only, so a
    CRLF file would otherwise keep a \r on every line and have no blank lines between paragraphs.
    Line numbers do not change (an editor counts \r\n and a lone \r as one line break each)."""
    if "\r" not in raw:  # nearly every file: no copy made
        return raw
    return raw.replace("\r\n", "\n").replace("\r", "\n")


_FRONT_MATTER = frontmatter.YAMLHandler()
_TOML_CLOSE = re.compile(r"^\+\+\+[ \t]*$", re.M)
_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def split_toml_front_matter(raw):
    """Hugo's TOML front matter between +++ lines: (metadata, body). Dates stay tomllib's datetime /
    date objects (YAML's are ISO strings); a later step turns either into an ISO date."""
    first, _, rest = raw.partition("\n")
    if first.rstrip(" \t") != "+++":
        return {}, raw
    close = _TOML_CLOSE.search(rest)
    if close is None:
        raise ReaderError("front matter opened with +++ on line 1 is never closed: add a +++ line after it", 1)
    try:
        metadata = tomllib.loads(rest[:close.start()])
    except tomllib.TOMLDecodeError as e:
        # tomllib says "(at line N, column M)" counting from the line after the opening +++
        where = _TOML_WHERE.search(str(e))
        problem = _TOML_WHERE.sub("", str(e)) + (f" (column {where.group(2)})" if where else "")
        raise ReaderError(f"front matter is not valid TOML: {problem}", int(where.group(1)) + 1 if where else 2) from None
    return metadata, rest[close.end():].strip()


def split_front_matter(raw):
    """Return (metadata, body): YAML between --- lines or TOML between +++ lines. Broken front
    matter is a ReaderError with the line it is on."""
    if raw.startswith("+++"):
        return split_toml_front_matter(raw)
    if not _FRONT_MATTER.detect(raw):
        return {}, raw
    try:
        fm, body = _FRONT_MATTER.split(raw)
    except ValueError:
        raise ReaderError("front matter opened with --- on line 1 is never closed: add a --- line after it", 1) from None
    try:  # the seeds' parser: no aliases, no absurd nesting
        metadata = parse_yaml(fm)
    except YAMLProblem as e:
        # fm starts with the newline that ends the opening ---, so its line 1 is the file's line 1
        raise ReaderError(f"front matter is not valid YAML: {e.problem}", e.line) from None
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
# Each emphasis starts with its literal * or _ (for _EMPH the "not after a word character"
# test is a lookbehind placed after it), so a search jumps from one * or _ to the next rather
# than trying every position. In _LINK, (?:!\[|\[) rather than !?\[ does the same.
# Every text between delimiters parses only one way and can only close at a delimiter, so
# taking runs of plain characters possessively (++, *+) changes no match; it saves the engine
# a step (and for lazy +?, a try at closing) per character.
_LINK = re.compile(r"(?:!\[|\[)((?:[^\[\]\\]++|\\.|\[[^\[\]]*\])*+)\]\((?:[^()\s]++|\([^()]*\))*+(?:\s+\"[^\"]*\")?\)")
_STRONG = re.compile(r"\*\*(?=\S)((?:[^*]++|\*(?!\*))+?)(?<=\S)\*\*|__(?=\S)((?:[^_]++|_(?!_))+?)(?<=\S)__")
_EMPH = re.compile(
    r"\*(?<![\w*]\*)(?=[^\s*])((?:[^*]++|\*(?=\s)|(?<=\w)\*(?=\w))+?)(?<=[^\s*])\*(?![\w*])"
    r"|_(?<![\w_]_)(?=[^\s_])((?:[^_]++|_(?=\s)|(?<=\w)_(?=\w))+?)(?<=[^\s_])_(?![\w_])"
)
_CODE = re.compile(r"`+([^`]*)`+")
_TAG = re.compile(r"<[^<>\n]*>")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


_PROTECT = 0xE000  # escaped characters hide in the private-use area while markup is removed


_PROTECTED = re.compile("[\ue000-\ue07f]")
_QUOTE_START = frozenset(" \t>")  # a line starting otherwise has no quote marker
_LIST_START = frozenset(" \t*+-0123456789")  # nor, starting otherwise, a list marker


def _group_1(match):
    # A function rather than r"\1": re.sub runs Python code to compile a template on every call.
    return match.group(1)


def inline_text(line):
    """Markdown inline markup -> the text a reader sees."""
    # Each pattern needs its character, so a line without it skips the pass (most lines). A pass
    # runs only if its character was in the line or an earlier pass ran: so "no pass ran" means
    # the line holds none of \ ` [ < * _, and is returned as it is.
    markup = False
    if "\\" in line:
        line, markup = _ESCAPE.sub(lambda m: chr(_PROTECT + ord(m.group(1))), line), True
    if "`" in line:
        line, markup = _CODE.sub(_group_1, line), True
    if "[" in line:
        line, markup = _LINK.sub(_group_1, line), True
    if "<" in line:
        line, markup = _TAG.sub("", line), True
    if "*" in line or "_" in line:
        line, markup = _STRONG.sub(lambda m: m.group(1) or m.group(2), line), True
        if "*" in line or "_" in line:  # often **strong** was the only markup
            line = _EMPH.sub(lambda m: m.group(1) or m.group(2), line)
    if not markup:
        return line
    return _PROTECTED.sub(lambda m: chr(ord(m.group()) - _PROTECT), line)


def render_text(markdown):
    """Plain text of a markdown body, line for line, and the sections its ATX headings open."""
    out, sections, offset = [], [], 0
    for line in markdown.split("\n"):
        if not line:  # blank lines: a third of most documents
            out.append(line)
            offset += 1
            continue
        heading = line[0] == "#" and _HEADING.match(line)
        if heading:
            text = inline_text(heading.group(2)).strip()
            if text:  # a heading with no words opens no section
                sections.append(Section(text, len(heading.group(1)), offset, offset + len(text)))
        else:
            if line[0] in _QUOTE_START:
                line = _BLOCKQUOTE.sub("", line)
            if line[:1] in _LIST_START:
                line = _LIST_MARKER.sub("", line)
            text = inline_text(line).rstrip()
        out.append(text)
        offset += len(text) + 1
    joined = "\n".join(out)
    text = joined.strip("\n")
    shift = len(joined) - len(joined.lstrip("\n"))
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
