"""Which earlier tickets a new complaint probably repeats: one rule for desk and centre.

The desk reads its own tickets (:mod:`desktop.duplicates`); the centre's intake reads
the chain's projection, where a customer may have complained through the hotline and
again at a store's desk (:mod:`sync.server.console.pages_intake`). Both read bounded
candidate rows and hand them to :func:`likely_duplicates`, which decides. The rule is the
policy's ``duplicates`` section, and both reasons need the same subcategory as the new
complaint (near-identical complaints triage alike; a customer's second, different
problem is not a duplicate):

* ``same_customer``: the same phone, created at or after ``same_customer_window_hours``
  before now;
* ``similar_text``: a text at least ``text_similarity_threshold`` alike
  (:func:`domain.similarity.text_similarity`), created at or after ``text_window_hours``
  before now, among the newest :data:`MAX_TEXT_CANDIDATES` such tickets.

Voided and merged tickets are never offered. At most :data:`MAX_OFFERED` are returned,
the same customer's first, then the most alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from domain.clock import format_time
from domain.policy import DuplicatePolicy
from domain.similarity import text_similarity

Reason = Literal["same_customer", "similar_text"]
REASONS: tuple[Reason, ...] = ("same_customer", "similar_text")
# A voided ticket was a mistake and a merged one lives on in another: neither is repeated.
EXCLUDED_STATUSES = ("voided", "merged")
# Texts compared per complaint: keeps a save (and the console's live answer) fast even
# on the busiest day of a busy store. Readers use it as their LIMIT too.
MAX_TEXT_CANDIDATES = 300
# Staff read the list; more than this is noise, and the desk stores each in the event.
MAX_OFFERED = 10


@dataclass(frozen=True)
class Earlier:
    """An earlier ticket as the caller read it (``created_at`` UTC, the stored form)."""

    ticket_id: str
    number: str
    text: str
    subcategory: str
    created_at: str
    phone: str | None = None
    status: str = ""
    store: str = ""
    channel: str = ""


@dataclass(frozen=True)
class Likely:
    """An earlier ticket the complaint may repeat, why, and how alike the texts are."""

    ticket: Earlier
    reason: Reason
    similarity: float


def customer_since(policy: DuplicatePolicy, now: datetime) -> str:
    """The oldest ``created_at`` (stored form) a same-customer duplicate may have."""
    return format_time(now - timedelta(hours=policy.same_customer_window_hours))


def text_since(policy: DuplicatePolicy, now: datetime) -> str:
    """The oldest ``created_at`` (stored form) a similar-text duplicate may have."""
    return format_time(now - timedelta(hours=policy.text_window_hours))


def likely_duplicates(earlier: Iterable[Earlier], policy: DuplicatePolicy, *, now: datetime,
                      text: str, subcategory: str | None,
                      phone: str | None) -> list[Likely]:
    """The tickets of *earlier* that a complaint of *text*, triaged to *subcategory*,
    from the customer with *phone* probably repeats, most likely first.

    *earlier* may hold a ticket more than once (a caller's two reads overlap); it is
    judged once. *subcategory* None compares every subcategory (a caller without a
    triage); *phone* None or empty offers no same-customer duplicate.
    """
    rows: dict[str, Earlier] = {}
    for row in earlier:
        if row.status in EXCLUDED_STATUSES:
            continue
        if subcategory is not None and row.subcategory != subcategory:
            continue
        rows.setdefault(row.ticket_id, row)
    # Newest first, as the readers read them, so the cap keeps the newest.
    newest = sorted(rows.values(), key=lambda r: (r.created_at, r.ticket_id), reverse=True)
    found: dict[str, Likely] = {}
    if phone:
        since = customer_since(policy, now)
        for row in newest:
            if row.phone == phone and row.created_at >= since:
                found[row.ticket_id] = Likely(row, "same_customer", text_similarity(text, row.text))
    since = text_since(policy, now)
    in_window = [row for row in newest if row.created_at >= since][:MAX_TEXT_CANDIDATES]
    for row in in_window:
        if row.ticket_id in found:
            continue
        score = text_similarity(text, row.text)
        if score >= policy.text_similarity_threshold:
            found[row.ticket_id] = Likely(row, "similar_text", score)
    # Stable sort over newest-first rows: ties stay newest first.
    ranked = sorted(found.values(), key=lambda d: (d.reason != "same_customer", -d.similarity))
    return ranked[:MAX_OFFERED]
