"""The seeds folder as it was at a commit, taken from git: what a past release is rebuilt from."""
import subprocess
import tarfile
from pathlib import Path


class Unavailable(Exception):
    """git, the repository or the commit is not at hand; the message says which."""


def seeds_at(commit, seeds_dir, into):
    """Write seeds_dir as it was at commit under the folder into; returns the copy's path.

    `git archive` reads the commit's tree without touching the working copy or the index (other
    work in the checkout is safe), streamed, so a large corpus is never held in memory.
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
    archive = subprocess.Popen(["git", "-C", str(root), "archive", "--format=tar", commit, "--", inside],
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
        raise Unavailable(f"git cannot read {inside}/ at commit {commit}: {error or f'exit {archive.returncode}'}"
                          " (a shallow clone lacks old commits: `git fetch --unshallow`)")
    copy = Path(into) / inside
    if not copy.is_dir():
        raise Unavailable(f"commit {commit} has no {inside}/ folder")
    return copy
