"""``kesu search``, ``kesu check``, ``kesu rebuild``, ``kesu escalate``."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.commands.common import desk_of
from desktop.i18n import tr
from desktop.ticket_actions import escalate_due
from desktop.views import ticket_view
from domain.errors import InvalidInput
from local_db import projection, search, store, sync_state


def register(sub: Any) -> None:
    """Add the maintenance subcommands to *sub*."""
    p = sub.add_parser("search", help=tr("cli.search_help"))
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(handler=cmd_search)
    p = sub.add_parser("check", help=tr("cli.check_help"))
    p.set_defaults(handler=cmd_check)
    p = sub.add_parser("rebuild", help=tr("cli.rebuild_help"))
    p.set_defaults(handler=cmd_rebuild)
    p = sub.add_parser("escalate", help=tr("cli.escalate_help"))
    p.set_defaults(handler=cmd_escalate)
    register_demo(sub)


def cmd_search(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    hits = search.search(desk.conn, args.text, limit=max(1, min(args.limit, 500)))
    out = []
    for hit in hits:
        row = desk.conn.execute("SELECT id FROM tickets WHERE rid = ?", (hit.rid,)).fetchone()
        ticket = projection.read_ticket(desk.conn, row["id"]) if row else None
        if ticket is not None:
            view = ticket_view(ticket, desk.now(), desk.policy)
            view["score"] = round(hit.score, 4)
            out.append(view)
    args.emit(out)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    problems = store.check(desk.conn)
    events = desk.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    tickets = desk.conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    args.emit({"ok": not problems, "events": events, "tickets": tickets, "problems": problems,
               "waiting_for_creation": store.waiting_for_creation(desk.conn),
               # Pulled events kept beside the log (kesu sync dead-letters lists them).
               "set_aside": sync_state.set_aside_count(desk.conn)})
    return 0 if not problems else 4


def cmd_rebuild(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    counts = store.rebuild(desk.conn)
    args.emit({"rebuilt": counts, "problems": store.check(desk.conn)})
    return 0


def cmd_escalate(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    args.emit({"escalated": escalate_due(desk)})
    return 0


def register_demo(sub: Any) -> None:
    """Add ``kesu demo``."""
    p = sub.add_parser("demo", help=tr("cli.demo_help"))
    p.add_argument("--tickets", type=int, default=300)
    p.add_argument("--no-app", action="store_true", help=tr("cli.demo_no_app_help"))
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.demo import LEGACY_DEMO_NAME, build_demo, may_replace

    # ``--db PATH`` (before or after ``demo``) is the demo database itself; without it
    # the demo goes next to the desk's own database, which it must not replace.
    path = args.db if getattr(args, "db_given", False) else args.db.with_name(
        LEGACY_DEMO_NAME)
    if not may_replace(path):
        raise InvalidInput("demo.would_replace", path=str(path))
    summary = build_demo(path, tickets=max(10, args.tickets))
    args.emit({
        "demo_db": str(summary.path), "tickets": summary.tickets,
        "staff": [{"id": s[0], "name": s[1], "role": s[2], "pin": s[3]} for s in summary.staff],
        "try": [f"kesu --db {summary.path} ticket list --json --overdue",
                f"kesu --db {summary.path} search 变质",
                f"kesu --db {summary.path} check"],
    })
    opener = getattr(args, "open_app", None)
    if opener is not None and not args.no_app:
        return int(opener(summary.path, demo_staff=summary.staff))
    return 0
