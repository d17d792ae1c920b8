"""Parse the seed YAML files into records that remember the line they came from."""
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


class _Loader(_BaseLoader):
    pass


def _construct_record(loader, node):
    record = Record()
    record.line = node.start_mark.line + 1
    record.key_lines, seen, dupes = {}, set(), []
    for key_node, _ in node.value:
        if key_node.value in seen:
            dupes.append((key_node.value, key_node.start_mark.line + 1))
        seen.add(key_node.value)
        record.key_lines[key_node.value] = key_node.start_mark.line + 1
    record.duplicate_keys = dupes
    yield record
    record.update(loader.construct_mapping(node, deep=True))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_record)


def load_yaml(path):
    """A seed file as Python data; YAML errors become a SeedError naming file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise SeedError(path, 1, f"not UTF-8 text (byte {e.start}): save the file as UTF-8") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise SeedError(path, mark.line + 1 if mark else 1, f"invalid YAML: {problem}") from None


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
            raise SeedError(path, 1, f"expected each entry to be a mapping of key: value, found {item!r:.60}")
    return data
