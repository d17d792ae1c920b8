"""Content-addressed database URLs with long-lived cache headers, so a CDN can serve repeat reads.

Off unless configured: the published bundle sets `cache-headers: {max_age: N, key: HEX}` in its
metadata, so `hindsight serve` and the tests keep the plain /hindsight/... URLs. When on, each
immutable database is served at /<name>-<first 7 hex of key>/..., every link Datasette makes
points there, and 200 responses there may be cached for max_age seconds. The key is a digest of
everything the site is made from (database, code, metadata; the database's own sha256 when no key
is given), so any change gives new URLs and no cache serves a stale page. /<name>/... and the
URLs of an older key redirect to the current one. This is the scheme of datasette-hashed-urls,
kept here because that package switches itself on in every Datasette of the environment it is
installed in, and hashes only the database.
"""
import re

from datasette import hookimpl

from hindsight_site import route_path


def _hashed(datasette):
    """{route: name} of the databases given content-addressed routes at startup."""
    return {db.route: db.name for db in datasette.databases.values() if db.route != db.name}


@hookimpl
def startup(datasette):
    config = datasette.plugin_config("cache-headers")
    if config is None:
        return
    if not isinstance(config.get("max_age"), int) or config["max_age"] < 0:
        raise ValueError("cache-headers plugin config needs max_age: a whole number of seconds")
    for db in datasette.databases.values():
        if not db.is_mutable and not db.is_memory:
            db.route = f"{db.name}-{(config.get('key') or db.hash)[:7]}"


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def cache_headers(scope, receive, send):
            config = datasette.plugin_config("cache-headers")
            if config is None or scope.get("type") != "http" or scope.get("method") not in ("GET", "HEAD"):
                return await app(scope, receive, send)
            raw_path = scope.get("raw_path") or scope["path"].encode("latin-1")
            first, _, rest = route_path(datasette, raw_path.decode("latin-1")).lstrip("/").partition("/")
            stem, dot, fmt = first.partition(".")
            routes = _hashed(datasette)
            if stem in routes:
                return await app(scope, receive, _cacheable(send, config["max_age"]))
            for route, name in routes.items():
                if re.fullmatch(re.escape(name) + r"(-[0-9a-f]{7})?", stem):
                    location = datasette.urls.path(f"/{route}{dot}{fmt}" + (f"/{rest}" if rest else ""))
                    if scope.get("query_string"):
                        location += "?" + scope["query_string"].decode("latin-1")
                    return await _redirect(send, location, datasette.cors)
            return await app(scope, receive, send)
        return cache_headers
    return wrap


def _cacheable(send, max_age):
    async def send_cacheable(event):
        if event["type"] == "http.response.start" and event["status"] == 200:
            headers = [h for h in event.get("headers", []) if h[0].lower() != b"cache-control"]
            headers.append([b"cache-control", f"public, max-age={max_age}, immutable".encode()])
            event = {**event, "headers": headers}
        await send(event)
    return send_cacheable


async def _redirect(send, location, cors):
    headers = [[b"location", location.encode("latin-1")], [b"cache-control", b"no-cache"]]
    if cors:  # so API clients in a browser can follow it
        headers += [[b"access-control-allow-origin", b"*"], [b"access-control-allow-headers", b"authorization"],
                    [b"access-control-expose-headers", b"link"]]
    await send({"type": "http.response.start", "status": 302, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
