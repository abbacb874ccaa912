"""The ``kesu`` command line: JSON in, JSON out, errors on stderr in the user's language.

Exit codes: 0 done; 1 storage or unexpected error; 2 bad input or refused action;
3 authentication failed. Nothing is half-written: each command commits whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop.commands import maintenance, receipt, report, setup, tickets, triage
from desktop.commands import sync as sync_commands
from desktop.i18n import argparse_language, tr
from desktop.paths import default_db_path
from domain.errors import AuthenticationFailed, InvalidInput, KesuError
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
    _db_after_command(parser)
    return parser


def _db_after_command(parser: argparse.ArgumentParser) -> None:
    """Let ``--db`` also follow the command (``kesu demo --db PATH``, the form people
    type): every subcommand accepts it too, and a value given there wins. SUPPRESS keeps
    a subcommand from resetting a ``--db`` given before it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if not any("--db" in a.option_strings for a in child._actions):
                    child.add_argument("--db", type=Path, default=argparse.SUPPRESS,
                                       help=tr("cli.db_help"))
                _db_after_command(child)


def emit(value: Any) -> None:
    """Print *value* as JSON (UTF-8, not escaped: staff read Chinese).

    A reader that went away (``| head -c0``) is not a failure: the work is done and
    committed, and a caller retrying on a non-zero exit would do it twice.
    """
    try:
        sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=None) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so the flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


# SQLite's own words for a damaged or foreign file, in the user's language.
_SQLITE_CODES = (
    ("file is not a database", "store.not_a_database"),
    ("unable to open database file", "store.cannot_open"),
    ("database is locked", "store.locked"),
    ("disk i/o error", "store.disk_io"),
    ("database disk image is malformed", "store.malformed"),
)


def sqlite_message(exc: sqlite3.Error) -> str:
    """What a SQLite error means for the user, translated."""
    text = str(exc)
    for needle, code in _SQLITE_CODES:
        if needle in text.lower():
            return tr(code, detail=text)
    return tr("store.sqlite", detail=text)


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse arguments that were not UTF-8 (Python keeps such bytes as surrogates,
    which a save would silently drop)."""
    for name, value in vars(args).items():
        if isinstance(value, str) and any("\udc80" <= ch <= "\udcff" for ch in value):
            raise InvalidInput("input.not_utf8_argument", option=name)


def main(argv: Sequence[str] | None = None, *, extensions: Sequence[Extension] = (),
         open_app: AppOpener | None = None) -> int:
    """Run the command line; return the exit code.

    *open_app(path, demo_staff)*, given by the front end, lets ``kesu demo`` open the
    window on the demo store it built.
    """
    _utf8_streams()
    with argparse_language():
        parser = build_parser(extensions)
        args = parser.parse_args(argv)
    # ``kesu demo`` builds its store at an explicit --db PATH, else next to the default.
    args.db_given = args.db is not None
    args.db = args.db or default_db_path()
    args.emit = emit
    args.open_app = open_app
    try:
        _check_arguments(args)
        result = args.handler(args)
        return int(result or 0)
    except AuthenticationFailed as exc:
        _error(tr(exc.code, **exc.params))
        return 3
    except StoreError as exc:  # a KesuError too: caught first, for its detail and exit 1
        _error(tr(exc.code, **exc.params, detail=exc.detail))
        return 1
    except KesuError as exc:
        _error(tr(exc.code, **exc.params))
        return 2
    except sqlite3.Error as exc:
        _error(sqlite_message(exc))
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
