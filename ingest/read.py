"""Read one source document: bytes, hash, UTF-8 text, and the reader that fits its content."""
import hashlib
import re
from dataclasses import dataclass

from .plugins import get_readers
from .readers.base import ReadDocument, ReaderError, normalise_newlines

MAX_BYTES = 64 * 1024 * 1024  # larger sources are refused rather than exhausting memory


@dataclass
class Source:
    sha256: str
    size: int
    raw: str
    document: ReadDocument


class DocumentError(ValueError):
    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = str(path), line, message


# Active content a browser would run, searched in the lowercased text. Each pattern starts
# with a literal or a small set of characters, and [^<>] keeps a match within one tag, so the
# scan stays linear (well under a second for 30 MB) whatever the file holds.
_ACTIVE_TAG = re.compile(r"<(?P<element>script|iframe|object|embed)\b|<[a-z][^<>]*?\s(?P<handler>on[a-z]+)\s*=")

# Script URLs, in the text as a browser or a markdown renderer decodes it: character references
# (&#106; &#x6A; &colon; &Tab;) and %-escapes decoded, and any whitespace or control character
# inside the scheme ignored (browsers drop tabs and newlines in a URL: jav<TAB>ascript: runs).
_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
_JUNK = r"[\x00-\x20]*"
# One pattern per opener (](, ]: of a reference link, = of an attribute, < of an autolink), each
# led by its literal: the engine finds a literal at memory speed, a set of characters 7x slower.
_SCRIPT_URLS = [re.compile(r"%s[(\s\"'<`]*(?P<url>%s)" % (opener, "|".join(_JUNK.join(map(re.escape, scheme)) for scheme in _SCHEMES)))
                for opener in (r"\]:?", "=", "<")]
# A character reference or a %-escape. Named references are case-sensitive (&colon; is ':', &Colon; is not).
_REFERENCE = re.compile(r"&(?:#0*(\d{1,7})|#[xX]0*([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));?|%([0-9a-fA-F]{2})")
_COMMON = (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&nbsp;", "\t"))  # by str.replace: fast
_NAMED = None


def _decode_reference(m):
    number, hexadecimal, name, escape = m.groups()
    if name is not None:
        global _NAMED
        if _NAMED is None:
            from html.entities import html5
            _NAMED = {key.rstrip(";"): value for key, value in html5.items()}
        value = _NAMED.get(name)
        if value is None:
            return m[0]
    else:
        code = int(number) if number else int(hexadecimal or escape, 16)
        value = chr(code) if code <= 0x10FFFF else "\ufffd"
    # Decoded whitespace or control characters stand as a tab: the scan ignores them inside a
    # scheme alike, and the text keeps its own newlines only, so a match's line is the file's.
    return "".join("\t" if c <= " " else c for c in value)


def _decoded(text):
    """text with its character references and %-escapes decoded, twice over (&amp;#106; is &#106;),
    line for line as the input."""
    for _ in range(2):
        twice = "&amp;" in text or "%25" in text or "&#3" in text or "&#x2" in text or "&#X2" in text  # may make & or %
        for reference, value in _COMMON:
            if reference in text:
                text = text.replace(reference, value)
        text = _REFERENCE.sub(_decode_reference, text)
        if not twice or ("&" not in text and "%" not in text):
            break
    return text


def active_content(raw):
    """(line, description) of the first script element, event handler or script URL, or None."""
    text = raw.lower()
    found = []
    if tag := _ACTIVE_TAG.search(text):
        found.append((text.count("\n", 0, tag.start()) + 1, tag.start(),
                      f"<{tag['element']}> element" if tag["element"] else f"{tag['handler']}= event handler"))
    decoded = _decoded(raw).lower() if "&" in raw or "%" in raw else text
    urls = [url for pattern in _SCRIPT_URLS if (url := pattern.search(decoded))]
    if urls:
        url = min(urls, key=lambda url: url.start("url"))
        scheme = re.sub(_JUNK, "", url["url"])
        # Decoding only shortens the text, so its offsets compare with the tag's, ties going to the URL.
        found.append((decoded.count("\n", 0, url.start("url")) + 1, url.start("url") - 1, f"{scheme} URL in a link"))
    if not found:
        return None
    line, _, what = min(found)
    return line, what


def _refuse_active_content(path, text, raw=None):
    """DocumentError at the first active content in text. When text is a reader's output rather than
    the file (raw given), the line reported is that of the same thing in the file, where it is fixed."""
    active = active_content(text)
    if not active:
        return
    line, what = active
    if raw is not None:
        line = _line_in_source(raw, text.split("\n")[line - 1], what)
    raise DocumentError(path, line, f"{what}: sources must not carry scripts, event handlers or "
                                    "javascript: links (nor encoded ones); save the source without them")


def _line_in_source(raw, kept_line, what):
    """Line of the file holding the active content a reader kept: the first line of the file with
    that scheme or tag that also holds some of the kept line's words; else the first with the scheme."""
    needle = what.split(" ")[0].strip("<>=").lower()  # "javascript:", "script", "onclick"
    words = [w for w in re.findall(r"\w{4,}", kept_line) if needle.rstrip(":") not in w.lower()][:3]
    first = None
    for number, line in enumerate(raw.split("\n"), 1):
        lowered = line.lower()
        if needle in lowered:
            if first is None:
                first = number
            if not words or any(w in line for w in words):
                return number
    return first or 1


_READERS = None


def choose_reader(raw):
    global _READERS
    if _READERS is None:
        _READERS = sorted(get_readers(), key=lambda r: r.name)
    score, reader = max(((r.detect(raw), r) for r in _READERS), key=lambda pair: pair[0])
    return reader if score > 0 else None


def read_source(path):
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError(path, 1, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}: split the document")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(path, 1, "file not found: check the file: path in documents.yml") from None
    except OSError as e:  # a directory, no permission, an I/O error
        raise DocumentError(path, 1, f"cannot read the file ({e.strerror}): file: must name a readable file") from None
    if (nul := data.find(b"\x00")) >= 0:  # anywhere in the file (memchr: a few ms for 64 MB)
        if nul < 8192:  # a binary file, as its start shows
            raise DocumentError(path, 1, "binary file (contains NUL bytes): sources must be UTF-8 text")
        raise DocumentError(path, data.count(b"\n", 0, nul) + 1,
                            f"a NUL byte (at byte {nul:,}): sources must be UTF-8 text without NUL bytes; remove it")
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DocumentError(path, line, f"not UTF-8 text (byte {e.start}): re-save the file as UTF-8") from None
    # One place for line endings: every reader sees \n only (the hash above is of the bytes as received).
    raw = normalise_newlines(raw.removeprefix("\ufeff"))
    if not raw.strip():
        raise DocumentError(path, 1, "empty document: add its text or remove it from documents.yml")
    reader = choose_reader(raw)
    # A reader that extracts a page's main content leaves its scripts behind: what must be free of
    # active content is what it keeps. Every other reader keeps all of the source, so the source is checked.
    extracts = reader is not None and getattr(reader, "extracts_main_content", False)
    if not extracts:
        _refuse_active_content(path, raw)
    if reader is None:
        raise DocumentError(path, 1, "no reader recognises this format: install a reader plugin for it")
    try:
        document = reader.read(raw)
    except ReaderError as e:
        raise DocumentError(path, e.line or 1, f"{reader.name} reader: {e}") from None
    if extracts or document.markdown not in raw:  # what is stored: a reader that rewrites markup may decode links
        _refuse_active_content(path, document.markdown, raw)
    if not document.text.strip():
        raise DocumentError(path, 1, "document has no text once markup is removed")
    return Source(hashlib.sha256(data).hexdigest(), len(data), raw, document)
