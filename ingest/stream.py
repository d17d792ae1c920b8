"""Long seed lists parsed one top-level entry at a time, so memory follows an entry, not the file.

PyYAML composes a whole file's node tree before it constructs anything: for a documents.yml of
100,000 entries that is over a gigabyte. A list whose entries each start with '- ' in column 0
is cut at those lines, every piece parsed with the seeds loader, and line numbers moved back to
the file's. Anything else, or any piece that does not parse as one entry, is parsed whole by
seeds.load_list, which also words the errors.
"""
import re
from pathlib import Path

from . import seeds
from .seeds import Record, parse_yaml

MIN_BYTES = 1 << 20  # smaller files are parsed whole: there is nothing to save
_ENTRY = re.compile(r"^-(?:[ \t]|$)", re.M)
_OTHER = re.compile(r"^[^-\s#]|^-[^ \t\n]", re.M)  # column-0 text that is not an entry, a comment or blank


def load_list(path):
    """The same records as seeds.load_list(path), parsed entry by entry when PyYAML has to parse a long file."""
    path = Path(path)
    if not path.exists():
        return []
    records = seeds.fast_list(path, lambda: entry_by_entry(path))
    return entry_by_entry(path) if records is None else records


def entry_by_entry(path):
    """seeds.slow_list(path), entry by entry when the file is long."""
    try:
        if path.stat().st_size < MIN_BYTES:
            return _whole(path)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return _whole(path)
    if text.startswith("\ufeff") or _OTHER.search(text):
        return _whole(path)
    starts = [m.start() for m in _ENTRY.finditer(text)]
    records, line = [], text.count("\n", 0, starts[0]) if starts else 0
    for start, end in zip(starts, starts[1:] + [len(text)]):
        piece = text[start:end]
        try:
            data = parse_yaml(piece)
        except Exception:  # the whole-file parse reports it, with its line
            return _whole(path)
        if not (isinstance(data, list) and len(data) == 1 and isinstance(data[0], Record)):
            return _whole(path)
        records.append(_shift(data[0], line))
        line += piece.count("\n")
    return records


def _whole(path):
    return seeds.slow_list(path)


def _shift(value, lines):
    """Move every Record's line numbers down by lines, nested ones included."""
    if isinstance(value, Record):
        value.line += lines
        value.key_lines = {k: n + lines for k, n in value.key_lines.items()}
        value.duplicate_keys = [(k, n + lines) for k, n in value.duplicate_keys]
        for v in value.values():
            _shift(v, lines)
    elif isinstance(value, list):
        for v in value:
            _shift(v, lines)
    return value
