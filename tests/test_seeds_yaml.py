"""The seeds' YAML: one parser (yaml_rs, YAML 1.2) for the values, lines found in the text only
when a problem names one. PyYAML's node marks are the reference for where things are."""
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEEDS
from ingest import seeds, validate
from ingest.readers.base import ReaderError, split_front_matter
from ingest.seeds import SeedError, load_list
from ingest.yaml_lines import LineIndex


def marks(text):
    """{address: (line, {key: line})} of every mapping, by PyYAML's composer (in a flow mapping,
    {k: v}, every key is given the line the mapping starts on)."""
    found = {}

    def walk(node, address):
        if isinstance(node, yaml.MappingNode):
            line = node.start_mark.line + 1
            found[address] = (line, {k.value: line if node.flow_style else k.start_mark.line + 1 for k, _ in node.value})
            for k, v in node.value:
                walk(v, (*address, k.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*address, i))

    walk(yaml.compose(text), ())
    return found


def records(value, address=()):
    if isinstance(value, seeds.Record):
        yield address, value
        for k, v in value.items():
            yield from records(v, (*address, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from records(v, (*address, i))


def assert_lines_as_pyyaml(text, data):
    expected = marks(text)
    got = dict(records(data))
    assert got.keys() == expected.keys()
    for address, record in got.items():
        line, key_lines = expected[address]
        assert record.line == line, address
        assert {k: record.line_of(k) for k in record} == key_lines, address


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.yml")) + sorted((SEEDS / "claims").glob("*.yml")), ids=lambda p: p.name)
def test_every_record_of_the_seeds_knows_its_lines(path):
    assert_lines_as_pyyaml(path.read_text(), load_list(path))


TRICKY = """\
# a comment
---
- id: a
  quote: |
    - id: not an entry
    key: not a key
  statement: "a quoted string
    over two lines: still one"
  resolutions:
  - verdict: correct

    evidence:
      -   title: t
          url: https://example.org/a#b
      - {title: flow, url: u}
  topics: [x,
    y]
-
  id: b
  made: 2024-01-01  # a comment
  'quoted key': 1
  resolutions:
    - - nested
    - rationale: >
        folded: text
      verdict: incorrect
- id: c
"""


def test_lines_of_block_scalars_quoted_keys_and_lists_at_their_keys_column(tmp_path):
    path = tmp_path / "claims.yml"
    path.write_text(TRICKY)
    data = load_list(path)
    assert_lines_as_pyyaml(TRICKY, data)
    assert data[0]["resolutions"][0]["evidence"][1].line == 15  # a flow mapping: the line it is on
    assert data[1]["resolutions"][1].line_of("verdict") == 26
    path.write_bytes(TRICKY.replace("\n", "\r\n").encode())
    assert_lines_as_pyyaml(TRICKY, load_list(path))  # Windows line ends: the same lines


@st.composite
def nested(draw):
    text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x85\u2028\u2029"), max_size=30)  # line breaks in YAML 1.1, not 1.2
    scalar = st.one_of(text, st.integers(), st.booleans(), st.none())
    key = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)  # seeds' keys: 08 would be text in YAML 1.1, 8 in 1.2
    tree = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(key, inner, max_size=4)), max_leaves=20)
    return draw(st.lists(st.dictionaries(key, tree, min_size=1, max_size=5), max_size=4))


@settings(max_examples=100, deadline=None)
@given(data=nested(), indent=st.sampled_from([2, 4]), flow=st.sampled_from([False, None]))
def test_the_lines_of_any_block_yaml_are_where_pyyaml_puts_them(tmp_path_factory, data, indent, flow):
    text = yaml.safe_dump(data, allow_unicode=True, indent=indent, default_flow_style=flow, sort_keys=False)
    path = tmp_path_factory.mktemp("lines") / "seed.yml"
    path.write_text(text)
    assert_lines_as_pyyaml(text, seeds.load_yaml(path))


def test_a_repeated_key_is_reported_at_its_second_line(tmp_path):
    path = tmp_path / "claims.yml"
    path.write_text("- id: a\n  resolutions:\n    - verdict: correct\n\n- id: b\n  id: b2\n  resolutions:\n"
                    "    - verdict: incorrect\n      verdict: correct\n")
    records_ = load_list(path)
    assert records_[0].duplicate_keys == ()
    assert records_[1].duplicate_keys == [("id", 6)] and records_[1]["id"] == "b2"  # the last one, as YAML 1.1 kept
    assert records_[1]["resolutions"][0].duplicate_keys == [("verdict", 9)]


def test_yaml_1_2_values_dates_are_strings_booleans_only_true_false(tmp_path):
    path = tmp_path / "claims.yml"
    path.write_text("- made: 2024-01-01\n  quoted: '2024-01-01'\n  yes_word: yes\n  on_word: on\n  t: true\n"
                    "  f: False\n  n: 1e3\n  octal: 0o17\n  zero: 017\n  null_word: ~\n")
    (r,) = load_list(path)
    assert r == {"made": "2024-01-01", "quoted": "2024-01-01", "yes_word": "yes", "on_word": "on", "t": True,
                 "f": False, "n": 1000.0, "octal": 15, "zero": 17, "null_word": None}


@pytest.mark.parametrize("written,expected,message", [
    ("2024-02-29", "2024-02-29", None),
    ("'2024-02-29'", "2024-02-29", None),
    ("2024-02-30", None, "'made' 2024-02-30 is not a valid date (day is out of range for month): write YYYY-MM-DD"),
    ("20240229", None, "'made' is 20240229, not an ISO date: write YYYY-MM-DD"),
    ("'2024-W01-1'", None, "'made' is '2024-W01-1', not an ISO date: write YYYY-MM-DD"),
    ("2024-01-01T10:00:00", None, "'made' is '2024-01-01T10:00:00', not an ISO date: write YYYY-MM-DD"),
])
def test_dates_are_checked_by_the_validator_quoted_or_not(tmp_path, written, expected, message):
    path = tmp_path / "claims.yml"
    path.write_text(f"- id: a\n  made: {written}\n")
    problems = validate.Problems()
    assert validate.iso_date(load_list(path)[0], "made", path, problems) == expected
    assert [(p.line, p.message) for p in problems.items] == ([] if message is None else [(2, message)])


@pytest.mark.parametrize("text,line,message", [
    ("- id: a\n  name: &x [lol, lol]\n  parent: [*x, *x]\n", 2, "invalid YAML: aliases (*name) are not accepted: write the value out in full"),
    ("- id: a\n  name: b\n\tparent: c\n", 3, "invalid YAML: a tab in the indentation: indent with spaces"),
    ("- id: a\n  name: " + "[" * 300 + "]" * 300 + "\n", 2, "invalid YAML: nested more than 255 levels deep: flatten the structure"),
    ("- id: a\n  name: \"open\n  parent: c\n", 3, "the quote opened on line 2 is never closed"),
    ("- id: a\n  name: b\n  q: 'it''s open\n  k: 1\n", 4, "the quote opened on line 3 is never closed"),
    ("- id: a\n  title: Predictions: the sequel\n", 2, "invalid YAML: mapping values are not allowed in this context"),
    ("- id: a\n- just text\n", 2, "expected each entry to be a mapping of key: value, found 'just text'"),
    ("id: a\nname: b\n", 1, "expected a list of entries, each starting with '- '"),
])
def test_bad_yaml_is_a_seed_error_with_its_line(tmp_path, text, line, message):
    path = tmp_path / "topics.yml"
    path.write_text(text)
    with pytest.raises(SeedError) as e:
        load_list(path)
    assert e.value.line == line and message in e.value.message, e.value


def test_a_byte_order_mark_is_not_part_of_the_first_key(tmp_path):
    path = tmp_path / "topics.yml"
    path.write_bytes("\ufeff- id: a\n  name: b\n".encode())
    (r,) = load_list(path)
    assert r == {"id": "a", "name": "b"} and r.line_of("name") == 2


def test_front_matter_errors_name_the_files_line():
    with pytest.raises(ReaderError) as e:
        split_front_matter("---\ntitle: a\ndate: b: c\n---\nbody\n")
    assert e.value.line == 3 and "mapping values are not allowed" in str(e.value)
    assert split_front_matter("---\ntitle: a\ndate: 2024-01-01\n---\nbody\n") == ({"title": "a", "date": "2024-01-01"}, "body")


def test_a_location_by_id_finds_the_entry_line_without_the_records(tmp_path):
    path = tmp_path / "claims.yml"
    path.write_text("- id: a\n  kind: x\n\n- kind: y\n  id: b\n")
    assert str(seeds.Location(str(path), key="id", entry="b")) == f"{path}:5"
    assert LineIndex("- id: a\n").line((7, "x")) == 1  # an address the text lacks: the nearest line known


def test_checking_a_valid_ledger_never_looks_for_a_line(monkeypatch):
    from click.testing import CliRunner

    from ingest.cli import cli
    scanned = []
    monkeypatch.setattr(LineIndex, "_scan", lambda self, text: scanned.append(text))
    result = CliRunner().invoke(cli, ["check", "--seeds", str(SEEDS)])
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    assert scanned == []  # lines cost a second pass over a file: only a problem pays for it
