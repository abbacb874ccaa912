"""Builds the sync engine for a desk: its token store, its server, its policy sink.

The engine knows nothing of the desk application; this module gives it what it needs:
the device token from :class:`~desktop.credentials.CredentialStore`, a
:class:`DeskPolicySink` that validates pulled policy documents with the desk's own
:func:`~domain.policy.parse_policy` and installs them as ``kesu policy load`` does, and
the desk's script library (:class:`~desktop.desk_sync.scripts_pull.DeskScripts`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from desktop.credentials import CredentialStore
from desktop.desk import Desk, install_policy_document, open_desk
from desktop.desk_sync.engine import SyncEngine
from desktop.desk_sync.errors import PolicyRefused
from desktop.desk_sync.scripts_pull import DeskScripts
from desktop.i18n import tr
from domain.errors import InvalidInput, PolicyInvalid
from local_db import sync_state

Notice = Callable[[str], None]


class DeskPolicySink:
    """Installs pulled policy documents into a desk; a
    :class:`~desktop.desk_sync.engine.PolicySink`."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def current_version(self) -> str | None:
        """The version the desk runs."""
        return self.desk.policy.version

    def install(self, version: str, document: dict[str, Any]) -> None:
        """Validate and install; a bad document raises :class:`PolicyRefused` and
        changes nothing."""
        if document.get("policy_version") != version:
            raise PolicyRefused(f"document says version {document.get('policy_version')!r}")
        try:
            install_policy_document(self.desk, document, source=f"<server {version}>")
        except PolicyInvalid as exc:
            raise PolicyRefused(tr(exc.code, **exc.params)) from None


def credentials(desk: Desk, db_path: str | Path, notice: Notice | None = None
                ) -> CredentialStore:
    """The desk's token store, with a token an older Kesu kept in the database moved in."""
    store = CredentialStore(db_path, desk.device_id, notice=notice)
    store.adopt_database_token(desk.conn)
    return store


def build_engine(
    desk: Desk,
    db_path: str | Path,
    *,
    server: str | None = None,
    notice: Notice | None = None,
    transport: httpx.BaseTransport | None = None,
    require_server: bool = True,
    timeout: float = 30.0,
) -> SyncEngine:
    """A sync engine for *desk* on the server stored at enrolment (or *server*).

    Without a stored server and ``require_server`` it refuses (``sync.not_enrolled``);
    ``require_server=False`` gives an engine good for :meth:`SyncEngine.status` only.
    """
    url = server or sync_state.read_state(desk.conn).server
    if url is None and require_server:
        raise InvalidInput("sync.not_enrolled")
    return SyncEngine(desk.conn, url or "http://not-enrolled.invalid", transport=transport,
                      clock=desk.clock, timeout=timeout,
                      tokens=credentials(desk, db_path, notice),
                      policy_sink=DeskPolicySink(desk), scripts=DeskScripts(desk))


def engine_factory(
    db_path: str | Path,
    *,
    notice: Notice | None = None,
    timeout: float = 30.0,
) -> Callable[[], SyncEngine]:
    """What :class:`~desktop.desk_sync.runner.SyncRunner` calls in its own thread: opens
    the desk database there (SQLite connections belong to one thread) and builds its
    engine. The runner closes the engine and its connection when it stops."""

    def make() -> SyncEngine:
        desk = open_desk(db_path)
        try:
            return build_engine(desk, db_path, notice=notice, timeout=timeout)
        except BaseException:
            desk.close()
            raise

    return make


def local_sync_status(desk: Desk) -> dict[str, Any]:
    """What the app's status line shows about sync, from local data only (cheap, no
    network, no token store): whether a server is set, events waiting, last success and
    the last error."""
    state = sync_state.read_state(desk.conn)
    return {
        "server": state.server,
        "pending": sync_state.pending_count(desk.conn),
        "last_success": state.last_success,
        "last_error": state.last_error,
        "update_required": state.update_required is not None,
    }
