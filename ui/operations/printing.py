"""Print-queue writes: queueing a receipt, and the spooler's and the queue window's steps."""

from __future__ import annotations

from desktop.changes import Changes
from desktop.desk import Desk
from desktop.printing import print_queue, print_settings
from desktop.printing.print_queue import PrintJob, RenderedJob
from desktop.staff import Staff
from local_db.connection import transaction
from ui.labels import error_message
from ui.operations.op import Op

# Every write here changes the print queue (events it writes name their tickets).
_JOBS = Changes(print_jobs=True)


def enqueue(staff: Staff, ticket_id: str, *, kind: str, paper: str, printer: str,
            compensation_id: str | None = None) -> Op[PrintJob]:
    """Queue a receipt (printing after a save, no dialog)."""
    return Op(lambda d: print_queue.enqueue(d, staff, ticket_id, kind=kind, paper=paper,
                                            printer=printer,
                                            compensation_id=compensation_id), _JOBS)


def enqueue_remembered(staff: Staff, ticket_id: str, *, kind: str, paper: str, printer: str,
                       compensation_id: str | None, quick: bool) -> Op[PrintJob]:
    """Queue a receipt from the print dialog and remember its choices, or neither."""
    def job(desk: Desk) -> PrintJob:
        with transaction(desk.conn):
            queued = print_queue.enqueue(desk, staff, ticket_id, kind=kind, paper=paper,
                                         printer=printer, compensation_id=compensation_id)
            print_settings.remember(desk, printer, paper)
            print_settings.set_quick_print(desk, quick)
        return queued
    return Op(job, _JOBS)


def retry(job_id: int) -> Op[PrintJob]:
    """A failed job waits again."""
    return Op(lambda d: print_queue.retry(d, job_id), _JOBS)


def cancel(job_id: int, staff: Staff) -> Op[PrintJob]:
    """Give up a waiting or failed job."""
    return Op(lambda d: print_queue.cancel(d, job_id, staff), _JOBS)


def recover_interrupted(language: str) -> Op[list[int]]:
    """At start: jobs a crash left ``printing`` become ``failed``."""
    return Op(lambda d: print_queue.recover_interrupted(d, language), _JOBS)


def _take_next(desk: Desk, language: str) -> tuple[PrintJob, RenderedJob] | None:
    job = print_queue.next_waiting(desk.conn)
    if job is None:
        return None
    try:
        rendered = print_queue.render_job(desk, job.id)
    except Exception as exc:  # e.g. the compensation was revoked since: the job fails
        print_queue.start(desk, job.id)
        print_queue.fail(desk, job.id, error_message(exc, language))
        return None
    return print_queue.start(desk, job.id), rendered


def take_next(language: str) -> Op[tuple[PrintJob, RenderedJob] | None]:
    """The oldest waiting job, drawn and marked ``printing`` (None: nothing to print)."""
    return Op(lambda d: _take_next(d, language), _JOBS)


def complete(job: PrintJob, rendered: RenderedJob) -> Op[PrintJob]:
    """The printer took the job: ``printed``, and the receipt recorded on the ticket."""
    return Op(lambda d: print_queue.complete(d, job.id, job.requested_by, rendered), _JOBS)


def fail(job_id: int, error: str) -> Op[PrintJob]:
    """The printer refused the job."""
    return Op(lambda d: print_queue.fail(d, job_id, error), _JOBS)
