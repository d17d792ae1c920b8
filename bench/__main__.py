"""python -m bench: where Hindsight stands against the physical limit, measured side by side.

For each size: generate (or reuse) a synthetic corpus; measure the peak memory of the real
`hindsight build --full`, then time it (unsampled runs) and the raw baseline on the same rows; change one document and time
the incremental `hindsight build`, checking it against a second full build; then serve the
database and time every page against the raw SQL. Prints a table and writes the figures as
JSON to bench/results/.
"""
import argparse
import compileall
import datetime
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import compare, corpus, serve

RESULTS = Path(__file__).resolve().parent / "results"
HINDSIGHT = Path(sys.executable).with_name("hindsight")
MIB = 1024 * 1024


def _memory_of_group(pgid):
    """Memory of every process in a process group, in bytes: the sum of their proportional set
    sizes (PSS), so pages a forked worker shares with its parent count once (Linux /proc)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[2]) != pgid:  # field 5 of stat: the process group
                    continue
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:")) * 1024
        except (OSError, IndexError, ValueError, StopIteration):
            continue
    return total


def run_timed(cmd):
    """Run cmd; (wall seconds, output). The disk is synced first, so the run does not share it
    with the write-back of what the run before it wrote (a 256 MB database at 10,000 documents)."""
    os.sync()
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}")
    return round(time.perf_counter() - started, 2), proc.stdout


def run_measured(cmd):
    """Run cmd; (wall seconds, peak MiB of its whole process tree sampled every 50 ms, output).

    Sampling is not free (reading a process's PSS walks its page tables): a 10,000-document
    build takes a fifth longer while it is sampled, so timings come from run_timed.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True)
    peak, done = [0], threading.Event()

    def sample():
        while not done.wait(0.05):
            peak[0] = max(peak[0], _memory_of_group(proc.pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    output = proc.communicate()[0]
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{output}")
    return round(seconds, 2), round(peak[0] / MIB, 1), output


def ensure_corpus(n, seed):
    """The corpus of n documents, generated once and reused (bench/results is not committed)."""
    root = RESULTS / f"corpus-{n}-s{seed}-v{corpus.VERSION}"
    summary = root / "corpus.json"
    if summary.exists():
        return root / "seeds", {**json.loads(summary.read_text()), "generated_seconds": None}
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    info = corpus.generate(root / "seeds", n, seed, progress=lambda d, t: print(f"  generated {d:,}/{t:,}", file=sys.stderr))
    summary.write_text(json.dumps(info))
    return root / "seeds", {**info, "generated_seconds": round(time.perf_counter() - started, 1)}


def one_document_edit(seeds, n):
    """(document id, edit, undo): edit changes one document's text and one of its claims."""
    doc_id = f"doc-{n // 2:06d}"
    files = [seeds / "documents" / f"{doc_id}.txt", seeds / "claims" / f"{doc_id}.yml"]
    before = [f.read_bytes() for f in files]
    edited = [before[0] + b"\nOne more sentence on reasoning, added to time an incremental rebuild.\n",
              before[1].replace(b'statement: "', b'statement: "Edited for the benchmark. ', 1)]

    def write(contents):
        for f, data in zip(files, contents):
            f.write_bytes(data)
    return doc_id, lambda: write(edited), lambda: write(before)


def bench_size(n, seed, requests, serve_it, verify_up_to, repeat=1):
    seeds, info = ensure_corpus(n, seed)
    load_before = os.getloadavg()
    work = RESULTS / f"run-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # The second full build is the one served: Datasette names the database after its file.
    db, db2, raw_db = work / "hindsight.db", work / "full" / "hindsight.db", work / "raw.db"
    full_build = [HINDSIGHT, "build", "--full", "--seeds", seeds, "--db", db]
    print(f"[{n:,}] full build, its peak memory sampled", file=sys.stderr)
    _, build_mib, _ = run_measured(full_build)
    builds, raws = [], []
    for run in range(1, repeat + 1):  # alternating, so a slow spell of the shared machine hits both
        print(f"[{n:,}] full build ({run}/{repeat})", file=sys.stderr)
        builds.append(run_timed(full_build)[0])
        print(f"[{n:,}] raw baseline ({run}/{repeat})", file=sys.stderr)
        out = run_timed([sys.executable, "-m", "bench.baseline", db, raw_db])[1]  # it times itself, rows loaded
        raws.append(json.loads(out.strip().splitlines()[-1]))
    build_s = round(statistics.median(builds), 2)  # an even count's median is a mean: rounded as a run is
    raw = {"seconds": round(statistics.median(r["seconds"] for r in raws), 3), "bytes": raws[-1]["bytes"]}
    conn = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    rows = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
            for t in ("documents", "claims", "claim_topics", "resolutions", "evidence", "scorecards")}
    conn.close()
    result = {
        "documents": n, "rows": rows, "corpus": info, "load_average_before": load_before,
        "build": {"seconds": build_s, "peak_mib": build_mib, "runs": builds},
        "raw_baseline": {"seconds": raw["seconds"], "runs": [r["seconds"] for r in raws]},
        "build_over_raw": round(build_s / raw["seconds"], 2),
        "database_mib": round(db.stat().st_size / MIB, 1), "raw_database_mib": round(raw["bytes"] / MIB, 1),
        "seeds_mib": round(info["seed_bytes"] / MIB, 1),
        "database_over_seeds": round(db.stat().st_size / info["seed_bytes"], 2),
    }
    # Each timed run follows a one-document change: the edit, then its undoing, then the edit...
    doc_id, edit, undo = one_document_edit(seeds, n)
    try:
        runs = []
        for run in range(1, repeat + 1):
            print(f"[{n:,}] incremental rebuild after one document changes ({run}/{repeat})", file=sys.stderr)
            (undo if run % 2 == 0 else edit)()
            seconds, out = run_timed([HINDSIGHT, "build", "--seeds", seeds, "--db", db])
            runs.append(seconds)
        inc_s = round(statistics.median(runs), 2)
        result["incremental"] = {"document": doc_id, "seconds": inc_s, "runs": runs, "over_full_build": round(inc_s / build_s, 4),
                                 "mode": out.strip().splitlines()[-1].split(":", 1)[0]}
        if n <= verify_up_to:  # the same seeds built from scratch must hold the same rows
            full2_s, _ = run_timed([HINDSIGHT, "build", "--full", "--seeds", seeds, "--db", db2])
            result["incremental"].update(full_build_of_same_seeds_seconds=full2_s,
                                         differing_tables=compare.differences(db, db2), fts_intact=compare.fts_intact(db))
    finally:
        undo()
    raw_db.unlink()
    if serve_it:
        print(f"[{n:,}] serving", file=sys.stderr)
        result["serve"] = serve.measure(db2 if db2.exists() else db, work / "serve.log", requests)
    result["load_average_after"] = os.getloadavg()
    return result


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    import datasette
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 1024**3, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "datasette": datasette.__version__,
            "platform": platform.platform()}


def table(results):
    lines = ["| documents | claims | build s | raw s | build / raw | peak MiB | db MiB | seeds MiB | db / seeds "
             "| incremental s | incremental / full | same as full build |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        i = r["incremental"]
        same = ("not checked" if "differing_tables" not in i else "yes" if not i["differing_tables"] and i["fts_intact"]
                else f"NO: {', '.join(i['differing_tables']) or 'FTS'}")
        lines.append(f"| {r['documents']:,} | {r['rows']['claims']:,} | {r['build']['seconds']} | {r['raw_baseline']['seconds']} "
                     f"| {r['build_over_raw']} | {r['build']['peak_mib']} | {r['database_mib']} | {r['seeds_mib']} "
                     f"| {r['database_over_seeds']} | {i['seconds']} | {i['over_full_build']:.1%} | {same} |")
    for r in results:
        if "serve" not in r:
            continue
        s = r["serve"]
        lines += ["", f"Served at {r['documents']:,} documents ({s['requests_per_endpoint']} requests each; inspect file made in {s['inspect_seconds']} s):", "",
                  "| endpoint | served p50 ms | served p95 ms | raw p50 ms | raw p95 ms | served / raw | overhead ms |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for e in s["endpoints"]:
            if "raw" not in e:
                lines.append(f"| {e['endpoint']} | status {e['served']['status']} | | | | | |")
                continue
            lines.append(f"| {e['endpoint']} | {e['served']['p50_ms']} | {e['served']['p95_ms']} | {e['raw']['p50_ms']} "
                         f"| {e['raw']['p95_ms']} | {e['ratio_p50']} | {e['overhead_p50_ms']} |")
        t = s["throughput"]
        lines.append(f"\nThroughput, {t['clients']} clients: {t['requests_per_second']} requests/s "
                     f"({t['requests']} requests in {t['seconds']} s, {t['errors']} errors; p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="documents per corpus, comma-separated (default: 1000,10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per endpoint (default: 50)")
    parser.add_argument("--no-serve", action="store_true", help="skip serving the database")
    parser.add_argument("--verify-up-to", type=int, default=10000,
                        help="check the incremental rebuild against a second full build up to this size (default: 10000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="full builds and raw baselines to run, alternating, and incremental rebuilds; "
                             "the median of each is reported (default: 1)")
    parser.add_argument("--out", type=Path, help="JSON file to write (default: bench/results/bench-<time>.json)")
    args = parser.parse_args(argv)
    # Bytecode, as pip writes it when it installs a package: with PYTHONDONTWRITEBYTECODE set (as
    # on the machine these figures come from), an editable install compiles every module of
    # ingest/ again in each process, about 40 ms of a 0.4 s incremental build.
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "ingest", quiet=1)
    results = [bench_size(int(n), args.seed, args.requests, not args.no_serve, args.verify_up_to, args.repeat)
               for n in args.sizes.split(",")]
    report = {"when": datetime.datetime.now().isoformat(timespec="seconds"), "machine": machine(), "sizes": results}
    out = args.out or RESULTS / f"bench-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(table(results))
    print(f"\nFigures written to {out}")


if __name__ == "__main__":
    main()
