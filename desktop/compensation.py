"""Compensation on a ticket: the desk's figures for the limit rules, and the record.

The limit rules themselves (``decide``) and the event payloads are the domain's
(:mod:`domain.actions.compensation`); ``compensate`` and ``decide_pending`` apply them
to a ticket and record the outcome as an event that names the policy version and the
reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from desktop.desk import Desk
from desktop.hq_reach import hq_unreachable_reason, notice_code
from desktop.i18n import tr
from desktop.staff import Staff, authenticate, get_staff
from desktop.tickets import get_ticket
from domain.actions.compensation import compensation_decided, compensation_event, decide
from domain.clock import format_time
from domain.errors import InvalidInput, NotFound, PermissionDenied, TransitionRefused
from domain.fold import CompensationState, TicketState
from domain.ids import uuid7
from domain.lifecycle import check_writable
from domain.money import format_yuan, parse_yuan
from local_db import projection
from local_db.connection import transaction
from local_db.store import record_event


@dataclass(frozen=True)
class Outcome:
    """What ``kesu compensate`` reports."""

    status: str
    reason: str
    compensation: CompensationState
    ticket: TicketState
    # A request for headquarters made on a desk that cannot reach it (``desktop.hq_reach``):
    # why, and what to tell the person at once.
    hq_unreachable: str | None = None
    notice: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        c = self.compensation
        return {
            "status": self.status,
            "reason": self.reason,
            "compensation_id": c.id,
            "ticket": self.ticket.number,
            "kind": c.kind,
            "amount": format_yuan(c.amount_fen),
            "amount_fen": c.amount_fen,
            "approval_level": c.approval_level,
            "approved_by": c.approved_by,
            "policy_version": c.policy_version,
            "hq_unreachable": self.hq_unreachable,
            "notice": self.notice,
        }


def granted_today_fen(desk: Desk) -> int:
    """What the store granted on its current local day."""
    row = desk.conn.execute(
        "SELECT coalesce(sum(amount_fen), 0) FROM compensations "
        "WHERE store_day = ? AND status = 'granted'",
        (desk.store_day(),),
    ).fetchone()
    return int(row[0])


def customer_grants(desk: Desk, phone: str | None) -> int:
    """Grants to this phone number within the policy window (0 without a phone)."""
    if not phone:
        return 0
    days = desk.policy.compensation.customer_window_days
    since = format_time(desk.now() - timedelta(days=days))
    row = desk.conn.execute(
        "SELECT count(*) FROM compensations WHERE customer_phone = ? AND status = 'granted' "
        "AND created_at >= ?",
        (phone, since),
    ).fetchone()
    return int(row[0])


def compensate(
    desk: Desk, actor: Staff, ref: str, *, amount: object, kind: str,
    approver_id: str | None = None, approver_pin: str | None = None, note: str | None = None,
) -> Outcome:
    """Request compensation on a ticket and record the decision of the limit rules.

    A wrong approver PIN raises :class:`~domain.errors.AuthenticationFailed` and records
    nothing on the ticket (the failure counts towards the approver's lock-out).
    """
    policy = desk.policy.compensation
    amount_fen = parse_yuan(amount, "amount", policy.max_amount_fen)
    if amount_fen <= 0:
        raise InvalidInput("input.amount_zero", field="amount")
    if kind not in policy.kinds:
        raise InvalidInput("input.bad_choice", field="kind", value=kind,
                           choices=", ".join(policy.kinds))
    approver = None
    if approver_id:
        if not approver_pin:
            raise InvalidInput("comp.approver_pin_missing")
        get_staff(desk.conn, approver_id)
        approver = authenticate(desk.conn, desk.policy.staff, desk.clock, approver_id,
                                approver_pin)
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        check_writable(ticket)
        decision = decide(
            policy, role=actor.role, amount_fen=amount_fen,
            day_granted_fen=granted_today_fen(desk),
            customer_grants=customer_grants(desk, ticket.customer_phone),
            approver=approver, requester_id=actor.id,
        )
        event_type, payload = compensation_event(
            decision, compensation_id=uuid7(), kind=kind, amount_fen=amount_fen,
            requester_role=actor.role, customer_phone=ticket.customer_phone,
            store_day=desk.store_day(), note=note,
        )
        recorded = record_event(
            desk.conn, ticket_id=ticket.id, type=event_type, payload=payload, actor=actor.id,
            occurred_at=desk.now(), policy_version=desk.policy.version,
        )
    assert recorded.compensation is not None
    unreachable = (hq_unreachable_reason(desk.conn)
                   if decision.status == "pending_approval" and decision.approval_level == "hq"
                   else None)
    return Outcome(decision.status, tr(decision.code, **decision.params),
                   recorded.compensation, recorded.ticket, hq_unreachable=unreachable,
                   notice=tr(notice_code(unreachable)) if unreachable else None)


def decide_pending(
    desk: Desk, approver: Staff, compensation_id: str, *, approve: bool, note: str
) -> Outcome:
    """A manager approves or refuses a request waiting for a manager.

    Requests waiting for headquarters can be refused here but only approved by
    headquarters (their decision arrives by sync).
    """
    if approver.role != "manager":
        raise PermissionDenied("permission.role", action="approve", role=approver.role)
    with transaction(desk.conn):
        line = projection.read_compensation(desk.conn, compensation_id)
        if line is None:
            raise NotFound("comp.not_found", ref=compensation_id)
        if line.status != "pending_approval":
            raise TransitionRefused("comp.not_pending", ref=compensation_id, status=line.status)
        if approve and line.approval_level == "hq":
            raise PermissionDenied("comp.needs_hq", ref=compensation_id)
        code = "comp.approved" if approve else "comp.refused_by_manager"
        if approve and granted_today_fen(desk) + line.amount_fen > (
            desk.policy.compensation.store_daily_cap_fen
        ):
            raise TransitionRefused("comp.daily_cap_now", ref=compensation_id)
        recorded = record_event(
            desk.conn, ticket_id=line.ticket_id, type="compensation_decided",
            payload=compensation_decided(compensation_id, approve=approve, reason=code,
                                         note=note),
            actor=approver.id, occurred_at=desk.now(), policy_version=desk.policy.version,
        )
    assert recorded.compensation is not None
    return Outcome(recorded.compensation.status, tr(code, approver=approver.id),
                   recorded.compensation, recorded.ticket)


def suggestion(desk: Desk, ticket: TicketState) -> dict[str, Any] | None:
    """The compensation the policy suggests for *ticket*, or ``None``.

    Food-safety complaints: the statutory ten times the price paid, at least the
    policy minimum. Otherwise the kind suggested for the level.
    """
    policy = desk.policy.compensation
    if "food_safety" in ticket.flags:
        paid = ticket.amount_paid_fen or 0
        amount = max(paid * policy.food_safety_multiplier, policy.food_safety_minimum_fen)
        return {"kind": "cash", "amount": format_yuan(amount), "amount_fen": amount,
                "rule": "food_safety_statutory",
                "needs_approval_above": format_yuan(policy.role_limits_fen["desk"])}
    kind = policy.suggested_kind_by_level.get(ticket.level)
    if kind is None:
        return None
    return {"kind": kind, "amount": None, "amount_fen": None, "rule": f"level_{ticket.level}"}


def staff_for(desk: Desk, staff_id: str) -> Staff:
    """Look up an active staff member (for callers that hold only the id)."""
    return get_staff(desk.conn, staff_id)
