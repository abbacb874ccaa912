"""What each receipt says: the complaint receipt 受理回执, the compensation voucher 补偿凭证
and the closing slip 完结单 (``desktop.receipts.closing``), as plain data the PDF
drawer lays out.

Reads only. Receipts are in Simplified Chinese by default (they are handed to customers
of Chinese stores), whatever language the staff use; *language* exists for tests and for
stores that want the English catalogue.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from desktop.desk import Desk
from desktop.i18n import tr
from desktop.tickets import verify_code_of
from domain.clock import wall_clock_text
from domain.errors import InvalidInput, NotFound
from domain.fold import CompensationState, TicketState
from domain.money import capital_yuan, format_yuan
from domain.phones import mask_phone
from local_db import projection

KINDS = ("complaint", "compensation", "closing")
RECEIPT_LANGUAGE = "zh_CN"
# The receipt shows a summary, not the complaint: a thermal slip is no place for five
# thousand characters, and a runaway text must not make a metre of paper.
SUMMARY_CHARS = 80
ELLIPSIS = "…"


@dataclass(frozen=True)
class Field:
    """One "label：value" line of a receipt."""

    label: str
    value: str


@dataclass(frozen=True)
class Receipt:
    """A receipt's content, independent of paper size."""

    kind: str
    title: str
    store: str
    number: str
    fields: tuple[Field, ...]
    footer: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()  # labels of lines the customer or staff sign on
    qr_url: str | None = None
    qr_caption: str | None = None
    reprint_label: str | None = None  # "补打 2026-11-22 11:00" on a reprint


def summarise(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first *limit* characters of *text*, whitespace runs folded, "…" when cut."""
    # Slice before folding so a megabyte of text costs no more than a sentence.
    head = " ".join(text[: limit * 4].split())
    if len(head) > limit or len(text) > limit * 4:
        return head[: limit - 1] + ELLIPSIS
    return head


def local_time(desk: Desk, stamp: str | datetime) -> str:
    """A stored UTC time as the store's wall-clock time, ``2026-11-22 10:00``."""
    return wall_clock_text(stamp, desk.policy.timezone, "%Y-%m-%d %H:%M")


def progress_url(base_url: str, number: str, code: str) -> str:
    """The customer's progress page: ``{base}/p/{number}?code={code}``."""
    return f"{base_url.rstrip('/')}/p/{quote(number, safe='')}?code={quote(code, safe='')}"


def staff_name(conn: sqlite3.Connection, staff_id: str | None) -> str:
    """A staff member's name as the desk knows it; the id for someone unknown here
    (a manager or headquarters approver synced from the centre)."""
    if not staff_id:
        return ""
    row = conn.execute("SELECT name FROM staff WHERE id = ?", (staff_id,)).fetchone()
    return str(row[0]) if row else staff_id


def category_text(desk: Desk, ticket: TicketState, lang: str) -> str:
    """The ticket's "category / subcategory" in *lang*."""
    return desk.policy.problem_label(ticket.category, ticket.subcategory, lang != "zh_CN")


def _promise(desk: Desk, ticket: TicketState, lang: str) -> str:
    minutes = ticket.respond_within_minutes
    within = (tr("receipt.within_hours", lang, hours=minutes // 60) if minutes % 60 == 0
              else tr("receipt.within_minutes", lang, minutes=minutes))
    return tr("receipt.promise_value", lang, within=within, due=local_time(desk, ticket.due_at))


def _header(desk: Desk, ticket: TicketState, lang: str) -> list[Field]:
    return [
        Field(tr("receipt.desk", lang), f"{ticket.store_code}-{ticket.desk_code}"),
        Field(tr("receipt.number", lang), ticket.number),
    ]


def qr_of(desk: Desk, ticket: TicketState, base_url: str | None,
          lang: str) -> tuple[str | None, str | None]:
    """The progress-page address of the ticket and the caption under its QR code."""
    code = verify_code_of(desk, ticket.id)
    if not base_url or not code:
        return None, None  # no progress page to open: an older ticket or no address set
    return progress_url(base_url, ticket.number, code), tr("receipt.scan", lang, verify=code)


def complaint_receipt(desk: Desk, ticket: TicketState, *, base_url: str | None,
                      lang: str = RECEIPT_LANGUAGE) -> Receipt:
    """受理回执: what was recorded, when, by whom, and when the store will answer."""
    fields = _header(desk, ticket, lang)
    fields += [
        Field(tr("receipt.time", lang), local_time(desk, ticket.created_at)),
        Field(tr("receipt.category", lang), category_text(desk, ticket, lang)),
        Field(tr("receipt.summary", lang), summarise(ticket.text)),
        Field(tr("receipt.promise", lang), _promise(desk, ticket, lang)),
        Field(tr("receipt.recorder", lang), staff_name(desk.conn, ticket.created_by)),
    ]
    if ticket.handler and ticket.handler != ticket.created_by:
        fields.append(Field(tr("receipt.handler", lang), staff_name(desk.conn, ticket.handler)))
    phone = mask_phone(ticket.customer_phone)
    if phone:
        fields.append(Field(tr("receipt.phone", lang), phone))
    url, caption = qr_of(desk, ticket, base_url, lang)
    return Receipt("complaint", tr("receipt.title.complaint", lang), desk.store_name,
                   ticket.number, tuple(fields), footer=(tr("receipt.thanks", lang),),
                   qr_url=url, qr_caption=caption)


def pick_compensation(desk: Desk, ticket: TicketState,
                      compensation_id: str | None) -> CompensationState:
    """The compensation named by id, else the ticket's latest granted one."""
    if compensation_id is None:
        row = desk.conn.execute(
            "SELECT id FROM compensations WHERE ticket_id = ? AND status = 'granted' "
            "ORDER BY created_at DESC, id DESC LIMIT 1", (ticket.id,)).fetchone()
        if row is None:
            raise NotFound("receipt.no_compensation", number=ticket.number)
        compensation_id = str(row[0])
    line = projection.read_compensation(desk.conn, compensation_id)
    if line is None or line.ticket_id != ticket.id:
        raise NotFound("comp.not_found", ref=compensation_id)
    if line.status != "granted":
        raise InvalidInput("receipt.not_granted", ref=compensation_id, status=line.status)
    return line


def compensation_voucher(desk: Desk, ticket: TicketState, line: CompensationState, *,
                         lang: str = RECEIPT_LANGUAGE) -> Receipt:
    """补偿凭证: what was granted, by whose authority, with lines to sign."""
    approver = line.approved_by or line.requested_by
    fields = _header(desk, ticket, lang)
    fields += [
        Field(tr("receipt.comp_kind", lang), tr(f"receipt.kind.{line.kind}", lang)),
        Field(tr("receipt.amount", lang), tr("receipt.yuan", lang,
                                             amount=format_yuan(line.amount_fen))),
        # In capitals too, as Chinese vouchers write money: a figure is easily altered.
        Field(tr("receipt.amount_capital", lang),
              tr("receipt.capital_value", lang, amount=capital_yuan(line.amount_fen))),
        Field(tr("receipt.granted_by", lang), staff_name(desk.conn, line.requested_by)),
        Field(tr("receipt.approver", lang), staff_name(desk.conn, approver)),
        Field(tr("receipt.policy", lang), line.policy_version),
        Field(tr("receipt.granted_at", lang), local_time(desk, line.decided_at or line.created_at)),
    ]
    phone = mask_phone(line.customer_phone or ticket.customer_phone)
    if phone:
        fields.append(Field(tr("receipt.phone", lang), phone))
    return Receipt("compensation", tr("receipt.title.compensation", lang), desk.store_name,
                   ticket.number, tuple(fields),
                   footer=(tr("receipt.keep_voucher", lang),),
                   signatures=(tr("receipt.customer_sign", lang), tr("receipt.sign_date", lang)))
