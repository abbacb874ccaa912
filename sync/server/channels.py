"""Tickets from other channels (hotline, in-store QR code, online, Douyin), made at the centre.

The centre triages them with the desks' own engine and the newest published policy,
numbers them ``<store>-HQ-<store day>-NNNN`` (the desk code ``HQ`` is reserved, so a
desk's own numbers never collide with them), gives them a verification code for the
progress page, and writes the same ``ticket_created`` (and level notification, and group
raise) events a desk's save writes, built by the same domain functions
(:mod:`domain.actions`), on the store's central chain. The caller's ``external_id`` makes
creation idempotent per store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain import event_schema
from domain.actions.creation import (
    complaint,
    level_notification,
    new_verify_code,
    ticket_created,
)
from domain.actions.triaged import group_raises
from domain.clock import format_time
from domain.event_schema import CODE_RE, MAX_FEN, NONBLANK_RE
from domain.fold import TicketState
from domain.intake import IntakeForm
from domain.policy import IntakeLimits, Policy
from domain.triage import Triage, TriageResult
from sync.server import bodies, policy_store
from sync.server.bodies import PHONE_RE, check_body
from sync.server.central import CentralWriter, central_transaction, new_id
from sync.server.console.masterdata import require_store
from sync.server.errors import ActionRefused
from sync.server.hq import clean_note, view
from sync.server.storage import CENTRAL_DESK, Storage
from sync.server.tables import (
    channel_counters,
    channel_tickets,
    events,
    ticket_numbers,
)

CHANNELS = ("hotline", "qr", "online", "douyin")
MAX_EXTERNAL_ID = 128


@dataclass(frozen=True)
class ChannelRequest:
    """A validated ``POST /v1/channels/tickets`` body."""

    store_code: str
    channel: str
    text: str
    external_id: str
    customer_name: str | None
    customer_phone: str | None
    product_name: str | None
    product_sku: str | None
    amount_paid_fen: int | None


@dataclass(frozen=True)
class ChannelTicket:
    """What the caller gets back; ``created`` is False for a repeated external id."""

    ticket_id: str
    number: str
    verify_code: str
    level: int
    server_seq: int
    created: bool

    def as_dict(self) -> dict[str, Any]:
        """The response body."""
        return {"ticket_id": self.ticket_id, "number": self.number,
                "verify_code": self.verify_code, "level": self.level,
                "server_seq": self.server_seq}


def _obj(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    if key not in raw:
        return {}
    value = raw[key]
    if not isinstance(value, Mapping):
        raise ActionRefused(400, "malformed", f"{key} must be an object")
    return value


def _phone(value: object) -> str:
    if not isinstance(value, str) or not PHONE_RE.search(value):
        raise ActionRefused(400, "bad_phone", "customer.phone is not a phone number")
    digits = "".join(ch for ch in value if ch.isdigit() or ch == "+")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 5:
            return digits[len(prefix):]
    return digits.lstrip("+")


def _given(obj: Mapping[str, Any], key: str, field: str, limit: int) -> str | None:
    """A text field that may be left out, but not sent empty or null."""
    if key not in obj:
        return None
    return clean_note(obj[key], field, limit, required=True)


def parse_request(raw: object, limits: IntakeLimits,
                  max_amount_fen: int = MAX_FEN) -> ChannelRequest:
    """Validate a request body; :class:`ActionRefused` 400 with the first problem.

    Then the body must fit :class:`sync.server.bodies.ChannelTicketRequest` (what the
    API document says): no other fields, no nulls.
    """
    if not isinstance(raw, Mapping):
        raise ActionRefused(400, "malformed", "body is not an object")
    store = raw.get("store_code")
    if not isinstance(store, str) or not CODE_RE.search(store):
        raise ActionRefused(400, "malformed", "store_code: 1-8 capital letters or digits")
    channel = raw.get("channel")
    if channel not in CHANNELS:
        raise ActionRefused(400, "unknown_channel", f"channel must be one of {', '.join(CHANNELS)}")
    external = raw.get("external_id")
    if not isinstance(external, str) or not NONBLANK_RE.search(external) \
            or len(external) > MAX_EXTERNAL_ID:
        raise ActionRefused(400, "malformed", f"external_id: 1-{MAX_EXTERNAL_ID} characters")
    text = clean_note(raw.get("text"), "text", limits.max_text_chars,
                      required=True)
    assert text is not None
    customer, product = _obj(raw, "customer"), _obj(raw, "product")
    paid = raw.get("amount_paid_fen")
    if "amount_paid_fen" in raw and (isinstance(paid, bool) or not isinstance(paid, int)
                                     or not 0 <= paid <= max_amount_fen):
        raise ActionRefused(400, "malformed",
                            f"amount_paid_fen: an integer (fen) in 0..{max_amount_fen}")
    name_limit = limits.max_name_chars
    request = ChannelRequest(
        store_code=store, channel=str(channel), text=text, external_id=external,
        customer_name=_given(customer, "name", "customer.name", name_limit),
        customer_phone=_phone(customer["phone"]) if "phone" in customer else None,
        product_name=_given(product, "name", "product.name", 100),
        product_sku=_given(product, "sku", "product.sku", 40),
        amount_paid_fen=paid,
    )
    check_body(raw, bodies.ChannelTicketRequest)
    return request


def _existing(conn: Connection, store: str, external_id: str) -> ChannelTicket | None:
    row = conn.execute(
        sa.select(channel_tickets).where(channel_tickets.c.store == store,
                                         channel_tickets.c.external_id == external_id)
    ).mappings().first()
    if row is None:
        return None
    return ChannelTicket(row["ticket_id"], row["number"], row["verify_code"], int(row["level"]),
                         int(row["server_seq"]), created=False)


def _next_number(conn: Connection, store: str, store_day: str) -> str:
    # The caller holds the server_seq counter row, so no other writer races here.
    last = conn.execute(
        sa.select(channel_counters.c.last).where(channel_counters.c.store == store,
                                                 channel_counters.c.store_day == store_day)
    ).scalar()
    # After a restore from a backup the counter is behind numbers that desks handed
    # back (re-offered central events land in ticket_numbers): never reuse one.
    prefix = f"{store}-{CENTRAL_DESK}-{store_day}-"
    top = conn.execute(
        sa.select(sa.func.max(ticket_numbers.c.number))
        .where(ticket_numbers.c.store == store, ticket_numbers.c.number.startswith(prefix))
    ).scalar()
    seen = int(str(top)[len(prefix):]) if top and str(top)[len(prefix):].isdigit() else 0
    if last is None:
        n = seen + 1
        conn.execute(channel_counters.insert().values(store=store, store_day=store_day, last=n))
    else:
        n = max(int(last), seen) + 1
        conn.execute(channel_counters.update()
                     .where(channel_counters.c.store == store,
                            channel_counters.c.store_day == store_day).values(last=n))
    return f"{store}-{CENTRAL_DESK}-{store_day}-{n:04d}"


def _recent_counts(conn: Connection, store: str, since: str) -> dict[str, int]:
    """The store's tickets per subcategory created since *since* (the group rule's input)."""
    counts: dict[str, int] = {}
    for (payload,) in conn.execute(
        sa.select(events.c.payload).where(events.c.store == store,
                                          events.c.type == "ticket_created",
                                          events.c.occurred_at >= since)
    ):
        try:
            parsed = event_schema.parse_payload(payload)
        except event_schema.SchemaError:
            continue  # a row stored before the centre checked pushes
        triage = parsed.get("triage") if isinstance(parsed, dict) else None
        sub = triage.get("subcategory") if isinstance(triage, dict) else None
        if isinstance(sub, str):
            counts[sub] = counts.get(sub, 0) + 1
    return counts


def _raise_group(w: CentralWriter, store: str, result: TriageResult, new_id: str,
                 policy: Policy, actor: str, since: str) -> None:
    """Raise the store's earlier open tickets of the group to the new ticket's level.

    The desk's group rule (:func:`domain.actions.triaged.group_raises`) on the
    centre's folds: a third complaint of a subcategory within the window makes the
    whole group level 1, wherever its tickets were recorded.
    """
    ids = [r[0] for r in w.conn.execute(
        sa.select(events.c.ticket_id).where(
            events.c.store == store, events.c.type == "ticket_created",
            events.c.occurred_at >= since, events.c.ticket_id != new_id))]
    earlier: list[TicketState] = []
    for tid in ids:
        try:
            earlier.append(view(w.conn, tid)[1].ticket)
        except ActionRefused:
            continue  # its creation has not reached the centre yet
    for old, payload in group_raises(result, earlier, policy):
        w.append(store, old.id, "triaged", payload, actor=actor,
                 policy_version=policy.version)


def _form(request: ChannelRequest) -> IntakeForm:
    # A channel knows no member tier and speaks for one customer: the form's defaults.
    return IntakeForm(
        text=request.text, channel=request.channel,
        customer_name=request.customer_name, customer_phone=request.customer_phone,
        product_name=request.product_name, product_sku=request.product_sku,
        amount_paid_fen=request.amount_paid_fen)


def _grade(conn: Connection, triage: Triage, store: str, form: IntakeForm,
           now: datetime) -> TriageResult:
    """The engine's answer for *form* with *store*'s group counts in the window to *now*."""
    since = format_time(now - timedelta(minutes=triage.group_window_minutes()))
    return triage.triage(complaint(form), _recent_counts(conn, store, since))


def suggest(storage: Storage, store: str, channel: str, text: str) -> TriageResult:
    """What :func:`create` would grade *text* from *channel* for *store* now (the
    console's live suggestion): the same engine, policy and group counts, nothing
    written."""
    with storage.engine.connect() as conn:
        require_store(conn, store)
        _, triage = policy_store.current(conn)
        return _grade(conn, triage, store, IntakeForm(text=text, channel=channel),
                      datetime.now(UTC))


def create(storage: Storage, raw: object, actor: str | None = None) -> ChannelTicket:
    """Create the ticket of a channel complaint (or return the one made for its external id).

    *actor* names who recorded it (a console agent, ``agent:李娜``); by default the channel.
    """
    with storage.engine.connect() as conn:
        policy, _ = policy_store.current(conn)
    request = parse_request(raw, policy.intake,
                            policy.compensation.max_amount_fen)
    with central_transaction(storage) as w:
        conn = w.conn
        known = _existing(conn, request.store_code, request.external_id)
        if known is not None:
            return known
        # Only a store of the centre's master data; its own time zone dates the number.
        zone = ZoneInfo(require_store(conn, request.store_code).time_zone)
        policy, triage = policy_store.current(conn)
        now = w.now
        window = timedelta(minutes=triage.group_window_minutes())
        form = _form(request)
        result = _grade(conn, triage, request.store_code, form, now)
        number = _next_number(conn, request.store_code, now.astimezone(zone).strftime("%Y%m%d"))
        ticket_id = new_id(int(now.timestamp() * 1000))
        verify_code = new_verify_code()
        payload = ticket_created(
            form, result, number=number, store_code=request.store_code,
            desk_code=CENTRAL_DESK, created_at=now, verify_code=verify_code,
            external_id=request.external_id)
        actor = actor or f"channel:{request.channel}"
        row = w.append(request.store_code, ticket_id, "ticket_created", payload,
                       actor=actor, policy_version=policy.version)
        notify_to = policy.target(result.level).notify_at_creation
        notification = level_notification(result.level, notify_to)
        if notification is not None:
            w.append(request.store_code, ticket_id, "notification_raised", notification,
                     actor=actor, policy_version=policy.version)
        if "group" in result.flags:
            _raise_group(w, request.store_code, result, ticket_id, policy, actor,
                         format_time(now - window))
        made = ChannelTicket(ticket_id, number, verify_code, result.level,
                             int(row["server_seq"]), created=True)
        conn.execute(channel_tickets.insert().values(
            store=request.store_code, external_id=request.external_id, ticket_id=ticket_id,
            number=number, verify_code=verify_code, level=result.level,
            server_seq=made.server_seq))
    return made
