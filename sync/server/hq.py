"""Headquarters: read a store's tickets as the centre folds them, and act on them.

Every action is a central event (:mod:`sync.server.central`) written as its *actor*
(``hq:王总`` for a headquarters token; ``hq:``, ``regional:`` or ``agent:`` and the
person's name from the console), whose payload the same domain function builds as a
desk's for that step (:mod:`domain.actions`), so the desks' fold treats it like their
own. The checks here are the centre's: the lifecycle rules of a desk are not applied,
because headquarters may override them; a status change whose ``from`` differs from
the centre's current state is recorded all the same and becomes a conflict in the fold,
never lost.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain import event_schema, fold
from domain.actions.compensation import compensation_decided
from domain.actions.handling import note_added, status_change
from domain.centre_approvals import may_decide
from domain.events import event_from_row
from domain.fold import CompensationState, TicketState
from domain.lifecycle import STATES
from sync.server import bodies, policy_store
from sync.server.bodies import check_body
from sync.server.central import CentralWriter, central_transaction
from sync.server.errors import ActionRefused, Unreadable
from sync.server.storage import Storage
from sync.server.tables import WIRE_FIELDS, events, stores, tickets

# Where headquarters may move a ticket with a status change. Rating, merging and
# voiding are events of their own, made at the desk.
HQ_TARGETS = ("accepted", "rectifying", "reviewing", "accountability", "closed")
DECISIONS = ("approved", "refused")


@dataclass(frozen=True)
class Written:
    """The central event an action produced."""

    event_id: str
    server_seq: int


@dataclass(frozen=True)
class CentreView:
    """A ticket as the centre folds it from the events it holds."""

    ticket: TicketState
    compensations: tuple[CompensationState, ...]
    events: tuple[Mapping[str, Any], ...]  # wire events in fold order, with server_seq

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready ticket with its compensation lines."""
        out = ticket_dict(self.ticket)
        out["compensations"] = [
            {k: v for k, v in asdict(line).items() if k != "history"}
            for line in self.compensations]
        return out


def ticket_dict(state: TicketState) -> dict[str, Any]:
    """JSON-ready form of a folded ticket."""
    out = asdict(state)
    out["flags"], out["departments"] = list(state.flags), list(state.departments)
    out["reasons"] = [dict(r) for r in state.reasons]
    return out


_FOLD_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)


def _fold_events(rows: Sequence[Mapping[str, Any]]
                 ) -> tuple[TicketState, tuple[CompensationState, ...]] | None:
    evs = [event_from_row(r) for r in rows]
    if not evs or evs[0].type != "ticket_created":
        return None
    state = fold.fold(evs)
    assert state is not None
    ledger: dict[str, CompensationState] = {}
    for event in evs:
        fold.apply_compensation(ledger, event)
    return state, tuple(ledger.values())


def _fold(rows: Sequence[Mapping[str, Any]]) -> CentreView | None:
    """Fold one ticket's rows (already in fold order); None before its creation arrived.

    Rows that fail the event schema are left out of the fold (they are still listed
    with the events); :class:`Unreadable` when even the rest cannot be folded.
    """
    try:
        folded = _fold_events(rows)
    except _FOLD_ERRORS:
        # Slow path, only for a history with a bad row: check each event.
        readable = [r for r in rows if event_schema.readable_payload(r) is not None]
        try:
            folded = _fold_events(readable)
        except _FOLD_ERRORS as exc:
            raise Unreadable(f"{type(exc).__name__}: {exc}") from None
    if folded is None:
        return None
    wire = tuple({c: r[c] for c in (*WIRE_FIELDS, "server_seq")} for r in rows)
    return CentreView(folded[0], folded[1], wire)


_COLS = [events.c[c] for c in (*WIRE_FIELDS, "server_seq")]


def _ticket_rows(conn: Connection, ticket_id: str) -> list[Mapping[str, Any]]:
    return [dict(r) for r in conn.execute(
        sa.select(*_COLS).where(events.c.ticket_id == ticket_id)
        .order_by(events.c.hlc, events.c.device_id)
    ).mappings()]


def view(conn: Connection, ticket_id: str) -> tuple[str, CentreView]:
    """(store, folded ticket); :class:`ActionRefused` 404 when the centre lacks it."""
    store = conn.execute(sa.select(tickets.c.store)
                         .where(tickets.c.ticket_id == ticket_id)).scalar()
    try:
        folded = _fold(_ticket_rows(conn, ticket_id)) if store is not None else None
    except Unreadable as exc:
        raise ActionRefused(409, "unreadable_ticket",
                            f"ticket {ticket_id} cannot be folded: {exc}") from None
    if store is None or folded is None:
        raise ActionRefused(404, "unknown_ticket", f"no ticket {ticket_id} at the centre")
    return str(store), folded


def show_ticket(storage: Storage, ticket_id: str) -> CentreView:
    """One ticket with its events, as the centre has it."""
    with storage.engine.connect() as conn:
        return view(conn, ticket_id)[1]


@dataclass(frozen=True)
class StoreTickets:
    """A store's tickets the centre can fold, newest first, and the ids of those it cannot."""

    views: list[CentreView]
    unreadable: list[str]


def store_tickets(storage: Storage, store: str) -> StoreTickets:
    """Every ticket of *store* the centre can fold, newest first (one bad ticket never
    hides the others: it is named in ``unreadable``)."""
    with storage.engine.connect() as conn:
        rows = conn.execute(
            sa.select(*_COLS).where(events.c.store == store)
            .order_by(events.c.hlc, events.c.device_id)
        ).mappings().all()
    by_ticket: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_ticket.setdefault(row["ticket_id"], []).append(dict(row))
    views: list[CentreView] = []
    unreadable: list[str] = []
    for ticket_id, ticket_rows in by_ticket.items():
        try:
            view = _fold(ticket_rows)
        except Unreadable:
            unreadable.append(ticket_id)
            continue
        if view is not None:
            views.append(view)
    views.sort(key=lambda v: (v.ticket.created_at, v.ticket.id), reverse=True)
    return StoreTickets(views, sorted(unreadable))


def clean_note(value: object, field: str, limit: int, *, required: bool) -> str | None:
    """Strip a free text and drop control characters, as the desk's intake does."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ActionRefused(400, "malformed", f"{field} must be text")
    # The limit counts what was sent, as the document's maxLength does.
    if len(value) > limit:
        raise ActionRefused(400, "too_long", f"{field} has {len(value)} characters, "
                                             f"at most {limit}")
    text = "".join(ch for ch in value
                   if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")).strip()
    if not text:
        if required:
            raise ActionRefused(400, "empty_text", f"{field} is empty")
        return None
    return text


def _note_limit(conn: Connection) -> int:
    policy, _ = policy_store.current(conn)
    return policy.intake.max_note_chars


def _write(w: CentralWriter, store: str, ticket_id: str, type: str,
           payload: Mapping[str, Any], actor: str) -> Written:
    policy, _ = policy_store.current(w.conn)
    row = w.append(store, ticket_id, type, payload, actor=actor,
                   policy_version=policy.version)
    return Written(row["event_id"], int(row["server_seq"]))


def change_status(storage: Storage, actor: str, ticket_id: str, body: Mapping[str, Any]) -> Written:
    """``status_changed`` from headquarters: ``{"from", "to", "note"?}``."""
    frm, to = body.get("from"), body.get("to")
    if not isinstance(frm, str) or frm not in STATES:
        raise ActionRefused(400, "unknown_status", f"from must be one of {', '.join(STATES)}")
    if not isinstance(to, str) or to not in HQ_TARGETS:
        raise ActionRefused(400, "unknown_status", f"to must be one of {', '.join(HQ_TARGETS)}")
    check_body(body, bodies.StatusChange)
    with central_transaction(storage) as w:
        store, current = view(w.conn, ticket_id)
        if current.ticket.status in fold.FINAL_STATES:
            raise ActionRefused(409, "final", f"ticket is {current.ticket.status}")
        note = clean_note(body.get("note"), "note", _note_limit(w.conn), required=False)
        return _write(w, store, ticket_id, "status_changed",
                      status_change(frm, to, note=note), actor)


def add_note(storage: Storage, actor: str, ticket_id: str, body: Mapping[str, Any]) -> Written:
    """``note_added`` from headquarters: ``{"text"}``."""
    with storage.engine.connect() as conn:
        clean_note(body.get("text"), "text", _note_limit(conn), required=True)
    check_body(body, bodies.NoteRequest)
    with central_transaction(storage) as w:
        store, _ = view(w.conn, ticket_id)
        text = clean_note(body.get("text"), "text", _note_limit(w.conn), required=True)
        assert text is not None  # required: clean_note refuses an empty one
        return _write(w, store, ticket_id, "note_added", note_added(text), actor)


@dataclass(frozen=True)
class Decider:
    """Who decides a compensation request at the centre: ``hq`` (a token or a console
    login) or a ``regional`` manager of *region*; *actor* names them on the event."""

    actor: str
    role: str = "hq"
    region: str | None = None


def _store_region(conn: Connection, store: str) -> str | None:
    value = conn.execute(sa.select(stores.c.region).where(stores.c.code == store)).scalar()
    return None if value is None else str(value)


def check_decider(conn: Connection, who: Decider, store: str, amount_fen: int) -> None:
    """Refuse *who* a request of *amount_fen* on a ticket of *store* that
    :func:`domain.centre_approvals.may_decide` does not give them: 404 for a ticket
    outside their region (its existence is not revealed), 403 ``not_yours`` above the
    regional limit."""
    limit = policy_store.current(conn)[0].compensation.regional_limit_fen
    region = _store_region(conn, store)
    if may_decide(who.role, who.region, region, amount_fen, limit):
        return
    if who.role == "regional" and region == who.region:
        raise ActionRefused(403, "not_yours",
                            f"{amount_fen} fen is above the regional limit of {limit} fen: "
                            "headquarters decides it")
    raise ActionRefused(404, "unknown_ticket", "no such ticket at the centre")


def decide_compensation(
    storage: Storage, actor: str | Decider, ticket_id: str, compensation_id: str,
    body: Mapping[str, Any]
) -> Written:
    """``compensation_decided`` from the centre: ``{"decision", "reason"}``.

    *actor* is headquarters' actor (``hq:王总``) or a :class:`Decider`, who must be one
    who may decide the line (:func:`check_decider`). Only a line that is
    ``pending_approval`` at the centre can be decided (409 ``not_pending`` otherwise,
    e.g. a manager refused it at the store or someone else decided it meanwhile).
    """
    who = actor if isinstance(actor, Decider) else Decider(actor)
    decision = body.get("decision")
    if decision not in DECISIONS:
        raise ActionRefused(400, "bad_decision", "decision must be approved or refused")
    with storage.engine.connect() as conn:
        clean_note(body.get("reason"), "reason", _note_limit(conn),
                   required=decision == "refused")
    check_body(body, bodies.DecisionRequest)
    with central_transaction(storage) as w:
        store, current = view(w.conn, ticket_id)
        line = next((c for c in current.compensations if c.id == compensation_id), None)
        if line is None:
            if who.role != "hq" and _store_region(w.conn, store) != who.region:
                raise ActionRefused(404, "unknown_ticket", "no such ticket at the centre")
            raise ActionRefused(404, "unknown_compensation",
                                f"no compensation {compensation_id} on ticket {ticket_id}")
        check_decider(w.conn, who, store, line.amount_fen)
        if line.status != "pending_approval":
            raise ActionRefused(409, "not_pending",
                                f"compensation {compensation_id} is {line.status}")
        reason = clean_note(body.get("reason"), "reason", _note_limit(w.conn),
                            required=decision == "refused")
        # ``reason`` is a message code on the desk ("总部 … 已批准", "区域经理 … 已批准");
        # the decider's own words travel as ``note``, as a store manager's do.
        approve = decision == "approved"
        by = "regional" if who.role == "regional" else "hq"
        payload = compensation_decided(
            compensation_id, approve=approve,
            reason=f"comp.approved_by_{by}" if approve else f"comp.refused_by_{by}",
            note=reason or "")
        return _write(w, store, ticket_id, "compensation_decided", payload, who.actor)
