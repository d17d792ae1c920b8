"""hindsight release: dated, reproducible releases with a changelog computed from the data."""
import copy
import hashlib
import sqlite3
from datetime import date, timedelta

import yaml
from click.testing import CliRunner

from ingest.cli import cli
from ingest.release import Release, next_version


def release(seeds, out, notes, day):
    result = CliRunner().invoke(cli, [
        "release", "--seeds", str(seeds), "--out", str(out), "--changelog", str(notes / "CHANGELOG.md"),
        "--citation", str(notes / "CITATION.cff"), "--date", day])
    assert result.exit_code == 0, result.output
    return result.output


def pick_claims(seeds):
    """Two claims from the seeds: one whose verdict the test changes, one it leaves out and then adds."""
    files = sorted((seeds / "claims").glob("*.yml"))
    claims = [(path, c) for path in files for c in yaml.safe_load(path.read_text()) or []]
    changed = next((path, c) for path, c in claims
                   if c.get("resolutions") and c["resolutions"][-1]["verdict"] != "unresolvable")
    added = next((path, c) for path, c in claims if c["id"] != changed[1]["id"])
    return changed, added


def write_claims(path, claims):
    path.write_text(yaml.safe_dump(claims, allow_unicode=True, sort_keys=False))


def seed_states(seeds):
    """Two states of the seeds: without one claim, then with it back and another claim re-resolved."""
    (changed_path, changed), (added_path, added) = pick_claims(seeds)
    originals = {p: yaml.safe_load(p.read_text()) for p in {changed_path, added_path}}

    def first():
        for p, claims in originals.items():
            write_claims(p, [c for c in claims if c["id"] != added["id"]])

    def second():
        for p, claims in copy.deepcopy(originals).items():
            for c in claims:
                if c["id"] == changed["id"]:
                    latest = max(r["resolved"] for r in c["resolutions"])
                    c["resolutions"] = c["resolutions"] + [{
                        "verdict": "unresolvable", "resolved": latest + timedelta(days=1), "resolver": "release-test",
                        "confidence": "low", "rationale": "Re-examined: the evidence no longer decides it."}]
            write_claims(p, claims)

    return first, second, changed["id"], added["id"]


def verdict(db, claim_id):
    return sqlite3.connect(db).execute("select coalesce(verdict, 'unreviewed') from claims where id = ?", [claim_id]).fetchone()[0]


def test_two_releases_changelog_and_reproducible_files(seeds_copy, tmp_path):
    first, second, changed_id, added_id = seed_states(seeds_copy)
    builds = []
    for run in ("a", "b"):  # the same two seed states, released twice into separate directories
        out, notes = tmp_path / run / "releases", tmp_path / run
        first()
        release(seeds_copy, out, notes, "2026-01-02")
        second()
        release(seeds_copy, out, notes, "2026-01-02")
        builds.append((out, notes))
    (out, notes), (out_b, notes_b) = builds

    one, two = out / "hindsight-2026.01.02.db", out / "hindsight-2026.01.02.1.db"
    for db in (one, two):  # rebuilt from the same seeds, byte for byte the same
        assert db.read_bytes() == (out_b / db.name).read_bytes()
        sidecar = (out / f"{db.name}.sha256").read_text().split()
        assert sidecar == [hashlib.sha256(db.read_bytes()).hexdigest(), db.name]
    assert one.read_bytes() != two.read_bytes()

    changelog = (notes / "CHANGELOG.md").read_text()
    assert changelog == (notes_b / "CHANGELOG.md").read_text()
    newest, _, oldest = changelog.partition("## 2026.01.02 (2026-01-02)")
    assert "## 2026.01.02.1 (2026-01-02)" in newest and "First release" in oldest
    verdicts = newest.split("### Verdicts changed")[1].split("###")[0]
    assert f"- `{changed_id}` ({verdict(one, changed_id)} → unresolvable)" in verdicts
    assert verdict(two, changed_id) == "unresolvable"
    assert f"- `{added_id}`" in newest.split("### Claims added")[1].split("###")[0]
    assert sqlite3.connect(one).execute("select count(*) from claims where id = ?", [added_id]).fetchone()[0] == 0
    assert sha256_line(two) in newest

    cff = yaml.safe_load((notes / "CITATION.cff").read_text())
    assert cff["version"] == "2026.01.02.1" and cff["date-released"] == "2026-01-02"
    assert cff["identifiers"][0]["value"] == f"sha256:{hashlib.sha256(two.read_bytes()).hexdigest()}"

    output = release(seeds_copy, out, notes, "2026-01-03")  # nothing changed since
    assert "Nothing to release" in output
    assert {p.name for p in out.glob("*.db")} == {one.name, two.name}


def sha256_line(db):
    return f"sha256 `{hashlib.sha256(db.read_bytes()).hexdigest()}`"


def test_a_cited_release_must_be_at_hand(tmp_path):
    (tmp_path / "CITATION.cff").write_text("cff-version: 1.2.0\nversion: 2020.01.01\n")
    result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "out"), "--changelog", str(tmp_path / "CHANGELOG.md"),
                                      "--citation", str(tmp_path / "CITATION.cff")])
    assert result.exit_code == 1
    assert "hindsight-2020.01.01.db" in result.output
    assert not (tmp_path / "CHANGELOG.md").exists()


def test_versions_count_up_within_a_day():
    day = date(2026, 3, 4)
    taken = [Release(v, "2026-03-04", None, "") for v in ("2026.03.04", "2026.03.04.1")]
    assert next_version(day, []) == "2026.03.04"
    assert next_version(day, taken) == "2026.03.04.2"
    assert next_version(date(2026, 3, 5), taken) == "2026.03.05"
