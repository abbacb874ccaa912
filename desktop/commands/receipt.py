"""``kesu receipt TICKET --kind … --format … --out FILE.pdf`` and ``kesu config get|set``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop.commands.common import actor_of, desk_of
from desktop.desk import Desk
from desktop.i18n import tr
from desktop.printing import print_settings
from desktop.receipts.content import KINDS
from desktop.receipts.settings import BASE_URL_KEY, PAPER_NAMES, base_url_of, set_base_url
from domain.errors import InvalidInput, KesuError

# The desk settings this command may change; each has its own validation.
CONFIG_KEYS = (BASE_URL_KEY, *print_settings.CONFIG_KEYS)


def register(sub: Any) -> None:
    """Add ``receipt`` and ``config`` to *sub*."""
    p = sub.add_parser("receipt", help=tr("cli.receipt_help"))
    p.add_argument("ticket")
    p.add_argument("--kind", required=True, choices=KINDS)
    p.add_argument("--format", dest="paper", default="80mm", choices=PAPER_NAMES)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--actor", required=True)
    p.add_argument("--compensation", default=None, help="compensation id (default: latest)")
    p.add_argument("--base-url", default=None,
                   help=f"progress page address (default: config {BASE_URL_KEY})")
    p.set_defaults(handler=cmd_receipt)

    c = sub.add_parser("config", help=tr("cli.config_help")).add_subparsers(
        dest="config_command", required=True)
    p = c.add_parser("get")
    p.add_argument("key", choices=CONFIG_KEYS)
    p.set_defaults(handler=cmd_config_get)
    p = c.add_parser("set")
    p.add_argument("key", choices=CONFIG_KEYS)
    p.add_argument("value")
    p.set_defaults(handler=cmd_config_set)


def cmd_receipt(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    actor = actor_of(desk, args)
    if args.base_url is not None and not args.base_url.startswith(("http://", "https://")):
        raise InvalidInput("receipt.bad_base_url", value=args.base_url[:100])
    from desktop.receipts.issue import issue_receipt  # reportlab: only when drawing

    try:
        issued = issue_receipt(desk, actor, args.ticket, kind=args.kind, paper=args.paper,
                               base_url=args.base_url, compensation_id=args.compensation,
                               out=args.out)
    except OSError as exc:  # a bad --out path: nothing was recorded
        raise KesuError("receipt.write_failed", path=str(args.out),
                        detail=exc.strerror or str(exc)) from None
    args.emit({"path": str(args.out), "kind": issued.kind, "format": issued.format,
               "reprint": issued.reprint, "copy_no": issued.copy_no, "pages": issued.pages,
               "number": issued.ticket.number, "qr": issued.receipt.qr_url})
    return 0


def cmd_config_get(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    args.emit({args.key: _config_value(desk, args.key)})
    return 0


def cmd_config_set(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    if args.key in print_settings.CONFIG_KEYS:
        print_settings.set_config(desk, args.key, args.value)
    else:
        set_base_url(desk, args.value)
    args.emit({args.key: _config_value(desk, args.key)})
    return 0


def _config_value(desk: Desk, key: str) -> str | bool | None:
    if key in print_settings.CONFIG_KEYS:
        return print_settings.config_value(desk.conn, key)
    return base_url_of(desk)
