"""Parse the seed YAML files into records that remember the line they came from."""
import re
import reprlib
from pathlib import Path

import yaml

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
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


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
    data = load_yaml(path)
    if data is None:
        return []
    if not isinstance(data, list):
        raise SeedError(path, getattr(data, "line", 1), "expected a list of entries, each starting with '- '")
    for item in data:
        if not isinstance(item, Record):
            raise SeedError(path, 1, f"expected each entry to be a mapping of key: value, found {reprlib.repr(item)}")
    return data
