"""The client half of the one-quick-window rule (see :mod:`ui.single_instance`): plain
Python, no Qt, so a second ``kesu quick`` hands over to the running window quickly."""

from __future__ import annotations

import socket
from pathlib import Path

SHOW = b"show\n"


def ask_running_to_show(path: Path, timeout: float = 0.5) -> bool:
    """Ask a running quick-entry window on *path* to show itself; False if none answers."""
    if not hasattr(socket, "AF_UNIX") or not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout)
            client.connect(str(path))
            client.sendall(SHOW)
        return True
    except OSError:  # a stale socket left by a crash: start a new window instead
        return False
