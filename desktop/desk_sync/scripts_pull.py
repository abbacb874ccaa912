"""The script library's part of a sync round: pull the published library, push the uses.

``GET /v1/scripts`` answers the centre's library document with ``ETag: "v<version>"``;
the desk sends ``If-None-Match: "v<have>"`` and hears 304 while it is current, so an
idle round costs one small request. ``POST /v1/scripts/usage`` takes at most
:data:`~desktop.script_library.MAX_USES_PER_PUSH` uses per request and is idempotent
by the use's id, so a use resent after a lost answer counts once at the centre.

Neither may fail the round: the tickets' push and pull have already been done when
:func:`exchange` runs, and a script library is a help, not the record. Whatever goes
wrong (the network, a refused document, a server without these endpoints: 404) comes
back as :attr:`ScriptsResult.error`, which the engine records as the round's last error
the way a refused policy is; the desk keeps showing the library it last pulled.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Protocol

from desktop import script_library
from desktop.desk import Desk
from desktop.desk_sync.errors import ScriptsRefused
from desktop.i18n import tr
from domain.errors import InvalidInput
from local_db.errors import StoreError
from sync.errors import BadResponse, SyncError

SCRIPTS_PATH = "/v1/scripts"
USAGE_PATH = "/v1/scripts/usage"
# A round sends at most this many batches of uses; the rest go next round.
MAX_USE_BATCHES = 20


class Call(Protocol):
    """The engine's authenticated request (``SyncEngine._call``)."""

    def __call__(self, method: str, path: str, *, body: Any = None,
                 allow: tuple[int, ...] = (), headers: dict[str, str] | None = None
                 ) -> tuple[int, Any]:
        """(status, JSON answer); raises the wire's :class:`~sync.errors.SyncError`."""
        ...


class ScriptShelf(Protocol):
    """Where pulled libraries go and recorded uses come from (the desk:
    :class:`DeskScripts`)."""

    def version(self) -> int:
        """The library version held (0: none)."""
        ...

    def install(self, document: dict[str, Any]) -> int:
        """Check and keep *document*; return its version. :class:`ScriptsRefused` when
        it is bad (the old library stays)."""
        ...

    def pending(self, limit: int) -> list[dict[str, Any]]:
        """The oldest uses not yet accepted, as the wire carries them."""
        ...

    def sent(self, ids: list[str]) -> None:
        """The centre accepted the uses *ids*."""
        ...


class DeskScripts:
    """A desk's library and uses, through :mod:`desktop.script_library`."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def version(self) -> int:
        """The version the desk holds."""
        return script_library.version(self.desk.conn)

    def install(self, document: dict[str, Any]) -> int:
        """Check against the desk's policy and install; refusals in the desk's words."""
        try:
            return script_library.install(self.desk, document).version
        except InvalidInput as exc:
            raise ScriptsRefused(tr(exc.code, **exc.params)) from None

    def pending(self, limit: int) -> list[dict[str, Any]]:
        """Uses waiting for the centre."""
        return script_library.pending_uses(self.desk.conn, limit)

    def sent(self, ids: list[str]) -> None:
        """Mark *ids* accepted."""
        script_library.mark_sent(self.desk.conn, ids)


@dataclass(frozen=True)
class ScriptsResult:
    """What the scripts' part of a round did."""

    installed: int | None = None  # a library version installed this round
    pushed: int = 0  # uses the centre accepted
    error: str | None = None  # what failed (the library kept, the uses kept for later)


def etag(version: int) -> str:
    """The entity tag of library *version*, as the centre writes it."""
    return f'"v{version}"'


def pull(call: Call, shelf: ScriptShelf) -> int | None:
    """Fetch the published library unless the desk holds it; return the version
    installed (None: nothing new, nothing published, or a server without libraries)."""
    have = shelf.version()
    headers = {"If-None-Match": etag(have)} if have else {}
    status, data = call("GET", SCRIPTS_PATH, allow=(304, 404), headers=headers)
    if status in (304, 404):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("version"), int):
        raise BadResponse("script library answer lacks 'version'")
    published = int(data["version"])
    if published == 0 or published == have:
        # Version 0: nothing published (a new or restored centre); keep what the desk has.
        return None
    return shelf.install(data)


def push(call: Call, shelf: ScriptShelf) -> int:
    """Send the uses waiting, oldest first, in batches; return how many were accepted."""
    accepted = 0
    for _ in range(MAX_USE_BATCHES):
        uses = shelf.pending(script_library.MAX_USES_PER_PUSH)
        if not uses:
            break
        status, data = call("POST", USAGE_PATH, body={"uses": uses}, allow=(404,))
        if status == 404:
            break  # a centre without script usage: the uses wait for one that has it
        if not isinstance(data, dict) or not isinstance(data.get("accepted"), int):
            raise BadResponse("script usage answer lacks 'accepted'")
        shelf.sent([u["id"] for u in uses])
        accepted += len(uses)
        if len(uses) < script_library.MAX_USES_PER_PUSH:
            break
    return accepted


def exchange(call: Call, shelf: ScriptShelf, *, pull_library: bool = True,
             push_uses: bool = True) -> ScriptsResult:
    """Pull the library and push the uses, each on its own: a failure of one is
    reported in the result and never raised, and does not stop the other."""
    installed: int | None = None
    pushed = 0
    errors: list[str] = []
    if pull_library:
        try:
            installed = pull(call, shelf)
        except _FAILURES as exc:
            errors.append(_describe(exc))
    if push_uses:
        try:
            pushed = push(call, shelf)
        except _FAILURES as exc:
            errors.append(_describe(exc))
    return ScriptsResult(installed, pushed, "; ".join(errors) or None)


# What a part of the exchange may fail with: the wire's errors (a refusal among them)
# and the desk's database; anything else is a bug and fails the round as one.
_FAILURES: tuple[type[BaseException], ...] = (SyncError, StoreError, sqlite3.Error)


def _describe(exc: BaseException) -> str:
    code = getattr(exc, "code", type(exc).__name__)
    return f"{code}: {exc}"
