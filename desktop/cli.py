"""The ``kesu`` command line: JSON in, JSON out, errors on stderr in the user's language.

Exit codes: 0 done; 1 storage or unexpected error; 2 bad input or refused action;
3 authentication failed. Nothing is half-written: each command commits whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop.commands import maintenance, receipt, report, setup, tickets, triage
from desktop.commands import sync as sync_commands
from desktop.errors import AuthenticationFailed, KesuError
from desktop.i18n import tr
from desktop.paths import default_db_path
from local_db.errors import StoreError

Extension = Callable[[Any], None]
AppOpener = Callable[..., int]


def build_parser(extensions: Sequence[Extension] = ()) -> argparse.ArgumentParser:
    """The argument parser with every subcommand; *extensions* add more (the Qt front end
    adds the commands that open windows, since the core may not import it)."""
    parser = argparse.ArgumentParser(prog="kesu", description=tr("cli.description"))
    parser.add_argument("--db", type=Path, default=None, help=tr("cli.db_help"))
    sub = parser.add_subparsers(dest="command", required=True)
    setup.register(sub)
    triage.register(sub)
    tickets.register(sub)
    maintenance.register(sub)
    sync_commands.register(sub)
    receipt.register(sub)
    report.register(sub)
    for extend in extensions:
        extend(sub)
    return parser


def emit(value: Any) -> None:
    """Print *value* as JSON (UTF-8, not escaped: staff read Chinese)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=None) + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None, *, extensions: Sequence[Extension] = (),
         open_app: AppOpener | None = None) -> int:
    """Run the command line; return the exit code.

    *open_app(path, demo_staff)*, given by the front end, lets ``kesu demo`` open the
    window on the demo store it built.
    """
    _utf8_streams()
    parser = build_parser(extensions)
    args = parser.parse_args(argv)
    args.db = args.db or default_db_path()
    args.emit = emit
    args.open_app = open_app
    try:
        result = args.handler(args)
        return int(result or 0)
    except AuthenticationFailed as exc:
        _error(tr(exc.code, **exc.params))
        return 3
    except KesuError as exc:
        _error(tr(exc.code, **exc.params))
        return 2
    except StoreError as exc:
        _error(tr(exc.code, **exc.params, detail=exc.detail))
        return 1
    except sqlite3.DatabaseError as exc:
        _error(tr("store.sqlite", detail=str(exc)))
        return 1
    except KeyboardInterrupt:
        return 130


def _error(message: str) -> None:
    sys.stderr.write(f"kesu: {message}\n")


def _utf8_streams() -> None:
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


if __name__ == "__main__":
    raise SystemExit(main())
