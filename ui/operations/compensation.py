"""Compensation writes: granting or requesting one, and a manager's decision on a request."""

from __future__ import annotations

from desktop.compensation import Outcome, compensate, decide_pending
from desktop.desk import Desk
from desktop.staff import Staff, authenticate
from ui.operations.op import Op


def grant(staff: Staff, ticket_id: str, *, amount: str, kind: str, approver_id: str | None,
          approver_pin: str | None, note: str | None) -> Op[Outcome]:
    """Compensate on a ticket (granted, refused, or waiting for approval)."""
    return Op(lambda d: compensate(d, staff, ticket_id, amount=amount, kind=kind,
                                   approver_id=approver_id, approver_pin=approver_pin,
                                   note=note))


def decide(staff: Staff, compensation_id: str, *, approve: bool, note: str,
           pin: str | None) -> Op[tuple[Outcome, Staff]]:
    """Approve (with the PIN again) or refuse a waiting request; (outcome, approver)."""
    def job(desk: Desk) -> tuple[Outcome, Staff]:
        approver = staff
        if approve:
            # The PIN again: a wrong one records nothing (and counts towards the lock).
            approver = authenticate(desk.conn, desk.policy.staff, desk.clock, staff.id,
                                    pin or "")
        return decide_pending(desk, approver, compensation_id, approve=approve,
                              note=note), approver
    return Op(job)
