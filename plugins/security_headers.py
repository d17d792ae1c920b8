"""Security headers on every response: a Content-Security-Policy the pages satisfy, no framing,
no MIME sniffing, a cautious Referrer-Policy.

Scripts run only from this site's own files and from the inline scripts written in the
templates themselves, allowed by their sha256. The hashes are taken from the template sources
at startup, never from a response, so a script that data smuggled into a page never matches.
Styles allow 'unsafe-inline': Datasette's templates carry <style> blocks and style attributes
(the SQL box's height, a database's colour); styles cannot run code.
"""
import base64
import hashlib
import itertools
import re

from datasette import hookimpl
from jinja2 import meta

# Inline scripts in Datasette's templates whose text depends on a variable: its possible values.
VARIABLES = {"datasette_allow_facet": ("true", "false")}
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)  # no attributes: not src=, not a plugin's body script


def script_hashes(env):
    """'sha256-...' for each inline script any template can render, in template order."""
    hashes = []
    for name in env.list_templates(extensions=["html"]):
        source = env.loader.get_source(env, name)[0]
        for body in INLINE_SCRIPT.findall(source):
            names = sorted(meta.find_undeclared_variables(env.parse(body)))
            if not set(names) <= set(VARIABLES):
                continue  # depends on something unknown: left out, so it is blocked rather than guessed
            for values in itertools.product(*(VARIABLES[n] for n in names)):
                text = _render(body, dict(zip(names, values)))
                digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
                if f"'sha256-{digest}'" not in hashes:
                    hashes.append(f"'sha256-{digest}'")
    return hashes


def _render(body, variables):
    """The body as Jinja renders it with these values (a plain substitution: the environment is async)."""
    for name, value in variables.items():
        body = re.sub(r"\{\{\s*" + name + r"\s*\}\}", value, body)
    return body


def policy(hashes):
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(hashes),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",  # Datasette's stylesheet draws icons from data: URLs
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


@hookimpl(trylast=True)  # applied last, so outermost: redirects from other wrappers get the headers too
def asgi_wrapper(datasette):
    headers = {
        b"content-security-policy": policy(script_hashes(datasette.jinja_env)).encode(),
        b"x-content-type-options": b"nosniff",
        b"x-frame-options": b"DENY",
        b"referrer-policy": b"strict-origin-when-cross-origin",
        b"cross-origin-opener-policy": b"same-origin",
    }

    def wrap(app):
        async def add_security_headers(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)

            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    kept = [h for h in event.get("headers", []) if h[0].lower() not in headers]
                    event = {**event, "headers": kept + [[k, v] for k, v in headers.items()]}
                await send(event)

            return await app(scope, receive, send_with_headers)

        return add_security_headers

    return wrap
