"""Parse the seed YAML files into records that remember the line they came from."""
import datetime
import functools
import re
import reprlib
import sys
from pathlib import Path

import yaml
import yaml_rs

try:  # libyaml is about 5x faster than pure Python at scale
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class SeedError(ValueError):
    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = str(path), line, message


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


class Location:
    """path:line of a value; for a fast-parsed record the line is looked up only when asked."""

    def __init__(self, path, line=None, address=(), key=None, source=None, entry=None):
        self.path, self._line, self._address, self._key, self._source = path, line, address, key, source
        self._entry = entry  # or found by id: the first entry of the file with this id

    @property
    def line(self):
        if self._line is None:
            source = self._source or Source(lambda: slow_list(self.path))
            address = self._address
            if self._entry is not None:
                address = next(((i,) for i, r in enumerate(source.records()) if str(r.get("id")) == self._entry), ())
            self._line = source.record_at(address).line_of(self._key)
        return self._line

    def __reduce__(self):  # crosses from a worker process (one per claim): small, the parsed file left behind
        return Location, (self.path, self._line, self._address, self._key, None, self._entry)

    def __str__(self):
        return f"{self.path}:{self.line}"


class Source:
    """A seed file's full parse (with lines), made the first time a fast-parsed record needs a line;
    and how its text writes each timestamp (PyYAML reads a quoted one as a string)."""

    def __init__(self, slow, text=""):
        self._slow, self._records, self._text = slow, None, text
        # An escape or a block scalar (| or >) can hold a timestamp the counts below cannot see.
        self.unsure = "\\" in text or (("|" in text or ">" in text) and bool(_BLOCK_SCALAR.search(text)))
        self.quoted_dates = set(_DOUBLE_QUOTED_DATE.findall(text)) | set(_SINGLE_QUOTED_DATE.findall(text))
        self._plain_floats = None

    def plain_floats(self):
        """Whether every number the text may hold reads the same in YAML 1.1 and 1.2 (asked once)."""
        if self._plain_floats is None:
            self._plain_floats = _FLOAT_RISK.search(self._text) is None
        return self._plain_floats

    def written(self, value):
        """How the text writes a timestamp: {"quoted"}, {"plain"}, or both."""
        quotes = (f"'{value}'", f'"{value}"')
        if not (value in self.quoted_dates if _DATE.fullmatch(value) else any(q in self._text for q in quotes)):
            return {"plain"}
        return {"quoted", "plain"} if self._text.count(value) > sum(map(self._text.count, quotes)) else {"quoted"}

    def records(self):
        if self._records is None:
            self._records = self._slow()
        return self._records

    def record_at(self, address):
        node = self.records()
        try:
            for step in address:
                node = node[step]
        except (KeyError, IndexError, TypeError):  # the file changed since: the entry's line is unknown
            return Record()
        return node if isinstance(node, Record) else Record()


class LazyRecord(Record):
    """A mapping from the fast parser: line numbers come from the full parse, made only when a
    problem has to name a line (in a valid ledger, never)."""

    __slots__ = ("_source", "_address")

    def __init__(self, source, address):
        self._source, self._address = source, address

    @property
    def line(self):
        return self._source.record_at(self._address).line

    @property
    def key_lines(self):
        return self._source.record_at(self._address).key_lines

    def where(self, path, key):
        return Location(sys.intern(str(path)), None, self._address, key, self._source)  # interned: pickled once


MAX_DEPTH = 32  # seeds nest seven levels at most (claims > resolutions > evidence > their keys)


def _too_deep(mark):
    return yaml.constructor.ConstructorError(None, None, f"nested more than {MAX_DEPTH} levels deep: flatten the structure", mark)


class _Loader(_BaseLoader):
    def construct_document(self, node):
        """Refuse aliases and absurd nesting before anything is built.

        Nested aliases expand to billions of values (the "billion laughs") once anything walks
        or prints them, and deep nesting ends in a RecursionError: both become YAML errors.
        """
        level, seen = [node], {id(node)}
        for depth in range(MAX_DEPTH + 1):
            children = []
            for n in level:
                if isinstance(n, yaml.SequenceNode):
                    children += n.value
                elif isinstance(n, yaml.MappingNode):
                    children += [child for pair in n.value for child in pair]
            if not children:
                return super().construct_document(node)
            ids = set(map(id, children))
            if len(ids) < len(children) or not ids.isdisjoint(seen):  # a node met twice is an alias
                raise yaml.constructor.ConstructorError(
                    None, None, "aliases (*name) are not accepted: write the value out in full",
                    _first_repeat(children, seen).start_mark)
            seen |= ids
            level = children
        raise _too_deep(level[0].start_mark)


def _first_repeat(nodes, seen):
    met = set(seen)
    for node in nodes:
        if id(node) in met:
            return node
        met.add(id(node))


def _construct_timestamp(loader, node):
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as e:  # 2024-13-45 looks like a date to YAML but is not one
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a valid date ({e}): write YYYY-MM-DD", node.start_mark) from None


def _construct_record(loader, node):
    record = Record()
    record.line = node.start_mark.line + 1
    record.key_lines, seen, dupes = {}, set(), []
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue  # a list or mapping as a key: construct_mapping reports it with its line
        if key_node.value in seen:
            dupes.append((key_node.value, key_node.start_mark.line + 1))
        seen.add(key_node.value)
        record.key_lines[key_node.value] = key_node.start_mark.line + 1
    record.duplicate_keys = dupes
    yield record
    record.update(loader.construct_mapping(node, deep=True))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_record)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _check_flow_depth(text, limit=1000):
    """libyaml builds nodes recursively in C and crashes on [[[[... tens of thousands deep.

    Block nesting that deep needs a file of gigabytes, so only brackets are counted, and the
    event stream (parsed without recursion) is consulted when they might nest too deep.
    """
    if text.count("[") + text.count("{") <= limit:
        return
    depth = peak = 0
    for bracket in re.findall(r"[][{}]", text):  # an upper bound: quoted brackets count too
        depth += 1 if bracket in "[{" else -1
        peak = max(peak, depth)
    if peak <= limit:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as e:  # libyaml 0.2.5 (PyYAML 6.0.4's wheels) stops at 1000 levels itself, scanning ahead
        if e.problem == "exceeded maximum nesting depth":
            raise _too_deep(e.problem_mark) from None
        raise


def parse_yaml(text):
    """YAML text as Python data, mappings as Records; raises yaml.YAMLError with a mark."""
    _check_flow_depth(text)
    return yaml.load(text, Loader=_Loader)


def yaml_error_line(e):
    """0-based line of a YAML error, where the parser knows it."""
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    return mark.line if mark else 0


def yaml_problem(e):
    """What the parser found, and where the construct it was reading began when that was earlier."""
    problem = getattr(e, "problem", None) or str(e)
    context, problem_mark, context_mark = (getattr(e, k, None) for k in ("context", "problem_mark", "context_mark"))
    if context and context_mark and problem_mark and context_mark.line < problem_mark.line:
        problem += f" ({context} that starts on line {context_mark.line + 1})"
    return problem


def load_yaml(path):
    """A seed file as Python data; YAML errors become a SeedError naming file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        line = path.read_bytes()[: e.start].count(b"\n") + 1
        raise SeedError(path, line, f"not UTF-8 text (byte {e.start}): save the file as UTF-8") from None
    except OSError as e:
        raise SeedError(path, 1, f"cannot read the file ({e.strerror}): check it is a readable file") from None
    try:
        return parse_yaml(text)
    except yaml.YAMLError as e:
        raise SeedError(path, yaml_error_line(e) + 1, f"invalid YAML: {yaml_problem(e)}") from None


def load_list(path):
    """A seed file that holds a list of mappings (an empty or absent file is an empty list)."""
    path = Path(path)
    if not path.exists():
        return []
    records = fast_list(path, lambda: slow_list(path))
    return slow_list(path) if records is None else records


def slow_list(path):
    """load_list by PyYAML alone: every record knows its lines, every error is worded with its line."""
    path = Path(path)
    if not path.exists():
        return []
    data = load_yaml(path)
    if data is None:
        return []
    if not isinstance(data, list):
        raise SeedError(path, getattr(data, "line", 1), "expected a list of entries, each starting with '- '")
    for item in data:
        if not isinstance(item, Record):
            raise SeedError(path, 1, f"expected each entry to be a mapping of key: value, found {reprlib.repr(item)}")
    return data


# The fast path. yaml_rs (Rust) parses seeds about ten times faster than PyYAML's C loader, but
# it reads YAML 1.2 and keeps no lines, so its result is used only where PyYAML would build the
# same values; anything else (and every error) goes to PyYAML, which stays the reference.
_RISKY = re.compile(r"!|[&*][^\s,\[\]{}]|<<|^%|^---|^\.\.\.", re.M)  # tags, anchors, aliases, merges, directives, documents
_ANCHOR_OR_ALIAS = re.compile(r"[&*][^\s,\[\]{}]")
_LINE_LED = ("%", "---", "...")  # directives and document markers, at the start of a line
_RESOLVERS = _Loader.yaml_implicit_resolvers  # how PyYAML types a plain scalar, by its first character
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
# A plain scalar led by one of these letters is typed only as a bool or null word (true, Off,
# null, ...), five letters at most, and a regexp's $ also matches before a final newline.
_WORD_LED = frozenset("yYnNtTfFoO")
_LONGEST_WORD = 6
_DOUBLE_QUOTED_DATE = re.compile(r'"(\d{4}-\d\d-\d\d)"')  # a literal first character: a fast scan
_SINGLE_QUOTED_DATE = re.compile(r"'(\d{4}-\d\d-\d\d)'")
_BLOCK_SCALAR = re.compile(r"[:-][ \t]+[|>]")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _Decline(Exception):
    pass


def _risky(text):
    """_RISKY.search(text), by substring tests (prose often holds a % or an ellipsis, and the
    regular expression then scans the whole text)."""
    if "!" in text or "<<" in text:
        return True
    if ("&" in text or "*" in text) and _ANCHOR_OR_ALIAS.search(text):
        return True
    return text.startswith(_LINE_LED) or any(f"\n{lead}" in text for lead in _LINE_LED)


_PRINTABLE_ASCII = b"\n" + bytes(range(0x20, 0x7F))


def _plain_characters(text):
    """Whether every character is a newline or printable (Python's sense, stricter than PyYAML's):
    tabs, carriage returns, other line breaks (\x85, \u2028) and control characters are read
    differently by YAML 1.1 and 1.2, or refused by PyYAML alone."""
    if text.isascii():  # the usual case, checked in C at memory speed
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return text.replace("\n", " ").isprintable()


def _scalar(text, source=None):
    """A string from yaml_rs as PyYAML would give it: a date written plain becomes a date; a
    string that PyYAML may type otherwise (yes, 0777, 1:30, ...) is left to PyYAML."""
    if not text or text[0] not in _RESOLVERS or (len(text) > _LONGEST_WORD and text[0] in _WORD_LED):
        return text
    if _DATE.fullmatch(text):  # the typed scalar seeds hold most: a shortcut to what PyYAML makes of it
        if source is not None and not source.unsure and text not in source.quoted_dates:  # written plain only
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                raise _Decline from None
        return _timestamp(text, source, datetime.date.fromisoformat)
    tag = next((tag for tag, regexp in _RESOLVERS[text[0]] if regexp.match(text)), None)
    if tag is None:
        return text
    if tag != _TIMESTAMP:
        raise _Decline
    return _timestamp(text, source, lambda t: _CONSTRUCTOR.construct_yaml_timestamp(yaml.ScalarNode(tag, t)))


def _timestamp(text, source, construct):
    """A timestamp as PyYAML gives it: a string if written quoted, else construct(text)."""
    if source is None or source.unsure:
        raise _Decline
    # yaml_rs cannot say whether this one was quoted: the text can, unless it writes it both ways.
    written = source.written(text)
    if written == {"quoted"}:
        return text
    if written != {"plain"}:
        raise _Decline
    try:
        return construct(text)
    except ValueError:
        raise _Decline from None


@functools.lru_cache(maxsize=1024)
def _plain_key(key):
    """A key PyYAML would also read as this string (seeds use a few dozen keys over and over)."""
    try:
        return type(key) is str and _scalar(key) is key
    except _Decline:
        return False


# Keys seeds use over and over, known to be read as themselves (a test checks each with _plain_key).
_PLAIN_KEYS = frozenset(("id", "quote", "statement", "author", "kind", "made", "horizon", "horizon_inferred", "topics",
                         "occurrence", "resolutions", "verdict", "resolved", "resolver", "confidence", "rationale",
                         "evidence", "title", "url", "date", "probability", "confidence_words"))
# Keys whose value seeds write as a decimal number (probability: 0.7). yaml_rs and PyYAML read
# such a number alike, unless the text writes numbers in a form YAML 1.1 and 1.2 read otherwise:
# an exponent (1e3 is a string to PyYAML), a sign before a bare point (+.5, -.5), underscores.
_FLOAT_KEYS = frozenset(("probability",))
_FLOAT_RISK = re.compile(r"[\d.][eE]|[-+]\.|[\d.]_|_[\d.]")


def _value(v, source, address, depth):
    """yaml_rs data as PyYAML would build it, mappings as LazyRecords; or _Decline."""
    kind = type(v)
    if kind is str:
        return _scalar(v, source)
    if kind is bool or v is None:
        return v
    if depth >= MAX_DEPTH:
        raise _Decline
    if kind is list:
        return [(_scalar(item, source) if item and item[0] in _RESOLVERS else item) if type(item) is str
                else _value(item, source, (*address, i), depth + 1) for i, item in enumerate(v)]
    if kind is not dict:
        raise _Decline  # numbers: YAML 1.1 and 1.2 disagree on some (017, 0o17, 1e3)
    record = LazyRecord(source, address)
    for key, item in v.items():
        if key not in _PLAIN_KEYS and not _plain_key(key):
            raise _Decline
        kind = type(item)
        if kind is str:  # the most common value: no call unless PyYAML might type it
            if item and item[0] in _RESOLVERS:
                item = _scalar(item, source)
        elif kind is float and key in _FLOAT_KEYS and source.plain_floats() and item == item:
            pass  # a decimal number, read alike by both (NaN aside: it equals nothing, PyYAML's either)
        elif kind is not bool and item is not None:
            item = _value(item, source, (*address, key), depth + 1)
        record[key] = item
    return record


DECLINED = object()


def fast_yaml(text, slow):
    """parse_yaml(text) by the fast parser, or DECLINED where only PyYAML can be trusted.

    slow() gives the full parse a record's lines come from, if a problem needs one.
    """
    if not _plain_characters(text) or _risky(text):  # a byte-order mark is not printable either
        return DECLINED
    try:
        data = yaml_rs.loads(text, parse_datetime=False)  # duplicate keys are an error here too
    except BaseException as e:  # a parse error, or a panic in the extension: PyYAML words it
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return DECLINED
    source = Source(slow, text)
    try:
        if type(data) is not list:
            return _value(data, source, (), 0)
        for i, item in enumerate(data):  # in place: a long list is held once, not twice
            data[i] = _value(item, source, (i,), 1)
        return data
    except _Decline:
        return DECLINED


def fast_list(path, slow):
    """The records of a seed list by the fast parser, or None where only PyYAML can be trusted."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    data = fast_yaml(text, slow)
    if data is None:
        return []
    if type(data) is not list or not all(isinstance(item, Record) for item in data):
        return None  # not a list of mappings: PyYAML words the problem
    return data
