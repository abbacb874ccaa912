"""JSON views of tickets and events, shared by the command line and (later) the app."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from desktop.response_clock import response_status
from domain.fold import TicketState
from domain.money import format_yuan
from domain.phones import mask_phone
from domain.policy import Policy
from local_db import eventlog


def ticket_view(ticket: TicketState, now: datetime, policy: Policy,
                *, full_phone: bool = False) -> dict[str, Any]:
    """A ticket as ``kesu ticket list/show`` prints it."""
    clock = response_status(ticket, now, policy)
    return {
        "id": ticket.id,
        "number": ticket.number,
        "status": ticket.status,
        "level": ticket.level,
        "category": ticket.category,
        "subcategory": ticket.subcategory,
        "flags": list(ticket.flags),
        "department": ticket.departments[0] if ticket.departments else None,
        "departments": list(ticket.departments),
        "channel": ticket.channel,
        "text": ticket.text,
        "customer": {
            "name": ticket.customer_name,
            "phone": ticket.customer_phone if full_phone else mask_phone(ticket.customer_phone),
            "member_tier": ticket.member_tier,
        },
        "customers": ticket.customers,
        "product": {"name": ticket.product_name, "sku": ticket.product_sku},
        "amount_paid": None if ticket.amount_paid_fen is None
        else format_yuan(ticket.amount_paid_fen),
        "handler": ticket.handler,
        "created_by": ticket.created_by,
        "created_at": ticket.created_at,
        "due_at": ticket.due_at,
        "respond_within_minutes": ticket.respond_within_minutes,
        "first_response_at": ticket.first_response_at,
        "closed_at": ticket.closed_at,
        "rating": ticket.rating,
        "merged_into": ticket.merged_into,
        "reopen_count": ticket.reopen_count,
        "escalation_step": ticket.escalation_step,
        "conflict": bool(ticket.conflict),
        "policy_version": ticket.policy_version,
        "reasons": [dict(r) for r in ticket.reasons],
        **clock.as_dict(),
    }


def timeline(conn: sqlite3.Connection, ticket_id: str) -> list[dict[str, Any]]:
    """The ticket's events, oldest first, for ``ticket show``."""
    return [
        {
            "event_id": e.event_id,
            "type": e.type,
            "actor": e.actor,
            "occurred_at": e.occurred_at,
            "payload": dict(e.payload),
            "policy_version": e.policy_version,
        }
        for e in eventlog.events_for_ticket(conn, ticket_id)
    ]


def compensations_of(conn: sqlite3.Connection, ticket_id: str) -> list[dict[str, Any]]:
    """The ticket's compensation ledger lines."""
    rows = conn.execute(
        "SELECT * FROM compensations WHERE ticket_id = ? ORDER BY created_at", (ticket_id,)
    )
    return [
        {
            "id": r["id"], "kind": r["kind"], "amount": format_yuan(r["amount_fen"]),
            "amount_fen": r["amount_fen"], "status": r["status"],
            "requested_by": r["requested_by"], "approved_by": r["approved_by"],
            "approval_level": r["approval_level"], "reason": r["reason"],
            "policy_version": r["policy_version"], "created_at": r["created_at"],
        }
        for r in rows
    ]
