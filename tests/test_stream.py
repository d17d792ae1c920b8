"""Long seed lists parsed entry by entry give exactly what the whole-file parse gives."""
import pytest

from conftest import SEEDS
from ingest import seeds, stream
from ingest.seeds import SeedError


@pytest.fixture(autouse=True)
def every_file_streamed(monkeypatch):
    monkeypatch.setattr(stream, "MIN_BYTES", 0)


def _same(a, b):
    return len(a) == len(b) and all(
        x == y and x.line == y.line and x.key_lines == y.key_lines and list(x.duplicate_keys) == list(y.duplicate_keys)
        for x, y in zip(a, b))


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.yml")) + sorted((SEEDS / "claims").glob("*.yml")), ids=lambda p: p.name)
def test_same_records_and_lines_as_the_whole_file(path):
    assert _same(stream.load_list(path), seeds.load_list(path))


def test_nested_records_keep_their_file_lines(tmp_path):
    path = tmp_path / "claims.yml"
    path.write_text("# a comment\n- id: a\n  resolutions:\n    - verdict: correct\n\n- id: b\n  id: b2\n  resolutions:\n"
                    "    - verdict: incorrect\n      evidence:\n        - title: t\n")
    records = stream.load_list(path)
    assert _same(records, seeds.load_list(path))
    assert records[1].duplicate_keys == [("id", 7)]
    assert records[1]["resolutions"][0]["evidence"][0].line == 11


def test_a_broken_entry_is_reported_as_the_whole_file_parse_reports_it(tmp_path):
    path = tmp_path / "documents.yml"
    path.write_text("- id: a\n  title: ok\n- id: b\n  title: [unclosed\n- id: c\n")
    with pytest.raises(SeedError) as streamed:
        stream.load_list(path)
    with pytest.raises(SeedError) as whole:
        seeds.load_list(path)
    assert (streamed.value.line, streamed.value.message) == (whole.value.line, whole.value.message)
