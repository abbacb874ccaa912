"""A real WeCom-style group-robot receiver on loopback, for notification tests.

It answers each POST from a script: the first answers may be failures (HTTP 500, a
body that is not JSON, ``{"errcode": 93000}``), every later one ``{"errcode": 0}``.
Every request is recorded with the answer it got.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Answers a script may hold.
FAIL_500 = "500"
FAIL_GARBAGE = "garbage"
FAIL_ERRCODE = "errcode"
OK = "ok"


@dataclass(frozen=True)
class Received:
    """One POST as the sink saw it."""

    path: str
    body: Any  # parsed JSON, or the raw text when it was not JSON
    answer: str  # one of the answers above

    @property
    def content(self) -> str:
        """The markdown content of a group-robot message ("" if not one)."""
        if isinstance(self.body, dict):
            return str((self.body.get("markdown") or {}).get("content", ""))
        return ""


class WebhookSink:
    """``with WebhookSink([FAIL_500, FAIL_GARBAGE]) as sink: ... sink.url ...``.

    *script* answers the first posts in order; *then* answers the rest (``OK`` unless
    set, e.g. ``FAIL_ERRCODE`` for a robot that never accepts). *delay_s* slows every
    answer, so that several senders overlap.
    """

    def __init__(self, script: Sequence[str] = (), then: str = OK,
                 delay_s: float = 0.0) -> None:
        self._script = list(script)
        self._then = then
        self._lock = threading.Lock()
        self.received: list[Received] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw
                time.sleep(delay_s)
                answer = sink._next_answer()
                with sink._lock:
                    sink.received.append(Received(self.path, body, answer))
                if answer == FAIL_500:
                    self._send(500, b"internal error", "text/plain")
                elif answer == FAIL_GARBAGE:
                    self._send(200, b"<html>gateway</html>", "text/html")
                elif answer == FAIL_ERRCODE:
                    self._send(200, b'{"errcode":93000,"errmsg":"invalid webhook url"}',
                               "application/json")
                else:
                    self._send(200, b'{"errcode":0,"errmsg":"ok"}', "application/json")

            def _send(self, status: int, data: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet tests

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _next_answer(self) -> str:
        with self._lock:
            return self._script.pop(0) if self._script else self._then

    @property
    def url(self) -> str:
        """The robot's address, with a key like WeCom's."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/cgi-bin/webhook/send?key=test-key"

    def __enter__(self) -> WebhookSink:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def posts(self) -> list[Received]:
        """Everything received so far."""
        with self._lock:
            return list(self.received)

    def delivered(self) -> list[Received]:
        """The posts that were answered ``errcode 0``."""
        return [r for r in self.posts() if r.answer == OK]

    def wait_for(self, done: Callable[[list[Received]], bool], timeout: float = 30.0) -> bool:
        """Poll until *done(posts)* holds; False when *timeout* passes first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done(self.posts()):
                return True
            time.sleep(0.05)
        return done(self.posts())
