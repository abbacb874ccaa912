"""Compensation: the frontline limits (who may grant how much without approval) and
the compensation events.

``decide`` is the pure rule (property-tested); the desk applies it to a ticket
(``desktop.compensation``) and records the outcome with :func:`compensation_event`,
whose payload names the reason; a decision on a request that waited (a manager's at the
desk, headquarters' at the centre) is :func:`compensation_decided`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, cast

from domain import event_schema
from domain.centre_approvals import centre_decider
from domain.lifecycle import Staff
from domain.money import format_yuan
from domain.policy import CompensationPolicy

# The event that records each outcome of the limit rules.
EVENT_OF_STATUS = {
    "granted": "compensation_granted",
    "pending_approval": "compensation_requested",
    "refused": "compensation_refused",
}


@dataclass(frozen=True)
class Decision:
    """The outcome of the limit rules for one request."""

    status: str  # granted | pending_approval | refused
    code: str  # message code of the reason
    approval_level: str | None = None  # manager | hq, when pending
    approved_by: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def decide(
    policy: CompensationPolicy,
    *,
    role: str,
    amount_fen: int,
    day_granted_fen: int,
    customer_grants: int,
    approver: Staff | None = None,
    requester_id: str = "",
) -> Decision:
    """Apply the limits to a request of *amount_fen* by someone of *role*.

    *day_granted_fen* is what the store granted today (store time); *customer_grants*
    how many grants the customer's phone had in the policy window. *approver* is a
    manager already authenticated by PIN, or ``None``.
    """
    limits = policy.role_limits_fen
    own = limits[role]
    cap = policy.store_daily_cap_fen
    if approver is not None and approver.role != "manager":
        return Decision("refused", "comp.approver_not_manager",
                        params={"approver": approver.id, "role": approver.role})
    if approver is not None and approver.id == requester_id and role != "manager":
        return Decision("refused", "comp.self_approval", params={"approver": approver.id})
    # The words name who will decide at the centre (centre_approvals: one rule).
    regional = centre_decider(amount_fen, policy.regional_limit_fen) == "regional"
    if day_granted_fen + amount_fen > cap:
        return Decision("pending_approval",
                        "comp.daily_cap_regional" if regional else "comp.daily_cap", "hq",
                        params={"cap": format_yuan(cap), "used": format_yuan(day_granted_fen)})
    if amount_fen > limits["manager"]:
        return Decision("pending_approval",
                        "comp.above_manager_regional" if regional else "comp.above_manager",
                        "hq", params={"limit": format_yuan(limits["manager"])})
    over_own = amount_fen > own
    frequent = customer_grants >= policy.customer_max_grants
    if not over_own and not frequent:
        return Decision("granted", "comp.within_limit", params={"limit": format_yuan(own)})
    if role == "manager":
        code = "comp.manager_frequent" if frequent else "comp.within_limit"
        return Decision("granted", code, params={
            "limit": format_yuan(own), "count": customer_grants,
            "days": policy.customer_window_days})
    if approver is not None:
        return Decision("granted", "comp.manager_override", approved_by=approver.id,
                        params={"approver": approver.id, "limit": format_yuan(own)})
    if frequent:
        return Decision("pending_approval", "comp.customer_frequent", "manager", params={
            "count": customer_grants, "days": policy.customer_window_days})
    return Decision("pending_approval", "comp.above_own", "manager",
                    params={"limit": format_yuan(own), "role": role})


def compensation_event(
    decision: Decision, *, compensation_id: str, kind: str, amount_fen: int,
    requester_role: str, customer_phone: str | None, store_day: str,
    note: str | None = None,
) -> tuple[str, event_schema.CompensationLine]:
    """(event type, payload) recording *decision* on a request of *amount_fen*.

    The reason is the decision's message code with its parameters as text, so a desk
    in another language can still word it; an empty *note* is left out.
    """
    payload: event_schema.CompensationLine = {
        "compensation_id": compensation_id,
        "kind": kind,
        "amount_fen": amount_fen,
        "requester_role": requester_role,
        "approved_by": decision.approved_by,
        "approval_level": cast(Literal["manager", "hq"] | None, decision.approval_level),
        "customer_phone": customer_phone,
        "reason": decision.code,
        "reason_params": {k: str(v) for k, v in decision.params.items()},
        "store_day": store_day,
    }
    if note:
        payload["note"] = note
    return EVENT_OF_STATUS[decision.status], payload


def compensation_decided(compensation_id: str, *, approve: bool, reason: str,
                         note: str) -> event_schema.CompensationDecided:
    """A decision on a request that waited for approval; *reason* is the message code
    (who decided is the event's actor), *note* the decider's own words."""
    return {"compensation_id": compensation_id,
            "decision": "approved" if approve else "refused",
            "reason": reason, "note": note}
