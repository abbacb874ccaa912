"""The ``kesu`` entry point: the core's command line plus the commands that open windows.

The core (``desktop.cli``) must not import the Qt front end, so the front end adds its
commands to the core's parser here. PySide6 is imported only when a window is opened,
keeping the JSON commands quick to start.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop import cli
from desktop.i18n import tr as core_tr


def open_app(path: Path, demo_staff: Sequence[tuple[str, str, str, str]] = (),
             quick: bool = False) -> int:
    """Open the window on *path* (imported lazily: Qt is big)."""
    from ui.app import run_app

    return run_app(path, quick=quick, demo_staff=demo_staff)


def register(sub: Any) -> None:
    """Add ``kesu app`` and ``kesu quick``; let ``kesu demo`` open the window."""
    p = sub.add_parser("app", help=core_tr("cli.app_help"))
    p.set_defaults(handler=lambda args: open_app(args.db))
    q = sub.add_parser("quick", help=core_tr("cli.quick_help"))
    q.set_defaults(handler=lambda args: open_app(args.db, quick=True))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kesu`` with the window commands available."""
    return cli.main(argv, extensions=(register,), open_app=open_app)

