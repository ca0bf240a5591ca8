"""Headless Chromium for the tests, driven over the DevTools protocol on a pipe.

``Browser.open(path)`` loads a local page and returns what a person would see and what
the console said: every console message, uncaught exception and log entry of level
error (Content-Security-Policy violations and failed loads are such entries), every
URL the page requested, and methods to evaluate script and take a screenshot.

Chromium is Debian's ``chromium`` (``.ci/run`` installs it). Where it is absent the
tests that need it skip, except in CI (CI=true), where they fail.
"""
from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def executable() -> str | None:
    return next((found for name in NAMES if (found := shutil.which(name))), None)


def require() -> str:
    found = executable()
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("CI must have Debian's chromium (.ci/run installs it with apt-get)")
    pytest.skip("headless Chromium is not installed here (Debian: apt-get install chromium)")


class Browser:
    """One headless Chromium process; ``with Browser() as browser: page = browser.open(path)``."""

    def __init__(self, width: int = 1280, height: int = 1600, timeout: float = 60.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="grader-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def plumb():  # the protocol's pipe: commands on fd 3, answers on fd 4
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)  # out of the way of 3 and 4
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.process = subprocess.Popen(
            [require(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--hide-scrollbars", "--mute-audio",
             f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "--remote-debugging-pipe",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=plumb)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.counter = 0
        self.events: list[dict] = []
        self.session = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        try:
            self.call("Browser.close", session=False)
        except (OSError, TimeoutError, RuntimeError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self.to_browser, self.from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- the protocol
    def call(self, method: str, session: bool = True, **params) -> dict:
        self.counter += 1
        message = {"id": self.counter, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._next()
            if answer.get("id") == self.counter:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def _next(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.from_browser], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(line)

    def wait_for(self, method: str) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    self.events.remove(event)
                    return event
            if time.monotonic() > deadline:
                raise TimeoutError(f"chromium never sent {method}")
            self.events.append(self._next())

    # -- pages
    def open(self, path: Path) -> Page:
        target = self.call("Target.createTarget", session=False, url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", session=False, targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.events.clear()
        self.call("Page.navigate", url=Path(path).resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        self.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        return Page(self)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} raised: {result['exceptionDetails']}")
        return result["result"].get("value")


class Page:
    """A loaded page: its console and requests so far, script and screenshots."""

    def __init__(self, browser: Browser):
        self.browser = browser

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, error log entries (CSP, loads)."""
        self.browser.evaluate("0")  # let pending events arrive
        found = []
        for event in self.browser.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                found.append(f"log {params['entry'].get('source')}: {params['entry'].get('text')}")
        return found

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.browser.events
                if e.get("method") == "Network.requestWillBeSent"]

    def evaluate(self, expression: str):
        return self.browser.evaluate(expression)

    def screenshot(self):
        """The whole page as a Pillow image (RGB), at one device pixel per CSS pixel."""
        from PIL import Image
        data = self.browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")

    def box(self, selector: str) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the first element matching ``selector``, in page pixels."""
        rect = self.evaluate(f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
                             ".getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, "
                             "r.right + scrollX, r.bottom + scrollY]; })()")
        return tuple(round(v) for v in rect)
