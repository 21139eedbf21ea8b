"""A page opened in a real headless Chromium, driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: commands on file descriptor 3, replies on 4), so no client
library and no network port are needed.

``open_page`` loads a file, waits for its load event and collects what a reviewer's browser
would say about it: console messages, exceptions, log entries and every request it made.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WAIT_SECONDS = 120.0  # for any one reply; a loaded CI machine is slow, never this slow


def chromium_path() -> str | None:
    """The Chromium to use: ``$XFILTER_CHROMIUM`` or the first one on ``PATH``."""
    given = os.environ.get("XFILTER_CHROMIUM")
    if given:
        return given
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


@dataclass
class Page:
    """A loaded page: what the browser has reported since it began loading it (``events``,
    kept up to date), and ways to ask more."""

    url: str
    events: list[dict[str, Any]]
    load_seconds: float
    evaluate: Callable[[str], Any] = field(repr=False)
    screenshot: Callable[..., Path] = field(repr=False)

    def _params(self, method: str) -> list[dict[str, Any]]:
        return [e.get("params", {}) for e in self.events if e.get("method") == method]

    @property
    def console(self) -> list[dict[str, Any]]:
        return self._params("Runtime.consoleAPICalled")

    @property
    def exceptions(self) -> list[dict[str, Any]]:
        return self._params("Runtime.exceptionThrown")

    @property
    def log(self) -> list[dict[str, Any]]:
        return self._params("Log.entryAdded")

    @property
    def requests(self) -> list[str]:
        """Every URL the page asked for, the page itself included."""
        return [p["request"]["url"] for p in self._params("Network.requestWillBeSent")]

    @property
    def errors(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and error log entries (a blocked
        request or a Content-Security-Policy violation is one of these)."""
        found = [
            f"console.{m['type']}: {json.dumps(m.get('args'))[:300]}"
            for m in self.console
            if m.get("type") in ("error", "warning", "assert")
        ]
        found += [f"exception: {json.dumps(e)[:300]}" for e in self.exceptions]
        found += [
            f"log {e['entry'].get('level')}: {e['entry'].get('text')}"
            for e in self.log
            if e["entry"].get("level") in ("error", "warning")
        ]
        return found


class _Pipe:
    """The DevTools protocol over Chromium's pipe: JSON messages ended by a NUL byte."""

    def __init__(self, process: subprocess.Popen[bytes], commands: int, replies: int) -> None:
        self.process = process
        self.commands, self.replies = commands, replies
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        sent = self.next_id
        reply = self.until(lambda m: m.get("id") == sent)
        if "error" in reply:
            raise AssertionError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def until(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Read messages until one is ``wanted``; keep the events read on the way."""
        while True:
            message = self._read()
            if wanted(message):
                return message
            if "method" in message:
                self.events.append(message)

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_SECONDS
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.replies], [], [], max(0.0, left))
            if not ready:
                raise AssertionError(f"Chromium sent nothing for {WAIT_SECONDS:.0f} s")
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                raise AssertionError(f"Chromium exited (code {self.process.poll()})")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed


@contextmanager
def open_page(path: Path, width: int = 1280, height: int = 900) -> Iterator[Page]:
    """``path`` loaded in a fresh headless Chromium with an empty profile."""
    binary = chromium_path()
    if binary is None:
        raise AssertionError("no Chromium found (set XFILTER_CHROMIUM or install chromium)")
    profile = tempfile.mkdtemp(prefix="xfilter-chromium-")
    to_child, from_parent = os.pipe()
    to_parent, from_child = os.pipe()
    args = [
        binary,
        "--headless",
        "--remote-debugging-pipe",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "about:blank",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to sandbox itself as root

    def child_pipes() -> None:
        # The protocol's fixed descriptors: commands in on 3, replies out on 4.
        commands, replies = os.dup(to_child), os.dup(from_child)
        os.dup2(commands, 3)
        os.dup2(replies, 4)

    process = subprocess.Popen(
        args,
        preexec_fn=child_pipes,  # a test helper: no thread of its own is running yet
        pass_fds=(3, 4),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(to_child)
    os.close(from_child)
    pipe = _Pipe(process, from_parent, to_parent)
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Network", "Page"):
            pipe.send(f"{domain}.enable", session=session)
        pipe.events.clear()  # what about:blank said is not the page's
        url = path.resolve().as_uri()
        started = time.monotonic()
        pipe.send("Page.navigate", {"url": url}, session)
        pipe.until(lambda m: m.get("method") == "Page.loadEventFired")
        loaded = time.monotonic() - started

        def evaluate(expression: str) -> Any:
            result = pipe.send(
                "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session
            )
            if "exceptionDetails" in result:
                raise AssertionError(f"{expression}: {result['exceptionDetails']}")
            return result["result"].get("value")

        def screenshot(target_path: Path, top: float = 0, tall: float | None = None) -> Path:
            """The whole page (or ``tall`` pixels of it from ``top``) as a PNG."""
            size = pipe.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
            tall = size["height"] - top if tall is None else min(tall, size["height"] - top)
            clip = {"x": 0, "y": top, "width": size["width"], "height": tall, "scale": 1}
            shot = pipe.send(
                "Page.captureScreenshot",
                {"format": "png", "clip": clip, "captureBeyondViewport": True},
                session,
            )
            target_path.parent.mkdir(parents=True, exist_ok=True)
            target_path.write_bytes(base64.b64decode(shot["data"]))
            return target_path

        evaluate("0")  # a round trip: the events of the load have all arrived before it
        yield Page(url, pipe.events, loaded, evaluate, screenshot)
    finally:
        with suppress(AssertionError, OSError):
            pipe.send("Browser.close")
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(from_parent)
        os.close(to_parent)
        shutil.rmtree(profile, ignore_errors=True)
