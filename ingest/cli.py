"""The hindsight command: check, build, serve and the rest of the ledger's life cycle."""
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import click
import yaml

from . import build as pipeline
from .folders import require_seeds, site_root
from .validate import ValidationFailed

SUMMARY = ("documents", "sections", "claims", "topics", "resolutions", "evidence")


def _progress(n, total):
    if n == total or n % 500 == 0:
        click.echo(f"  read {n:,}/{total:,} documents", err=True)


def _warn(warnings):
    for warning in warnings:
        click.secho(str(warning), fg="yellow", err=True)


def _fail(e):
    _warn(e.warnings)
    for problem in e.problems:
        click.secho(str(problem), fg="red", err=True)
    raise click.ClickException(f"{len(e.problems)} problem(s) found; nothing was written")


@contextmanager
def _sigterm_unwinds():
    """SIGTERM unwinds the build as Ctrl-C does, so the build's finally removes its temporary file."""
    pid = os.getpid()

    def stop(signum, frame):
        if os.getpid() != pid:  # a forked worker of the build: just go
            os._exit(128 + signum)
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.group()
@click.version_option(package_name="hindsight")
def cli():
    """Hindsight: a public ledger of AI predictions and how they turned out."""


@cli.command()
@click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default=pipeline.DEFAULT_SEEDS, show_default=True)
def check(seeds):
    """Validate seeds/ without building: every problem with file:line.

    Run in a ledger folder (one holding seeds/), or name the folder with --seeds.
    """
    require_seeds(seeds)
    try:
        counts = pipeline.check(seeds, _progress)
    except ValidationFailed as e:
        _fail(e)
    _warn(counts.get("warnings", ()))
    click.echo("OK: " + ", ".join(f"{counts.get(k, 0):,} {k}" for k in SUMMARY))


@cli.command()
@click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default=pipeline.DEFAULT_SEEDS, show_default=True)
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=pipeline.DEFAULT_DB, show_default=True)
@click.option("--full", is_flag=True, help="Rebuild everything, even when only some documents changed (use for releases: byte-reproducible).")
def build(seeds, db, full=False):
    """Validate seeds/ and build the SQLite database (swapped in only on success).

    When a previous build of the same seeds exists, only the documents whose files changed are
    read again and their rows replaced; --full builds from scratch. Paths are relative to the
    current folder (a ledger folder holding seeds/).
    """
    require_seeds(seeds)
    click.echo(f"Building {db} from {seeds}", err=True)
    try:
        with _sigterm_unwinds():
            counts = pipeline.build(seeds, db, _progress, incremental=not full)
    except ValidationFailed as e:
        _fail(e)
    except (OSError, sqlite3.Error) as e:  # disk full, no permission: the swap never happened
        raise click.ClickException(f"build failed, {db} is unchanged: {e}")
    _warn(counts.get("warnings", ()))
    changed = f" ({counts['changed_documents']:,} documents redone)" if "changed_documents" in counts else ""
    click.echo(f"Built {db}, {counts['mode']}{changed}: " + ", ".join(f"{counts.get(k, 0):,} {k}" for k in SUMMARY) + f" in {counts['seconds']}s")


def _inspect_file(db):
    """Datasette's inspect file for db, made again when the database is newer.

    An immutable database served with it shows table counts without counting every row.
    """
    path = db.with_name(f".{db.name}.inspect.json")
    if not path.exists() or path.stat().st_mtime_ns < db.stat().st_mtime_ns:
        subprocess.run([sys.executable, "-m", "datasette", "inspect", str(db), "--inspect-file", str(path)], check=True)
    return path


@cli.command()
@click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default=pipeline.DEFAULT_SEEDS, show_default=True)
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=pipeline.DEFAULT_DB, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True)
@click.option("--rebuild/--no-rebuild", default=False, help="Build even when the database exists.")
def serve(seeds, db, host, port, rebuild):
    """Build if needed, then serve the database read-only with Datasette.

    The site's metadata.yml, plugins/, templates/ and static/ come from the current folder when it
    has them, else the copy installed with the command (the checkout, for an editable install).
    """
    if rebuild or not db.exists():
        click.get_current_context().invoke(build, seeds=seeds, db=db)
    root = site_root()
    args = [sys.executable, "-m", "datasette", "serve", "-i", str(db.absolute()),
            "--metadata", str(root / "metadata.yml"), "--plugins-dir", str(root / "plugins"),
            "--template-dir", str(root / "templates"), "--static", f"static:{root / 'static'}",
            "--host", host, "--port", str(port), "--inspect-file", str(_inspect_file(db))]
    # `datasette serve` takes settings (the SQL time limit...) from --setting, not from metadata.
    for name, value in (yaml.safe_load((root / "metadata.yml").read_text()).get("settings") or {}).items():
        args += ["--setting", name, ("on" if value else "off") if isinstance(value, bool) else str(value)]
    click.echo(f"Serving on http://{host}:{port}/", err=True)
    # Become Datasette, so a signal to this process reaches the server itself.
    os.execv(sys.executable, args)


from .add import add  # noqa: E402  (each command in its own module)
from .link_suggestions import links  # noqa: E402
from .propose import propose  # noqa: E402
from .publish import publish  # noqa: E402
from .release import release  # noqa: E402
for _command in (add, links, propose, publish, release):
    cli.add_command(_command)

if __name__ == "__main__":
    cli()
