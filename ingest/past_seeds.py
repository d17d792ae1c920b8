"""A ledger as it was at a commit, taken from git: what a past release is rebuilt from."""
import os
import subprocess
import sys
import tarfile
from pathlib import Path


class Unavailable(Exception):
    """git, the repository, the commit or its build is not at hand; the message says which."""


def checkout_at(commit, seeds_dir, into):
    """Write the commit's whole tree under the folder into; returns (the tree, its copy of seeds_dir).

    `git archive` reads the commit without touching the working copy or the index (other work in
    the checkout is safe), streamed, so a large corpus is never held in memory. The whole tree,
    not only the seeds: when the ledger lives in a checkout of Hindsight, the commit's own build
    code is what reproduces its release.
    """
    seeds_dir = Path(seeds_dir).resolve()
    try:
        top = subprocess.run(["git", "-C", str(seeds_dir.parent), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True)
    except OSError as e:  # git not installed
        raise Unavailable(f"git is not available ({e})")
    if top.returncode:
        raise Unavailable(f"{seeds_dir.parent} is not in a git repository ({top.stderr.strip()})")
    root = Path(top.stdout.strip()).resolve()
    if not seeds_dir.is_relative_to(root):
        raise Unavailable(f"{seeds_dir} is outside the git repository {root}")
    inside = seeds_dir.relative_to(root).as_posix()
    archive = subprocess.Popen(["git", "-C", str(root), "archive", "--format=tar", commit],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
            tar.extractall(into, filter="data")  # "data": nothing outside into, no links out, no devices
    except tarfile.TarError:
        pass  # git said why on stderr (an unknown commit writes no archive at all)
    finally:
        archive.stdout.close()
        error = archive.stderr.read().decode(errors="replace").strip()
        archive.wait()
    if archive.returncode:
        raise Unavailable(f"git cannot read commit {commit}: {error or f'exit {archive.returncode}'}"
                          " (a shallow clone lacks old commits: `git fetch --unshallow`)")
    copy = Path(into) / inside
    if not copy.is_dir():
        raise Unavailable(f"commit {commit} has no {inside}/ folder")
    return Path(into), copy


def build_with_code_of(tree, seeds, db, build):
    """Build seeds into db with the build code in tree when it holds one (`python -m ingest.cli
    build --seeds --db`, the interface every version has), else with build(seeds, db): a ledger
    kept apart from the code is rebuilt by the code installed now."""
    if not (Path(tree) / "ingest" / "cli.py").is_file():
        build(seeds, db)
        return
    done = subprocess.run([sys.executable, "-m", "ingest.cli", "build", "--seeds", str(Path(seeds).absolute()),
                           "--db", str(Path(db).absolute())],
                          cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True)
    if done.returncode:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or [f"exit {done.returncode}"]
        raise Unavailable(f"the build code of that commit failed: {last[0]}")
