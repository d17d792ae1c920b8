"""Read one source document: bytes, hash, UTF-8 text, and the reader that fits its content."""
import hashlib
from dataclasses import dataclass

from .plugins import get_readers
from .readers.base import ReadDocument, ReaderError

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
    if b"\x00" in data[:8192]:
        raise DocumentError(path, 1, "binary file (contains NUL bytes): sources must be UTF-8 text")
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DocumentError(path, line, f"not UTF-8 text (byte {e.start}): re-save the file as UTF-8") from None
    raw = raw.removeprefix("\ufeff")
    if not raw.strip():
        raise DocumentError(path, 1, "empty document: add its text or remove it from documents.yml")
    reader = choose_reader(raw)
    if reader is None:
        raise DocumentError(path, 1, "no reader recognises this format: install a reader plugin for it")
    try:
        document = reader.read(raw)
    except ReaderError as e:
        raise DocumentError(path, e.line or 1, f"{reader.name} reader: {e}") from None
    if not document.text.strip():
        raise DocumentError(path, 1, "document has no text once markup is removed")
    return Source(hashlib.sha256(data).hexdigest(), len(data), raw, document)
