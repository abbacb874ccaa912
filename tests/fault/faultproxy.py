"""A loopback HTTP proxy between desks and ``kesu-server`` that misbehaves on purpose.

Each request the proxy receives gets one fault, chosen by a seeded RNG from the
probabilities of a :class:`FaultPlan` (or taken from a queue the test scripts with
:meth:`FaultProxy.script`):

* ``drop_request``  never forwarded; the client's connection is closed.
* ``drop_response`` forwarded and answered by the server (so a push is committed), but
  the client's connection is closed instead of the answer.
* ``delay``         forwarded after a short random pause.
* ``duplicate``     sent to the server twice in a row; the client gets the second answer.
* ``reorder``       held back (the client's connection is closed after a moment) and
  sent to the server only after the next request has been forwarded, so the server sees
  the two in the opposite order. :meth:`FaultProxy.release_held` sends what is still held.

One request per client connection: the proxy asks the server for ``Connection: close``
and closes the client side after each answer, which keeps HTTP framing trivial (the
answer is everything the server sent until it closed).

:meth:`FaultProxy.pause` stops the next matching request before or after it reaches the
server, until :meth:`FaultProxy.resume`: a test kills the desk while it waits for an
answer the server has already committed.
"""

from __future__ import annotations

import random
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field

MODES = ("drop_request", "drop_response", "delay", "duplicate", "reorder")


@dataclass(frozen=True)
class FaultPlan:
    """Probability of each fault per request; the rest are forwarded faithfully."""

    drop_request: float = 0.0
    drop_response: float = 0.0
    delay: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    max_delay: float = 0.15  # seconds

    @classmethod
    def only(cls, mode: str, p: float = 0.35) -> FaultPlan:
        """A plan with one fault mode at probability *p*."""
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}")
        return cls(**{mode: p})

    @classmethod
    def mix(cls, p: float = 0.1) -> FaultPlan:
        """Every fault mode at probability *p* each."""
        return cls(**{mode: p for mode in MODES})

    def pick(self, rng: random.Random) -> str | None:
        """One fault (or None: forward faithfully) for the next request."""
        draw = rng.random()
        for mode in MODES:
            draw -= getattr(self, mode)
            if draw < 0:
                return mode
        return None


@dataclass
class Logged:
    """One request the proxy saw and what it did to it."""

    method: str
    path: str
    fault: str | None


@dataclass
class _Pause:
    method: str
    path: str
    stage: str  # "before" (not yet sent to the server) or "after" (answered, not relayed)
    reached: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)


def _read_request(sock: socket.socket) -> bytes | None:
    """One HTTP/1.1 request (headers and Content-Length body), or None at EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head + b"\r\n\r\n" + body


def _close_upstream(raw: bytes) -> bytes:
    """The request with ``Connection: close`` so the server ends the answer by closing."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = [ln for ln in head.split(b"\r\n")
             if ln.split(b":", 1)[0].strip().lower() != b"connection"]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


class FaultProxy:
    """A threaded proxy on ``127.0.0.1`` in front of the server at *upstream_port*."""

    def __init__(self, upstream_port: int, *, seed: int = 0,
                 plan: FaultPlan | None = None) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.plan = plan or FaultPlan()
        self.log: list[Logged] = []
        self._scripted: list[str | None] = []
        self._held: list[bytes] = []
        self._pauses: list[_Pause] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Base URL desks should talk to."""
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        """Stop accepting connections (held requests are dropped)."""
        for pause in self._pauses:
            pause.go.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- control ----------------------------------------------------------------------

    def script(self, *faults: str | None) -> None:
        """Apply these faults, in order, to the next requests (before the plan's RNG)."""
        with self._lock:
            self._scripted.extend(faults)

    def clear_script(self) -> None:
        """Forget scripted faults not used yet (a round made fewer requests)."""
        with self._lock:
            self._scripted.clear()

    def faults_seen(self) -> dict[str, int]:
        """How many requests got each fault so far."""
        counts: dict[str, int] = {}
        for entry in self.log:
            if entry.fault:
                counts[entry.fault] = counts.get(entry.fault, 0) + 1
        return counts

    def pause(self, method: str, path: str, stage: str) -> _Pause:
        """Hold the next *method* request to *path* ``before`` it reaches the server or
        ``after`` the server answered; ``.reached`` is set once it waits there."""
        if stage not in ("before", "after"):
            raise ValueError(stage)
        p = _Pause(method.upper(), path, stage)
        with self._lock:
            self._pauses.append(p)
        return p

    def resume(self, p: _Pause) -> None:
        """Let a paused request go on."""
        p.go.set()

    def release_held(self) -> int:
        """Send the requests held back by ``reorder`` now; how many there were."""
        with self._lock:
            held, self._held = self._held, []
        for raw in held:
            self._forward(raw)
        return len(held)

    # --- the work ---------------------------------------------------------------------

    def _forward(self, raw: bytes) -> bytes:
        """Send one request to the server and return its whole answer (b"" if down)."""
        try:
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
                up.sendall(_close_upstream(raw))
                chunks = []
                while True:
                    chunk = up.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
                return b"".join(chunks)
        except OSError:
            return b""

    def _take_pause(self, method: str, path: str) -> _Pause | None:
        for p in self._pauses:
            if p.method == method and path.startswith(p.path):
                self._pauses.remove(p)
                return p
        return None

    def _serve(self, client: socket.socket) -> None:
        raw = _read_request(client)
        if raw is None:
            return
        method, target = raw.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
        path = target.split("?", 1)[0]
        with self._lock:
            fault = self._scripted.pop(0) if self._scripted else self.plan.pick(self.rng)
            delay = self.rng.uniform(0.0, self.plan.max_delay or 0.15)
            pause = self._take_pause(method, path)
            self.log.append(Logged(method, path, fault))
        if pause is not None and pause.stage == "before":
            pause.reached.set()
            pause.go.wait(60)
        if fault == "drop_request":
            return
        if fault == "reorder":
            with self._lock:
                self._held.append(raw)
            time.sleep(delay)
            return
        if fault == "delay":
            time.sleep(delay)
        answer = self._forward(raw)
        if fault == "duplicate":
            answer = self._forward(raw) or answer
        # Whatever was held back goes to the server after this request: reordered.
        self.release_held()
        if pause is not None and pause.stage == "after":
            pause.reached.set()
            pause.go.wait(60)
        if fault == "drop_response" or not answer:
            return
        try:
            client.sendall(answer)
        except OSError:
            pass  # the desk died or gave up; the server's side is done either way
