"""Headless Chromium driven by Playwright, and a real Datasette server to point it at.

    require_browser()  # at the top of a browser test module: skip, or fail in CI
    with serve(db_path) as base_url, Browser() as browser:
        page = browser.load(base_url + "/", screenshot="home.png")
        assert not page.errors, page.errors

A PageLoad carries the main response's status and headers, every console message and page error
(CSP violations and failed loads included), the page's visible text, the values of any JavaScript
expressions asked for, and the screenshot's path. Needs Debian's `chromium` (apt) and the
`playwright` package (pip), which drives that Chromium: Playwright's own browser download
(`playwright install`) is never needed.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
# Playwright adds its own automation flags (--no-sandbox, --headless, no background networking...).
FLAGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-quic"]
MAX_SCREENSHOT_HEIGHT = 6000  # px: a very long page is cut here rather than making a huge image
LEVELS = {"error": "error", "assert": "error", "warning": "warning"}  # Playwright's console types


def find_chromium():
    """The Chromium the tests can drive: its path, or None when it or Playwright is not installed."""
    if missing():
        return None
    return _chromium_path()


def _chromium_path():
    return next((path for name in ("chromium", "chromium-browser", "google-chrome")
                 if (path := shutil.which(name))), None)


def missing():
    """Why the browser tests cannot run here, or None."""
    if not _chromium_path():
        return "chromium is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


def require_browser():
    """At module level in a browser test: skip when the browser is missing, unless CI asks for it
    (HINDSIGHT_REQUIRE_BROWSER=1, set by .ci/run), where a missing browser is a failure."""
    import pytest

    if reason := missing():
        if os.environ.get("HINDSIGHT_REQUIRE_BROWSER") == "1":
            raise RuntimeError(f"HINDSIGHT_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason, allow_module_level=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=30, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextmanager
def serve(db_path, port=None, extra_args=()):
    """Serve db_path read-only with the project's metadata, plugins, templates and static files,
    as `hindsight serve` does, on 127.0.0.1; yields the base URL and stops the server by its pid."""
    port = port or free_port()
    args = [sys.executable, "-m", "datasette", "serve", "-i", str(db_path),
            "--metadata", str(ROOT / "metadata.yml"), "--plugins-dir", str(ROOT / "plugins"),
            "--template-dir", str(ROOT / "templates"), "--static", f"static:{ROOT / 'static'}",
            "--host", "127.0.0.1", "--port", str(port), *extra_args]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/-/versions.json", timeout=60, process=process)
        yield base
    except Exception:
        log.seek(0)
        sys.stderr.write(log.read().decode(errors="replace")[-4000:])
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclass
class PageLoad:
    url: str
    status: int = None
    headers: dict = field(default_factory=dict)  # names in lower case
    title: str = ""
    text: str = ""  # document.body.innerText: what a reader sees
    console: list = field(default_factory=list)  # {"level", "source", "text", "url"}
    values: dict = field(default_factory=dict)  # results of the expressions asked for
    screenshot: Path = None

    @property
    def errors(self):
        return [m for m in self.console if m["level"] == "error"]

    @property
    def csp_violations(self):
        return [m["text"] for m in self.console if "Content Security Policy" in m["text"]]


class Browser:
    """One headless Chromium (the system's, through Playwright); each load() opens a fresh context
    (no cookies or cache shared between loads) and closes it after."""

    def __init__(self, binary=None, timeout=60):
        from playwright.sync_api import sync_playwright  # test dependency

        self.binary = binary or _chromium_path()
        if not self.binary:
            raise FileNotFoundError("chromium not found: apt-get install chromium")
        self.timeout = timeout
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=self.binary, headless=True, args=FLAGS, timeout=timeout * 1000)
        except Exception:
            self._playwright.stop()
            raise

    def load(self, url, screenshot=None, expressions=None, width=1280, height=900, full_page=True, settle=0.3,
             bypass_csp=False):
        """Open url, wait for its load event, and report what happened. screenshot: a file name
        (under test-artifacts/) or a path, of the whole page or only the first screen;
        expressions: {name: JavaScript expression} to evaluate once the page has loaded;
        bypass_csp: ignore the page's Content-Security-Policy, so escaping alone must keep it safe."""
        result = PageLoad(url)
        context = self._browser.new_context(viewport={"width": width, "height": height}, bypass_csp=bypass_csp)
        context.set_default_timeout(self.timeout * 1000)
        try:
            page = context.new_page()
            page.on("console", lambda m: result.console.append(
                {"level": LEVELS.get(m.type, "info"), "source": "console", "text": m.text,
                 "url": m.location.get("url", "")}))
            page.on("pageerror", lambda e: result.console.append(
                {"level": "error", "source": "exception", "text": e.stack or str(e), "url": url}))
            response = page.goto(url, wait_until="load")
            if response is not None:
                result.status, result.headers = response.status, response.all_headers()
            page.wait_for_timeout(settle * 1000)  # late console messages
            result.title = page.title()
            result.text = page.evaluate("document.body ? document.body.innerText : ''")
            for name, expression in (expressions or {}).items():
                result.values[name] = page.evaluate(expression)
            if screenshot:
                result.screenshot = self._screenshot(page, screenshot, width, full_page)
        finally:
            context.close()
        return result

    @staticmethod
    def _screenshot(page, name, width, full_page):
        path = Path(name) if os.path.isabs(name) else ARTIFACTS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not full_page:
            page.screenshot(path=path)
            return path
        size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        clip = {"x": 0, "y": 0, "width": max(width, size[0]), "height": min(size[1], MAX_SCREENSHOT_HEIGHT)}
        page.screenshot(path=path, full_page=True, clip=clip)
        return path

    def close(self):
        try:
            self._browser.close()
        finally:
            self._playwright.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
