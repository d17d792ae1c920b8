"""Property-based tests: random and mutated documents and seed files either read and validate,
or fail with our own error (ReaderError, DocumentError, SeedError, ValidationFailed). Never
anything else, and whatever the validator accepts builds."""
import datetime
import sqlite3
import tempfile
import textwrap
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEEDS
from ingest.build import build, check
from ingest.plugins import get_readers
from ingest.read import DocumentError, read_source
from ingest.readers.base import ReaderError
from ingest.seeds import SeedError, load_list
from ingest.validate import ValidationFailed

READERS = sorted(get_readers(), key=lambda r: r.name)
SEED_DOCUMENTS = [p.read_text() for p in sorted((SEEDS / "documents").glob("*.txt"))]
FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that mean something to one format or another: markup, YAML, HTML, odd characters.
TOKENS = list("ab Z9.#*_[]()<>`\\-:!{}|&'\"=/\n\t") + [
    "\r\n", "\x00", "\ufeff", "\ue02a", "é", "🥇", "---\n", "## ", "#### ", "1. ", "2. ", "> ", "- ", "[[", "]]",
    "<b>", "</b>", "<br/>", "<a href='x'>", "</a>", '<a class="yt-timestamp" data-t="00:01:02">', "**", "__",
    "key: value\n", ": ", "&a ", "*a", "!!binary ", "2024-02-30", "Jane Doe\n", "\n\n",
]
markup_text = st.lists(st.sampled_from(TOKENS), max_size=80).map("".join)


@st.composite
def mutated(draw, texts):
    """One of texts with a few random edits: a slice deleted, markup inserted, a line duplicated."""
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "duplicate line"]))
        if edit == "insert":
            text = text[:at] + draw(markup_text) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 200)):]
        else:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at) + 1 or len(text)
            text = text[:end] + text[start:end] + text[end:]
    return text


documents = st.one_of(markup_text, st.text(max_size=300), mutated(SEED_DOCUMENTS))


@FUZZ
@given(raw=documents)
def test_readers_read_or_raise_reader_error(raw):
    for reader in READERS:
        reader.detect(raw)
        try:
            document = reader.read(raw)
        except ReaderError:
            continue
        assert isinstance(document.text, str) and isinstance(document.markdown, str)
        for s in document.sections:
            assert 0 <= s.start <= s.end <= s.body_end <= len(document.text), (reader.name, s)


@FUZZ
@given(data=st.one_of(documents.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=300)))
def test_sources_read_or_raise_document_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "source.txt"
        path.write_bytes(data)
        try:
            source = read_source(path)
        except DocumentError as e:
            assert e.path == str(path) and e.line >= 1
            return
        assert source.document.text.strip()


SEED_FILES = [p.read_text() for p in sorted(SEEDS.glob("*.yml"))]
yaml_text = st.one_of(markup_text, st.text(max_size=300), mutated(SEED_FILES))


@FUZZ
@given(text=yaml_text)
def test_seed_files_parse_or_raise_seed_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "seed.yml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            entries = load_list(path)
        except SeedError as e:
            assert e.path == str(path) and e.line >= 1
            return
        assert all(isinstance(entry, dict) for entry in entries)


# A small valid ledger to break: one document, two claims.
LEDGER = {
    "publishers.yml": "- id: pub\n  name: A publisher\n  url: https://example.org\n",
    "authors.yml": "- id: ann\n  name: Ann\n  publisher: pub\n",
    "topics.yml": "- id: robotics\n  name: Robotics\n  description: Robots.\n"
                  "- id: hands\n  name: Hands\n  parent: robotics\n  description: Manipulation.\n",
    "documents.yml": "- id: small\n  file: documents/small.txt\n  title: Small\n  publisher: pub\n"
                     "  authors: [ann]\n  published: 2024-01-01\n  kind: blog post\n  url: https://example.org/small\n",
    "documents/small.txt": "---\ntitle: Small\n---\n\n## Outlook\n\nRobots will fold laundry by 2030. "
                           "Chips get cheaper.\n\n## Past\n\nThe *old* [robots](https://example.org) were slow.\n",
    "claims/small.yml": textwrap.dedent("""\
        - id: small-01
          quote: "Robots will fold laundry by 2030."
          statement: Household robots will fold laundry by 2030.
          author: ann
          kind: prediction
          made: 2024-01-01
          horizon: 2030-12-31
          topics: [hands]
          resolutions:
            - verdict: too_early
              resolved: 2026-11-22
              resolver: tester
              confidence: high
              rationale: The horizon has not passed.
        - id: small-02
          quote: "The old robots were slow."
          statement: Early robots were slow.
          kind: observation
          made: 2024-01-01
          topics: [robotics]
          resolutions:
            - verdict: correct
              resolved: 2026-11-22
              resolver: tester
              confidence: medium
              rationale: They were.
              evidence:
                - title: A source
                  url: https://example.org/source
                  date: 2024-01-02
    """),
}

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=30), st.dates(datetime.date(1, 1, 1)), st.sampled_from(["", "pub", "ann", "hands", "correct"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)


@st.composite
def broken_ledger(draw):
    """The small ledger with one file mutated as text, or one value somewhere replaced by anything."""
    files = dict(LEDGER)
    name = draw(st.sampled_from(sorted(files)))
    if name.endswith(".yml") and draw(st.booleans()):
        data = yaml.safe_load(files[name])
        node, key = data, None
        for _ in range(draw(st.integers(1, 4))):  # walk down to a random value
            keys = list(range(len(node))) if isinstance(node, list) else list(node) if isinstance(node, dict) else []
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            if not isinstance(node[key], (list, dict)):
                break
            node, key = node[key], None
        if key is None:
            key = draw(st.text(max_size=10)) if isinstance(node, dict) else 0
            if isinstance(node, list) and not node:
                node.append(None)
        node[key] = draw(values)
        files[name] = yaml.safe_dump(data, allow_unicode=True)
    else:
        files[name] = draw(mutated([files[name]]))
    return files


def write_ledger(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return root


def test_the_small_ledger_is_valid(tmp_path):
    assert check(write_ledger(tmp_path, LEDGER))["claims"] == 2


@settings(FUZZ, max_examples=120)
@given(files=broken_ledger())
def test_validator_accepts_or_raises_validation_failed_and_what_it_accepts_builds(files):
    with tempfile.TemporaryDirectory() as tmp:
        seeds = write_ledger(Path(tmp) / "seeds", files)
        try:
            counts = check(seeds)
        except ValidationFailed as e:
            assert e.problems and all(p.line >= 1 and p.message for p in e.problems)
            return
        db = Path(tmp) / "out" / "hindsight.db"
        build(seeds, db)
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        assert conn.execute("select count(*) from claims").fetchone()[0] == counts["claims"]
        conn.close()
