"""A real keyring backend that keeps its secrets in one JSON file (tests only).

Selected with ``PYTHON_KEYRING_BACKEND=tests.desktop.file_keyring.FileKeyring`` and
``KESU_TEST_KEYRING_FILE=<path>``, or passed to ``CredentialStore(backend=...)``. It is
viable only when that variable is set, so importing this module never makes it the
default keyring of the test process.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

FILE_ENV = "KESU_TEST_KEYRING_FILE"


class FileKeyring(KeyringBackend):
    """service → user name → secret, in the JSON file named by ``KESU_TEST_KEYRING_FILE``."""

    @properties.classproperty
    def priority(cls) -> float:
        if not os.environ.get(FILE_ENV):
            raise RuntimeError(f"{FILE_ENV} is not set")
        return 0.1

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path or Path(os.environ[FILE_ENV])

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data: dict[str, dict[str, str]] = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self.path.write_text(json.dumps(data), "utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if username not in data.get(service, {}):
            raise PasswordDeleteError("no such password")
        del data[service][username]
        self.path.write_text(json.dumps(data), "utf-8")
