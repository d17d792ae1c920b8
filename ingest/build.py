"""The pipeline, top to bottom: read -> extract -> validate -> load -> index -> aggregate.

The database is written to a temporary file beside the target and swapped in only when
every stage succeeded, so a bad input never leaves a half-built or emptied database.
The rows come from rows.py; an incremental build (incremental.py) updates the previous database.
"""
import functools
import gc
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from . import aggregate, folders, index, load, probability_scores
from . import incremental as update
from .lock import build_lock
from .rows import ledger_rows
from .swap import swap_in
from .validate import Problems, ValidationFailed

DEFAULT_SEEDS, DEFAULT_DB = folders.SEEDS, folders.DB  # in the current folder (ingest/folders.py)


def _few_collections(function):
    """function, run with the garbage collector started every 50,000 new containers, not 700.

    Every row is a container: at 10,000 documents the default made 1,445 collections in the
    parent, ten of them full ones, 1.1 s that freed nothing (rows form no cycles; reference
    counting frees them). The worker processes inherit the setting.
    """
    @functools.wraps(function)
    def run(*args, **kwargs):
        before = gc.get_threshold()
        gc.set_threshold(50_000, *before[1:])
        try:
            return function(*args, **kwargs)
        finally:
            gc.set_threshold(*before)
    return run


@_few_collections
def check(seeds_dir=DEFAULT_SEEDS, progress=None):
    """Validate the seeds without writing anything; raises ValidationFailed."""
    problems = Problems()
    counts = {}
    for table, rows in ledger_rows(seeds_dir, problems, progress):
        counts[table] = counts.get(table, 0) + len(rows)
    if problems:
        raise ValidationFailed(problems)
    counts["warnings"] = problems.warnings
    return counts


def _full_build(seeds_dir, tmp, progress, lists=None):
    import sqlite_utils  # here, not at the top: an incremental build starts without it (about 0.15 s)

    db = sqlite_utils.Database(tmp)
    db.conn.execute("pragma journal_mode = off")  # a failed build is thrown away whole
    db.conn.execute("pragma synchronous = off")
    load.create_schema(db)
    triggers = index.start_search(db)
    problems = Problems()
    counts = {}
    with db.conn:
        inserts = load.Inserts(db.conn, then=index.indexer(db.conn))
        for table, rows in ledger_rows(seeds_dir, problems, progress, lists):
            if not problems:  # after the first problem, only keep checking
                inserts.add(table, rows)
            counts[table] = counts.get(table, 0) + len(rows)
        if not problems:
            inserts.flush()
    if problems:
        raise ValidationFailed(problems)
    counts["warnings"] = problems.warnings
    with ThreadPoolExecutor(1) as thread:  # scorecards counted while SQLite builds the indexes
        figures = thread.submit(aggregate.count_all(db))
        load.create_indexes(db)
    index.finish_search(db, triggers)
    aggregate.materialise(db, figures.result())
    probability_scores.materialise(db)
    # The query planner's statistics: without them it guesses every index equally selective, and
    # Datasette's claims?author_id=...&verdict=... read a fifth of all claims through the verdict
    # index (119 ms at 10,000 documents) instead of one author's (6 ms). 0.15 s at 10,000.
    db.conn.execute("analyze")
    # No VACUUM: written once, in one pass, the file has no free pages, and the same seeds give
    # the same bytes; VACUUM would only repack pages (1% smaller at 10k documents, for seconds).
    db.conn.execute("pragma journal_mode = delete")
    db.close()
    return counts


@_few_collections
def build(seeds_dir=DEFAULT_SEEDS, db_path=DEFAULT_DB, progress=None, incremental=False):
    """Build the database; returns row counts per table. The old database survives any failure.

    With incremental=True, a previous database built from the same seeds is updated instead:
    only the documents whose files changed are read again (see ingest/incremental.py).
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db_path):  # one build of a database at a time: they share its temporary file
        return _build(seeds_dir, db_path, progress, incremental)


def _build(seeds_dir, db_path, progress, incremental):
    tmp = db_path.with_name(f".{db_path.name}.building")
    tmp.unlink(missing_ok=True)  # left by a build that was killed
    started = time.perf_counter()
    lists = {}  # the parsed seed lists, kept in the manifest for the next incremental build
    with ThreadPoolExecutor(1) as thread:
        copy = update.copy_in_background(db_path, tmp, thread) if incremental else None
        try:
            files = update.snapshot(seeds_dir)  # before anything is read, so a later edit shows as a change
            plan, why = update.plan(seeds_dir, db_path, files) if incremental else (None, "full build asked for")
            counts = plan and copy and update.update(plan, seeds_dir, db_path, tmp, copy, progress, lists)
            if not counts:
                _finished(copy)
                tmp.unlink(missing_ok=True)
                counts = _full_build(seeds_dir, tmp, progress, lists)
            counts["mode"] = "incremental" if plan and "changed_documents" in counts else f"full ({why or 'too much changed'})"
            update.forget(db_path)
            swap_in(tmp, db_path)
            update.save(db_path, seeds_dir, files, lists)
        finally:
            _finished(copy)  # before the temporary file goes: the copy may still be writing it
            tmp.unlink(missing_ok=True)
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return counts


def _finished(copy):
    if copy:
        wait([copy])
