"""The closed loop 受理 → 整改 → 复核 → 奖惩 → 完结 → 评价 as a state machine.

Pure rules: given a ticket and who acts, is a step allowed, and if not, why. The desk's
ticket actions (``desktop.ticket_actions``) call these before writing any event; the
centre reads the states from here (headquarters may override the rules themselves).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from domain import event_schema
from domain.errors import InvalidInput, PermissionDenied, TransitionRefused
from domain.fold import TicketState
from domain.policy import FirstContactPolicy

# The statuses an event may name are the schema's; the loop below orders them.
STATES = event_schema.STATES
FORWARD: dict[str, tuple[str, ...]] = {
    "accepted": ("rectifying",),
    "rectifying": ("reviewing",),
    "reviewing": ("rectifying", "accountability"),
    "accountability": ("closed",),
}
OPEN_STATES = frozenset(FORWARD)
REOPENABLE = frozenset({"closed", "rated"})
HANDLING_ROLES = frozenset({"desk", "manager"})
ACCOUNTABILITY_OUTCOMES = ("reward", "penalty", "none")
RATING_RANGE = range(1, 6)


class Staff(Protocol):
    """Who acts on a ticket, as the rules see them: the desk's ``desktop.staff.Staff``
    fits (the domain knows no staff table)."""

    @property
    def id(self) -> str:
        """The staff id (what events name as actor)."""

    @property
    def name(self) -> str:
        """The name shown in messages."""

    @property
    def role(self) -> str:
        """desk | manager | cashier ..."""

    @property
    def active(self) -> bool:
        """False once the staff member left."""


def _require_role(actor: Staff, roles: frozenset[str], action: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied("permission.role", action=action, role=actor.role)


def check_advance(
    ticket: TicketState,
    to: str,
    actor: Staff,
    *,
    pending_compensations: int = 0,
    accountability: Mapping[str, Any] | None = None,
) -> None:
    """Refuse, with the reason, a status change the lifecycle does not allow."""
    if to not in STATES:
        raise InvalidInput("input.bad_choice", field="to", value=to, choices=", ".join(STATES))
    _require_role(actor, HANDLING_ROLES, "advance")
    allowed = FORWARD.get(ticket.status, ())
    if to not in allowed:
        raise TransitionRefused(
            "lifecycle.illegal", number=ticket.number, frm=ticket.status, to=to,
            allowed=", ".join(allowed) or "—",
        )
    if ticket.status == "reviewing" and actor.id == ticket.handler:
        # The review is a second pair of eyes: never the person who did the fix.
        raise TransitionRefused("lifecycle.review_by_handler", number=ticket.number)
    if to == "closed":
        if pending_compensations:
            raise TransitionRefused(
                "lifecycle.pending_compensation", number=ticket.number,
                count=pending_compensations,
            )
        check_accountability(accountability)


def check_accountability(accountability: Mapping[str, Any] | None) -> None:
    """Leaving 奖惩 needs the outcome recorded: reward, penalty or none."""
    if not accountability or accountability.get("outcome") not in ACCOUNTABILITY_OUTCOMES:
        raise InvalidInput(
            "lifecycle.accountability_needed", choices=", ".join(ACCOUNTABILITY_OUTCOMES)
        )
    if accountability["outcome"] != "none" and not str(accountability.get("subject") or ""):
        raise InvalidInput("lifecycle.accountability_subject")


# First-contact resolution (首问解决): only from 受理, and never for level 1, whatever
# the policy lists: a level-1 complaint always goes through 整改 → 复核 → 奖惩.
FIRST_CONTACT_FROM = "accepted"
FIRST_CONTACT_NEVER_LEVEL = 1


def first_contact_refusal(
    ticket: TicketState, actor: Staff, policy: FirstContactPolicy, *,
    approvals_needed: int = 0,
) -> TransitionRefused | PermissionDenied | None:
    """Why *ticket* may not be closed at first contact by *actor* now, or ``None``.

    *approvals_needed* counts the ticket's compensations that needed (or wait for)
    someone else's approval: such a ticket is no on-the-spot settlement.
    """
    if actor.role not in HANDLING_ROLES:
        return PermissionDenied("permission.role", action="first_contact", role=actor.role)
    if ticket.status != FIRST_CONTACT_FROM:
        return TransitionRefused("fcr.not_accepted", number=ticket.number,
                                 status=ticket.status)
    if ticket.level == FIRST_CONTACT_NEVER_LEVEL:
        return TransitionRefused("fcr.level_one", number=ticket.number)
    if ticket.level not in policy.levels:
        return TransitionRefused("fcr.level_not_allowed", number=ticket.number,
                                 level=ticket.level,
                                 allowed=", ".join(str(lv) for lv in policy.levels
                                                   if lv != FIRST_CONTACT_NEVER_LEVEL) or "—")
    if not policy.allows(ticket.level, ticket.subcategory):
        return TransitionRefused("fcr.subcategory_not_allowed", number=ticket.number,
                                 subcategory=ticket.subcategory)
    if approvals_needed:
        return TransitionRefused("fcr.compensation_approval", number=ticket.number,
                                 count=approvals_needed)
    return None


def check_first_contact(
    ticket: TicketState, actor: Staff, policy: FirstContactPolicy, *,
    approvals_needed: int = 0,
) -> None:
    """Refuse, with the reason, closing *ticket* at first contact."""
    refusal = first_contact_refusal(ticket, actor, policy, approvals_needed=approvals_needed)
    if refusal is not None:
        raise refusal


def check_rate(ticket: TicketState, score: int) -> None:
    """A rating 1–5 is recorded at the follow-up of a closed ticket."""
    if isinstance(score, bool) or not isinstance(score, int) or score not in RATING_RANGE:
        raise InvalidInput("lifecycle.bad_rating", value=str(score))
    if ticket.status != "closed":
        raise TransitionRefused("lifecycle.rate_not_closed", number=ticket.number,
                                status=ticket.status)


def check_reopen(ticket: TicketState, actor: Staff) -> None:
    """Only a closed or rated ticket can be reopened (back to 整改)."""
    _require_role(actor, HANDLING_ROLES, "reopen")
    if ticket.status not in REOPENABLE:
        raise TransitionRefused("lifecycle.reopen_not_closed", number=ticket.number,
                                status=ticket.status)


def check_merge(ticket: TicketState, into: TicketState, actor: Staff) -> None:
    """An open ticket may be merged into another ticket that is not merged or voided."""
    _require_role(actor, HANDLING_ROLES, "merge")
    if ticket.id == into.id:
        raise TransitionRefused("lifecycle.merge_self", number=ticket.number)
    if ticket.status not in OPEN_STATES:
        raise TransitionRefused("lifecycle.not_open", number=ticket.number, status=ticket.status)
    if into.status in ("merged", "voided"):
        raise TransitionRefused("lifecycle.merge_target", number=into.number, status=into.status)


def check_void(ticket: TicketState, actor: Staff) -> None:
    """Voiding (entered in error) is for managers, on open tickets."""
    _require_role(actor, frozenset({"manager"}), "void")
    if ticket.status not in OPEN_STATES:
        raise TransitionRefused("lifecycle.not_open", number=ticket.number, status=ticket.status)


# Where a ticket can change hands: while it is worked on, and once closed (the follow-up
# call is still to be made).
ASSIGNABLE = OPEN_STATES | {"closed"}


def check_assign(ticket: TicketState, actor: Staff, handler: Staff) -> None:
    """Handling staff take a ticket or hand it to a colleague who can handle it."""
    _require_role(actor, HANDLING_ROLES, "assign")
    if ticket.status not in ASSIGNABLE:
        raise TransitionRefused("lifecycle.not_open", number=ticket.number, status=ticket.status)
    if handler.role not in HANDLING_ROLES or not handler.active:
        raise InvalidInput("lifecycle.assign_not_handler", name=handler.name, role=handler.role)
    if ticket.handler == handler.id:
        raise TransitionRefused("lifecycle.already_handler", number=ticket.number,
                                name=handler.name)


def check_writable(ticket: TicketState) -> None:
    """Notes and contacts go on any ticket except merged or voided ones."""
    if ticket.status in ("merged", "voided"):
        raise TransitionRefused("lifecycle.not_open", number=ticket.number, status=ticket.status)


def allowed_actions(ticket: TicketState, actor: Staff, *,
                    first_contact: FirstContactPolicy | None = None,
                    approvals_needed: int = 0) -> list[str]:
    """What *actor* may do to *ticket* now, for menus and ``ticket show``.

    With the policy's *first_contact* rules, ``first_contact`` is listed when the ticket
    may be closed at first contact now.
    """
    actions: list[str] = []
    if ticket.status not in ("merged", "voided"):
        actions += ["note", "contact", "compensate"]
    if actor.role in HANDLING_ROLES:
        for to in FORWARD.get(ticket.status, ()):
            if ticket.status == "reviewing" and actor.id == ticket.handler:
                continue
            actions.append(f"advance:{to}")
        if ticket.status == "closed":
            actions.append("rate")
        if ticket.status in REOPENABLE:
            actions.append("reopen")
        if ticket.status in OPEN_STATES:
            actions.append("merge")
    if actor.role in HANDLING_ROLES and ticket.status in ASSIGNABLE:
        # "take": the actor becomes the handler; "assign": hand it to a colleague.
        actions += (["take"] if ticket.handler != actor.id else []) + ["assign"]
    if actor.role == "manager" and ticket.status in OPEN_STATES:
        actions.append("void")
    if first_contact is not None and first_contact_refusal(
            ticket, actor, first_contact, approvals_needed=approvals_needed) is None:
        actions.append("first_contact")
    return actions
