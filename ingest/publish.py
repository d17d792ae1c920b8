"""hindsight publish: build seeds/ into a fresh database, check it, and hand it to `datasette publish`.

The bundle holds the database (served immutable), metadata.json (metadata.yml plus the release
this build matches and the cache settings), plugins/, templates/ and static/. Every package the
site installs is pinned to the version installed here, so the site runs what the tests ran; the
code the plugins share (the hindsight_site package) travels inside plugins/ and pip installs it
from there.
"""
import ast
import hashlib
import importlib.metadata
import importlib.util
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import click
import yaml

from . import build as pipeline
from .folders import require_seeds, site_root
from .release import DEFAULT_OUT, git_commit, releases, sha256_of
from .validate import ValidationFailed

DATABASE = "hindsight"
CACHE_MAX_AGE = 365 * 24 * 3600  # content-addressed URLs never change meaning, so a year is safe

SITE_PACKAGE = "hindsight_site"  # the plugins' shared code: shipped in the bundle, not pinned
SITE_DIR = "plugins/hindsight-site"  # where the bundle holds it, with the pyproject.toml pip installs it by
SITE_PYPROJECT = """# Written by `hindsight publish`: the code Hindsight's plugins share, for pip to install on the host.
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "hindsight-site"
version = "{version}"
requires-python = ">=3.11"
# No dependencies listed: what it imports is pinned on the same pip command line.

[tool.setuptools.packages.find]
include = ["{package}", "{package}.*"]
"""


def site_package():
    """The folder of the hindsight_site package as installed here (found without importing it: it imports Datasette)."""
    return Path(importlib.util.find_spec(SITE_PACKAGE).submodule_search_locations[0])


def plugin_distributions(plugins_dir, shipped=()):
    """The installed distributions that the plugin files and the shipped package folders import
    (stdlib, sibling files and the shipped packages themselves aside)."""
    modules = set()
    for path in sorted(Path(plugins_dir).glob("*.py")) + [p for d in shipped for p in sorted(Path(d).rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    modules -= set(sys.stdlib_module_names) | {p.stem for p in Path(plugins_dir).glob("*.py")} | {Path(d).name for d in shipped}
    owners = importlib.metadata.packages_distributions()
    missing = sorted(m for m in modules if m not in owners)
    if missing:
        raise click.ClickException(f"{plugins_dir} imports {', '.join(missing)}, not installed here: install and test it first")
    return sorted({dist for m in modules for dist in owners[m]})


def pins(roots):
    """name==version for the roots and everything they require, as installed in this environment."""
    from packaging.requirements import Requirement  # here: every hindsight command imports this module
    from packaging.utils import canonicalize_name

    found, todo = {}, [Requirement(r) for r in roots]
    while todo:
        req = todo.pop()
        dist = importlib.metadata.distribution(req.name)
        name = canonicalize_name(dist.metadata["Name"])
        extras = {""} | set(req.extras)
        if found.get(name, set()) >= extras:
            continue
        found[name] = found.get(name, set()) | extras
        for spec in dist.requires or ():
            sub = Requirement(spec)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(sub)
    return [f"{name}=={importlib.metadata.version(name)}" for name in sorted(found)]


def check_database(db):
    """The checks a published file must pass beyond validation: SQLite integrity and foreign keys."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        integrity = conn.execute("pragma integrity_check").fetchall()
        broken = conn.execute("pragma foreign_key_check").fetchall()
    finally:
        conn.close()
    if integrity != [("ok",)] or broken:
        raise click.ClickException(f"{db} failed its checks: integrity {integrity[:5]}, broken foreign keys {broken[:5]}")


def release_info(db, releases_dir, commit):
    """Which release this build is (the same seeds build the same bytes), for the release-info plugin."""
    digest = sha256_of(db)
    match = next((r for r in reversed(releases(releases_dir)) if r.sha256 == digest), None)
    info = {"database": DATABASE, "sha256": digest, "bytes": db.stat().st_size, "commit": commit,
            "version": None, "date": None, "file": db.name}
    if match:
        info.update(version=match.version, date=match.date, file=match.path.name)
    return info


def stage(seeds, releases_dir, commit, into):
    """Build and check the database and lay out the bundle's files; returns (datasette publish arguments, release info)."""
    db = into / f"{DATABASE}.db"
    try:
        pipeline.build(seeds, db)  # a fresh path: always a full build
    except ValidationFailed as e:
        raise click.ClickException(str(e))
    check_database(db)
    info = release_info(db, releases_dir, commit)
    root = site_root()
    metadata = yaml.safe_load((root / "metadata.yml").read_text())
    metadata.setdefault("plugins", {})["release-info"] = info
    args = [db.name, "--metadata", "metadata.json"]
    for name, flag, value in (("plugins", "--plugins-dir", "plugins"), ("templates", "--template-dir", "templates"),
                              ("static", "--static", "static:static")):
        if (root / name).is_dir() and any((root / name).iterdir()):  # git keeps no empty folders
            shutil.copytree(root / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
            args += [flag, value]
    shutil.copytree(site_package(), into / SITE_DIR / SITE_PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    (into / SITE_DIR / "pyproject.toml").write_text(
        SITE_PYPROJECT.format(version=importlib.metadata.version("hindsight"), package=SITE_PACKAGE))
    for pin in pins(["datasette", *plugin_distributions(root / "plugins", [site_package()])]):
        args += ["--install", pin]
    args += ["--install", f"./{SITE_DIR}"]  # a path: pip builds it from the bundle's copy
    # No signing secret in the bundle: `datasette publish` writes --secret into the Dockerfile as
    # ENV DATASETTE_SECRET; empty, Datasette draws a random one at start, unless the host's secret
    # store sets DATASETTE_SECRET (runtime environment overrides the image's ENV).
    args += ["--secret", ""]
    settings = {k: ("on" if v is True else "off" if v is False else v) for k, v in (metadata.get("settings") or {}).items()}
    args += ["--version-note", commit, "--extra-options", " ".join(f"--setting {k} {v}" for k, v in settings.items())]
    # URLs change whenever anything the pages are made from changes, not only the database
    metadata["plugins"]["cache-headers"] = {"max_age": CACHE_MAX_AGE, "key": content_key(into, metadata, args)}
    (into / "metadata.json").write_text(json.dumps(metadata, indent=2))
    return args, info


def content_key(into, *parts):
    """A digest of the staged files (database, plugins, templates, static) and of the publish arguments."""
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode())
    for path in sorted(p for p in into.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(into)} {sha256_of(path)}\n".encode())
    return digest.hexdigest()


def require(tool, what):
    if not shutil.which(tool):
        raise click.ClickException(f"{tool} is not installed or not on PATH: {what}")


def run_publish(target, seeds, releases_dir, options):
    require_seeds(seeds)
    commit = git_commit(site_root())  # the version of the site's code, shown on /-/versions
    if commit == "unknown":  # an installed copy, not a checkout: the package's version says which code
        commit = f"hindsight-{importlib.metadata.version('hindsight')}"
    with tempfile.TemporaryDirectory() as tmp:
        args, info = stage(seeds, releases_dir, commit, Path(tmp))
        if info["version"]:
            click.echo(f"Publishing release {info['version']} (sha256 {info['sha256']}), commit {commit}", err=True)
        else:
            click.secho(f"This build (sha256 {info['sha256']}) matches no release in {releases_dir}: the site will say so. "
                        "Run `hindsight release` first to publish a citable version.", fg="yellow", err=True)
        result = subprocess.run([sys.executable, "-m", "datasette", "publish", target, *args, *options], cwd=tmp)
    if result.returncode:
        raise click.ClickException(f"datasette publish {target} failed (exit {result.returncode}); see its messages above")


SECRET_NOTE = ("The bundle holds no signing secret: each instance draws a random one at start (the read-only site "
               "signs nothing a reader carries between instances). To share one, keep it in the host's secret store: {how}")


def common_options(command):
    command = click.option("--releases", "releases_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
                           show_default=True, help="Where `hindsight release` keeps releases, to name the one being served.")(command)
    return click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default=pipeline.DEFAULT_SEEDS,
                        show_default=True)(command)


@click.group()
def publish():
    """Build from seeds/, check, and publish read-only with pinned versions (Fly or Cloud Run)."""


@publish.command()
@common_options
@click.option("-a", "--app", required=True, help="Fly app name (created if it does not exist).")
@click.option("-o", "--org", help="Fly organisation for a new app.")
@click.option("--region", help="Fly region, e.g. lhr (default: the nearest).")
@click.option("--generate-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the deploy bundle here and stop, without deploying.")
def fly(seeds, releases_dir, app, org, region, generate_dir):
    """Publish to Fly with datasette-publish-fly; more instances with `fly scale count N`."""
    options = ["--app", app] + (["--org", org] if org else []) + (["--region", region] if region else [])
    if generate_dir:
        if generate_dir.exists() and any(generate_dir.iterdir()):
            raise click.ClickException(f"{generate_dir} is not empty: choose a new directory for the bundle")
        options += ["--generate-dir", str(generate_dir.resolve())]
    else:
        require("flyctl", "install it from https://fly.io/docs/flyctl/install/ and run `flyctl auth login`; "
                          "or pass --generate-dir DIR to write the bundle without deploying")
    run_publish("fly", seeds, releases_dir, options)
    click.echo(f"Wrote the bundle to {generate_dir}" if generate_dir else f"Deployed to https://{app}.fly.dev/")
    click.echo(SECRET_NOTE.format(how=f"flyctl secrets set DATASETTE_SECRET=\"$(openssl rand -hex 32)\" --app {app}"))


@publish.command()
@common_options
@click.option("--service", required=True, help="Cloud Run service name (created or replaced).")
@click.option("--max-instances", default=10, show_default=True, help="Most instances Cloud Run may start under load.")
def cloudrun(seeds, releases_dir, service, max_instances):
    """Publish to Google Cloud Run with `datasette publish cloudrun`."""
    require("gcloud", "install the Google Cloud CLI from https://cloud.google.com/sdk/docs/install, "
                      "then run `gcloud auth login` and `gcloud config set project PROJECT`")
    project = subprocess.run(["gcloud", "config", "get-value", "project"], capture_output=True, text=True).stdout.strip()
    if project in ("", "(unset)"):
        raise click.ClickException("gcloud has no project set: run `gcloud auth login` and `gcloud config set project PROJECT`")
    run_publish("cloudrun", seeds, releases_dir, ["--service", service, "--name", service, "--max-instances", str(max_instances)])
    click.echo(SECRET_NOTE.format(how=f"a Secret Manager secret given to the service, `gcloud run services update {service} "
                                      "--update-secrets DATASETTE_SECRET=NAME:latest`"))
