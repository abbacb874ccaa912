"""The desk's print queue: receipts wait in ``print_jobs`` until a printer took them.

A job is local to this device, not an event: only a receipt that reached the printer is
recorded, as a ``receipt_printed`` event on the ticket, in the same transaction that marks
the job ``printed``. A printer that is offline or out of paper therefore never blocks or
loses a ticket: its job turns ``failed`` and waits for staff to retry or cancel it.

States: ``waiting`` → ``printing`` → ``printed``; ``printing`` → ``failed`` → ``waiting``
(retry); ``waiting``/``failed`` → ``cancelled``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from desktop.desk import Desk
from desktop.i18n import tr
from desktop.receipts.content import pick_compensation
from desktop.receipts.issue import (
    EVENT_TYPE,
    build_receipt,
    draw_receipt,
    printed_payload,
)
from desktop.receipts.settings import check_paper
from desktop.staff import Staff
from desktop.tickets import get_ticket
from domain.clock import format_time
from domain.errors import InvalidInput, NotFound, TransitionRefused
from local_db.connection import transaction
from local_db.store import record_event

STATUSES = ("waiting", "printing", "printed", "failed", "cancelled")
ACTIVE = ("waiting", "printing", "failed")  # not yet on paper, not given up
ERROR_LIMIT = 500  # characters of a driver's message kept with the job


@dataclass(frozen=True)
class PrintJob:
    """One row of the print queue."""

    id: int
    ticket_id: str
    number: str
    kind: str
    paper: str
    compensation_id: str | None
    printer: str
    requested_by: str
    requested_at: str
    status: str
    attempts: int
    last_error: str | None
    updated_at: str
    event_id: str | None


@dataclass(frozen=True)
class RenderedJob:
    """The PDF a job prints, and which copy of its kind it is (2+ is marked 补打)."""

    pdf: bytes
    copy_no: int
    reprint: bool
    pages: int = 1


def _row_job(row: sqlite3.Row | tuple[object, ...]) -> PrintJob:
    r = tuple(row)
    return PrintJob(int(str(r[0])), str(r[1]), str(r[2]), str(r[3]), str(r[4]),
                    None if r[5] is None else str(r[5]), str(r[6]), str(r[7]), str(r[8]),
                    str(r[9]), int(str(r[10])), None if r[11] is None else str(r[11]),
                    str(r[12]), None if r[13] is None else str(r[13]))


_COLUMNS = ("id, ticket_id, number, kind, paper, compensation_id, printer, requested_by, "
            "requested_at, status, attempts, last_error, updated_at, event_id")


def get_job(conn: sqlite3.Connection, job_id: int) -> PrintJob:
    """The job *job_id*; :class:`NotFound` when there is none."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM print_jobs WHERE id = ?",
                       (job_id,)).fetchone()
    if row is None:
        raise NotFound("print.job_not_found", job=job_id)
    return _row_job(row)


def jobs(conn: sqlite3.Connection, *, active_only: bool = False,
         limit: int = 200) -> list[PrintJob]:
    """The newest jobs first (*active_only*: those not printed and not cancelled)."""
    if active_only:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM print_jobs WHERE status IN (?, ?, ?) "
            "ORDER BY id DESC LIMIT ?", (*ACTIVE, limit))
    else:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM print_jobs ORDER BY id DESC LIMIT ?",
                            (limit,))
    return [_row_job(r) for r in rows]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many jobs wait, print and failed (indexed: cheap enough for the status line)."""
    result = dict.fromkeys(ACTIVE, 0)
    for status in ACTIVE:
        row = conn.execute("SELECT count(*) FROM print_jobs WHERE status = ?",
                           (status,)).fetchone()
        result[status] = int(row[0])
    return result


def next_waiting(conn: sqlite3.Connection) -> PrintJob | None:
    """The oldest waiting job, or none."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM print_jobs WHERE status = 'waiting' "
                       "ORDER BY id LIMIT 1").fetchone()
    return None if row is None else _row_job(row)


def enqueue(desk: Desk, actor: Staff, ref: str, *, kind: str, paper: str, printer: str,
            compensation_id: str | None = None) -> PrintJob:
    """Queue a receipt of *kind* on *paper* for *printer*; records no event.

    The receipt's content is checked now (a closing slip of an open ticket, a voucher
    without granted compensation are refused here, not later at the printer); a voucher
    is pinned to its compensation line so a later grant does not change what prints.
    """
    check_paper(paper)
    if not printer.strip():
        raise InvalidInput("print.bad_printer")
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        build_receipt(desk, ticket, kind, base_url=None, compensation_id=compensation_id)
        if kind == "compensation":
            compensation_id = pick_compensation(desk, ticket, compensation_id).id
        now = format_time(desk.now())
        cur = desk.conn.execute(
            "INSERT INTO print_jobs (ticket_id, number, kind, paper, compensation_id, printer,"
            " requested_by, requested_at, status, attempts, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'waiting', 0, ?)",
            (ticket.id, ticket.number, kind, paper, compensation_id, printer.strip(),
             actor.id, now, now))
        job_id = int(cur.lastrowid or 0)
    return get_job(desk.conn, job_id)


def render_job(desk: Desk, job_id: int) -> RenderedJob:
    """Draw the job's receipt as it will print now (reads only)."""
    job = get_job(desk.conn, job_id)
    ticket = get_ticket(desk, job.ticket_id)
    drawn = draw_receipt(desk, ticket, kind=job.kind, paper=job.paper,
                         compensation_id=job.compensation_id)
    return RenderedJob(drawn.pdf, drawn.copy_no, drawn.reprint, drawn.pages)


def _set(desk: Desk, job_id: int, frm: tuple[str, ...], refusal: str, **changes: object) -> None:
    job = get_job(desk.conn, job_id)
    if job.status not in frm:
        raise TransitionRefused(refusal, job=job_id)
    changes["updated_at"] = format_time(desk.now())
    assignments = ", ".join(f"{column} = ?" for column in changes)
    desk.conn.execute(f"UPDATE print_jobs SET {assignments} WHERE id = ?",
                      (*changes.values(), job_id))


def start(desk: Desk, job_id: int) -> PrintJob:
    """The job goes to the printer now: ``printing``, one more attempt."""
    with transaction(desk.conn):
        attempts = get_job(desk.conn, job_id).attempts
        _set(desk, job_id, ("waiting",), "print.not_retryable", status="printing",
             attempts=attempts + 1, last_error=None)
    return get_job(desk.conn, job_id)


def complete(desk: Desk, job_id: int, actor: str, rendered: RenderedJob) -> PrintJob:
    """The printer took the job: record ``receipt_printed`` (as :func:`issue_receipt`
    does, plus the printer) and mark the job ``printed``, in one transaction.

    *actor* is the staff id the print is recorded for (normally who asked for it).
    """
    with transaction(desk.conn):
        job = get_job(desk.conn, job_id)
        if job.status != "printing":
            raise TransitionRefused("print.not_printing", job=job_id)
        payload = {**printed_payload(job.kind, job.paper, rendered.copy_no),
                   "printer": job.printer}
        if job.compensation_id:
            payload["compensation_id"] = job.compensation_id
        recorded = record_event(
            desk.conn, ticket_id=job.ticket_id, type=EVENT_TYPE, payload=payload,
            actor=actor, occurred_at=desk.now(), policy_version=desk.policy.version)
        _mark_printed(desk, job_id, recorded.event.event_id)
    return get_job(desk.conn, job_id)


def _mark_printed(desk: Desk, job_id: int, event_id: str) -> None:
    _set(desk, job_id, ("printing",), "print.not_printing", status="printed",
         event_id=event_id, last_error=None)


def fail(desk: Desk, job_id: int, error: str) -> PrintJob:
    """The printer refused or broke off: ``failed`` with its message; staff retry later."""
    with transaction(desk.conn):
        _set(desk, job_id, ("printing",), "print.not_printing", status="failed",
             last_error=error[:ERROR_LIMIT])
    return get_job(desk.conn, job_id)


def retry(desk: Desk, job_id: int) -> PrintJob:
    """A failed job waits again (after staff fixed the paper or the printer)."""
    with transaction(desk.conn):
        _set(desk, job_id, ("failed",), "print.not_retryable", status="waiting")
    return get_job(desk.conn, job_id)


def cancel(desk: Desk, job_id: int, actor: Staff) -> PrintJob:
    """Give up a waiting or failed job; nothing is recorded on the ticket.

    A printed job cannot be cancelled (the customer has the paper; its print is an
    event), nor one at the printer right now (it may still come out).
    """
    with transaction(desk.conn):
        job = get_job(desk.conn, job_id)
        if job.status == "printed":
            raise TransitionRefused("print.printed_not_cancellable", job=job_id)
        _set(desk, job_id, ("waiting", "failed"), "print.not_cancellable",
             status="cancelled")
    return get_job(desk.conn, job_id)


def recover_interrupted(desk: Desk, language: str | None = None) -> list[int]:
    """At start-up: jobs left ``printing`` by a crash or power cut become ``failed``.

    Never printed again on their own: the paper may have come out before the crash, and
    a second automatic copy would be a duplicate receipt. Staff look, then retry.
    """
    message = tr("print.interrupted", language)
    with transaction(desk.conn):
        ids = [int(r[0]) for r in desk.conn.execute(
            "SELECT id FROM print_jobs WHERE status = 'printing' ORDER BY id")]
        for job_id in ids:
            _set(desk, job_id, ("printing",), "print.not_printing", status="failed",
                 last_error=message)
    return ids
