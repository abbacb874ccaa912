"""What the subcommands share: opening the desk, reading stdin JSON, finding the actor."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from desktop.desk import Desk, open_desk
from desktop.errors import InvalidInput
from desktop.staff import Staff, get_staff

# A complaint is at most a few thousand characters; refuse a runaway pipe early.
MAX_STDIN_BYTES = 4 * 1024 * 1024


def desk_of(args: argparse.Namespace) -> Desk:
    """Open the desk database named by ``--db``."""
    return open_desk(args.db)


def actor_of(desk: Desk, args: argparse.Namespace) -> Staff:
    """The staff member named by ``--actor``."""
    return get_staff(desk.conn, args.actor)


def read_stdin_text() -> str:
    """All of stdin as text, bounded."""
    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        raise InvalidInput("input.stdin_too_large", max=MAX_STDIN_BYTES)
    return data.decode("utf-8", errors="replace")


def read_stdin_json() -> Any:
    """One JSON value from stdin."""
    text = read_stdin_text()
    if not text.strip():
        raise InvalidInput("input.empty_stdin")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput("input.bad_json", line=exc.lineno, column=exc.colno,
                           reason=exc.msg) from None
