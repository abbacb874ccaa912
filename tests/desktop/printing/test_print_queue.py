"""The desk's print queue: each state change, the event written with the status in one
transaction, reprints numbered, cancel/retry rules and recovery after a crash."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest

from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.printing import print_queue as pq
from desktop.receipts.issue import EVENT_TYPE, issue_receipt
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.errors import InvalidInput, NotFound, TransitionRefused
from domain.fold import TicketState

PRINTER = "pdf:/tmp/nowhere"


@pytest.fixture
def ticket(desk: Desk, staff: dict[str, Staff]) -> TicketState:
    return create_ticket(desk, staff["d1"], {
        "text": "酸奶过期了，孩子喝了拉肚子", "customer": {"phone": "13812345678"},
    }).ticket


def prints(desk: Desk, ticket_id: str) -> list[dict[str, object]]:
    rows = desk.conn.execute(
        "SELECT payload FROM events WHERE ticket_id = ? AND type = ? ORDER BY rowid",
        (ticket_id, EVENT_TYPE)).fetchall()
    return [json.loads(r[0]) for r in rows]


def queued(desk: Desk, staff: dict[str, Staff], ticket: TicketState,
           kind: str = "complaint") -> pq.PrintJob:
    return pq.enqueue(desk, staff["d1"], ticket.number, kind=kind, paper="80mm",
                      printer=PRINTER)


def test_a_job_waits_prints_and_records_one_event(desk: Desk, staff: dict[str, Staff],
                                                   ticket: TicketState) -> None:
    job = queued(desk, staff, ticket)
    assert (job.status, job.attempts, job.ticket_id, job.number) == (
        "waiting", 0, ticket.id, ticket.number)
    assert prints(desk, ticket.id) == []  # queued is not printed
    assert pq.next_waiting(desk.conn) == job

    rendered = pq.render_job(desk, job.id)
    assert (rendered.copy_no, rendered.reprint) == (1, False)
    text = pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
    assert ticket.number in text and "受理回执" in text and "补打" not in text

    started = pq.start(desk, job.id)
    assert (started.status, started.attempts) == ("printing", 1)
    done = pq.complete(desk, job.id, "d1", rendered)
    assert done.status == "printed" and done.event_id
    assert prints(desk, ticket.id) == [{"kind": "complaint", "format": "80mm",
                                        "reprint": False, "copy_no": 1,
                                        "printer": PRINTER}]
    event = desk.conn.execute("SELECT event_id, actor FROM events WHERE type = ?",
                              (EVENT_TYPE,)).fetchone()
    assert (event[0], event[1]) == (done.event_id, "d1")
    assert pq.next_waiting(desk.conn) is None
    assert pq.jobs(desk.conn, active_only=True) == []
    assert [j.id for j in pq.jobs(desk.conn)] == [job.id]


def test_complete_writes_event_and_status_in_one_transaction(
        desk: Desk, staff: dict[str, Staff], ticket: TicketState,
        monkeypatch: pytest.MonkeyPatch) -> None:
    job = queued(desk, staff, ticket)
    rendered = pq.render_job(desk, job.id)
    pq.start(desk, job.id)

    def broken(*_args: object) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(pq, "_mark_printed", broken)
    with pytest.raises(RuntimeError):
        pq.complete(desk, job.id, "d1", rendered)
    assert pq.get_job(desk.conn, job.id).status == "printing"
    assert prints(desk, ticket.id) == []  # the event was rolled back with it
    monkeypatch.undo()
    assert pq.complete(desk, job.id, "d1", rendered).status == "printed"
    assert len(prints(desk, ticket.id)) == 1
    with pytest.raises(TransitionRefused):  # a job is printed once
        pq.complete(desk, job.id, "d1", rendered)


def test_a_second_print_is_a_reprint_with_copy_2(desk: Desk, staff: dict[str, Staff],
                                                  ticket: TicketState) -> None:
    issue_receipt(desk, staff["d1"], ticket.number, kind="complaint", paper="80mm")
    job = queued(desk, staff, ticket)
    rendered = pq.render_job(desk, job.id)
    assert (rendered.copy_no, rendered.reprint) == (2, True)
    assert "补打" in pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
    pq.start(desk, job.id)
    pq.complete(desk, job.id, "d1", rendered)
    assert [p["copy_no"] for p in prints(desk, ticket.id)] == [1, 2]
    assert prints(desk, ticket.id)[1]["reprint"] is True


def test_fail_retry_and_cancel_rules(desk: Desk, staff: dict[str, Staff],
                                     ticket: TicketState) -> None:
    job = queued(desk, staff, ticket)
    with pytest.raises(TransitionRefused):
        pq.retry(desk, job.id)  # only failed jobs are retried
    with pytest.raises(TransitionRefused):
        pq.fail(desk, job.id, "x")  # only a job at the printer fails
    pq.start(desk, job.id)
    with pytest.raises(TransitionRefused):
        pq.cancel(desk, job.id, staff["d1"])  # at the printer: it may still come out
    failed = pq.fail(desk, job.id, "out of paper")
    assert (failed.status, failed.last_error, failed.attempts) == ("failed", "out of paper", 1)
    assert [j.id for j in pq.jobs(desk.conn, active_only=True)] == [job.id]
    assert pq.counts(desk.conn) == {"waiting": 0, "printing": 0, "failed": 1}
    again = pq.retry(desk, job.id)
    assert again.status == "waiting"
    assert pq.start(desk, job.id).attempts == 2
    rendered = pq.render_job(desk, job.id)
    pq.complete(desk, job.id, "d1", rendered)
    with pytest.raises(TransitionRefused) as refused:
        pq.cancel(desk, job.id, staff["d1"])
    assert refused.value.code == "print.printed_not_cancellable"

    other = queued(desk, staff, ticket)
    assert pq.cancel(desk, other.id, staff["d1"]).status == "cancelled"
    with pytest.raises(TransitionRefused):
        pq.start(desk, other.id)
    with pytest.raises(TransitionRefused):
        pq.cancel(desk, other.id, staff["d1"])
    assert len(prints(desk, ticket.id)) == 1  # cancelling records nothing
    with pytest.raises(NotFound):
        pq.retry(desk, 999)


def test_enqueue_validates_before_queueing(desk: Desk, staff: dict[str, Staff],
                                           ticket: TicketState) -> None:
    with pytest.raises(InvalidInput):
        pq.enqueue(desk, staff["d1"], ticket.number, kind="menu", paper="80mm",
                   printer=PRINTER)
    with pytest.raises(InvalidInput):
        pq.enqueue(desk, staff["d1"], ticket.number, kind="complaint", paper="a5",
                   printer=PRINTER)
    with pytest.raises(InvalidInput):
        pq.enqueue(desk, staff["d1"], ticket.number, kind="complaint", paper="a4",
                   printer=" ")
    with pytest.raises(NotFound):
        pq.enqueue(desk, staff["d1"], "XT01-D2-20261122-9999", kind="complaint",
                   paper="a4", printer=PRINTER)
    with pytest.raises(NotFound):  # no granted compensation: no voucher to print
        queued(desk, staff, ticket, "compensation")
    with pytest.raises(InvalidInput):  # not closed: no closing slip yet
        queued(desk, staff, ticket, "closing")
    assert pq.jobs(desk.conn) == []


def test_a_voucher_job_is_pinned_to_its_compensation(desk: Desk, staff: dict[str, Staff],
                                                     ticket: TicketState) -> None:
    granted = compensate(desk, staff["d1"], ticket.number, amount="5", kind="cash")
    job = queued(desk, staff, ticket, "compensation")
    assert job.compensation_id == granted.compensation.id
    rendered = pq.render_job(desk, job.id)
    assert "补偿凭证" in pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
    pq.start(desk, job.id)
    pq.complete(desk, job.id, "d1", rendered)
    assert prints(desk, ticket.id)[0]["compensation_id"] == granted.compensation.id


def test_interrupted_jobs_fail_and_are_never_reprinted_alone(
        desk: Desk, staff: dict[str, Staff], ticket: TicketState, tmp_path: Path) -> None:
    printing = queued(desk, staff, ticket)
    waiting = queued(desk, staff, ticket)
    pq.start(desk, printing.id)
    assert pq.recover_interrupted(desk, "en") == [printing.id]
    after = pq.get_job(desk.conn, printing.id)
    assert after.status == "failed"
    assert after.last_error is not None and "check the paper" in after.last_error
    assert pq.get_job(desk.conn, waiting.id).status == "waiting"
    assert pq.next_waiting(desk.conn) == pq.get_job(desk.conn, waiting.id)
    assert pq.recover_interrupted(desk) == []
    assert prints(desk, ticket.id) == []
