"""The readers' fast paths against the plain code they replaced, kept here as the reference.

Each shortcut (literal-led and possessive patterns, skipped passes, cheaper detect tests) must give
exactly what the reference gives, on generated markup full of escapes, nesting and stray marks.
"""
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import read
from ingest.readers import base
from ingest.readers.emoji_outline import EmojiOutlineReader
from ingest.readers.markdown import MarkdownReader
from ingest.readers.numbered_text import NumberedTextReader

SETTINGS = settings(max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# --- the reference: the code as it was before the fast paths ---

_LINK = re.compile(r"!?\[((?:\\.|[^\[\]\\]|\[[^\[\]]*\])*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_STRONG = re.compile(r"\*\*(?=\S)((?:[^*]|\*(?!\*))+?)(?<=\S)\*\*|__(?=\S)((?:[^_]|_(?!_))+?)(?<=\S)__")
_EMPH = re.compile(
    r"(?<![\w*])\*(?=[^\s*])((?:[^*]|\*(?=\s)|(?<=\w)\*(?=\w))+?)(?<=[^\s*])\*(?![\w*])"
    r"|(?<![\w_])_(?=[^\s_])((?:[^_]|_(?=\s)|(?<=\w)_(?=\w))+?)(?<=[^\s_])_(?![\w_])"
)
_MARKUP = re.compile(r"[\\`*_\[<]")
_BLOCK_START = frozenset(" \t>*+-0123456789")


def reference_inline_text(line):
    if not _MARKUP.search(line):
        return line
    if "\\" in line:
        line = base._ESCAPE.sub(lambda m: chr(base._PROTECT + ord(m.group(1))), line)
    if "`" in line:
        line = base._CODE.sub(r"\1", line)
    if "[" in line:
        line = _LINK.sub(r"\1", line)
    if "<" in line:
        line = base._TAG.sub("", line)
    if "*" in line or "_" in line:
        line = _STRONG.sub(lambda m: m.group(1) or m.group(2), line)
        line = _EMPH.sub(lambda m: m.group(1) or m.group(2), line)
    return base._PROTECTED.sub(lambda m: chr(ord(m.group()) - base._PROTECT), line)


def reference_render_text(markdown):
    out, sections, offset = [], [], 0
    for line in markdown.split("\n"):
        heading = base._HEADING.match(line)
        if heading:
            text = reference_inline_text(heading.group(2)).strip()
            if text:
                sections.append(base.Section(text, len(heading.group(1)), offset, offset + len(text)))
        else:
            if line[:1] in _BLOCK_START:
                line = base._LIST_MARKER.sub("", base._BLOCKQUOTE.sub("", line))
            text = reference_inline_text(line).rstrip()
        out.append(text)
        offset += len(text) + 1
    text = "\n".join(out).strip("\n")
    shift = len("\n".join(out)) - len("\n".join(out).lstrip("\n"))
    for s in sections:
        s.start -= shift
        s.end -= shift
    base.close_sections(sections, len(text))
    return text, sections


_ACTIVE_TAG = re.compile(r"<(?P<element>script|iframe|object|embed)\b|<[a-z][^<>]*?\s(?P<handler>on[a-z]+)\s*=")
_SCRIPT_URL = re.compile(r"[\]=][(\s\"'<]*(?P<url>javascript:|vbscript:|data:text/html)")


def reference_active_content(raw):
    text = raw.lower()
    found = []
    if tag := _ACTIVE_TAG.search(text):
        found.append((tag.start(), f"<{tag['element']}> element" if tag["element"] else f"{tag['handler']}= event handler"))
    if url := _SCRIPT_URL.search(text):
        found.append((url.start("url"), f"{url['url']} URL in a link"))
    if not found:
        return None
    at, what = min(found)
    return raw.count("\n", 0, at) + 1, what


_ATX = re.compile(r"^#{1,6}[ \t]+\S", re.M)
_ITEM = re.compile(r"^(\d+)\.[ \t]+(\S.*)$")
_NAME = re.compile(r"^[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’.-]*){1,3}$")


def reference_markdown_detect(raw):
    return 10 if raw.startswith("---") or _ATX.search(raw) else 1


def reference_emoji_detect(raw):
    lines = raw.splitlines()
    led = sum(bool(line) and unicodedata.category(line[0]) == "So" for line in lines)
    return 30 if led >= 3 and not any(line.startswith("#") for line in lines) else 0


def reference_numbered_detect(raw):
    if raw.startswith("---"):
        return 0
    items = [m.group(1) for m in map(_ITEM.match, raw.splitlines()) if m]
    return 20 if len(items) >= 2 and items[:2] == ["1", "2"] else 0


def _escape(line):
    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", line)


def _is_byline(lines, i):
    return (
        bool(_NAME.match(lines[i].strip()))
        and i + 1 < len(lines)
        and len(lines[i + 1]) > len(lines[i])
        and not _ITEM.match(lines[i + 1])
        and i > 0
        and len(lines[i - 1]) > 80
    )


def reference_numbered_blocks(raw):
    """The markdown and bylines the numbered_text reader made."""
    lines = raw.splitlines()
    blocks, bylines = [], []
    for i, line in enumerate(lines):
        item = _ITEM.match(line)
        if item:
            blocks.append(f"## {item.group(1)}. {_escape(item.group(2))}")
        elif _is_byline(lines, i):
            blocks.append(f"**{_escape(line.strip())}**  \n*{_escape(lines[i + 1].strip())}*")
            bylines.append(line.strip())
        elif i > 0 and _is_byline(lines, i - 1):
            continue
        elif line.strip():
            blocks.append(_escape(line))
    return "\n\n".join(blocks) + "\n", bylines


# --- generated input ---

TOKENS = [
    "a", "b", "Z", "word", "snake_case", "x*y", " ", "  ", "\t", "\\", "\\*", "\\_", "\\[", "\\\\", "\\`", "\\<",
    "*", "**", "***", "_", "__", "___", "*a*", "**b**", "_c_", "__d__", "*a **b** c*", "**a *b* c**", "* ", " *",
    "[", "]", "(", ")", "![", "](", "[x](y)", "[a [b] c](u)", "[t](u \"title\")", "[t](u (v))", "[t](u v)",
    "![i](p)", "[[w]]", "`", "``", "`code`", "<", ">", "<b>", "</b>", "<a href='x'>", "<br/>", "<x\ny>",
    "#", "# ", "## ", "###### ", "####### ", " ##", " #", "1. ", "2) ", "10. ", "- ", "+ ", "> ", ">> ", "   > - ",
    "\"", "'", "=", "!", ":", "script:", "javascript:", "JavaScript:", "vbscript:", "data:text/html", "](javascript:",
    "href=\"javascript:", "<script>", "<IFRAME", "<p onclick=", "\ue02a", "\ue05c", "é", "İ", "🥇", "🛠", "\u00a0",
    "\r", "\x0b", "\x0c", "\x85", "\u2028", "\n", "\n", "\n\n", "\r\n",
]
markup = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)
one_line = markup.map(lambda t: t.replace("\n", " "))
texts = st.one_of(markup, st.text(max_size=200), st.text(alphabet="*_[]()\\`<>#!- \n\tab", max_size=80))


@SETTINGS
@given(one_line)
def test_inline_text_matches_the_reference(line):
    assert base.inline_text(line) == reference_inline_text(line)


@SETTINGS
@given(st.lists(st.one_of(one_line, st.text(max_size=40).map(lambda t: t.replace("\n", " "))), max_size=12).map("\n".join))
def test_render_text_matches_the_reference(markdown):
    text, sections = base.render_text(markdown)
    ref_text, ref_sections = reference_render_text(markdown)
    assert text == ref_text
    assert sections == ref_sections


@SETTINGS
@given(texts)
def test_active_content_refuses_whatever_the_reference_refuses(raw):
    """The check now also reads decoded text and autolinks (issue 16), so it may refuse more, or
    find a problem earlier; never less, never later."""
    reference = reference_active_content(raw)
    if reference is not None:
        found = read.active_content(raw)
        assert found is not None and found[0] <= reference[0]


@SETTINGS
@given(texts)
def test_detect_matches_the_reference(raw):
    assert MarkdownReader().detect(raw) == reference_markdown_detect(raw)
    assert EmojiOutlineReader().detect(raw) == reference_emoji_detect(raw)
    assert NumberedTextReader().detect(raw) == reference_numbered_detect(raw)


NUMBERED_LINES = [
    "1. First item", "2. Second *item*", "3.\tThird [x]", "12. Twelve", "Jane Doe", "Ugo Fischer", "  Ana María Ruiz  ",
    "Jean-Luc O'Neil Jr.", "Bob", "A B C D E", "Research lead at publisher-0127 and more words than the name",
    "x" * 81, "long paragraph " * 7, "short", "", " ", "# not a heading", "*stars* and _under_ and \\ back",
    "role <b>line</b> with `code` and [link](u)",
]


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(NUMBERED_LINES), one_line), max_size=25).map("\n".join))
def test_numbered_text_reads_as_the_reference(raw):
    markdown, bylines = reference_numbered_blocks(raw)
    document = NumberedTextReader().read(raw)
    assert (document.markdown, document.front_matter["bylines"]) == (markdown, bylines)
