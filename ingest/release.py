"""hindsight release: a dated, reproducible, citable copy of the database.

A release is a full build from seeds/ into a fresh file, kept as build/releases/hindsight-<version>.db
beside a sha256 sidecar (the sidecar marks the release as complete). The changelog entry is
computed against the previous release database; CITATION.cff names the newest release.
The same seeds always build the same bytes, so anyone can rebuild a release and check its sha256.
"""
import hashlib
import os
import re
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import click
import yaml

from . import build as pipeline
from .validate import ValidationFailed

DEFAULT_OUT = pipeline.PACKAGE_ROOT / "build" / "releases"
NAME = re.compile(r"^hindsight-(\d{4})\.(\d{2})\.(\d{2})(?:\.(\d+))?\.db$")
CHANGELOG_HEADER = (
    "# Changelog\n\nReleases of the Hindsight database, newest first, written by `hindsight release`.\n"
    "Each names its database file and sha256; rebuilding the same seeds gives the same bytes.\n"
)
LICENSE = "CC-BY-4.0"  # the curation licence in metadata.yml


@dataclass(frozen=True)
class Release:
    version: str
    date: str
    path: Path
    sha256: str

    @property
    def key(self):
        return tuple(int(p) for p in self.version.split("."))


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit(root=pipeline.PACKAGE_ROOT):
    """The commit the code and seeds come from, with '+dirty' when they have uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True).stdout.strip()
    try:
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--", "seeds", "ingest", "plugins", "templates", "static", "metadata.yml")
    except OSError:  # git not installed
        return "unknown"
    return (commit or "unknown") + ("+dirty" if commit and dirty else "")


def releases(out_dir):
    """Completed releases in out_dir, oldest first."""
    found = []
    for sidecar in Path(out_dir).glob("hindsight-*.db.sha256"):
        db = sidecar.with_suffix("")
        m = NAME.match(db.name)
        if m and db.exists():
            found.append(Release(db.name[len("hindsight-"):-len(".db")], "-".join(m.group(1, 2, 3)), db,
                                 sidecar.read_text().split()[0]))
    return sorted(found, key=lambda r: r.key)


def next_version(day, existing):
    """YYYY.MM.DD, then YYYY.MM.DD.1, .2 ... for more releases the same day."""
    base = version = day.strftime("%Y.%m.%d")
    taken, n = {r.version for r in existing}, 0
    while version in taken:
        n += 1
        version = f"{base}.{n}"
    return version


CHANGES = {
    "documents added": "select n.id, n.title from main.documents n where n.id not in (select id from old.documents) order by n.id",
    "documents removed": "select o.id, o.title from old.documents o where o.id not in (select id from main.documents) order by o.id",
    "claims added": "select n.id, n.statement from main.claims n where n.id not in (select id from old.claims) order by n.id",
    "claims removed": "select o.id, o.statement from old.claims o where o.id not in (select id from main.claims) order by o.id",
    "verdicts changed": (
        "select n.id, n.statement, coalesce(o.verdict, 'unreviewed') || ' → ' || coalesce(n.verdict, 'unreviewed')"
        " from main.claims n join old.claims o on o.id = n.id where n.verdict is not o.verdict order by n.id"
    ),
}


def diff(old_db, new_db):
    """What changed between two databases: {heading: [(id, text[, change]), ...]}."""
    conn = sqlite3.connect(f"file:{new_db}?mode=ro", uri=True)
    try:
        conn.execute("attach database ? as old", (f"file:{old_db}?mode=ro",))
        return {heading: conn.execute(sql).fetchall() for heading, sql in CHANGES.items()}
    finally:
        conn.close()


def changelog_entry(release, commit, previous=None, changes=None):
    conn = sqlite3.connect(f"file:{release.path}?mode=ro", uri=True)
    totals = ", ".join(f"{conn.execute(f'select count(*) from {t}').fetchone()[0]:,} {t}" for t in ("documents", "claims", "resolutions"))
    conn.close()
    lines = [f"## {release.version} ({release.date})", "",
             f"- Database: `{release.path.name}`, sha256 `{release.sha256}`, {release.path.stat().st_size:,} bytes",
             f"- Built from commit `{commit}`: {totals}"]
    if previous is None:
        lines.append("- First release")
    else:
        counted = [f"{heading} {len(rows):,}" for heading, rows in changes.items() if rows]
        lines.append(f"- Since {previous.version}: " + (", ".join(counted) or "no claim added, removed or re-resolved"))
        for heading, rows in changes.items():
            if rows:
                lines += ["", f"### {heading.capitalize()}", ""]
                lines += [f"- `{row[0]}`" + (f" ({row[2]})" if len(row) > 2 else "") + f": {row[1]}" for row in rows]
    return "\n".join(lines) + "\n"


def add_to_changelog(path, entry):
    """Newest first: the entry goes above the previous ones, below the header."""
    text = Path(path).read_text() if Path(path).exists() else CHANGELOG_HEADER
    head, sep, rest = text.partition("\n## ")
    Path(path).write_text(head.rstrip("\n") + "\n\n" + entry + (f"\n## {rest}" if sep else ""))


def citation(release, commit, title):
    return {
        "cff-version": "1.2.0",
        "message": "If you use these data, cite the release you used: its version and sha256 identify the exact database.",
        "type": "dataset",
        "title": f"{title}: a public ledger of AI predictions and how they turned out",
        "authors": [{"name": "Hindsight contributors"}],
        "version": release.version,
        "date-released": release.date,
        "commit": commit,
        "license": LICENSE,
        "identifiers": [{"type": "other", "value": f"sha256:{release.sha256}",
                         "description": f"SHA-256 of {release.path.name}"}],
    }


def make_release(seeds_dir, out_dir, changelog_path, citation_path, day, commit):
    """Build, name, hash and describe a release; returns (release, previous) or (None, previous) when nothing changed."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    existing = releases(out_dir)
    previous = existing[-1] if existing else None
    cited = yaml.safe_load(Path(citation_path).read_text()).get("version") if Path(citation_path).exists() else None
    if cited and cited not in {r.version for r in existing}:
        raise click.ClickException(
            f"{citation_path} cites release {cited}, but {out_dir} does not hold hindsight-{cited}.db and its .sha256: "
            "put them there (download the database from the published site) so the changelog can compare against it")
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        built = Path(tmp) / "hindsight.db"
        pipeline.build(seeds_dir, built)  # a fresh path: always a full build
        digest = sha256_of(built)
        if previous and previous.sha256 == digest:
            return None, previous
        version = next_version(day, existing)
        release = Release(version, day.isoformat(), out_dir / f"hindsight-{version}.db", digest)
        os.replace(built, release.path)
    changes = diff(previous.path, release.path) if previous else None
    title = yaml.safe_load((pipeline.PACKAGE_ROOT / "metadata.yml").read_text()).get("title", "Hindsight")
    add_to_changelog(changelog_path, changelog_entry(release, commit, previous, changes))
    Path(citation_path).write_text(yaml.safe_dump(citation(release, commit, title), sort_keys=False, allow_unicode=True))
    release.path.with_name(release.path.name + ".sha256").write_text(f"{digest}  {release.path.name}\n")
    return release, previous


@click.command()
@click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default=pipeline.DEFAULT_SEEDS, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Where release databases and their .sha256 files go (not committed).")
@click.option("--changelog", type=click.Path(dir_okay=False, path_type=Path),
              default=pipeline.PACKAGE_ROOT / "CHANGELOG.md", show_default=True)
@click.option("--citation", "citation_path", type=click.Path(dir_okay=False, path_type=Path),
              default=pipeline.PACKAGE_ROOT / "CITATION.cff", show_default=True)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Release date (default: today, UTC).")
def release(seeds, out, changelog, citation_path, day):
    """Write a dated, reproducible release: database, sha256, changelog entry, CITATION.cff."""
    day = day.date() if day else datetime.now(timezone.utc).date()
    commit = git_commit()
    try:
        made, previous = make_release(seeds, out, changelog, citation_path, day, commit)
    except ValidationFailed as e:
        raise click.ClickException(str(e))
    if made is None:
        click.echo(f"Nothing to release: the seeds build the same database as release {previous.version} ({previous.path})")
        return
    click.echo(f"Released {made.version}: {made.path} sha256 {made.sha256}")
    click.echo(f"Updated {changelog} and {citation_path}" + (f" (compared with {previous.version})" if previous else ""))
    if commit.endswith("+dirty"):
        click.secho("Warning: seeds/ or the code have uncommitted changes; commit them so this release can be rebuilt.",
                    fg="yellow", err=True)
