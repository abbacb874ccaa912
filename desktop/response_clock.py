"""The response clock: due time, overdue state and escalation steps, from events alone.

Works offline: everything here is computed from the ticket projection and the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.clock import parse_time
from domain.fold import CLOSED_STATES, FINAL_STATES, TicketState
from domain.policy import Policy

# The response rule of :func:`response_status` as SQL over ``tickets`` (one parameter: now),
# for the queries that list overdue tickets: nobody responded by the due time, and the
# ticket is neither closed nor rated, merged or voided.
NOT_RESPONDED_BY_SQL = "first_response_at IS NULL AND due_at <= ?"
OVERDUE_SQL = (f"{NOT_RESPONDED_BY_SQL} "
               "AND status NOT IN ('closed', 'rated', 'merged', 'voided')")


@dataclass(frozen=True)
class ResponseStatus:
    """Where a ticket stands against its response target at one moment."""

    due_at: datetime
    first_response_at: datetime | None
    responded_in_time: bool | None
    overdue: bool
    seconds_to_due: int
    escalation_steps_due: int
    next_escalation_at: datetime | None
    followup_due_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "overdue": self.overdue,
            "responded_in_time": self.responded_in_time,
            "seconds_to_due": self.seconds_to_due,
            "escalation_steps_due": self.escalation_steps_due,
            "next_escalation_at": _iso(self.next_escalation_at),
            "followup_due_at": _iso(self.followup_due_at),
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def response_status(ticket: TicketState, now: datetime, policy: Policy) -> ResponseStatus:
    """The response clock of *ticket* at *now*.

    Overdue means the target passed with no first response. Escalation steps fall due
    at the target and again after each further full target interval, up the policy's
    ladder (step 1 is the second rung; the handler is rung 0).
    """
    due = parse_time(ticket.due_at)
    first = parse_time(ticket.first_response_at) if ticket.first_response_at else None
    waiting = first is None and ticket.status not in FINAL_STATES | CLOSED_STATES
    overdue = waiting and now >= due
    steps = 0
    next_at: datetime | None = None
    max_steps = len(policy.escalation_ladder) - 1
    interval = timedelta(minutes=ticket.respond_within_minutes)
    if waiting:
        if now >= due:
            steps = min(max_steps, int((now - due) / interval) + 1)
        if steps < max_steps:
            next_at = due + interval * steps
    followup = None
    if ticket.closed_at and ticket.status == "closed":
        followup = parse_time(ticket.closed_at) + timedelta(hours=policy.followup_within_hours)
    return ResponseStatus(
        due_at=due,
        first_response_at=first,
        responded_in_time=None if first is None else first <= due,
        overdue=overdue,
        seconds_to_due=int((due - now).total_seconds()),
        escalation_steps_due=steps,
        next_escalation_at=next_at,
        followup_due_at=followup,
    )


def escalation_target(step: int, policy: Policy) -> str:
    """The role that escalation *step* reaches (``store_manager`` for step 1 by default)."""
    ladder = policy.escalation_ladder
    return ladder[min(step, len(ladder) - 1)]
