"""Test-only fault injection: SIGKILL the server at a chosen step of the sync protocol.

The fault tests start a real ``kesu-server serve`` with ``KESU_SERVER_FAULT=KIND:N`` and
prove that desks recover from a server that dies at the worst moment. Production never
sets the variable; :func:`from_env` then returns the app untouched, and nothing of this
module runs. The kinds, each counted over this process's own requests:

* ``die_before_commit:N`` — on the N-th push, before the app sees it;
* ``die_after_commit:N`` — on the N-th push, after it was stored (or answered with a
  gap), before the answer leaves;
* ``die_after_status:N`` — after the N-th status was read, before it is answered;
* ``die_during_pull:N`` — after the N-th pull page was read, before it is answered.

Refused requests (401, 422...) count too: the tests send none before the fault.
"""

from __future__ import annotations

import itertools
import os
import signal
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, NoReturn

FAULT_ENV = "KESU_SERVER_FAULT"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# kind → (path, answers after which the process dies; None: dies before the app runs)
_KINDS: dict[str, tuple[str, frozenset[int] | None]] = {
    "die_before_commit": ("/v1/push", None),
    "die_after_commit": ("/v1/push", frozenset({200, 409})),
    "die_after_status": ("/v1/status", frozenset({200})),
    "die_during_pull": ("/v1/pull", frozenset({200})),
}


def _die() -> NoReturn:
    os.kill(os.getpid(), signal.SIGKILL)
    raise SystemExit(137)  # not reached: SIGKILL cannot be caught


class FaultInjection:
    """ASGI middleware that kills the process at the N-th request of one kind."""

    def __init__(self, app: ASGIApp, kind: str, nth: int) -> None:
        if kind not in _KINDS:
            raise ValueError(f"{FAULT_ENV}: unknown fault {kind!r}")
        self.app, self.nth = app, nth
        self.path, self.answers = _KINDS[kind]
        # itertools.count: atomic under the GIL, whichever thread handles the request.
        self._seen = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path \
                or next(self._seen) != self.nth:
            await self.app(scope, receive, send)
            return
        if self.answers is None:
            _die()
        answers = self.answers

        async def send_or_die(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in answers:
                _die()
            await send(message)

        await self.app(scope, receive, send_or_die)


def from_env(app: ASGIApp) -> ASGIApp:
    """*app* wrapped in :class:`FaultInjection` when ``KESU_SERVER_FAULT`` asks for it."""
    fault = os.environ.get(FAULT_ENV, "")
    if not fault:
        return app
    kind, _, nth = fault.partition(":")
    return FaultInjection(app, kind, int(nth))
