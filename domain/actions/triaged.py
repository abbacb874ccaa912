"""A new triage of a ticket already saved (``triaged``): the group raise and corrections.

The group rule: when triage flags a new ticket ``group`` (several complaints of one
subcategory within the policy's window), the store's earlier open tickets of that
subcategory are raised to its level, never lowered. A desk's save and the centre's
channel tickets both write these events, wherever the group's tickets were recorded.

A correction is staff choosing another category, subcategory or level; the checks
(who may lower a level, which pairs exist) are the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from domain import event_schema
from domain.actions.creation import due_at
from domain.clock import parse_time
from domain.fold import CLOSED_STATES, FINAL_STATES, TicketState
from domain.policy import Policy
from domain.triage import Reason, TriageResult

# A ticket in one of these states is settled: the group rule leaves it as it is.
SETTLED = CLOSED_STATES | FINAL_STATES


def _reasons(reasons: Iterable[Mapping[str, str]],
             added: Reason) -> list[event_schema.ReasonEntry]:
    # Stored reasons may carry keys a newer desk added (the schema keeps them open).
    return cast(list[event_schema.ReasonEntry], [*map(dict, reasons), added.as_dict()])


def is_raised(earlier: TicketState, new: TriageResult) -> bool:
    """Whether the new ticket's group raise lifts *earlier*: same subcategory, a lower
    level (a higher number) and still open."""
    return (earlier.subcategory == new.subcategory and earlier.level > new.level
            and earlier.status not in SETTLED)


def group_raises(new: TriageResult, earlier: Iterable[TicketState],
                 policy: Policy) -> list[tuple[TicketState, event_schema.Triaged]]:
    """The ``triaged`` payload for each ticket the group raise lifts, in *earlier*'s order.

    *earlier* is the store's other tickets created within the group window (any
    subcategory and state: :func:`is_raised` chooses). Each keeps its category, flags
    (plus ``group``), departments and reasons (plus the group's); its due time moves to
    the new level's target after its own creation.
    """
    raised = [t for t in earlier if is_raised(t, new)]
    minutes = policy.target(new.level).respond_within_minutes
    reason = Reason("group:recent", f"{new.subcategory} ×{len(raised) + 1}")
    return [(old, {
        "category": old.category, "subcategory": old.subcategory,
        "level": new.level, "flags": sorted({*old.flags, "group"}),
        "departments": list(old.departments), "respond_within_minutes": minutes,
        "due_at": due_at(parse_time(old.created_at), minutes),
        "reasons": _reasons(old.reasons, reason),
        "why": "group_raise", "automatic": True,
    }) for old in raised]


def correction(ticket: TicketState, *, category: str, subcategory: str, level: int,
               departments: Iterable[str], policy: Policy, actor: str,
               reason: str) -> event_schema.Triaged:
    """The ``triaged`` payload of *actor*'s correction of *ticket*'s triage, with the
    triage it replaces (``previous``) and *reason* added to its reasons."""
    minutes = policy.target(level).respond_within_minutes
    why = Reason("correction", f"{actor}: {reason}")
    return {
        "category": category, "subcategory": subcategory, "level": level,
        "flags": list(ticket.flags), "departments": list(departments),
        "respond_within_minutes": minutes,
        "due_at": due_at(parse_time(ticket.created_at), minutes),
        "reasons": _reasons(ticket.reasons, why),
        "why": "correction", "automatic": False,
        "previous": {"category": ticket.category, "subcategory": ticket.subcategory,
                     "level": ticket.level},
    }
