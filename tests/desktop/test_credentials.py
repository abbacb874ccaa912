"""The device token store: OS keyring first, a private file where there is none."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop import credentials
from desktop.credentials import SERVICE, CredentialStore, KeyringUnavailable, token_path
from desktop.desk import Desk
from domain.errors import InvalidInput
from local_db import meta, sync_state
from tests.desktop.file_keyring import FileKeyring


@pytest.fixture(autouse=True)
def _fresh_notices(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(credentials.STORE_ENV, raising=False)
    monkeypatch.setattr(credentials, "_noticed", set())
    yield


@pytest.fixture
def file_keyring(tmp_path: Path) -> FileKeyring:
    """A real keyring backend whose storage is a file in the test's directory."""
    return FileKeyring(tmp_path / "keyring.json")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_without_a_keyring_the_token_goes_to_a_private_file_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    # Recorded by monkeypatch so the process's keyring is restored afterwards.
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.get_keyring())
    keyring.core.init_backend()
    assert isinstance(keyring.get_keyring(), fail.Keyring)
    told: list[str] = []
    db = tmp_path / "kesu.db"
    store = CredentialStore(db, "dev-1", notice=told.append)
    assert store.get() is None and store.kind == "file"
    store.set("tok-1")
    store.set("tok-2")
    assert store.get() == "tok-2"
    assert token_path(db).exists() and _mode(token_path(db)) == 0o600
    assert "tok-2" in token_path(db).read_text()
    assert len(told) == 1 and str(token_path(db)) in told[0]
    # Another store object in the same process does not repeat the message.
    CredentialStore(db, "dev-1", notice=told.append).set("tok-3")
    assert len(told) == 1
    # The file of another desk's database copy is not this desk's token.
    assert CredentialStore(db, "dev-2").get() is None
    store.delete()
    assert store.get() is None and not token_path(db).exists()


def test_a_real_keyring_keeps_the_token_and_no_file_is_written(
    tmp_path: Path, file_keyring: FileKeyring,
) -> None:
    told: list[str] = []
    db = tmp_path / "kesu.db"
    store = CredentialStore(db, "dev-1", backend=file_keyring, notice=told.append)
    store.set("tok-1")
    assert file_keyring.get_password(SERVICE, "dev-1") == "tok-1"
    assert store.get() == "tok-1" and store.kind == "keyring"
    assert not token_path(db).exists() and told == []
    store.delete()
    assert store.get() is None and file_keyring.get_password(SERVICE, "dev-1") is None


def test_token_store_can_be_forced(tmp_path: Path, file_keyring: FileKeyring,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "kesu.db"
    monkeypatch.setenv(credentials.STORE_ENV, "file")
    forced = CredentialStore(db, "dev-1", backend=file_keyring, notice=lambda _: None)
    forced.set("tok-f")
    assert forced.kind == "file" and token_path(db).exists()
    assert file_keyring.get_password(SERVICE, "dev-1") is None
    # Insisting on a keyring where there is none is an error, not a silent file.
    monkeypatch.setenv(credentials.STORE_ENV, "keyring")
    with pytest.raises(KeyringUnavailable):
        CredentialStore(db, "dev-1", backend=fail.Keyring()).set("tok-k")
    monkeypatch.setenv(credentials.STORE_ENV, "vault")
    with pytest.raises(InvalidInput):
        CredentialStore(db, "dev-1")


def test_a_token_kept_in_the_database_moves_to_the_keyring(
    desk: Desk, tmp_path: Path, file_keyring: FileKeyring,
) -> None:
    sync_state.put(desk.conn, sync_token="old-token")
    store = CredentialStore(tmp_path / "kesu.db", desk.device_id, backend=file_keyring)
    assert store.adopt_database_token(desk.conn) is True
    assert meta.get(desk.conn, sync_state.TOKEN) is None
    assert file_keyring.get_password(SERVICE, desk.device_id) == "old-token"
    assert store.adopt_database_token(desk.conn) is False
    assert store.get() == "old-token"


def test_file_left_from_a_fallback_is_removed_once_the_keyring_has_the_token(
    tmp_path: Path, file_keyring: FileKeyring,
) -> None:
    db = tmp_path / "kesu.db"
    CredentialStore(db, "dev-1", backend=fail.Keyring(), notice=lambda _: None).set("tok-1")
    store = CredentialStore(db, "dev-1", backend=file_keyring)
    assert store.get() == "tok-1" and store.kind == "file"
    store.set("tok-2")
    assert store.kind == "keyring" and not token_path(db).exists()
