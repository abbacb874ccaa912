"""What the subcommands share: opening the desk, reading stdin JSON, finding the actor."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from desktop.desk import Desk, open_desk
from desktop.staff import Staff, get_staff
from domain.errors import InvalidInput

# A complaint is at most a few thousand characters; refuse a runaway pipe early.
MAX_STDIN_BYTES = 4 * 1024 * 1024


def desk_of(args: argparse.Namespace) -> Desk:
    """Open the desk database named by ``--db``."""
    return open_desk(args.db)


def actor_of(desk: Desk, args: argparse.Namespace) -> Staff:
    """The staff member named by ``--actor``."""
    return get_staff(desk.conn, args.actor)


def read_stdin_text() -> str:
    """All of stdin as text, bounded. UTF-8 only (a leading BOM is dropped): text in
    another encoding (GBK from an old till) is refused, never saved as "\ufffd"."""
    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        raise InvalidInput("input.stdin_too_large", max=MAX_STDIN_BYTES)
    return decode_utf8(data)


def decode_utf8(data: bytes) -> str:
    """*data* as UTF-8 text, with or without a byte-order mark; :class:`InvalidInput`
    naming the first bad byte otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("input.not_utf8", position=exc.start) from None


def parse_json(text: str, line: int = 1) -> Any:
    """One JSON value; :class:`InvalidInput` for bad or absurdly nested JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput("input.bad_json", line=exc.lineno + line - 1, column=exc.colno,
                           reason=exc.msg) from None
    except RecursionError:
        raise InvalidInput("input.too_deep", line=line) from None


def read_stdin_json() -> Any:
    """One JSON value from stdin."""
    text = read_stdin_text()
    if not text.strip():
        raise InvalidInput("input.empty_stdin")
    return parse_json(text)
