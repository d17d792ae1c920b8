"""A site mounted under the base_url setting (/ledger/) gets its requests as if a proxy had taken
the prefix off, whether or not the proxy in front of it does.

Datasette 0.65 routes /ledger/x and /x alike, but most links and redirects it makes from the
request's own path (a query page's JSON, CSV and "show SQL" links, a table's filter redirects) put
base_url in front of that path: a path still holding the prefix gets it twice, /ledger/ledger/...
(datasette issue #2759). With the prefix taken off here, those get it once. The few redirects
Datasette makes from the bare path (a trailing slash removed) get it put back.
"""
from datasette import hookimpl


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def strip_base_url(scope, receive, send):
            base = datasette.setting("base_url")
            if scope["type"] != "http" or base == "/" or not scope["path"].startswith(base) \
                    or scope["path"].startswith(base, len(base) - 1):
                # Under /ledger/, /ledger/ledger/search (the database "ledger") is left whole: Datasette
                # takes a prefix off whatever path it gets, so the prefix is taken off once, there.
                return await app(scope, receive, send)
            scope = dict(scope, path=scope["path"][len(base) - 1:])
            raw = scope.get("raw_path")
            if raw is not None and raw.startswith(base.encode("latin-1")):
                scope["raw_path"] = raw[len(base) - 1:]

            async def send_under_base(event):
                if event["type"] == "http.response.start" and 300 <= event["status"] < 400:
                    headers = []
                    for name, value in event.get("headers", []):
                        if name.lower() == b"location" and value.startswith(b"/") and not value.startswith(b"//") \
                                and not value.startswith(base.encode("latin-1")):
                            value = base.encode("latin-1") + value[1:]
                        headers.append([name, value])
                    event = {**event, "headers": headers}
                await send(event)

            return await app(scope, receive, send_under_base)

        return strip_base_url

    return wrap
