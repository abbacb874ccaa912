"""The fold: how each event changes a ticket and a compensation line.

``apply`` is the only place that knows how an event changes a ticket; the desk's
projection tables (``local_db.projection``) and the centre's both store what it returns,
and ``fold`` replays a ticket from nothing, which ``kesu check`` compares with the rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from domain.events import Event

# Events that count as the first handling action and stop the response clock.
RESPONSE_EVENTS = frozenset({"note_added", "customer_contacted"})
CLOSED_STATES = frozenset({"closed", "rated"})
FINAL_STATES = frozenset({"merged", "voided"})


@dataclass(frozen=True)
class TicketState:
    """A ticket as the fold of its events. Field names equal ``tickets`` columns."""

    id: str
    number: str
    store_code: str
    desk_code: str
    channel: str
    text: str
    category: str
    subcategory: str
    level: int
    flags: tuple[str, ...]
    departments: tuple[str, ...]
    reasons: tuple[Mapping[str, str], ...]
    status: str
    handler: str | None
    created_by: str
    created_at: str
    due_at: str
    respond_within_minutes: int
    first_response_at: str | None
    closed_at: str | None
    rating: int | None
    customer_name: str | None
    customer_phone: str | None
    member_tier: str
    customers: int
    product_name: str | None
    product_sku: str | None
    amount_paid_fen: int | None
    merged_into: str | None
    reopen_count: int
    escalation_step: int
    conflict: int
    policy_version: str
    updated_at: str
    event_count: int

    def as_row(self) -> dict[str, Any]:
        """Column values for the ``tickets`` table."""
        # Shallow on purpose: dataclasses.asdict deep-copies and is the slowest step
        # of a save.
        row = {f.name: getattr(self, f.name) for f in fields(self)}
        row["flags"] = json.dumps(list(self.flags), ensure_ascii=False)
        row["departments"] = json.dumps(list(self.departments), ensure_ascii=False)
        row["reasons"] = json.dumps([dict(r) for r in self.reasons], ensure_ascii=False)
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> TicketState:
        """Rebuild from a ``tickets`` row."""
        values = {f.name: row[f.name] for f in fields(cls)}
        values["flags"] = tuple(json.loads(row["flags"]))
        values["departments"] = tuple(json.loads(row["departments"]))
        values["reasons"] = tuple(json.loads(row["reasons"]))
        return cls(**values)


@dataclass(frozen=True)
class CompensationState:
    """One line of the compensation ledger. Field names equal ``compensations`` columns."""

    id: str
    ticket_id: str
    kind: str
    amount_fen: int
    status: str
    requested_by: str
    requester_role: str
    approved_by: str | None
    approval_level: str | None
    customer_phone: str | None
    reason: str
    policy_version: str
    created_at: str
    decided_at: str | None
    store_day: str
    history: tuple[str, ...] = field(default=(), compare=False)

    def as_row(self) -> dict[str, Any]:
        """Column values for the ``compensations`` table."""
        row = asdict(self)
        del row["history"]
        return row


def _created(event: Event) -> TicketState:
    p = event.payload
    triage = p["triage"]
    customer = p.get("customer") or {}
    product = p.get("product") or {}
    return TicketState(
        id=event.ticket_id,
        number=p["number"],
        store_code=p["store_code"],
        desk_code=p["desk_code"],
        channel=p["channel"],
        text=p["text"],
        category=triage["category"],
        subcategory=triage["subcategory"],
        level=int(triage["level"]),
        flags=tuple(triage["flags"]),
        departments=tuple(triage["departments"]),
        reasons=tuple(triage["reasons"]),
        status="accepted",
        handler=p.get("handler"),
        created_by=event.actor,
        created_at=event.occurred_at,
        due_at=p["due_at"],
        respond_within_minutes=int(triage["respond_within_minutes"]),
        first_response_at=None,
        closed_at=None,
        rating=None,
        customer_name=customer.get("name"),
        customer_phone=customer.get("phone"),
        member_tier=customer.get("member_tier") or "none",
        customers=int(p.get("customers", 1)),
        product_name=product.get("name"),
        product_sku=product.get("sku"),
        amount_paid_fen=p.get("amount_paid_fen"),
        merged_into=None,
        reopen_count=0,
        escalation_step=0,
        conflict=0,
        policy_version=event.policy_version,
        updated_at=event.occurred_at,
        event_count=1,
    )


def _respond(state: TicketState, at: str) -> TicketState:
    if state.first_response_at is not None:
        return state
    return replace(state, first_response_at=at)


def apply(state: TicketState | None, event: Event) -> TicketState:
    """The ticket after *event*. Unknown event types change only the bookkeeping."""
    if event.type == "ticket_created":
        if state is not None:
            raise ValueError(f"ticket {event.ticket_id} created twice")
        return _created(event)
    if state is None:
        raise ValueError(f"event {event.event_id} ({event.type}) before ticket_created")
    p = event.payload
    s = replace(state, updated_at=event.occurred_at, event_count=state.event_count + 1)
    kind = event.type
    if kind == "triaged":
        s = replace(
            s,
            category=p["category"],
            subcategory=p["subcategory"],
            level=int(p["level"]),
            flags=tuple(p["flags"]),
            departments=tuple(p["departments"]),
            respond_within_minutes=int(p["respond_within_minutes"]),
            due_at=p["due_at"],
            reasons=tuple(p.get("reasons", s.reasons)),
        )
    elif kind == "assigned":
        s = replace(s, handler=p["handler"])
    elif kind in RESPONSE_EVENTS:
        s = _respond(s, event.occurred_at)
    elif kind == "status_changed":
        s = _status_changed(s, event)
    elif kind == "escalated":
        s = replace(s, escalation_step=max(s.escalation_step, int(p["step"])))
    elif kind == "rated":
        s = replace(s, rating=int(p["score"]), status="rated")
    elif kind == "merged":
        s = replace(s, status="merged", merged_into=p["into"])
    elif kind == "voided":
        s = replace(s, status="voided")
    elif kind == "conflict_resolved":
        s = replace(s, conflict=0, status=p["status"])
    return s


def _status_changed(s: TicketState, event: Event) -> TicketState:
    p = event.payload
    # Two desks may change the status from the same starting state while offline.
    # Both events are kept; the later one in fold order wins and the ticket is
    # marked as a conflict for a person to settle.
    conflict = s.conflict or int(p.get("from") != s.status)
    to = p["to"]
    s = replace(s, status=to, conflict=conflict)
    if p.get("from") == "accepted":
        s = _respond(s, event.occurred_at)
    if to == "closed":
        s = replace(s, closed_at=event.occurred_at)
    if p.get("reopen"):
        s = replace(s, reopen_count=s.reopen_count + 1, closed_at=None, rating=None)
    if (to == "rectifying" or p.get("first_contact")) and s.handler is None:
        # Who starts the fix, or who settled it at first contact, handled it.
        s = replace(s, handler=event.actor)
    return s


def fold(events: Iterable[Event]) -> TicketState | None:
    """Replay *events* (already in fold order) from nothing."""
    state: TicketState | None = None
    for event in events:
        state = apply(state, event)
    return state


COMPENSATION_EVENTS = frozenset(
    {"compensation_granted", "compensation_requested", "compensation_refused",
     "compensation_decided"}
)


def apply_compensation(
    ledger: dict[str, CompensationState], event: Event
) -> CompensationState | None:
    """Update *ledger* (id → line) with a compensation event; return the changed line."""
    if event.type not in COMPENSATION_EVENTS:
        return None
    p = event.payload
    cid = p["compensation_id"]
    if event.type == "compensation_decided":
        line = ledger[cid]
        line = replace(
            line,
            status="granted" if p["decision"] == "approved" else "refused",
            approved_by=event.actor,
            decided_at=event.occurred_at,
            reason=p["reason"],
            history=(*line.history, event.event_id),
        )
    else:
        status = {
            "compensation_granted": "granted",
            "compensation_requested": "pending_approval",
            "compensation_refused": "refused",
        }[event.type]
        line = CompensationState(
            id=cid,
            ticket_id=event.ticket_id,
            kind=p["kind"],
            amount_fen=int(p["amount_fen"]),
            status=status,
            requested_by=event.actor,
            requester_role=p["requester_role"],
            approved_by=p.get("approved_by"),
            approval_level=p.get("approval_level"),
            customer_phone=p.get("customer_phone"),
            reason=p["reason"],
            policy_version=event.policy_version,
            created_at=event.occurred_at,
            decided_at=event.occurred_at if status != "pending_approval" else None,
            store_day=p["store_day"],
            history=(event.event_id,),
        )
    ledger[cid] = line
    return line


# --- reading and writing the projection tables -------------------------------------
