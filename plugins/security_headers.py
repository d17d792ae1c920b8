"""Security headers on every response: a Content-Security-Policy the pages satisfy, no framing,
no MIME sniffing, a cautious Referrer-Policy.

Scripts run only from this site's own files and from the inline scripts written in the
templates (and in Datasette's own code), allowed by their sha256. The hashes are taken from those
sources at startup, never from a response, so a script that data smuggled into a page never matches.
Styles allow 'unsafe-inline': Datasette's templates carry <style> blocks and style attributes
(the SQL box's height, a database's colour); styles cannot run code.
"""
import ast
import base64
import hashlib
import inspect
import itertools
import re
import textwrap

from datasette import hookimpl
from datasette.views import base as datasette_views_base
from jinja2 import meta

# Inline scripts in Datasette's templates whose text depends on a variable: its possible values.
VARIABLES = {"datasette_allow_facet": ("true", "false")}
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)  # no attributes: not src=, not a plugin's body script


def template_scripts(env):
    """The text of each inline script any template can render."""
    for name in env.list_templates(extensions=["html"]):
        for body in INLINE_SCRIPT.findall(env.loader.get_source(env, name)[0]):
            names = sorted(meta.find_undeclared_variables(env.parse(body)))
            if not set(names) <= set(VARIABLES):
                continue  # depends on something unknown: left out, so it is blocked rather than guessed
            for values in itertools.product(*(VARIABLES[n] for n in names)):
                yield _render(body, dict(zip(names, values)))


def python_scripts():
    """Datasette writes one inline script in Python rather than a template: the time-limit
    error's textarea resizer. The SQL is put in before the text is dedented, so the script's
    indentation follows the SQL's: every possible margin (0 to 16 spaces) is hashed."""
    for node in ast.walk(ast.parse(inspect.getsource(datasette_views_base))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "<script>" in node.value:
            for margin in range(17):
                html = textwrap.dedent(node.value.replace("{}", "x\n" + " " * margin + "y")).strip()
                yield from INLINE_SCRIPT.findall(html)


def _render(body, variables):
    """The body as Jinja renders it with these values (a plain substitution: the environment is async)."""
    for name, value in variables.items():
        body = re.sub(r"\{\{\s*" + name + r"\s*\}\}", value, body)
    return body


def script_hashes(env):
    """'sha256-...' of every inline script the site's templates and Datasette's code can write."""
    hashes = []
    for text in itertools.chain(template_scripts(env), python_scripts()):
        digest = f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"
        if digest not in hashes:
            hashes.append(digest)
    return hashes


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
