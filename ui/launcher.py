"""The ``kesu`` entry point: the core's command line plus the commands that open windows.

The core (``desktop.cli``) must not import the Qt front end, so the front end adds its
commands to the core's parser here. PySide6 is imported only when a window is opened,
keeping the JSON commands quick to start.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop.paths import default_db_path, quick_entry_socket
from ui.quick_handover import ask_running_to_show


def open_app(path: Path, demo_staff: Sequence[tuple[str, str, str, str]] = (),
             quick: bool = False) -> int:
    """Open the window on *path* (imported lazily: Qt is big)."""
    from ui.app import run_app

    return run_app(path, quick=quick, demo_staff=demo_staff)


def register(sub: Any) -> None:
    """Add ``kesu app`` and ``kesu quick``; let ``kesu demo`` open the window."""
    from desktop.i18n import tr as core_tr

    p = sub.add_parser("app", help=core_tr("cli.app_help"))
    p.set_defaults(handler=lambda args: open_app(args.db))
    q = sub.add_parser("quick", help=core_tr("cli.quick_help"))
    q.set_defaults(handler=lambda args: open_app(args.db, quick=True))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kesu`` with the window commands available."""
    args = list(sys.argv[1:] if argv is None else argv)
    if _quick_already_running(args):
        return 0
    from desktop import cli  # after the hand-over check: the core takes ~0.2 s to import

    return cli.main(args, extensions=(register,), open_app=open_app)


def _quick_already_running(args: list[str]) -> bool:
    """``kesu [--db PATH] quick`` with a quick-entry window already open on that database:
    ask it to show itself instead of starting a second one."""
    if "quick" not in args:
        return False
    db: Path | None = None
    for i, arg in enumerate(args):
        if arg == "--db" and i + 1 < len(args):
            db = Path(args[i + 1])
        elif arg.startswith("--db="):
            db = Path(arg.split("=", 1)[1])
    return ask_running_to_show(quick_entry_socket(db or default_db_path()))

