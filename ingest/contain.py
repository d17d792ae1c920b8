"""The one containment rule for seed files: every file the build or check opens under seeds/
(documents, documents.yml, authors.yml, publishers.yml, topics.yml, claims/*.yml) must be,
once every symlink is followed, inside the seeds folder.

A file that is not a symlink, in a directory that resolves inside the seeds folder, is inside:
one lstat per file, and each directory resolved once per process, so the check costs next to
nothing for 100,000 documents. Anything else (a symlink, a path with ..) is resolved in full.
"""
import os
import stat
from pathlib import Path

_ROOTS = {}  # str(root) -> resolved root
_DIRECTORIES = {}  # (str(directory), str(root)) -> whether it resolves inside root


def _resolved_root(root):
    key = str(root)
    if key not in _ROOTS:
        _ROOTS[key] = Path(root).resolve()
    return _ROOTS[key]


def _directory_inside(directory, root):
    key = (str(directory), str(root))
    if key not in _DIRECTORIES:
        if len(_DIRECTORIES) > 10_000:
            _DIRECTORIES.clear()
        try:
            _DIRECTORIES[key] = Path(directory).resolve().is_relative_to(_resolved_root(root))
        except (OSError, ValueError, RuntimeError):
            _DIRECTORIES[key] = False
    return _DIRECTORIES[key]


def outside(path, root):
    """Why path may not be opened as a seed file of the seeds folder root, or None when it may.

    A path inside that does not exist is not outside: the reader reports it missing.
    """
    path = Path(path)
    try:
        is_link = stat.S_ISLNK(os.lstat(path).st_mode)
    except FileNotFoundError:
        is_link = False
    except (OSError, ValueError) as e:  # a NUL byte, a name too long
        return f"is not a usable path ({e})"
    if not is_link and ".." not in path.parts and _directory_inside(path.parent, root):
        return None
    try:
        inside = path.resolve().is_relative_to(_resolved_root(root))
    except (OSError, ValueError, RuntimeError) as e:  # a symlink loop
        return f"is not a usable path ({e})"
    return None if inside else "is outside seeds/: keep seed files in the seeds folder (no links to files elsewhere)"
