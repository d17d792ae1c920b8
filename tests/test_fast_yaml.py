"""The fast YAML path (yaml_rs) gives exactly what PyYAML gives, lines included, or steps aside.

PyYAML is the reference: for any text, ingest.seeds.fast_list either declines (None) or returns
the same values as slow_list, and every record answers the same lines.
"""
import re
import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import test_bad_input
from conftest import SEEDS
from ingest import parallel, seeds
from ingest.cli import cli
from ingest.seeds import Record, SeedError, fast_list, slow_list

FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def same_lines(fast, slow, where="root"):
    """Every mapping in fast answers the lines of its counterpart in slow."""
    if isinstance(slow, Record):
        assert (fast.line, fast.key_lines, list(fast.duplicate_keys)) == (slow.line, slow.key_lines, list(slow.duplicate_keys)), where
        for key in slow:
            same_lines(fast[key], slow[key], f"{where}.{key}")
    elif isinstance(slow, list):
        for i, (f, s) in enumerate(zip(fast, slow)):
            same_lines(f, s, f"{where}[{i}]")


def agree(path):
    """fast_list(path) is None, or equal to slow_list(path) in values, types and lines."""
    fast = fast_list(path, lambda: slow_list(path))
    try:
        slow = slow_list(path)
    except SeedError:
        assert fast is None, f"the fast path accepted what PyYAML rejects:\n{path.read_text()}"
        return None
    if fast is not None:
        assert fast == slow
        assert repr(fast) == repr(slow)  # the same types too: a date stays a date, a string a string
        same_lines(fast, slow)
    return fast


@pytest.mark.parametrize("path", sorted(SEEDS.rglob("*.yml")), ids=lambda p: str(p.relative_to(SEEDS)))
def test_every_seed_file_takes_the_fast_path_and_matches_pyyaml(path):
    assert agree(path) is not None, "the real seeds should never need the slow path"


# Scalars on which YAML 1.1 (PyYAML) and 1.2 (yaml_rs) disagree, or which look like another type.
SCALARS = ["yes", "No", "on", "OFF", "y", "true", "False", "null", "Null", "~", "", "017", "0o17", "0x1F", "1_000",
           "1e3", "1.5", ".inf", ".NaN", "1:30", "190:20:30", "2024-01-02", "2024-1-2", "2024-02-30",
           "2024-01-02 10:00:00", "2024-01-02T10:00:00Z", "=", "<<", "-", "plain words", "it's", "a # b", "a: b",
           "R&D", "*bold*", "&anchor x", "!tag x", "%", "---", "...", "é 🥇", "[1, 2]", "{a: b}", "- x", "\\t", "'q'",
           "Offline", "trueness", "No way", "nullable", "FALSE!"]
KEYS = ["id", "quote", "made", "topics", "yes", "1", "2024-01-02", "title", "on", "null", "a b"]


def scalar(text, style):
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text  # plain, whatever it parses as


scalars = st.builds(scalar, st.sampled_from(SCALARS), st.sampled_from(["plain", "single", "double"]))


@st.composite
def seed_files(draw):
    """A list of mappings, block and flow, nested a level or two, from the scalars above."""
    lines = []
    for _ in range(draw(st.integers(0, 3))):
        keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4))  # repeats make duplicate keys
        for n, key in enumerate(keys):
            lead = "- " if n == 0 else "  "
            shape = draw(st.sampled_from(["scalar", "scalar", "flow", "block", "nested"]))
            if shape == "scalar":
                lines.append(f"{lead}{key}: {draw(scalars)}")
            elif shape == "flow":
                lines.append(f"{lead}{key}: [{', '.join(draw(st.lists(scalars, max_size=3)))}]")
            elif shape == "block":
                lines.append(f"{lead}{key}:")
                lines += [f"    - {s}" for s in draw(st.lists(scalars, min_size=1, max_size=3))]
            else:
                lines.append(f"{lead}{key}:")
                lines += [f"    - {k}: {draw(scalars)}" for k in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=2))]
        lines.append(draw(st.sampled_from(["", "# a comment"])))
    return "\n".join(lines) + "\n"


@FUZZ
@given(text=seed_files())
def test_fast_path_matches_pyyaml_or_declines(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fast") / "list.yml"
    path.write_text(text, encoding="utf-8")
    agree(path)


# Characters YAML 1.1 (PyYAML) and 1.2 (yaml_rs) read differently: tabs, line breaks (\x85,
# \u2028, \u2029), characters PyYAML refuses as non-printable, a byte-order mark inside a file.
ODD = ["\t", "\r", "\r\n", "\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x00", "\x01", "\x1b", "\x7f", "\x9f",
       "\ufeff", "\ufffe", "\xa0", "\ue000", "é", " "]


@FUZZ
@given(data=st.data())
def test_odd_characters_anywhere_read_as_pyyaml_reads_them_or_go_to_it(tmp_path_factory, data):
    text = data.draw(seed_files())
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + data.draw(st.sampled_from(ODD)) + text[at:]
    path = tmp_path_factory.mktemp("odd") / "list.yml"
    path.write_text(text, encoding="utf-8", newline="")
    agree(path)


@pytest.mark.parametrize("text", ["- a: yes\n", "- a: 017\n", "- a: 1.5\n", "- a: 1:30\n", "- a: &x 1\n  b: *x\n",
                                  "- a: !!str 1\n", "- a: 1\n  a: 2\n", "---\n- a: 1\n", "\ufeff- a: 1\n", "- [a]\n",
                                  "a: 1\n", '- a: "2024\\x2d01-02"\n', "- a: 2024-01-02\n  b: '2024-01-02'\n", "- a: >-\n    2024-01-02\n"])
def test_what_pyyaml_may_read_otherwise_is_left_to_it(tmp_path, text):
    path = tmp_path / "list.yml"
    path.write_text(text, encoding="utf-8")
    assert fast_list(path, lambda: slow_list(path)) is None


@pytest.mark.parametrize("text,value", [
    ("- a: '2024-01-02'\n", "2024-01-02"), ('- a: "2024-01-02"\n', "2024-01-02"),
    ("- a: 2024-01-02T10:00:00Z\n", "2024-01-02 10:00:00+00:00"), ("- a: 2024-1-2 10:00:00\n", "2024-01-02 10:00:00"),
    ("- a: \"on 2024-01-02\"\n  b: 2024-01-02\n", "on 2024-01-02"),
])
def test_timestamps_quoted_or_plain_read_as_pyyaml_reads_them(tmp_path, text, value):
    path = tmp_path / "list.yml"
    path.write_text(text, encoding="utf-8")
    records = agree(path)
    assert records is not None and str(records[0]["a"]) == value


def test_the_shortcuts_hold_for_pyyaml_s_resolvers():
    """The fast path trusts some keys and long letter-led scalars without asking PyYAML's resolvers."""
    assert all(seeds._plain_key(key) for key in seeds._PLAIN_KEYS)
    for letter in seeds._WORD_LED:
        for tag, regexp in seeds._RESOLVERS[letter]:
            assert tag in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:null")
            longest = re._parser.parse(regexp.pattern, regexp.flags).getwidth()[1]  # + 1: $ matches before a final newline
            assert longest + 1 <= seeds._LONGEST_WORD, regexp.pattern


def test_a_plain_date_is_a_date_and_valid_seeds_read_the_same(tmp_path):
    path = tmp_path / "list.yml"
    path.write_text("- made: 2024-01-02\n  title: \"Plain words\"\n  topics: [a, b]\n  ok: true\n")
    records = agree(path)
    assert records is not None and records[0]["made"].isoformat() == "2024-01-02"


@pytest.mark.parametrize("case", test_bad_input.CASES, ids=[c.__name__ for c in test_bad_input.CASES])
def test_every_bad_input_reads_the_same_without_the_fast_path(case, seeds_copy, tmp_path, monkeypatch):
    """The fast path changes no message and no line: the same build, run on PyYAML alone, says the same."""
    case(seeds_copy)
    args = ["check", "--seeds", str(seeds_copy)]
    fast = CliRunner().invoke(cli, args).output
    monkeypatch.setattr(seeds, "fast_list", lambda path, slow: None)
    assert CliRunner().invoke(cli, args).output == fast


def test_a_duplicate_claim_id_found_in_worker_processes_names_both_lines(tmp_path, monkeypatch):
    """The first entry's place crosses from a worker as a Location; its line is looked up only then."""
    monkeypatch.setattr(parallel, "POOL_FROM", 1)  # the process pool even for two documents
    root = tmp_path / "seeds"
    (root / "documents").mkdir(parents=True)
    (root / "claims").mkdir()
    for name in ("publishers", "authors", "topics"):
        (root / f"{name}.yml").write_text((SEEDS / f"{name}.yml").read_text())
    docs, claim = [], textwrap.dedent("""\
        # notes first, so the entry is not on line 1
        - id: {cid}
          quote: "Robots will fold laundry."
          statement: Robots will fold laundry.
          kind: observation
          made: 2024-01-01
          topics: [{topic}]
        """)
    topic, publisher = (slow_list(SEEDS / f"{name}.yml")[0]["id"] for name in ("topics", "publishers"))
    for doc in ("one", "two"):
        (root / "documents" / f"{doc}.txt").write_text("Robots will fold laundry.\n")
        docs.append(f"- id: {doc}\n  file: documents/{doc}.txt\n  title: {doc}\n  publisher: {publisher}\n  published: 2024-01-01\n  kind: blog post\n")
        (root / "claims" / f"{doc}.yml").write_text(("\n" if doc == "two" else "") + claim.format(cid="same-id", topic=topic))
    (root / "documents.yml").write_text("".join(docs))
    result = CliRunner().invoke(cli, ["check", "--seeds", str(root)])
    out = result.output
    assert f"{root / 'claims' / 'two.yml'}:3: duplicate claim id 'same-id' (first at {root / 'claims' / 'one.yml'}:2)" in out, out


@st.composite
def front_matter(draw):
    """Key: value lines, as a document's front matter holds them."""
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=0, max_size=5))
    return "\n" + "".join(f"{key}: {draw(scalars)}\n" for key in keys)


@FUZZ
@given(text=front_matter())
def test_front_matter_reads_as_pyyaml_reads_it_or_is_left_to_it(text):
    fast = seeds.fast_yaml(text, lambda: seeds.parse_yaml(text))
    try:
        slow = seeds.parse_yaml(text)
    except Exception:
        assert fast is seeds.DECLINED
        return
    if fast is not seeds.DECLINED:
        assert fast == slow and repr(fast) == repr(slow)
        same_lines(fast, slow)


@FUZZ
@given(text=st.text(alphabet=st.sampled_from("!&*<%-.\n abc,[]{}"), max_size=40))
def test_the_risky_check_finds_what_its_regular_expression_finds(text):
    assert seeds._risky(text) == bool(seeds._RISKY.search(text))
