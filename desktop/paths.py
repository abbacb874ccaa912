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


def quick_entry_socket(db_path: str | Path) -> Path:
    """The local socket a running quick-entry window of *db_path* listens on.

    One per user and database; short enough for the 108-byte limit of Unix sockets.
    """
    key = hashlib.sha256(str(Path(db_path).resolve()).encode("utf-8")).hexdigest()[:16]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"kesu-quick-{uid}-{key}.sock"
