"""The site under load: each page's JSON served by Datasette, against the same data read raw.

`hindsight serve` runs on 127.0.0.1 (immutable, with its inspect file); every endpoint is timed
sequentially (median and p95 over n requests after a warm-up), the SQL that produces the same
rows is timed with sqlite3 on the same file, and then 8 clients share a bounded number of
requests for throughput.
"""
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .corpus import COMMON_TERM, RARE_TERM

HINDSIGHT = Path(sys.executable).with_name("hindsight")


@dataclass
class Endpoint:
    name: str
    path: str
    raw: list = field(default_factory=list)  # [(sql, params)]: what the same rows cost read directly
    # (claims pages sort by made, newest first, as metadata.yml sets for the table)


def endpoints(db_path):
    """The pages to time, with sample ids taken from the database."""
    conn = sqlite3.connect(f"file:{db_path}?immutable=1", uri=True)
    one = lambda sql, *p: conn.execute(sql, p).fetchone()[0]  # noqa: E731
    n_claims = one("select count(*) from claims")
    claim = one("select id from claims order by id limit 1 offset ?", n_claims // 2)
    author = one("select author_id from claims where id = ?", claim)
    conn.close()
    ranked = ("select c.id, c.statement, c.quote, c.verdict from claims_fts f join claims c on c.rowid = f.rowid"
              " where claims_fts match ? order by f.rank limit 20")
    claim_rows = [("select * from claims where id = ?", [claim]),
                  ("select * from claim_topics where claim_id = ?", [claim]),
                  ("select * from resolutions where claim_id = ? order by seq", [claim]),
                  ("select * from evidence where claim_id = ? order by id", [claim])]
    scorecards = [("select * from scorecards where dimension = ? order by predictions desc limit 51", ["author"]),
                  ("select count(*) from scorecards where dimension = ?", ["author"])]
    scores = ("select * from probability_scores where id in (select value from json_each(?))",
              [json.dumps([f"author/{a}" for a in [author]])])  # the page reads its 50 rows' scores: one row here
    bins = "select * from calibration_bins where dimension = ? and key = ? and rule = 'half' order by bin"
    calibration = [("select * from probability_scores where id = 'overall/all'", []), (bins, ["overall", "all"]),
                   ("select * from probability_scores where dimension = 'author' order by scored desc, key limit 50", [])]
    calibration_author = [("select * from probability_scores where id = ?", [f"author/{author}"]),
                          (bins, ["author", author]), ("select 1 from authors where id = ?", [author])]
    return [
        Endpoint("scorecard: table JSON, by author", "/hindsight/scorecards.json?dimension=author&_sort_desc=predictions&_size=50", scorecards),
        Endpoint("scorecard: page JSON, by author", "/scorecard/author.json", scorecards + [scores]),
        Endpoint("calibration: page JSON, overall", "/calibration.json", calibration),
        Endpoint("calibration: page JSON, one author", f"/calibration/author/{author}.json", calibration_author),
        Endpoint(f"search: rare term ({RARE_TERM}), 20 results", f"/hindsight/claims.json?_search={RARE_TERM}&_size=20",
                 [(ranked, [RARE_TERM])]),
        Endpoint(f"search: common term ({COMMON_TERM}), 20 results", f"/hindsight/claims.json?_search={COMMON_TERM}&_size=20",
                 [(ranked, [COMMON_TERM])]),
        Endpoint("claim: row JSON", f"/hindsight/claims/{claim}.json", claim_rows[:1]),
        Endpoint("claim: page JSON", f"/claims/{claim}.json", claim_rows),
        Endpoint("claims table: filtered by author and verdict", f"/hindsight/claims.json?author_id={author}&verdict=incorrect",
                 [("select * from claims where author_id = ? and verdict = ? order by made desc, id limit 101", [author, "incorrect"]),
                  ("select count(*) from claims where author_id = ? and verdict = ?", [author, "incorrect"])]),
        Endpoint("claims table: default page", "/hindsight/claims.json", [("select * from claims order by made desc, id limit 101", [])]),
    ]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentiles(samples):
    samples = sorted(samples)
    return {"p50_ms": round(statistics.median(samples) * 1000, 2),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))] * 1000, 2)}


def time_raw(db_path, queries, n):
    conn = sqlite3.connect(f"file:{db_path}?immutable=1", uri=True)
    samples = []
    for i in range(n + 3):
        started = time.perf_counter()
        for sql, params in queries:
            conn.execute(sql, params).fetchall()
        if i >= 3:  # warm-up
            samples.append(time.perf_counter() - started)
    conn.close()
    return _percentiles(samples)


def time_served(client, path, n):
    samples = []
    for i in range(n + 3):
        started = time.perf_counter()
        response = client.get(path)
        if i >= 3:
            samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            return {"status": response.status_code}
    return {"status": 200, **_percentiles(samples)}


def throughput(base, paths, clients=8, max_requests=800, max_seconds=30):
    """Requests per second with several clients, bounded in count and time."""
    lock, latencies, errors, issued = threading.Lock(), [], [0], [0]
    deadline = time.perf_counter() + max_seconds

    def worker(k):
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if issued[0] >= max_requests:
                        return
                    i = issued[0]
                    issued[0] += 1
                started = time.perf_counter()
                status = client.get(paths[(i + k) % len(paths)]).status_code
                with lock:
                    latencies.append(time.perf_counter() - started)
                    errors[0] += status != 200

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"clients": clients, "requests": len(latencies), "errors": errors[0], "seconds": round(elapsed, 2),
            "requests_per_second": round(len(latencies) / elapsed, 1), **_percentiles(latencies)}


def measure(db_path, log_path, n=50):
    """Serve db_path and time every endpoint, served and raw; the server is stopped afterwards."""
    started = time.perf_counter()
    inspect = Path(db_path).with_name(f".{Path(db_path).name}.inspect.json")
    inspect.unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "datasette", "inspect", str(db_path), "--inspect-file", str(inspect)], check=True)
    inspect_seconds = round(time.perf_counter() - started, 2)
    port = _free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(HINDSIGHT), "serve", "--db", str(db_path), "--port", str(port), "--no-rebuild"],
                                  stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(600):
                try:
                    if client.get("/-/versions.json").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None:
                    raise RuntimeError(f"hindsight serve exited; see {log_path}")
                time.sleep(0.2)
            results = []
            for e in endpoints(db_path):
                served = time_served(client, e.path, n)
                if served["status"] != 200:
                    results.append({"endpoint": e.name, "path": e.path, "served": served})
                    continue
                raw = time_raw(db_path, e.raw, n)
                results.append({"endpoint": e.name, "path": e.path, "served": served, "raw": raw,
                                "raw_sql": [sql for sql, _ in e.raw],
                                "ratio_p50": round(served["p50_ms"] / max(raw["p50_ms"], 0.001), 2),
                                "overhead_p50_ms": round(served["p50_ms"] - raw["p50_ms"], 2)})
        paths = [r["path"] for r in results if r["served"]["status"] == 200]
        if not paths:
            raise RuntimeError(f"no endpoint answered 200; see {log_path}")
        load = throughput(base, paths)
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the datasette it started, nothing else
        server.wait(timeout=30)
    return {"inspect_seconds": inspect_seconds, "requests_per_endpoint": n, "endpoints": results, "throughput": load}
