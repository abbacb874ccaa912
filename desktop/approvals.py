"""What the compensation form and the approvals list show: limits and pending requests.

Reads only. ``desktop.compensation`` decides and records; this module gathers the figures
staff see before they type an amount (their own limit, the store's day against its cap,
the customer's recent grants, the suggestion) and the requests waiting for a decision.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from desktop.compensation import customer_grants, granted_today_fen, suggestion
from desktop.desk import Desk
from desktop.i18n import tr
from desktop.staff import Staff
from domain.actions.compensation import Decision, decide
from domain.clock import parse_time
from domain.fold import TicketState
from domain.policy import ApprovalsPolicy, CompensationPolicy

# Shown in the approvals list: far more than a store ever has waiting at once.
PENDING_LIMIT = 500


@dataclass(frozen=True)
class LimitSummary:
    """The figures a compensation form shows before any amount is typed (all in fen)."""

    role: str
    own_limit_fen: int
    manager_limit_fen: int
    granted_today_fen: int
    daily_cap_fen: int
    customer_grants: int
    customer_max_grants: int
    window_days: int
    has_phone: bool
    suggestion: dict[str, Any] | None = None

    @property
    def day_left_fen(self) -> int:
        """What the store may still grant today without headquarters."""
        return max(0, self.daily_cap_fen - self.granted_today_fen)


def limit_summary(desk: Desk, role: str, ticket: TicketState) -> LimitSummary:
    """The limits that apply when someone of *role* compensates on *ticket* now."""
    policy = desk.policy.compensation
    return LimitSummary(
        role=role,
        own_limit_fen=policy.role_limits_fen.get(role, 0),
        manager_limit_fen=policy.role_limits_fen["manager"],
        granted_today_fen=granted_today_fen(desk),
        daily_cap_fen=policy.store_daily_cap_fen,
        customer_grants=customer_grants(desk, ticket.customer_phone),
        customer_max_grants=policy.customer_max_grants,
        window_days=policy.customer_window_days,
        has_phone=bool(ticket.customer_phone),
        suggestion=suggestion(desk, ticket),
    )


def preview(desk: Desk, summary: LimitSummary, amount_fen: int, requester_id: str = "",
            approver: Staff | None = None) -> Decision:
    """What the limit rules would decide for *amount_fen*, without recording anything.

    The same pure ``decide`` the save uses, on the figures of *summary*, so the hint the
    form shows while staff type matches the outcome unless the store's day moves meanwhile.
    """
    return decide(
        desk.policy.compensation, role=summary.role, amount_fen=amount_fen,
        day_granted_fen=summary.granted_today_fen,
        customer_grants=summary.customer_grants if summary.has_phone else 0,
        approver=approver, requester_id=requester_id,
    )


@dataclass(frozen=True)
class PendingRequest:
    """A compensation request waiting for a manager or for headquarters."""

    compensation_id: str
    ticket_id: str
    ticket_number: str
    kind: str
    amount_fen: int
    requested_by: str
    requester_name: str
    requester_role: str
    approval_level: str  # manager | hq
    reason: str  # message code
    created_at: str
    reason_params: dict[str, str] = field(default_factory=dict)
    note: str = ""
    # What the manager weighs: the complaint as the ticket stands now.
    ticket_text: str = ""
    category: str = ""
    subcategory: str = ""
    level: int = 0

    def reason_text(self, language: str) -> str:
        """Why it waits, in *language*."""
        return tr(self.reason, language, **self.reason_params)

    def requester_limit_fen(self, policy: CompensationPolicy) -> int | None:
        """What the requester's role may grant without approval (None for roles without)."""
        return policy.role_limits_fen.get(self.requester_role)

    def age(self, now: datetime) -> timedelta:
        """How long the request has waited at *now* (never negative)."""
        return max(now - parse_time(self.created_at), timedelta(0))

    def is_old(self, now: datetime, policy: ApprovalsPolicy) -> bool:
        """Whether it has waited longer than the policy's ``approvals.old_after_hours``."""
        return self.age(now) > timedelta(hours=policy.old_after_hours)


def pending_requests(conn: sqlite3.Connection, limit: int = PENDING_LIMIT) -> list[PendingRequest]:
    """The requests waiting for a decision, oldest first."""
    rows = conn.execute(
        "SELECT c.id, c.ticket_id, t.number, c.kind, c.amount_fen, c.requested_by, "
        "coalesce(s.name, c.requested_by) AS requester_name, c.requester_role, "
        "coalesce(c.approval_level, 'manager') AS approval_level, c.reason, c.created_at, "
        "t.text, t.category, t.subcategory, t.level "
        "FROM compensations c JOIN tickets t ON t.id = c.ticket_id "
        "LEFT JOIN staff s ON s.id = c.requested_by "
        "WHERE c.status = 'pending_approval' ORDER BY c.created_at, c.id LIMIT ?",
        (limit,),
    ).fetchall()
    result = []
    for r in rows:
        params, note = _request_details(conn, r["ticket_id"], r["id"])
        result.append(PendingRequest(
            compensation_id=r["id"], ticket_id=r["ticket_id"], ticket_number=r["number"],
            kind=r["kind"], amount_fen=int(r["amount_fen"]), requested_by=r["requested_by"],
            requester_name=r["requester_name"], requester_role=r["requester_role"],
            approval_level=r["approval_level"], reason=r["reason"], created_at=r["created_at"],
            reason_params=params, note=note, ticket_text=r["text"], category=r["category"],
            subcategory=r["subcategory"], level=int(r["level"]),
        ))
    return result


def pending_count(conn: sqlite3.Connection) -> int:
    """How many compensation requests wait for a decision."""
    row = conn.execute(
        "SELECT count(*) FROM compensations WHERE status = 'pending_approval'"
    ).fetchone()
    return int(row[0])


def _request_details(conn: sqlite3.Connection, ticket_id: str,
                     compensation_id: str) -> tuple[dict[str, str], str]:
    # The ledger keeps the reason code only; its parameters and the requester's note are
    # in the request event (found through the per-ticket event index).
    for (payload_text,) in conn.execute(
        "SELECT payload FROM events WHERE ticket_id = ? AND type = 'compensation_requested'",
        (ticket_id,),
    ):
        payload = json.loads(payload_text)
        if payload.get("compensation_id") == compensation_id:
            params = {str(k): str(v) for k, v in (payload.get("reason_params") or {}).items()}
            return params, str(payload.get("note") or "")
    return {}, ""


def reason_text(payload: dict[str, Any], language: str, actor: str = "") -> str:
    """The reason of a compensation event's *payload*, in *language*.

    Requests and grants carry their parameters; a manager's decision names the approver,
    who is the event's *actor*.
    """
    code = str(payload.get("reason") or "")
    if not code:
        return ""
    params: dict[str, Any] = dict(payload.get("reason_params") or {})
    params.setdefault("approver", actor)
    return tr(code, language, **params)
