"""The site is read-only: a request other than GET, HEAD or OPTIONS is answered 405 before any
view sees it. (Datasette would answer a POST to a table or a read-only canned query with a 500.)"""
from datasette import hookimpl

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
                return await app(scope, receive, send)
            await send({"type": "http.response.start", "status": 405, "headers": [
                [b"allow", ", ".join(SAFE_METHODS).encode()], [b"content-type", b"text/plain; charset=utf-8"]]})
            await send({"type": "http.response.body", "body": b"Hindsight is read-only: only GET and HEAD are answered.\n"})

        return read_only

    return wrap
