"""Faults during a build: killed, interrupted, an exception in a late stage, the disk full.
Each leaves the previous database byte-for-byte as it was and no stray temporary file."""
import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from ingest import aggregate, incremental
from ingest.build import build
from ingest.cli import cli

HINDSIGHT = Path(sys.executable).parent / "hindsight"
PARAGRAPH = "Models will get cheaper and more capable every year, and agents will book our travel. " * 6


def add_documents(seeds, count, parts=60, prefix="synthetic"):
    """count synthetic documents (about 30 kB each with the default parts) in documents.yml."""
    publisher = next(line.split(": ", 1)[1] for line in (seeds / "publishers.yml").read_text().splitlines()
                     if line.startswith("- id: "))
    entries = []
    for i in range(count):
        body = "".join(f"\n## Part {j}\n\n{PARAGRAPH}\n" for j in range(parts))
        (seeds / "documents" / f"{prefix}-{i:04d}.txt").write_text(f"---\ntitle: Synthetic {i}\n---\n{body}")
        entries.append(f"\n- id: {prefix}-{i:04d}\n  file: documents/{prefix}-{i:04d}.txt\n  title: Synthetic {i}\n"
                       f"  publisher: {publisher}\n  published: 2024-01-01\n  kind: report\n")
    with open(seeds / "documents.yml", "a") as f:
        f.write("".join(entries))


def files_in(directory):
    """{name: bytes} of every file in directory: the database, its manifest, anything stray."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.fixture
def previous(seeds_copy, tmp_path):
    """A good database built from the seeds copy: (seeds, database path, its directory's files)."""
    add_documents(seeds_copy, 8, parts=3, prefix="small")  # enough documents that changing one is an incremental update
    db = tmp_path / "out" / "hindsight.db"
    build(seeds_copy, db)
    return seeds_copy, db, files_in(db.parent)


def edit_one_document(seeds):
    path = seeds / "documents" / "small-0003.txt"
    path.write_text(path.read_text() + "\nOne more line.\n")


@pytest.mark.parametrize("incremental_build", [False, True], ids=["full", "incremental"])
def test_an_exception_in_a_late_stage_keeps_the_previous_database(previous, monkeypatch, incremental_build):
    seeds, db, before = previous
    edit_one_document(seeds)

    def fail(*args, **kwargs):
        raise RuntimeError("scorecards failed")

    for stage in ("materialise", "apply"):  # the last stage: all scorecards, or the changes to them
        monkeypatch.setattr(aggregate, stage, fail)
    with pytest.raises(RuntimeError, match="scorecards failed") as failure:
        build(seeds, db, incremental=incremental_build)
    took_incremental_path = any(Path(entry.path).name == "incremental.py" for entry in failure.traceback)
    assert took_incremental_path == incremental_build
    assert files_in(db.parent) == before


def test_disk_full_is_a_clear_error_and_keeps_the_previous_database(previous, monkeypatch):
    seeds, db, before = previous

    class SmallDisk(sqlite_utils.Database):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.execute("pragma max_page_count = 64")  # 256 kB, far less than the ledger needs

    monkeypatch.setattr(sqlite_utils, "Database", SmallDisk)
    result = CliRunner().invoke(cli, ["build", "--full", "--seeds", str(seeds), "--db", str(db)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"build failed, {db} is unchanged: database or disk is full" in result.output
    assert "Traceback" not in result.output
    assert files_in(db.parent) == before


def test_disk_full_while_copying_for_an_incremental_build(previous, monkeypatch):
    seeds, db, before = previous
    edit_one_document(seeds)

    def copy_half(source, target):
        data = Path(source).read_bytes()
        Path(target).write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(incremental.shutil, "copyfile", copy_half)
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds), "--db", str(db)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"is unchanged: [Errno {errno.ENOSPC}] No space left on device" in result.output
    assert files_in(db.parent) == before


def start_build_and_wait_until_mid_way(seeds, db):
    """A build of a corpus of several hundred documents in its own process group, once it has
    written its first megabyte of rows into the temporary file."""
    add_documents(seeds, 600)
    building = db.with_name(f".{db.name}.building")
    process = subprocess.Popen([str(HINDSIGHT), "build", "--seeds", str(seeds), "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not (building.exists() and building.stat().st_size > 2**20):
        assert process.poll() is None, f"the build ended before it could be interrupted: {process.communicate()}"
        assert time.monotonic() < deadline, "the build never got going"
        time.sleep(0.005)
    return process, building


def group_is_gone(pgid, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_killed_build_keeps_the_previous_database_and_the_next_build_clears_its_leftover(previous):
    seeds, db, before = previous
    process, building = start_build_and_wait_until_mid_way(seeds, db)
    os.killpg(process.pid, signal.SIGKILL)  # the build and its worker processes: no cleanup can run
    process.communicate(timeout=30)
    assert group_is_gone(process.pid)
    left = files_in(db.parent)
    assert {name: left[name] for name in before} == before  # the database and its manifest, byte for byte
    # at most the half-written temporary file, and the lock file (its lock went with the process)
    assert set(left) - set(before) <= {building.name, f".{db.name}.lock"}

    after = subprocess.run([str(HINDSIGHT), "build", "--seeds", str(seeds), "--db", str(db)],
                           capture_output=True, text=True, timeout=300)
    assert after.returncode == 0, after.stderr
    assert not building.exists()
    assert sorted(files_in(db.parent)) == sorted(before)
    assert sqlite_utils.Database(db)["documents"].count == len(list((seeds / "documents").iterdir()))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_build_cleans_up_at_once(previous, signum):
    seeds, db, before = previous
    process, building = start_build_and_wait_until_mid_way(seeds, db)
    process.send_signal(signum)  # to the build only: it must stop its own workers
    _, stderr = process.communicate(timeout=30)
    assert process.returncode != 0
    assert "Traceback" not in stderr
    assert group_is_gone(process.pid), "worker processes outlived the build"
    assert files_in(db.parent) == before


def test_workers_of_a_killed_build_exit_quietly(previous):
    """SIGKILL to the build alone: its workers, left writing results nobody reads, go without a traceback."""
    seeds, db, before = previous
    process, building = start_build_and_wait_until_mid_way(seeds, db)
    os.kill(process.pid, signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)  # ends when the last worker holding stderr has gone
    assert group_is_gone(process.pid), "worker processes outlived the build"
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    left = files_in(db.parent)
    assert {name: left[name] for name in before} == before


def live_database_state(db):
    """'old' bytes, or 'new' when it is a complete database (scorecards and all), else what is wrong."""
    import sqlite3
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
            complete = {"documents", "claims", "scorecards", "topic_closure"} <= tables
            documents = conn.execute("select count(*) from documents").fetchone()[0] if "documents" in tables else 0
        finally:
            conn.close()
    except sqlite3.Error as e:
        return f"unreadable: {e}"
    return documents if complete else f"half-built: tables {sorted(tables)}"


def test_two_builds_at_once_never_leave_a_half_built_database(previous, tmp_path):
    """A failing build started beside a good one of the same database: the second is refused at once
    with a clear message; the live database is always the old one or the complete new one."""
    seeds, db, before = previous
    old_documents = live_database_state(db)
    bad = tmp_path / "bad-seeds"
    import shutil
    shutil.copytree(seeds, bad)
    (bad / "topics.yml").write_text((bad / "topics.yml").read_text() + "\n- id: [broken\n")
    process, building = start_build_and_wait_until_mid_way(seeds, db)  # adds 600 documents to seeds
    second = subprocess.run([str(HINDSIGHT), "build", "--full", "--seeds", str(bad), "--db", str(db)],
                            capture_output=True, text=True, timeout=120)
    import threading
    output = {}  # read meanwhile: the build's warnings fill a pipe left unread
    reader = threading.Thread(target=lambda: output.update(zip(("out", "err"), process.communicate(timeout=300))))
    reader.start()
    states = set()
    while reader.is_alive():
        states.add(live_database_state(db))
        time.sleep(0.01)
    reader.join()
    err = output["err"]
    assert process.returncode == 0, err
    assert second.returncode != 0
    assert f"another build of {db} is running (pid {process.pid}); wait for it" in second.stderr, second.stderr
    assert "Traceback" not in second.stderr
    states.add(live_database_state(db))
    assert states <= {old_documents, old_documents + 600}, states
    assert live_database_state(db) == old_documents + 600
    assert not building.exists() and not (db.parent / f".{db.name}.lock").exists()


def test_a_build_refuses_to_start_while_another_holds_the_lock(previous):
    from ingest.lock import build_lock
    seeds, db, before = previous
    with build_lock(db):
        result = CliRunner().invoke(cli, ["build", "--full", "--seeds", str(seeds), "--db", str(db)])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert f"another build of {db} is running (pid {os.getpid()}); wait for it" in result.output
        assert "Traceback" not in result.output
    after = files_in(db.parent)
    assert after == before  # the database untouched, and the lock file gone with its holder
    build(seeds, db)  # free again
