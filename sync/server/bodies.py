"""The request and answer bodies of the headquarters, channel and policy endpoints.

Typed with :mod:`domain.event_schema`'s markers, so one definition is both what the
server checks (:func:`check_body`, before anything else reads the body) and what
``/openapi.json`` says (:mod:`sync.server.openapi`). :class:`PolicyLimit` names the
policy figure that bounds a field (its ``maxLength`` or ``maximum`` in the document is
the policy's, and the handlers check it against the policy in force).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from domain.event_schema import (
    MAX_FEN,
    MAX_TEXT_CHARS,
    NONBLANK_RE,
    Code,
    Num,
    SchemaError,
    State,
    Text,
    check,
    regex,
)
from domain.policy import DEFAULT_MAX_AMOUNT_FEN, IntakeLimits, Policy
from sync import protocol
from sync.server.errors import Refusal


@dataclass(frozen=True)
class PolicyLimit:
    """The policy value (``intake.max_text_chars``...) that bounds this field."""

    path: str
    default: int


def check_body(body: Any, kind: Any) -> None:
    """400 ``malformed`` naming the first field of *body* that does not fit *kind*."""
    try:
        check(body, kind, "body")
    except SchemaError as exc:
        raise Refusal(400, "malformed", str(exc)) from None


def limits_of(policy: Policy) -> dict[str, int]:
    """The value of every :class:`PolicyLimit` in *policy* (its defaults filled in)."""
    return {limit.path: policy.figure(limit.path)
            for limit in (_TEXT_LIMIT, _NOTE_LIMIT, _NAME_LIMIT, _AMOUNT_LIMIT)}


# The defaults are the policy's own (domain.policy), for a document that lacks the figure.
_TEXT_LIMIT = PolicyLimit("intake.max_text_chars", IntakeLimits.max_text_chars)
_NOTE_LIMIT = PolicyLimit("intake.max_note_chars", IntakeLimits.max_note_chars)
_NAME_LIMIT = PolicyLimit("intake.max_name_chars", IntakeLimits.max_name_chars)
_AMOUNT_LIMIT = PolicyLimit("compensation.max_amount_fen", DEFAULT_MAX_AMOUNT_FEN)

NoteText = Annotated[str, Text(0, MAX_TEXT_CHARS), _NOTE_LIMIT]
FilledNote = Annotated[str, Text(1, MAX_TEXT_CHARS, NONBLANK_RE), _NOTE_LIMIT]
ComplaintText = Annotated[str, Text(1, MAX_TEXT_CHARS, NONBLANK_RE), _TEXT_LIMIT]
PersonName = Annotated[str, Text(1, MAX_TEXT_CHARS, NONBLANK_RE), _NAME_LIMIT]
# Digits, an optional +86/0086, and the separators people type: "138-1234-5678".
_SEP = "[-() （）]*"
PHONE_RE = regex(f"^{_SEP}(\\+{_SEP}8{_SEP}6|0{_SEP}0{_SEP}8{_SEP}6)?({_SEP}[0-9]){{5,20}}"
                 f"{_SEP}$")
Phone = Annotated[str, Text(1, 40, PHONE_RE)]

HQ_TARGETS = ("accepted", "rectifying", "reviewing", "accountability", "closed")

StatusChange = TypedDict("StatusChange", {
    "from": State,
    "to": Literal["accepted", "rectifying", "reviewing", "accountability", "closed"],
    "note": NotRequired[NoteText],
})
StatusChange.__doc__ = ("A status change by headquarters; `from` is the state HQ saw (a "
                        "different current state makes a conflict, never a loss)")


class NoteRequest(TypedDict):
    """A note by headquarters (1 to the policy's max_note_chars characters)."""

    text: FilledNote


class ApproveDecision(TypedDict):
    """Headquarters approves a pending compensation (`reason`: its own words, optional)."""

    decision: Literal["approved"]
    reason: NotRequired[NoteText]


class RefuseDecision(TypedDict):
    """Headquarters refuses a pending compensation; `reason` is required."""

    decision: Literal["refused"]
    reason: FilledNote


DecisionRequest = ApproveDecision | RefuseDecision


class ActionResponse(TypedDict):
    """The central event an action produced."""

    event_id: str
    server_seq: int


class PartyRequest(TypedDict, total=False):
    """The customer of a channel complaint."""

    name: PersonName
    phone: Phone


class ProductRequest(TypedDict, total=False):
    """The product a channel complaint is about."""

    name: Annotated[str, Text(1, 100, NONBLANK_RE)]
    sku: Annotated[str, Text(1, 40, NONBLANK_RE)]


class ChannelTicketRequest(TypedDict):
    """A complaint from another channel; `external_id` makes it idempotent per store."""

    store_code: Code
    channel: Literal["hotline", "qr", "online", "douyin"]
    text: ComplaintText
    customer: NotRequired[PartyRequest]
    product: NotRequired[ProductRequest]
    amount_paid_fen: NotRequired[Annotated[int, Num(0, MAX_FEN), _AMOUNT_LIMIT]]
    external_id: Annotated[str, Text(1, 128, NONBLANK_RE)]


class ChannelTicketResponse(TypedDict):
    """The ticket made (201) or already made for this external id (200)."""

    ticket_id: str
    number: str
    verify_code: str
    level: int
    server_seq: int


class PolicyResponse(TypedDict):
    """The newest published policy document."""

    version: str
    document: dict[str, Any]


class TicketList(TypedDict):
    """A store's tickets as the centre folds them (newest first); `unreadable` names the
    tickets whose events the centre holds but cannot fold."""

    tickets: list[dict[str, Any]]
    unreadable: list[str]


class TicketDetail(TypedDict):
    """One ticket (with its compensation lines) and its events in fold order."""

    ticket: dict[str, Any]
    events: list[protocol.WireEvent]
