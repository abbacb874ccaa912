"""Writing an output file whole or not at all.

A receipt or a report that a crash or a full disk cut short must never be printed or
mailed: the data goes to a temporary file beside the target, is flushed to disk, and
only then renamed over it (a rename within one directory is atomic).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: str | Path, data: bytes) -> None:
    """Write *data* to *path* whole or not at all; the old file stays on failure."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
