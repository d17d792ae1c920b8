"""Where the commands look: the ledger is the current folder, the site comes with the code.

A ledger folder holds seeds/ and receives build/, CHANGELOG.md and CITATION.cff, the way
sqlite-utils works on the files it is named: `hindsight build` in a copy of the repository builds
that copy. The defaults are relative paths, so they mean the folder the command runs in.
"""
import importlib.resources
from pathlib import Path

import click

SEEDS = Path("seeds")
DB = Path("build") / "hindsight.db"
RELEASES = Path("build") / "releases"
CHANGELOG = Path("CHANGELOG.md")
CITATION = Path("CITATION.cff")

CODE_ROOT = Path(__file__).resolve().parent.parent  # the checkout the package runs from (editable install)
# The site as a regular install carries it: package data of ingest.site (pyproject.toml maps that
# package onto the top of the repository). An editable install has no such folder.
INSTALLED_SITE = Path(str(importlib.resources.files(__package__) / "site"))


def require_seeds(seeds):
    """seeds, when it is a folder; else a clear error (no seeds/ here: not a ledger folder)."""
    if not Path(seeds).is_dir():
        raise click.ClickException(
            f"no seeds folder at {Path(seeds).absolute()}: run hindsight in a ledger folder (one holding seeds/) "
            "or pass --seeds PATH")
    return seeds


def site_root():
    """The folder with the site's metadata.yml, plugins/, templates/ and static/.

    The current folder when it has them (a checkout or a copy of one, perhaps customised), else
    the site installed with the code (a regular install), else the checkout the code runs from (an
    editable one): a ledger folder holding only seeds/ is served by the code's site.
    """
    for root in (Path.cwd(), INSTALLED_SITE, CODE_ROOT):
        if (root / "metadata.yml").is_file() and (root / "plugins").is_dir():
            return root
    raise click.ClickException(
        f"the site's metadata.yml and plugins/ are in none of {Path.cwd()}, {INSTALLED_SITE}, {CODE_ROOT}: "
        "run in a clone of the Hindsight repository, or reinstall hindsight (`pip install .` or `pip install -e .` in a clone)")
