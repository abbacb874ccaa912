"""Issuing a receipt: build its content, draw the PDF, and record the print on the ticket.

Every print is a ``receipt_printed`` event {kind, format, reprint, copy_no}; a print is a
reprint (marked 补打 with the time) when the ticket already has a print of that kind.
The event, the copy number and the PDF come from one transaction, so two desks' copy
numbers never collide locally and a failed write records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from desktop.atomic_file import write_atomically
from desktop.desk import Desk
from desktop.i18n import tr
from desktop.receipts.closing import closing_facts, closing_receipt
from desktop.receipts.content import (
    KINDS,
    RECEIPT_LANGUAGE,
    Receipt,
    compensation_voucher,
    complaint_receipt,
    local_time,
    pick_compensation,
)
from desktop.receipts.pdf import render_pdf
from desktop.receipts.settings import base_url_of, check_paper
from desktop.staff import Staff
from desktop.tickets import get_ticket
from domain.errors import InvalidInput
from domain.fold import TicketState
from local_db.connection import transaction
from local_db.store import record_event

EVENT_TYPE = "receipt_printed"


@dataclass(frozen=True)
class IssuedReceipt:
    """A drawn receipt and how its print was recorded."""

    pdf: bytes
    pages: int
    kind: str
    format: str
    reprint: bool
    copy_no: int
    ticket: TicketState
    receipt: Receipt


def copies_printed(desk: Desk, ticket_id: str, kind: str) -> int:
    """How many receipts of *kind* the ticket has had printed."""
    row = desk.conn.execute(
        "SELECT count(*) FROM events WHERE ticket_id = ? AND type = ? "
        "AND json_extract(payload, '$.kind') = ?", (ticket_id, EVENT_TYPE, kind)).fetchone()
    return int(row[0])


def build_receipt(desk: Desk, ticket: TicketState, kind: str, *, base_url: str | None,
                  compensation_id: str | None = None,
                  lang: str = RECEIPT_LANGUAGE) -> Receipt:
    """The content of a receipt of *kind* for *ticket* (reads only)."""
    if kind == "complaint":
        return complaint_receipt(desk, ticket, base_url=base_url, lang=lang)
    if kind == "compensation":
        line = pick_compensation(desk, ticket, compensation_id)
        return compensation_voucher(desk, ticket, line, lang=lang)
    if kind == "closing":
        return closing_receipt(closing_facts(desk, ticket, base_url=base_url, lang=lang), lang)
    raise InvalidInput("input.bad_choice", field="kind", value=kind, choices=", ".join(KINDS))


@dataclass(frozen=True)
class DrawnReceipt:
    """A receipt drawn for a ticket, not yet recorded: its PDF and which copy it is."""

    pdf: bytes
    pages: int
    receipt: Receipt
    copy_no: int
    at: datetime

    @property
    def reprint(self) -> bool:
        """The ticket already had a print of this kind: the receipt says 补打."""
        return self.copy_no > 1


def draw_receipt(desk: Desk, ticket: TicketState, *, kind: str, paper: str,
                 base_url: str | None = None,
                 compensation_id: str | None = None) -> DrawnReceipt:
    """Draw the next copy of a receipt of *kind* (reads only): marked 补打 with the time
    when the ticket already has a print of that kind."""
    check_paper(paper)
    receipt = build_receipt(desk, ticket, kind, base_url=base_url or base_url_of(desk),
                            compensation_id=compensation_id)
    earlier = copies_printed(desk, ticket.id, kind)
    now = desk.now()
    if earlier:
        receipt = replace(receipt, reprint_label=tr(
            "receipt.reprint", RECEIPT_LANGUAGE, time=local_time(desk, now)))
    pdf, pages = render_pdf(receipt, paper)
    return DrawnReceipt(pdf, pages, receipt, earlier + 1, now)


def printed_payload(kind: str, paper: str, copy_no: int) -> dict[str, object]:
    """The payload of a ``receipt_printed`` event."""
    return {"kind": kind, "format": paper, "reprint": copy_no > 1, "copy_no": copy_no}


def issue_receipt(desk: Desk, actor: Staff, ref: str, *, kind: str, paper: str,
                  base_url: str | None = None, compensation_id: str | None = None,
                  out: Path | None = None) -> IssuedReceipt:
    """Draw a receipt and record its print; write it to *out* when given.

    *base_url* defaults to the desk's configured address; without one the receipt has
    no QR code (the number and code still let staff look the ticket up).
    """
    check_paper(paper)
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        drawn = draw_receipt(desk, ticket, kind=kind, paper=paper, base_url=base_url,
                             compensation_id=compensation_id)
        if out is not None:
            write_atomically(out, drawn.pdf)
        recorded = record_event(
            desk.conn, ticket_id=ticket.id, type=EVENT_TYPE,
            payload=printed_payload(kind, paper, drawn.copy_no),
            actor=actor.id, occurred_at=drawn.at, policy_version=desk.policy.version,
            current=ticket)
    return IssuedReceipt(drawn.pdf, drawn.pages, kind, paper, drawn.reprint, drawn.copy_no,
                         recorded.ticket, drawn.receipt)
