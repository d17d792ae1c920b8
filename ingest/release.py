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
from . import folders
from .past_seeds import Unavailable, build_with_code_of, checkout_at
from .validate import ValidationFailed

DEFAULT_OUT = folders.RELEASES
NAME = re.compile(r"hindsight-(\d{4})\.(\d{2})\.(\d{2})(?:\.(\d+))?\.db")  # whole names only: NAME.fullmatch
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


def git_commit(root, seeds="seeds"):
    """The commit of the folder root (a ledger folder, a checkout of the code or both), with '+dirty'
    when its seeds or code have uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True).stdout.strip()
    try:
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--", seeds, "ingest", "plugins", "templates", "static", "metadata.yml")
    except OSError:  # git not installed
        return "unknown"
    return (commit or "unknown") + ("+dirty" if commit and dirty else "")


def releases(out_dir):
    """Completed releases in out_dir, oldest first."""
    found = []
    for sidecar in Path(out_dir).glob("hindsight-*.db.sha256"):
        db = sidecar.with_suffix("")
        m = NAME.fullmatch(db.name)
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
    "claims added": ("select n.id, n.statement, coalesce(n.verdict, 'unreviewed') from main.claims n"
                     " where n.id not in (select id from old.claims) order by n.id"),
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
    """Newest first: the entry goes above the previous ones, below the header. A section headed
    `## Unreleased`, written by hand while the changes were made, becomes the entry's notes."""
    text = Path(path).read_text() if Path(path).exists() else CHANGELOG_HEADER
    head, sep, rest = text.partition("\n## ")
    if sep and rest.startswith("Unreleased\n"):
        notes, sep, rest = rest[len("Unreleased\n"):].partition("\n## ")
        if notes.strip():
            entry += f"\n### Notes\n\n{notes.strip()}\n"
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
    cited = (yaml.safe_load(Path(citation_path).read_text()) or {}) if Path(citation_path).exists() else {}
    if cited.get("version") and str(cited["version"]) not in {r.version for r in existing}:
        rebuild(cited, citation_path, seeds_dir, out_dir)
        existing = releases(out_dir)
        previous = existing[-1]
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
    title = yaml.safe_load((folders.site_root() / "metadata.yml").read_text()).get("title", "Hindsight")
    add_to_changelog(changelog_path, changelog_entry(release, commit, previous, changes))
    Path(citation_path).write_text(yaml.safe_dump(citation(release, commit, title), sort_keys=False, allow_unicode=True))
    release.path.with_name(release.path.name + ".sha256").write_text(f"{digest}  {release.path.name}\n")
    return release, previous


def rebuild(cited, citation_path, seeds_dir, out_dir):
    """The release CITATION.cff cites, rebuilt into out_dir from its commit's seeds, when its file is absent.

    Releases are byte-reproducible, so a fresh clone needs no download: the seeds of the recorded
    commit are built in full, by that commit's build code when the repository holds it (today's
    code may add tables), and kept only if their sha256 is the one recorded.
    """
    version, commit = str(cited["version"]), str(cited.get("commit") or "")
    name = f"hindsight-{version}.db"
    recorded = next((str(i["value"])[len("sha256:"):] for i in cited.get("identifiers") or []
                     if isinstance(i, dict) and str(i.get("value", "")).startswith("sha256:")), None)
    missing = (f"{citation_path} cites release {version}, but {out_dir} does not hold {name} and its .sha256, "
               "and it cannot be rebuilt")
    fix = ("put them there (download the database from the published site) so the changelog can compare "
           "against it")
    if not re.fullmatch(r"[0-9a-f]{40}", commit) or not recorded:
        raise click.ClickException(f"{missing}: {citation_path} records commit {commit or '(none)'}"
                                   f"{'' if recorded else ' and no sha256'}, not a clean commit and a sha256; {fix}")
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        built = Path(tmp) / name
        try:
            tree, past = checkout_at(commit, seeds_dir, Path(tmp) / "checkout")
            click.echo(f"Rebuilding release {version} from commit {commit[:12]}", err=True)
            build_with_code_of(tree, past, built, pipeline.build)  # a fresh path: a full build, as every release is made
        except Unavailable as e:
            raise click.ClickException(f"{missing}: {e}; {fix}")
        digest = sha256_of(built)
        if digest != recorded:
            raise click.ClickException(
                f"{missing}: rebuilt from commit {commit[:12]}, it has sha256 {digest}, not the {recorded} recorded "
                f"(the build code changed since, or {citation_path} was edited); {fix}")
        os.replace(built, Path(out_dir) / name)
    (Path(out_dir) / f"{name}.sha256").write_text(f"{digest}  {name}\n")  # last: it marks the release complete
    click.echo(f"Rebuilt release {version} from commit {commit[:12]}: sha256 matches ({digest})")


@click.command()
@click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default=pipeline.DEFAULT_SEEDS, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Where release databases and their .sha256 files go (not committed).")
@click.option("--changelog", type=click.Path(dir_okay=False, path_type=Path),
              default=folders.CHANGELOG, show_default=True)
@click.option("--citation", "citation_path", type=click.Path(dir_okay=False, path_type=Path),
              default=folders.CITATION, show_default=True)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Release date (default: today, UTC).")
def release(seeds, out, changelog, citation_path, day):
    """Write a dated, reproducible release: database, sha256, changelog entry, CITATION.cff.

    Paths are relative to the current folder (a ledger folder holding seeds/). When the release
    CITATION.cff cites is not in --out (a fresh clone), it is rebuilt from the commit it records
    and checked against its sha256 first.
    """
    folders.require_seeds(seeds)
    day = day.date() if day else datetime.now(timezone.utc).date()
    commit = git_commit(Path(seeds).absolute().parent, Path(seeds).name)  # the commit its seeds can be rebuilt from
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
