"""Builds of one database exclude each other: a lock file beside the database, held with flock.

The second build does not wait: it stops at once with a clear message naming the first's pid.
The lock file is removed when the build ends; a build killed outright leaves it behind, and
the next build simply takes it (the kernel released the lock with the process).
"""
import contextlib
import fcntl
import os
from pathlib import Path


class BuildLocked(OSError):
    """Another build of the same database is running (an OSError: the CLI words it as one)."""


def lock_path(db_path):
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.lock")


def _holder(path):
    try:
        return Path(path).read_text().strip() or "unknown"
    except OSError:
        return "unknown"


@contextlib.contextmanager
def build_lock(db_path):
    """Hold the lock of db_path's builds for the with block; BuildLocked if another build holds it."""
    path = lock_path(db_path)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BuildLocked(f"another build of {db_path} is running (pid {_holder(path)}); wait for it") from None
        except BaseException:
            os.close(fd)
            raise
        # The holder before us may have removed the file just before we locked it: then the lock
        # we hold is on a name nobody uses any more, and another build could lock the new file.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # while still held: a build waiting to lock it retries on the new file
        os.close(fd)
