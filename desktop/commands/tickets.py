"""``kesu ticket …``, ``kesu compensate`` and ``kesu approve``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop import ticket_actions as handling
from desktop.commands.common import actor_of, desk_of, read_stdin_json
from desktop.compensation import compensate, decide_pending, suggestion
from desktop.i18n import tr
from desktop.response_clock import OVERDUE_SQL
from desktop.staff import authenticate, get_staff
from desktop.tickets import create_ticket, get_ticket
from desktop.views import compensations_of, ticket_view, timeline
from domain.clock import format_time
from domain.errors import InvalidInput
from domain.lifecycle import STATES, allowed_actions
from local_db import projection


def register(sub: Any) -> None:
    """Add the ticket subcommands to *sub*."""
    t = sub.add_parser("ticket", help=tr("cli.ticket_help")).add_subparsers(
        dest="ticket_command", required=True)
    p = t.add_parser("add")
    p.add_argument("--actor", required=True)
    p.set_defaults(handler=cmd_add)
    p = t.add_parser("list")
    p.add_argument("--json", action="store_true")
    p.add_argument("--status", choices=STATES)
    p.add_argument("--level", type=int, choices=[1, 2, 3])
    p.add_argument("--overdue", action="store_true")
    p.add_argument("--limit", type=int, default=1000)
    p.set_defaults(handler=cmd_list)
    p = t.add_parser("show")
    p.add_argument("ticket")
    p.add_argument("--json", action="store_true")
    p.add_argument("--actor", default=None)
    p.set_defaults(handler=cmd_show)
    p = t.add_parser("advance")
    _ticket_actor(p)
    p.add_argument("--to", required=True, choices=STATES)
    p.add_argument("--note", default=None)
    p.add_argument("--accountability", default=None, choices=["reward", "penalty", "none"])
    p.add_argument("--subject", default=None)
    p.set_defaults(handler=cmd_advance)
    p = t.add_parser("resolve", help=tr("cli.resolve_help"))
    _ticket_actor(p)
    p.add_argument("--note", required=True)
    p.set_defaults(handler=cmd_resolve)
    p = t.add_parser("note")
    _ticket_actor(p)
    p.add_argument("--text", required=True)
    p.set_defaults(handler=cmd_note)
    p = t.add_parser("contact")
    _ticket_actor(p)
    p.add_argument("--method", default="phone", choices=handling.CONTACT_METHODS)
    p.add_argument("--text", required=True)
    p.set_defaults(handler=cmd_contact)
    p = t.add_parser("rate")
    _ticket_actor(p)
    p.add_argument("--score", required=True, type=int)
    p.add_argument("--comment", default=None)
    p.set_defaults(handler=cmd_rate)
    p = t.add_parser("reopen")
    _ticket_actor(p)
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_reopen)
    p = t.add_parser("merge")
    _ticket_actor(p)
    p.add_argument("--into", required=True)
    p.add_argument("--reason", default=None)
    p.set_defaults(handler=cmd_merge)
    p = t.add_parser("void")
    _ticket_actor(p)
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_void)
    p = t.add_parser("assign")
    _ticket_actor(p)
    p.add_argument("--handler", required=True)
    p.set_defaults(handler=cmd_assign)
    p = t.add_parser("correct")
    _ticket_actor(p)
    p.add_argument("--category", default=None)
    p.add_argument("--subcategory", default=None)
    p.add_argument("--level", type=int, default=None)
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_correct)

    p = sub.add_parser("compensate", help=tr("cli.compensate_help"))
    _ticket_actor(p)
    p.add_argument("--amount", required=True)
    p.add_argument("--kind", required=True)
    p.add_argument("--approver", default=None)
    p.add_argument("--approver-pin", default=None)
    p.add_argument("--note", default=None)
    p.set_defaults(handler=cmd_compensate)

    p = sub.add_parser("approve", help=tr("cli.approve_help"))
    p.add_argument("compensation")
    p.add_argument("--approver", required=True)
    p.add_argument("--approver-pin", required=True)
    p.add_argument("--refuse", action="store_true")
    p.add_argument("--note", default="")
    p.set_defaults(handler=cmd_approve)


def _ticket_actor(p: argparse.ArgumentParser) -> None:
    p.add_argument("ticket")
    p.add_argument("--actor", required=True)
    p.add_argument("--json", action="store_true")


def cmd_add(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    actor = actor_of(desk, args)
    data = read_stdin_json()
    created = create_ticket(desk, actor, data)
    view = ticket_view(created.ticket, desk.now(), desk.policy)
    view["duplicates"] = [d.as_dict() for d in created.duplicates]
    view["raised"] = list(created.raised)
    view["suggested_compensation"] = suggestion(desk, created.ticket)
    args.emit(view)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    clauses, params = [], []
    if args.status:
        clauses.append("status = ?")
        params.append(args.status)
    if args.level:
        clauses.append("level = ?")
        params.append(args.level)
    if args.overdue:
        clauses.append(OVERDUE_SQL)
        params.append(format_time(desk.now()))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = desk.conn.execute(
        f"SELECT id FROM tickets {where} ORDER BY created_at DESC LIMIT ?",
        [*params, max(1, args.limit)],
    ).fetchall()
    now = desk.now()
    out = []
    for row in rows:
        ticket = projection.read_ticket(desk.conn, row["id"])
        assert ticket is not None
        out.append(ticket_view(ticket, now, desk.policy))
    args.emit(out)
    return 0


def _show(args: argparse.Namespace, ref: str) -> int:
    desk = desk_of(args)
    ticket = get_ticket(desk, ref)
    view = ticket_view(ticket, desk.now(), desk.policy)
    view["timeline"] = timeline(desk.conn, ticket.id)
    view["compensations"] = compensations_of(desk.conn, ticket.id)
    view["suggested_compensation"] = suggestion(desk, ticket)
    if getattr(args, "actor", None):
        view["allowed_actions"] = allowed_actions(
            ticket, get_staff(desk.conn, args.actor), first_contact=desk.policy.first_contact,
            approvals_needed=handling.approvals_needed(desk, ticket.id))
    args.emit(view)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    return _show(args, args.ticket)


def _done(args: argparse.Namespace, desk: Any, ticket: Any) -> int:
    args.emit(ticket_view(ticket, desk.now(), desk.policy))
    return 0


def cmd_advance(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    acc = None
    if args.accountability:
        acc = {"outcome": args.accountability, "subject": args.subject or ""}
    ticket = handling.advance(desk, actor_of(desk, args), args.ticket, args.to,
                              note=args.note, accountability=acc)
    return _done(args, desk, ticket)


def cmd_resolve(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    ticket = handling.resolve_first_contact(desk, actor_of(desk, args), args.ticket, args.note)
    return _done(args, desk, ticket)


def cmd_note(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    return _done(args, desk, handling.add_note(desk, actor_of(desk, args), args.ticket, args.text))


def cmd_contact(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    ticket = handling.contact_customer(desk, actor_of(desk, args), args.ticket, args.method,
                                       args.text)
    return _done(args, desk, ticket)


def cmd_rate(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    ticket = handling.rate(desk, actor_of(desk, args), args.ticket, args.score, args.comment)
    return _done(args, desk, ticket)


def cmd_reopen(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    return _done(args, desk, handling.reopen(desk, actor_of(desk, args), args.ticket,
                                             args.reason))


def cmd_merge(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    return _done(args, desk, handling.merge(desk, actor_of(desk, args), args.ticket,
                                            args.into, args.reason))


def cmd_void(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    return _done(args, desk, handling.void(desk, actor_of(desk, args), args.ticket, args.reason))


def cmd_assign(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    handler = get_staff(desk.conn, args.handler)
    return _done(args, desk, handling.assign(desk, actor_of(desk, args), args.ticket, handler))


def cmd_correct(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    ticket = handling.correct_triage(desk, actor_of(desk, args), args.ticket,
                                     category=args.category, subcategory=args.subcategory,
                                     level=args.level, reason=args.reason)
    return _done(args, desk, ticket)


def cmd_compensate(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    if args.approver_pin and not args.approver:
        raise InvalidInput("comp.approver_missing")
    outcome = compensate(desk, actor_of(desk, args), args.ticket, amount=args.amount,
                         kind=args.kind, approver_id=args.approver,
                         approver_pin=args.approver_pin, note=args.note)
    if outcome.notice:
        # Said at once, beside the JSON: the request cannot leave this desk yet.
        sys.stderr.write(f"kesu: {outcome.notice}\n")
    args.emit(outcome.as_dict())
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    approver = authenticate(desk.conn, desk.policy.staff, desk.clock, args.approver,
                            args.approver_pin)
    outcome = decide_pending(desk, approver, args.compensation, approve=not args.refuse,
                             note=args.note)
    args.emit(outcome.as_dict())
    return 0
