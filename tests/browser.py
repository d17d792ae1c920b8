"""Headless Chromium over the DevTools protocol, and a real Datasette server to point it at.

    with serve(db_path) as base_url, Browser() as browser:
        page = browser.load(base_url + "/", screenshot="test-artifacts/home.png")
        assert not page.errors, page.errors

A PageLoad carries the main response's status and headers, every console message and page error
(CSP violations and failed loads included), the page's visible text, the values of any JavaScript
expressions asked for, and the screenshot's path. Needs Debian's `chromium` and `websocket-client`.
"""
import base64
import itertools
import json
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
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--remote-debugging-port=0"]
MAX_SCREENSHOT_HEIGHT = 6000  # px: a very long page is cut here rather than making a huge image


def find_chromium():
    return next((path for name in ("chromium", "chromium-browser", "google-chrome")
                 if (path := shutil.which(name))), None)


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
        wait_for(base + "/-/versions.json", process=process)
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
    headers: dict = field(default_factory=dict)
    title: str = ""
    text: str = ""  # document.body.innerText: what a reader sees
    console: list = field(default_factory=list)  # {"level", "source", "text", "url"}
    values: dict = field(default_factory=dict)  # results of the expressions asked for
    screenshot: Path = None

    @property
    def errors(self):
        return [m for m in self.console if m["level"] == "error"]


class Browser:
    """One headless Chromium with a fresh profile; each load() opens a new tab and closes it after."""

    def __init__(self, binary=None, timeout=30):
        self.binary = binary or find_chromium()
        if not self.binary:
            raise FileNotFoundError("chromium not found: apt-get install chromium")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="hindsight-chromium-")
        # TMPDIR inside the profile: Chromium's scratch files go where close() removes them.
        self.process = subprocess.Popen([self.binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env={**os.environ, "TMPDIR": self.profile})
        self.port = self._devtools_port()

    def _devtools_port(self):
        active = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with code {self.process.returncode}")
            if active.exists() and active.read_text().strip():
                return int(active.read_text().split()[0])
            time.sleep(0.1)
        raise TimeoutError("chromium did not open its DevTools port")

    def _endpoint(self, path, method="GET"):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return response.read()

    def load(self, url, screenshot=None, expressions=None, width=1280, height=900, full_page=True, settle=0.3):
        """Open url, wait for its load event, and report what happened. screenshot: a file name
        (under test-artifacts/) or a path, of the whole page or only the first screen;
        expressions: {name: JavaScript expression} to evaluate once the page has loaded."""
        import websocket  # test dependency (websocket-client)

        target = json.loads(self._endpoint("/json/new?about:blank", method="PUT"))
        ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=self.timeout,
                                         suppress_origin=True)
        page = PageLoad(url)
        session = _Session(ws, page)
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                session.call(f"{domain}.enable")
            session.call("Emulation.setDeviceMetricsOverride",
                         {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            session.call("Page.navigate", {"url": url})
            session.wait_for("Page.loadEventFired", self.timeout)
            session.drain(settle)  # late console messages
            page.title = session.evaluate("document.title")
            page.text = session.evaluate("document.body ? document.body.innerText : ''")
            for name, expression in (expressions or {}).items():
                page.values[name] = session.evaluate(expression)
            if screenshot:
                page.screenshot = session.screenshot(screenshot, width, height if not full_page else None)
        finally:
            ws.close()
            self._endpoint(f"/json/close/{target['id']}")
        return page

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Session:
    """Commands and events on one tab's DevTools websocket."""

    def __init__(self, ws, page):
        self.ws, self.page, self.ids = ws, page, itertools.count(1)

    def call(self, method, params=None):
        message_id = next(self.ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params or {}}))
        while True:
            message = self._receive(None)
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def wait_for(self, event, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self._receive(deadline - time.monotonic())
            if message and message.get("method") == event:
                return message
        raise TimeoutError(f"no {event} within {timeout}s for {self.page.url}")

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._receive(deadline - time.monotonic())

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, name, width, height=None):
        path = Path(name) if os.path.isabs(name) else ARTIFACTS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": max(width, size["width"]),
                "height": min(height or size["height"], MAX_SCREENSHOT_HEIGHT), "scale": 1}
        data = self.call("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def _receive(self, timeout):
        """One message; events are recorded on the page as they pass."""
        import websocket

        self.ws.settimeout(timeout if timeout is None or timeout > 0 else 0.001)
        try:
            message = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return {}
        self._record(message.get("method"), message.get("params", {}))
        return message

    def _record(self, method, params):
        console = self.page.console
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            level = {"warning": "warning", "error": "error", "assert": "error"}.get(params["type"], "info")
            console.append({"level": level, "source": "console-api", "text": text, "url": ""})
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            console.append({"level": "error", "source": "exception", "text": text, "url": details.get("url", "")})
        elif method == "Log.entryAdded":  # CSP violations, failed loads, deprecations
            entry = params["entry"]
            console.append({"level": entry["level"], "source": entry["source"], "text": entry["text"],
                            "url": entry.get("url", "")})
        elif method == "Network.responseReceived" and params.get("type") == "Document" and self.page.status is None:
            response = params["response"]
            self.page.status = response["status"]
            self.page.headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
