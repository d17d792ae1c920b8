"""Parse the seed YAML files into records that can say the line they came from.

One parser, yaml_rs (YAML 1.2 core schema, in Rust; the format is in seeds/README.md). It keeps
no positions: a record finds its lines in the file's text (ingest/yaml_lines.py) only when a
problem has to name one, which in a valid ledger is never.
"""
import re
import reprlib
import sys
from pathlib import Path

import yaml_rs

from .yaml_lines import LineIndex

MAX_DEPTH = 255  # yaml_rs refuses deeper nesting itself (and a deeper Python walk could overflow the stack)
_NO_ALIASES = yaml_rs.AliasLimits(max_alias_expansions_per_anchor=0)  # *name would copy a value: a billion, nested
_WHERE = re.compile(r"at line (\d+), column \d+")
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s,\[\]{}]", re.M)
_TAB_INDENT = re.compile(r"^ *\t", re.M)


class SeedError(ValueError):
    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = str(path), line, message


class YAMLProblem(ValueError):
    """Text that is not valid seeds YAML: line is 1-based, problem says what and how to fix it."""

    def __init__(self, line, problem):
        super().__init__(f"line {line}: {problem}")
        self.line, self.problem = line, problem


class Record(dict):
    """A YAML mapping plus where it was: ``line`` and ``key_lines[key]`` (1-based)."""

    line = 0
    key_lines = {}
    duplicate_keys = ()

    def line_of(self, key):
        return self.key_lines.get(key, self.line)

    def where(self, path, key):
        """Where the value of key is, as a Location (kept until a problem needs saying)."""
        return Location(sys.intern(str(path)), self.line_of(key))


class Source:
    """A seed file's text, indexed by line the first time a record of it needs one."""

    def __init__(self, path, text=None):
        self.path, self._text, self._index, self._ids = path, text, None, None
        self.duplicates = False  # whether a mapping repeats a key (yaml_rs then kept the last value)

    def text(self):
        if self._text is None:
            try:
                self._text = Path(self.path).read_text(encoding="utf-8").removeprefix("\ufeff")
            except (OSError, UnicodeDecodeError):  # the file changed since: its lines are unknown
                self._text = ""
        return self._text

    def index(self):
        if self._index is None:
            self._index = LineIndex(self.text())
        return self._index

    def entry(self, record_id):
        """The address of the file's first entry with this id (() if none)."""
        if self._ids is None:
            try:
                data = yaml_rs.loads(self.text(), parse_datetime=False, alias_limits=_NO_ALIASES,
                                     duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins)
            except BaseException as e:  # noqa: BLE001 - a parse error or a panic: no entry found
                if isinstance(e, (KeyboardInterrupt, SystemExit)):
                    raise
                data = None
            self._ids = [str(r.get("id")) if isinstance(r, dict) else None for r in data] if isinstance(data, list) else []
        return next(((i,) for i, found in enumerate(self._ids) if found == record_id), ())


class Location:
    """path:line of a value; for a parsed record the line is looked up only when asked."""

    def __init__(self, path, line=None, address=(), key=None, source=None, entry=None):
        self.path, self._line, self._address, self._key, self._source = path, line, address, key, source
        self._entry = entry  # or found by id: the first entry of the file with this id

    @property
    def line(self):
        if self._line is None:
            source = self._source or Source(self.path)
            address = self._address if self._entry is None else source.entry(self._entry)
            index = source.index()
            self._line = index.key_lines(address).get(self._key) or index.line(address)
        return self._line

    def __reduce__(self):  # crosses from a worker process (one per claim): small, the text left behind
        return Location, (self.path, self._line, self._address, self._key, None, self._entry)

    def __str__(self):
        return f"{self.path}:{self.line}"


class LazyRecord(Record):
    """A parsed mapping: its lines come from its file's text, read only when asked."""

    __slots__ = ("_source", "_address")

    def __init__(self, source, address):
        self._source, self._address = source, address

    @property
    def line(self):
        return self._source.index().line(self._address)

    @property
    def key_lines(self):
        return self._source.index().key_lines(self._address)

    @property
    def duplicate_keys(self):
        return self._source.index().twice.get(self._address, ()) if self._source.duplicates else ()

    def where(self, path, key):
        return Location(sys.intern(str(path)), None, self._address, key, self._source)  # interned: pickled once


_NESTED = (dict, list)


def _records(value, source, address):
    """yaml_rs data with every mapping a LazyRecord of source at its address."""
    if type(value) is list:
        return [_records(item, source, (*address, i)) if type(item) in _NESTED else item for i, item in enumerate(value)]
    record = LazyRecord(source, address)
    record.update(value)  # in C; then the few nested values replaced
    for key, item in value.items():
        if type(item) in _NESTED:
            record[key] = _records(item, source, (*address, key))
    return record


def parse_yaml(text, source=None):
    """YAML text as Python data, mappings as Records; raises YAMLProblem with a line."""
    text = text.removeprefix("\ufeff")
    if source is None:
        source = Source(None, text)
    try:
        try:
            data = yaml_rs.loads(text, parse_datetime=False, alias_limits=_NO_ALIASES)
        except yaml_rs.YAMLDecodeError as e:
            if not str(e).startswith("duplicate mapping key"):
                raise _problem(text, str(e)) from None
            # the validator reports each repeated key at its line: keep the last value, as YAML 1.1 did
            data = yaml_rs.loads(text, parse_datetime=False, alias_limits=_NO_ALIASES,
                                 duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins)
            source.duplicates = True
    except YAMLProblem:
        raise
    except BaseException as e:  # a panic in the extension: say so rather than crash
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        raise YAMLProblem(1, f"the YAML parser failed ({type(e).__name__}: {e})") from None
    return _records(data, source, ()) if type(data) in (dict, list) else data


def _problem(text, message):
    """yaml_rs's error as a YAMLProblem: its line, the problem (its last line) and a fix where one is known."""
    where = _WHERE.search(message)
    line = int(where.group(1)) if where else 1
    problem = message.strip().splitlines()[-1]
    if "alias" in message and "limit" in message:
        anchor = _ANCHOR.search(text)
        line = text.count("\n", 0, anchor.start() + 1) + 1 if anchor else 1
        problem = "aliases (*name) are not accepted: write the value out in full"
    elif problem == "recursion limit exceeded":
        problem = f"nested more than {MAX_DEPTH} levels deep: flatten the structure"
    elif "found a tab" in problem or "tabs" in problem:
        tab = _TAB_INDENT.search(text, sum(len(n) + 1 for n in text.split("\n")[: line - 1]))
        line = text.count("\n", 0, tab.start()) + 1 if tab else line
        problem = "a tab in the indentation: indent with spaces"
    elif problem == "invalid indentation in multiline quoted scalar" and (opened := _open_quote(text, line)):
        problem = f"the quote opened on line {opened} is never closed: end the value with the same quote"
    return YAMLProblem(line, problem)


_QUOTED_VALUE = re.compile(r"""[ \t]*(?:- +)*(?:[^\s#'"][^#]*?: +)?(?:"(?:[^"\\]|\\.)*("?)|'(?:[^']|'')*('?))""")


def _open_quote(text, line):
    """The line before this one, nearest it, whose value opens a quote that the line does not close."""
    lines = text.split("\n")
    for number in range(min(line, len(lines)) - 1, 0, -1):
        value = _QUOTED_VALUE.match(lines[number - 1])
        if value and not any(value.groups()):  # groups: the closing quote, if the line has one
            return number
    return None


def _read(path):
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        line = path.read_bytes()[: e.start].count(b"\n") + 1
        raise SeedError(path, line, f"not UTF-8 text (byte {e.start}): save the file as UTF-8") from None
    except OSError as e:
        raise SeedError(path, 1, f"cannot read the file ({e.strerror}): check it is a readable file") from None


def _load(path):
    """A seed file as Python data and its Source; YAML errors become a SeedError naming file and line."""
    text = _read(path).removeprefix("\ufeff")
    source = Source(str(path), text)
    try:
        return parse_yaml(text, source), source
    except YAMLProblem as e:
        raise SeedError(path, e.line, f"invalid YAML: {e.problem}") from None


def load_yaml(path):
    """A seed file as Python data; YAML errors become a SeedError naming file and line."""
    return _load(Path(path))[0]


def load_list(path):
    """A seed file that holds a list of mappings (an empty or absent file is an empty list)."""
    path = Path(path)
    if not path.exists():
        return []
    data, source = _load(path)
    if data is None:
        return []
    if not isinstance(data, list):
        raise SeedError(path, getattr(data, "line", 1), "expected a list of entries, each starting with '- '")
    for i, item in enumerate(data):
        if not isinstance(item, Record):
            raise SeedError(path, source.index().line((i,)),
                            f"expected each entry to be a mapping of key: value, found {reprlib.repr(item)}")
    return data
