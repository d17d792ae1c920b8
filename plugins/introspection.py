"""The published site does not show where it runs: no server path in any page or query result.

- `/-/threads` (and `.json`) lists the server's threads and asyncio tasks, with the paths of the
  Python files they run: answered 404.
- The other introspection pages (`/-/databases` with each database's path, `/-/versions`,
  `/-/plugins`, ...) are kept, with the directories of the served databases removed from what
  they show (`/-/databases.json` then names the file, `hindsight.db`, not where it lies).
- SQL: `pragma_database_list`'s `file` column reads as null for every query (an authorizer set on
  each connection; Datasette's own `PRAGMA database_list` statement is not affected).
"""
import json
import os
import re
import sqlite3

from datasette import hookimpl

from hindsight_site import route_path

HIDDEN = re.compile(r"^/-/threads(\.json)?/?$")
SCRUBBED = re.compile(r"^/-/")


def authorizer(action, arg1, arg2, database, trigger):
    if action == sqlite3.SQLITE_READ and arg1 == "pragma_database_list" and arg2 == "file":
        return sqlite3.SQLITE_IGNORE  # the column reads as null
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    conn.set_authorizer(authorizer)


def server_directories(datasette):
    """Directories (with their trailing separator) whose names a page must not show, longest first."""
    found = set()
    for db in datasette.databases.values():
        if db.path:
            directory = os.path.dirname(os.path.abspath(db.path))
            found.add(directory.rstrip(os.sep) + os.sep)
            found.add(os.path.dirname(os.path.realpath(db.path)).rstrip(os.sep) + os.sep)
    return sorted(found - {os.sep}, key=len, reverse=True)


def scrub(body, directories):
    text = body.decode("utf-8", "replace")
    for directory in directories:
        for form in {directory, json.dumps(directory)[1:-1]}:
            text = text.replace(form, "")
    return text.encode("utf-8")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def introspection(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            path = route_path(datasette, scope["path"])
            if HIDDEN.match(path):
                body = b"Not found: the site does not publish its server's threads.\n"
                await send({"type": "http.response.start", "status": 404, "headers": [
                    [b"content-type", b"text/plain; charset=utf-8"], [b"content-length", str(len(body)).encode()]]})
                return await send({"type": "http.response.body", "body": body})
            if not SCRUBBED.match(path) or path.startswith("/-/static"):
                return await app(scope, receive, send)
            # Introspection pages are small: gathered whole, scrubbed, sent with their new length.
            held = {"start": None, "body": []}

            async def gather(event):
                if event["type"] == "http.response.start":
                    held["start"] = event
                elif event["type"] == "http.response.body":
                    held["body"].append(event.get("body", b""))
                    if not event.get("more_body"):
                        body = scrub(b"".join(held["body"]), server_directories(datasette))
                        start = held["start"]
                        headers = [h for h in start.get("headers", []) if h[0].lower() != b"content-length"]
                        headers.append([b"content-length", str(len(body)).encode()])
                        await send({**start, "headers": headers})
                        await send({"type": "http.response.body", "body": body})
                else:
                    await send(event)

            return await app(scope, receive, gather)

        return introspection

    return wrap
