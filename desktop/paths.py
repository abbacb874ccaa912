"""Where the desk's files are. Kept free of heavy imports: ``kesu quick`` reads these
before anything else to hand over to a quick-entry window that is already running."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def default_db_path() -> Path:
    """``KESU_DB``, else ``kesu.db`` in the user's data directory."""
    env = os.environ.get("KESU_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("kesu", appauthor=False)) / "kesu.db"


_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux, 104 on macOS


def quick_entry_socket(db_path: str | Path) -> Path:
    """The local socket a running quick-entry window of *db_path* listens on.

    One per user and database; short enough for the 108-byte limit of Unix sockets.
    """
    key = hashlib.sha256(str(Path(db_path).resolve()).encode("utf-8")).hexdigest()[:16]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    name = f"kesu-quick-{uid}-{key}.sock"
    path = Path(tempfile.gettempdir()) / name
    # A long TMPDIR would make the path too long to listen on, and each press of the
    # cashier's key would open another window: fall back to /tmp.
    if len(os.fsencode(path)) > _SOCKET_PATH_MAX and Path("/tmp").is_dir():
        path = Path("/tmp") / name
    return path
