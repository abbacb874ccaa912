"""A new ticket: the ``ticket_created`` payload and the level notification beside it.

The same for a desk's save, the cashier's quick entry and the centre's channel tickets,
so a ticket made anywhere folds the same way everywhere.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import cast

from domain import event_schema
from domain.clock import format_time
from domain.intake import IntakeForm
from domain.triage import ComplaintInput, TriageResult


def new_verify_code() -> str:
    """Six random digits from a CSPRNG: the receipt's key to the progress page."""
    return f"{secrets.randbelow(1_000_000):06d}"


def due_at(created_at: datetime, respond_within_minutes: int) -> str:
    """When the first response is due: the response target after the ticket's creation
    (a triage correction or group raise moves it from the creation too, not from now)."""
    return format_time(created_at + timedelta(minutes=respond_within_minutes))


def complaint(form: IntakeForm) -> ComplaintInput:
    """What triage reads of a complaint form."""
    return ComplaintInput(text=form.text, channel=form.channel,
                          member_tier=form.member_tier, customers=form.customers)


def ticket_created(
    form: IntakeForm,
    triage: TriageResult,
    *,
    number: str,
    store_code: str,
    desk_code: str,
    created_at: datetime,
    verify_code: str,
    duplicates: Sequence[Mapping[str, object]] = (),
    external_id: str | None = None,
) -> event_schema.TicketCreated:
    """The payload of a new ticket from its form, its triage and its number.

    *duplicates* are the earlier tickets offered as possible duplicates (their
    ``as_dict``); *external_id* is a channel's own reference (centre tickets only).
    """
    payload: event_schema.TicketCreated = {
        "number": number,
        "store_code": store_code,
        "desk_code": desk_code,
        "channel": form.channel,
        "text": form.text,
        "customer": {
            "name": form.customer_name,
            "phone": form.customer_phone,
            "member_tier": form.member_tier,
        },
        "customers": form.customers,
        "product": {"name": form.product_name, "sku": form.product_sku},
        "amount_paid_fen": form.amount_paid_fen,
        "triage": cast(event_schema.TriageResult, triage.as_dict()),
        "due_at": due_at(created_at, triage.respond_within_minutes),
        "duplicate_candidates": cast(list[event_schema.DuplicateCandidate],
                                     [dict(d) for d in duplicates]),
        # Printed on the receipt with the number: together they open the customer's
        # progress page at the centre.
        "verify_code": verify_code,
    }
    if external_id is not None:
        payload["external_id"] = external_id
    return payload


def level_notification(level: int,
                       notify_to: Sequence[str]) -> event_schema.NotificationRaised | None:
    """The ``notification_raised`` payload for a new ticket of *level*, or None when the
    policy names nobody to tell at creation (*notify_to*)."""
    if not notify_to:
        return None
    return {"to": list(notify_to), "reason": f"level_{level}"}
