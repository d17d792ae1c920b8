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
_SCRIPT_URL = re.compile(r"[\]=][(\s\"'<]*(?P<url>javascript:|vbscript:|data:text/html)")  # ](javascript: or href="javascript:


def active_content(raw):
    """(line, description) of the first script element, event handler or script URL, or None."""
    text = raw.lower()
    found = []
    if tag := _ACTIVE_TAG.search(text):
        found.append((tag.start(), f"<{tag['element']}> element" if tag["element"] else f"{tag['handler']}= event handler"))
    # Only a text naming a scheme can hold such a link; looking for the names is a much faster scan.
    if ("script:" in text or "data:text/html" in text) and (url := _SCRIPT_URL.search(text)):
        found.append((url.start("url"), f"{url['url']} URL in a link"))
    if not found:
        return None
    at, what = min(found)
    return raw.count("\n", 0, at) + 1, what


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
                                    "javascript: links; save the source without them")


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
    if b"\x00" in data[:8192]:
        raise DocumentError(path, 1, "binary file (contains NUL bytes): sources must be UTF-8 text")
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
    if extracts:
        _refuse_active_content(path, document.markdown, raw)
    if not document.text.strip():
        raise DocumentError(path, 1, "document has no text once markup is removed")
    return Source(hashlib.sha256(data).hexdigest(), len(data), raw, document)
