"""Documents processed in a pool of processes, results kept in order, memory bounded.

Reading a source and validating its claims is pure per-document work, so it spreads over
every core; the parent only loads rows. A few batches are in flight at a time, so a slow
loader never lets finished results pile up. Small ledgers skip the pool (forking costs more
than it saves).
"""
import gc
import os
import signal
import time
from collections import deque

from .seeds import Location
from .validate import Problems

POOL_FROM = 200  # documents; below this, one process
BATCH = 32  # documents per task
IN_FLIGHT = 8  # tasks per worker queued ahead of the parent: enough to keep workers busy through a flush
DRAIN_SECONDS = 10  # how long an interrupted build waits for the batches its workers already have

_work = None  # (function, context), set in each worker by fork


def _init(function, ctx):
    global _work
    _work = function, ctx
    # The parent handles Ctrl-C and SIGTERM; a worker must simply die when the pool ends it
    # (a Python-level handler inherited by fork may never run while a worker waits on a lock).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # A build killed outright (SIGKILL) leaves its workers writing results to a pipe nobody reads:
    # they die quietly of SIGPIPE there rather than print a BrokenPipeError traceback, and on
    # Linux the kernel ends them as soon as the build is gone.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    _die_with_parent()


def _die_with_parent():
    """SIGKILL this worker when its parent dies (Linux's PR_SET_PDEATHSIG; elsewhere nothing)."""
    parent = os.getppid()
    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0) != 0:  # 1: PR_SET_PDEATHSIG
            return
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the build died before the call: nobody will read our results
        os._exit(0)


def _run(batch):
    function, ctx = _work
    out = []
    for job in batch:
        problems = Problems()
        ctx.claim_ids = {}  # uniqueness across documents is checked by the parent
        pairs = function(*job, ctx, problems)
        out.append((pairs, problems.items, ctx.claim_ids))
    return out


def _batches(jobs):
    """Batches of jobs, taken out of the list as they go: a document sent is no longer held here."""
    jobs.reverse()
    while jobs:
        yield [jobs.pop() for _ in range(min(BATCH, len(jobs)))]


def each_document(function, jobs, ctx, problems, processes=None):
    """Yield function(*job, ctx, problems) for each job, in order; problems land in problems.

    With the pool, jobs (a list) is emptied as its batches are sent.
    """
    processes = processes or os.cpu_count() or 1
    if len(jobs) < POOL_FROM or processes < 2:
        for job in jobs:
            yield function(*job, ctx, problems)
        return
    import multiprocessing  # here: an incremental build, one document or a few, starts without it (7 ms)

    seen = ctx.claim_ids
    gc.freeze()  # the workers' garbage collector leaves the parent's objects alone: shared, not copied
    pool, finished = multiprocessing.get_context("fork").Pool(processes, _init, (function, ctx)), False
    gc.unfreeze()
    batches, pending = _batches(jobs), deque()
    try:
        for batch in batches:
            pending.append(pool.apply_async(_run, (batch,)))
            if len(pending) < IN_FLIGHT * processes:
                continue
            yield from _merge(pending[0].get(), seen, problems)
            pending.popleft()
        while pending:
            yield from _merge(pending[0].get(), seen, problems)
            pending.popleft()
        finished = True
    finally:
        # On an error or an interrupt, the few batches already sent are let finish (no new one
        # is sent) rather than their workers killed: a worker killed while writing its result
        # holds the result pipe's lock for ever, and Pool.terminate() then waits on it.
        if not finished:
            deadline = time.monotonic() + DRAIN_SECONDS
            for result in pending:
                result.wait(max(0.0, deadline - time.monotonic()))
        pool.close()
        if not finished and not all(result.ready() for result in pending):
            pool.terminate()  # a batch still running after DRAIN_SECONDS
        pool.join()


def _merge(results, seen, problems):
    for pairs, items, claim_ids in results:
        problems.items += items
        for claim_id, where in claim_ids.items():
            if claim_id in seen:
                first = Location(seen[claim_id], key="id", entry=claim_id)
                problems.add(where.path, where.line, f"duplicate claim id '{claim_id}' (first at {first}): ids must be unique")
            else:
                seen[claim_id] = where.path  # the file alone (a million claims at 100k documents): its line is found again if needed
        yield pairs
