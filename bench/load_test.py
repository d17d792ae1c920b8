"""Concurrent clients against a running Hindsight site, bounded in requests and in time.

    python -m bench.load_test --url http://127.0.0.1:8001 --clients 8 --requests 2000 --seconds 60

The clients share one request budget and stop at whichever limit comes first. Requests go round
the four kinds a reader and an analyst make: the home page, a scorecard page, a table's JSON and
a full-text search. Prints p50/p99 latency per endpoint and the throughput; any response other
than 200 (or a failed connection) is an error, listed, and the exit status is then 1.
"""
import argparse
import http.client
import itertools
import math
import sys
import threading
import time
from urllib.parse import quote, urlsplit


def endpoints(search):
    return [
        ("home page", "/"),
        ("scorecard", "/scorecard/author"),
        ("table JSON", "/hindsight/claims.json?_size=50"),
        ("FTS search", f"/hindsight/claims.json?_search={quote(search)}&_size=20"),
    ]


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Run:
    """The shared budget and what each request took."""

    def __init__(self, paths, requests, seconds):
        self.paths, self.requests = paths, requests
        self.deadline = time.monotonic() + seconds
        self.counter = itertools.count()
        self.lock = threading.Lock()
        self.latencies = {name: [] for name, _ in paths}  # seconds, successful requests
        self.errors = []  # (endpoint, what went wrong)

    def next_request(self):
        with self.lock:
            n = next(self.counter)
        if n >= self.requests or time.monotonic() >= self.deadline:
            return None
        return self.paths[n % len(self.paths)]

    def record(self, name, seconds, error=None):
        with self.lock:
            if error:
                self.errors.append((name, error))
            else:
                self.latencies[name].append(seconds)


def client(host, port, run):
    """One client: a keep-alive connection, reopened after a failure."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    while (request := run.next_request()) is not None:
        name, path = request
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            error = None if response.status == 200 else f"{path}: HTTP {response.status}"
        except (OSError, http.client.HTTPException) as e:
            error = f"{path}: {type(e).__name__}: {e}"
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
        run.record(name, time.perf_counter() - started, error)
    connection.close()


def load_test(url, clients, requests, seconds, search):
    """Warm each endpoint once, then run the clients; returns (Run, elapsed seconds)."""
    parts = urlsplit(url)
    paths = endpoints(search)
    warm = Run(paths, len(paths), seconds)
    client(parts.hostname, parts.port or 80, warm)
    if warm.errors:
        raise SystemExit("the site is not answering every endpoint:\n  " + "\n  ".join(e for _, e in warm.errors))
    run = Run(paths, requests, seconds)
    threads = [threading.Thread(target=client, args=(parts.hostname, parts.port or 80, run)) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return run, time.perf_counter() - started


def report(run, elapsed, url, clients, requests, seconds):
    done = sum(map(len, run.latencies.values())) + len(run.errors)
    lines = [f"{done:,} requests from {clients} clients in {elapsed:.1f} s against {url} "
             f"(limits: {requests:,} requests, {seconds:g} s)",
             f"{'endpoint':<12} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
    everything = []
    for name, latencies in [*run.latencies.items(), ("all", None)]:
        latencies = everything if latencies is None else latencies
        errors = len(run.errors) if name == "all" else sum(1 for n, _ in run.errors if n == name)
        figures = [f"{percentile(latencies, p) * 1000:8.1f}" for p in (50, 99, 100)] if latencies else ["       -"] * 3
        lines.append(f"{name:<12} {len(latencies) + errors:>8,} {errors:>6} {' '.join(figures)}")
        if name != "all":
            everything += latencies
    lines.append(f"throughput: {done / elapsed:.1f} requests/s; errors: {len(run.errors)}")
    lines += [f"  error: {e}" for _, e in run.errors[:20]]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.load_test", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8001", help="the running site (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default: %(default)s)")
    parser.add_argument("--requests", type=int, default=1000, help="requests in all, at most (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=60, help="time limit (default: %(default)s)")
    parser.add_argument("--search", default="model", help="the full-text search term (default: %(default)s)")
    args = parser.parse_args(argv)
    run, elapsed = load_test(args.url, args.clients, args.requests, args.seconds, args.search)
    print(report(run, elapsed, args.url, args.clients, args.requests, args.seconds))
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
