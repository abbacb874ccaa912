"""Where the desk keeps its device token: the OS keyring, or a private file beside the database.

The token proves to the central server that this desk may read and write its store, so it
does not belong in the database file (which is copied for backups and support). It goes
to the OS keyring (``keyring``: service ``kesu``, user name the desk's device id). Where
there is none (headless Linux, CI: ``keyring`` falls back to its ``fail`` backend, or
raises :class:`keyring.errors.NoKeyringError`), it goes to ``<db>.token`` with mode 0600,
and the user is told so once per process. ``KESU_TOKEN_STORE=file|keyring`` forces one.

A token an older Kesu kept in the database (``meta sync_token``) is moved out on first use
(:meth:`CredentialStore.adopt_database_token`).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import fail

from desktop.i18n import tr
from domain.errors import InvalidInput
from local_db import sync_state

SERVICE = "kesu"
STORE_ENV = "KESU_TOKEN_STORE"
_log = logging.getLogger("kesu.credentials")

# Fallback notices already given in this process (one per token file): a `sync run`
# loop must not repeat it every round.
_noticed: set[str] = set()
_noticed_lock = threading.Lock()


class KeyringUnavailable(InvalidInput):
    """``KESU_TOKEN_STORE=keyring`` but there is no usable keyring."""


def token_path(db_path: str | Path) -> Path:
    """The fallback token file of the database at *db_path*."""
    return Path(f"{db_path}.token")


class CredentialStore:
    """The device token of one desk; a :class:`desktop.desk_sync.engine.TokenSource`.

    *backend* overrides the keyring backend (tests); *notice* receives the translated
    message telling that the file fallback is in use (default: logged as a warning).
    """

    def __init__(
        self,
        db_path: str | Path,
        device_id: str,
        *,
        backend: keyring.backend.KeyringBackend | None = None,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        self.path = token_path(db_path)
        self.device_id = device_id
        self.notice = notice or _log.warning
        self._backend = backend
        mode = os.environ.get(STORE_ENV, "").strip().lower()
        if mode not in ("", "file", "keyring"):
            raise InvalidInput("credentials.bad_store", value=mode)
        self.mode = mode

    # --- which store ----------------------------------------------------------------

    def _keyring(self) -> keyring.backend.KeyringBackend | None:
        """The usable keyring backend, or None when only the file can be used."""
        if self.mode == "file":
            return None
        backend = self._backend or keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            if self.mode == "keyring":
                raise KeyringUnavailable("credentials.no_keyring", detail=str(backend))
            return None
        return backend

    @property
    def kind(self) -> str:
        """``keyring`` or ``file``: where a token is (or would be) kept."""
        if self._keyring() is None:
            return "file"
        # A token that once had to fall back to the file stays there until set again.
        in_file_only = self._from_keyring() is None and self._read_file() is not None
        return "file" if in_file_only else "keyring"

    def _fallback(self, reason: str) -> None:
        key = str(self.path)
        with _noticed_lock:
            if key in _noticed:
                return
            _noticed.add(key)
        self.notice(tr("credentials.file_fallback", path=key, reason=reason))

    # --- TokenSource ----------------------------------------------------------------

    def get(self) -> str | None:
        """The device token, or ``None`` before enrolment."""
        if self._keyring() is not None:
            token = self._from_keyring()
            if token is not None:
                return token
        return self._read_file()

    def set(self, token: str) -> None:
        """Keep *token* in the keyring, else (told once) in the private file."""
        backend = self._keyring()
        if backend is not None:
            try:
                backend.set_password(SERVICE, self.device_id, token)
            except keyring.errors.KeyringError as exc:
                if self.mode == "keyring":
                    raise KeyringUnavailable("credentials.no_keyring", detail=str(exc)) from exc
                self._fallback(str(exc) or type(exc).__name__)
            else:
                # The keyring has it now: an older file copy must not linger.
                self.path.unlink(missing_ok=True)
                return
        else:
            self._fallback(f"{STORE_ENV}=file" if self.mode == "file" else "keyring.backends.fail")
        self._write_file(token)

    def delete(self) -> None:
        """Forget the token everywhere (a desk taken out of service)."""
        backend = self._keyring()
        if backend is not None:
            try:
                backend.delete_password(SERVICE, self.device_id)
            except keyring.errors.KeyringError:
                pass  # nothing stored there (PasswordDeleteError) or no keyring after all
        self.path.unlink(missing_ok=True)

    def adopt_database_token(self, conn: sqlite3.Connection) -> bool:
        """Move a token kept in ``meta sync_token`` by an older Kesu into this store.

        Stored here first, removed from the database second: a crash in between leaves
        two copies, never none. Returns whether there was one.
        """
        token = sync_state.read_state(conn).token
        if token is None:
            return False
        if self.get() is None:
            self.set(token)
        sync_state.take_token(conn)
        return True

    # --- backends -------------------------------------------------------------------

    def _from_keyring(self) -> str | None:
        backend = self._keyring()
        if backend is None:
            return None
        try:
            value = backend.get_password(SERVICE, self.device_id)
        except keyring.errors.KeyringError as exc:
            if self.mode == "keyring":
                raise KeyringUnavailable("credentials.no_keyring", detail=str(exc)) from exc
            return None
        return value

    def _read_file(self) -> str | None:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None
        # A file copied along with another desk's database is not this desk's token.
        if not isinstance(data, dict) or data.get("device_id") != self.device_id:
            return None
        token = data.get("token")
        return token if isinstance(token, str) and token else None

    def _write_file(self, token: str) -> None:
        body = json.dumps({"device_id": self.device_id, "token": token}).encode("utf-8")
        tmp = self.path.with_name(self.path.name + ".tmp")
        # Created 0600 from the start, so the token is never readable by others.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o600)  # an older .tmp may have had wider rights
        os.replace(tmp, self.path)
