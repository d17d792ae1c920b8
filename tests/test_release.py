"""hindsight release: dated, reproducible releases with a changelog computed from the data."""
import copy
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, timedelta

import pytest
import yaml
from click.testing import CliRunner

from conftest import SEEDS
from ingest.cli import cli
from ingest.release import Release, next_version, releases


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
    linked = set()  # claims linked to others (same_as, responds_to): their verdicts and presence are tied
    for _, c in claims:
        for key in ("same_as", "responds_to"):
            if key in c:
                linked |= {c["id"], *re.findall(r"[a-z0-9-]+", str(c[key]))}
    claims = [(path, c) for path, c in claims if c["id"] not in linked]
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
    added = newest.split("### Claims added")[1].split("###")[0]
    assert f"- `{added_id}` ({verdict(two, added_id)}): " in added  # with its verdict
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


def git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false",
                           *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def release_here(monkeypatch, folder, day):
    """`hindsight release` run in a ledger folder with every path left to its default."""
    monkeypatch.chdir(folder)
    return CliRunner().invoke(cli, ["release", "--date", day])


@pytest.fixture
def released_repo(tmp_path, monkeypatch):
    """A repository with one release committed (CHANGELOG.md, CITATION.cff; the database is not
    committed), then one re-resolved claim committed after it."""
    origin = tmp_path / "origin"
    shutil.copytree(SEEDS, origin / "seeds")
    git(origin, "init", "-q")
    git(origin, "add", "seeds")
    git(origin, "commit", "-q", "-m", "seeds")
    made = release_here(monkeypatch, origin, "2026-01-02")
    assert made.exit_code == 0, made.output
    git(origin, "add", "CHANGELOG.md", "CITATION.cff")
    git(origin, "commit", "-q", "-m", "release 2026.01.02")
    _, second, changed_id, _ = seed_states(origin / "seeds")
    second()
    git(origin, "commit", "-q", "-am", "re-resolve a claim")
    return origin, changed_id


def test_a_fresh_clone_rebuilds_the_cited_release_and_releases(released_repo, tmp_path, monkeypatch):
    origin, changed_id = released_repo
    released = origin / "build" / "releases" / "hindsight-2026.01.02.db"
    git(tmp_path, "clone", "-q", str(origin), "clone")
    clone = tmp_path / "clone"
    assert not (clone / "build").exists()
    cited = yaml.safe_load((clone / "CITATION.cff").read_text())["commit"]

    result = release_here(monkeypatch, clone, "2026-01-03")
    assert result.exit_code == 0, result.output
    assert f"Rebuilt release 2026.01.02 from commit {cited[:12]}: sha256 matches" in result.output
    rebuilt = clone / "build" / "releases" / "hindsight-2026.01.02.db"
    assert rebuilt.read_bytes() == released.read_bytes()
    assert "Released 2026.01.03" in result.output
    newest = (clone / "CHANGELOG.md").read_text().split("## 2026.01.02 (2026-01-02)")[0]
    assert "Since 2026.01.02" in newest and f"- `{changed_id}`" in newest.split("### Verdicts changed")[1]
    assert yaml.safe_load((clone / "CITATION.cff").read_text())["version"] == "2026.01.03"
    assert git(clone, "status", "--porcelain", "--", "seeds") == ""  # the checkout was only read


@pytest.mark.parametrize("edit, says", [
    (lambda cff: cff["identifiers"][0].update(value="sha256:" + "0" * 64), "not the " + "0" * 64 + " recorded"),
    (lambda cff: cff.update(commit="1" * 40), "git cannot read commit " + "1" * 40),
    (lambda cff: cff.update(commit="unknown"), "records commit unknown"),
])
def test_a_cited_release_that_cannot_be_rebuilt_is_refused(released_repo, tmp_path, monkeypatch, edit, says):
    origin, _ = released_repo
    git(tmp_path, "clone", "-q", str(origin), "clone")
    clone = tmp_path / "clone"
    cff = yaml.safe_load((clone / "CITATION.cff").read_text())
    edit(cff)
    (clone / "CITATION.cff").write_text(yaml.safe_dump(cff, sort_keys=False))
    changelog = (clone / "CHANGELOG.md").read_text()

    result = release_here(monkeypatch, clone, "2026-01-03")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert "cites release 2026.01.02" in result.output and says in result.output
    assert "download the database" in result.output
    assert (clone / "CHANGELOG.md").read_text() == changelog
    assert not list((clone / "build" / "releases").glob("*.db"))


def test_a_release_name_is_matched_whole(tmp_path):
    """A file named like a release plus a newline is not a release (`$` would accept it)."""
    for name in ("hindsight-2026.01.02.db\n", "hindsight-2026.01.03.db"):
        (tmp_path / name).write_bytes(b"x")
        (tmp_path / f"{name}.sha256").write_text(f"{'a' * 64}  {name}\n")
    assert [r.version for r in releases(tmp_path)] == ["2026.01.03"]


def test_the_unreleased_notes_become_the_release_entry(seeds_copy, tmp_path):
    """Notes written by hand under `## Unreleased` move into the release they describe, once."""
    out, notes = tmp_path / "releases", tmp_path
    release(seeds_copy, out, notes, "2026-01-02")
    changelog = notes / "CHANGELOG.md"
    head, _, rest = changelog.read_text().partition("## 2026.01.02")
    changelog.write_text(f"{head}## Unreleased\n\n- Every seed read again.\n\n#### By document\n\n- more\n\n## 2026.01.02{rest}")
    _, second, _, _ = seed_states(seeds_copy)
    second()
    release(seeds_copy, out, notes, "2026-01-03")

    text = changelog.read_text()
    assert "## Unreleased" not in text
    newest, _, older = text.partition("## 2026.01.02 (2026-01-02)")
    assert newest.index("## 2026.01.03 (2026-01-03)") < newest.index("### Notes\n\n- Every seed read again.\n\n#### By document")
    assert "Every seed read again" not in older and "First release" in older


def test_a_cited_release_is_rebuilt_by_its_own_commits_build_code(tmp_path, monkeypatch):
    """Build code changes between releases (new tables change the bytes): when the repository holds
    the code, the cited commit's code rebuilds its release, not today's."""
    repo = tmp_path / "repo"
    shutil.copytree(SEEDS, repo / "seeds")
    (repo / "ingest").mkdir()
    (repo / "ingest" / "__init__.py").write_text("")
    (repo / "ingest" / "cli.py").write_text(OLD_BUILD)  # the interface every version has: build --seeds --db
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "old code and seeds")
    commit = git(repo, "rev-parse", "HEAD")
    old = tmp_path / "old.db"
    subprocess.run([sys.executable, "-m", "ingest.cli", "build", "--seeds", str(repo / "seeds"), "--db", str(old)],
                   cwd=repo, env={**os.environ, "PYTHONPATH": str(repo)}, check=True)
    digest = hashlib.sha256(old.read_bytes()).hexdigest()
    (repo / "CITATION.cff").write_text(yaml.safe_dump({
        "cff-version": "1.2.0", "version": "2026.01.02", "commit": commit,
        "identifiers": [{"type": "other", "value": f"sha256:{digest}"}]}))

    result = release_here(monkeypatch, repo, "2026-01-03")
    assert result.exit_code == 0, result.output
    assert f"Rebuilt release 2026.01.02 from commit {commit[:12]}: sha256 matches" in result.output
    assert (repo / "build" / "releases" / "hindsight-2026.01.02.db").read_bytes() == old.read_bytes()
    newest = (repo / "CHANGELOG.md").read_text()
    assert "Since 2026.01.02: documents added 4, claims added" in newest  # against the old, empty release


# A stand-in for an older build: a database with the tables the changelog compares, and no claims.
OLD_BUILD = """
import sqlite3, sys
args = sys.argv[1:]
assert args[0] == "build"
db = sqlite3.connect(args[args.index("--db") + 1])
db.executescript("create table documents (id text, title text); create table claims (id text, statement text, verdict text);"
                 "create table resolutions (id text);")
db.close()
"""


def test_this_repositorys_cited_release_rebuilds_in_a_fresh_clone(tmp_path):
    """What a contributor's first `hindsight release` does: a clone of this repository rebuilds the
    release its CITATION.cff cites, byte for byte, from the commit recorded there."""
    root = SEEDS.parent
    cited = yaml.safe_load((root / "CITATION.cff").read_text())
    if subprocess.run(["git", "-C", str(root), "cat-file", "-e", f"{cited['commit']}^{{commit}}"]).returncode:
        pytest.skip(f"commit {cited['commit']} is not in this clone (a shallow clone: git fetch --unshallow)")
    git(tmp_path, "clone", "-q", str(root), "clone")
    clone = tmp_path / "clone"
    result = subprocess.run([sys.executable, "-m", "ingest.cli", "release", "--date", "2099-01-01"],
                            cwd=clone, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"Rebuilt release {cited['version']} from commit {cited['commit'][:12]}: sha256 matches" in result.stdout


def test_the_same_seeds_build_the_same_bytes_whatever_the_hash_seed(tmp_path):
    """Each process draws its own hash seed, so anything built in the order of a set of strings
    changes from one build to the next: a release must not depend on it (the full-text indexes' pages
    did, and a release could not be rebuilt)."""
    digests = set()
    for hash_seed in ("1", "2", "3"):  # three different page orders before the fix
        db = tmp_path / f"{hash_seed}.db"
        subprocess.run([sys.executable, "-m", "ingest.cli", "build", "--seeds", str(SEEDS), "--db", str(db)],
                       env={**os.environ, "PYTHONHASHSEED": hash_seed}, check=True, capture_output=True)
        digests.add(hashlib.sha256(db.read_bytes()).hexdigest())
    assert len(digests) == 1
