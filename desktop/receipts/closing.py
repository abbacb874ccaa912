"""The closing slip 完结单: what the customer takes home when the complaint is closed.

The slip is customer-facing, so what it may show is an allow-list, not a filter: the
slip is drawn from :class:`ClosingFacts` alone, and that record holds only what the
customer already knows or is owed — the store, the ticket number, when the complaint was
received and closed, its category and the customer's own words, what they were granted
and their rating. Handling notes, review remarks, the accountability outcome (who was
rewarded or penalised, a supplier's fine) and staff names are not fields of it, so no
event, however it is worded, can put them on the customer's paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.desk import Desk
from desktop.i18n import tr
from desktop.receipts.content import (
    RECEIPT_LANGUAGE,
    SUMMARY_CHARS,
    Field,
    Receipt,
    category_text,
    local_time,
    qr_of,
    summarise,
)
from domain.errors import InvalidInput
from domain.fold import CLOSED_STATES, TicketState
from domain.money import format_yuan

# Every label a closing slip may carry, in order (the allow-list the tests read back).
CLOSING_FIELDS = ("receipt.desk", "receipt.number", "receipt.time", "receipt.category",
                  "receipt.summary", "receipt.outcome", "receipt.compensation_given",
                  "receipt.closed_at", "receipt.rating")


@dataclass(frozen=True)
class Granted:
    """A compensation the customer received: its kind and amount."""

    kind: str
    amount_fen: int


@dataclass(frozen=True)
class ClosingFacts:
    """Everything a closing slip may say, and nothing else."""

    store_name: str
    desk: str
    number: str
    received_at: str  # store wall-clock time
    closed_at: str
    category: str
    summary: str  # the customer's own complaint, shortened
    granted: tuple[Granted, ...]
    rating: int | None
    qr_url: str | None
    qr_caption: str | None


def closing_facts(desk: Desk, ticket: TicketState, *, base_url: str | None,
                  lang: str = RECEIPT_LANGUAGE) -> ClosingFacts:
    """The customer-facing facts of a closed ticket (reads only)."""
    if ticket.status not in CLOSED_STATES or not ticket.closed_at:
        raise InvalidInput("receipt.not_closed", number=ticket.number, status=ticket.status)
    rows = desk.conn.execute(
        "SELECT kind, amount_fen FROM compensations WHERE ticket_id = ? AND status = 'granted' "
        "ORDER BY created_at, id", (ticket.id,)).fetchall()
    url, caption = qr_of(desk, ticket, base_url, lang)
    return ClosingFacts(
        store_name=desk.store_name, desk=f"{ticket.store_code}-{ticket.desk_code}",
        number=ticket.number, received_at=local_time(desk, ticket.created_at),
        closed_at=local_time(desk, ticket.closed_at),
        category=category_text(desk, ticket, lang),
        summary=summarise(ticket.text, SUMMARY_CHARS // 2),
        granted=tuple(Granted(str(r[0]), int(r[1])) for r in rows),
        rating=ticket.rating, qr_url=url, qr_caption=caption)


def closing_receipt(facts: ClosingFacts, lang: str = RECEIPT_LANGUAGE) -> Receipt:
    """The closing slip drawn from *facts* only."""
    values = {
        "receipt.desk": facts.desk,
        "receipt.number": facts.number,
        "receipt.time": facts.received_at,
        "receipt.category": facts.category,
        "receipt.summary": facts.summary,
        "receipt.outcome": tr("receipt.outcome_closed", lang),
        "receipt.compensation_given": "；".join(
            tr("receipt.granted_line", lang, kind=tr(f"receipt.kind.{g.kind}", lang),
               amount=format_yuan(g.amount_fen)) for g in facts.granted),
        "receipt.closed_at": facts.closed_at,
        "receipt.rating": (tr("receipt.rating_value", lang, score=facts.rating)
                           if facts.rating is not None else tr("receipt.no_rating", lang)),
    }
    fields = tuple(Field(tr(key, lang), values[key]) for key in CLOSING_FIELDS if values[key])
    return Receipt("closing", tr("receipt.title.closing", lang), facts.store_name,
                   facts.number, fields, footer=(tr("receipt.closing_thanks", lang),),
                   qr_url=facts.qr_url, qr_caption=facts.qr_caption)
