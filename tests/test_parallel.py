"""Documents read in a process pool give the same database, and the same problems, as one process."""
import pytest
import yaml

from bench.compare import differences
from ingest import parallel
from ingest.build import build
from ingest.validate import ValidationFailed


@pytest.fixture
def pooled(monkeypatch):
    monkeypatch.setattr(parallel, "POOL_FROM", 1)
    monkeypatch.setattr(parallel, "BATCH", 1)


def test_pool_builds_the_same_rows(seeds_copy, tmp_path, pooled):
    build(seeds_copy, tmp_path / "pooled" / "hindsight.db")
    parallel.POOL_FROM = 10**9
    build(seeds_copy, tmp_path / "serial" / "hindsight.db")
    assert differences(tmp_path / "pooled" / "hindsight.db", tmp_path / "serial" / "hindsight.db") == []


def test_pool_reports_a_claim_id_used_by_two_documents(seeds_copy, tmp_path, pooled):
    documents = yaml.safe_load((seeds_copy / "documents.yml").read_text())
    files = [seeds_copy / "claims" / f"{d['id']}.yml" for d in documents]
    files = [f for f in files if f.exists() and yaml.safe_load(f.read_text())]
    first, second = files[:2]
    taken = yaml.safe_load(first.read_text())[0]["id"]
    reused = yaml.safe_load(second.read_text())[0]["id"]
    second.write_text(second.read_text().replace(f"id: {reused}\n", f"id: {taken}\n", 1))
    with pytest.raises(ValidationFailed) as e:
        build(seeds_copy, tmp_path / "hindsight.db")
    [problem] = [p for p in e.value.problems if "duplicate claim id" in p.message]
    assert problem.path == str(second) and f"'{taken}'" in problem.message and str(first) in problem.message
