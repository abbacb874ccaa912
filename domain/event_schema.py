"""The shape of every event, one definition for the desk and the centre.

Pure Python (no SQLite, HTTP or Qt): the centre checks each pushed event with it before
it commits (``sync.server.storage``), the desk checks what it records
(``local_db.store.record_event``) and every event it pulls (``local_db.sync_state``).

A payload type is a ``TypedDict`` per event type and schema version (:data:`PAYLOADS`);
``Annotated`` metadata adds the limits a type alone cannot say (:class:`Text`,
:class:`Num`, :data:`OPEN`). :func:`check_payload` walks those definitions, so the rule
and its documentation are the same text. A dict is closed (unknown keys refused) unless
marked :data:`OPEN`: the triage result and its reasons are, because the triage engine
gains optional keys between releases and an older centre must not refuse them.

Limits here are absolute sanity bounds, not policy: a policy may lower them for intake
(``domain.policy`` refuses one that would raise them above what an event may carry).
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal, NotRequired, TypedDict, Union

EVENT_SCHEMA_VERSION = 1

# --- limits -------------------------------------------------------------------------

MAX_FEN = 10**11  # a billion yuan: no real amount; stays exact in any JSON reader
MAX_TEXT_CHARS = 20_000  # a complaint or note (the policy's intake limit is lower)
MAX_NAME_CHARS = 200
MAX_WORD_CHARS = 64  # codes, kinds, categories, staff ids
MAX_PAYLOAD_BYTES = 128 * 1024
MAX_LIST = 500
MAX_EXTRA_DEPTH = 8  # nesting of values under an OPEN dict's unknown keys
MAX_ACTOR_CHARS = 128
MAX_DEVICE_CHARS = 64  # the centre's devices table
MAX_POLICY_VERSION_CHARS = 64
# Times and clocks outside these years are typing or clock errors, whatever the skew.
MIN_YEAR, MAX_YEAR = 2000, 2099


def regex(pattern: str) -> re.Pattern[str]:
    """*pattern* (a JSON Schema ``pattern``: ECMA syntax, searched, not anchored) compiled
    so Python finds exactly what a JSON Schema validator finds: a final ``$`` must not
    match before a trailing newline, as it does in Python. Patterns use ``[0-9]``, never
    ``\\d`` (which in Python also matches other scripts' digits)."""
    python = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
    return re.compile(python)


def ecma(pattern: re.Pattern[str]) -> str:
    """The JSON Schema text of a pattern made by :func:`regex`."""
    text = pattern.pattern
    return text[:-2] + "$" if text.endswith(r"\Z") else text


CODE_RE = regex(r"^[A-Z0-9]{1,8}$")
UUID_RE = regex(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HASH_RE = regex(r"^[0-9a-f]{64}$")
TIME_RE = regex(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$")
DAY_RE = regex(r"^[0-9]{8}$")
# ``domain.hlc.HLC.encode``: fixed width so text order is clock order.
HLC_RE = regex(r"^([0-9]{15})\.([0-9]{5})$")
NUMBER_RE = regex(r"^([A-Z0-9]{1,8})-([A-Z0-9]{1,8})-([0-9]{8})-([0-9]{4,6})$")
VERIFY_CODE_RE = regex(r"^[0-9]{6}$")
# Text that is more than spaces and control characters: what is left after
# ``clean_text`` strips it (Python's str.isspace set and the Cc category, spelled out so
# a JSON Schema validator reads the same class).
NONBLANK_RE = regex("[^\t\n\x0b\x0c\r \x00-\x1f\x7f-\x9f\xa0\u1680\u2000-\u200a"
                    "\u2028\u2029\u202f\u205f\u3000]")

STATES = ("accepted", "rectifying", "reviewing", "accountability", "closed", "rated",
          "merged", "voided")


# --- constraint markers ---------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A string of *min*..*max* characters, optionally matching *pattern*."""

    min: int = 0
    max: int = MAX_TEXT_CHARS
    pattern: re.Pattern[str] | None = None
    time: bool = False  # also a real moment (``format_time`` text)


@dataclass(frozen=True)
class Num:
    """An integer (never a bool) in *ge*..*le*."""

    ge: int = 0
    le: int = MAX_FEN


@dataclass(frozen=True)
class Items:
    """A list of *min*..*max* items."""

    min: int = 0
    max: int = MAX_LIST


@dataclass(frozen=True)
class _Open:
    """Marks a dict that may carry keys this schema does not name."""


OPEN = _Open()

Word = Annotated[str, Text(1, MAX_WORD_CHARS)]
Name = Annotated[str, Text(0, MAX_NAME_CHARS)]
Body = Annotated[str, Text(1, MAX_TEXT_CHARS)]
Note = Annotated[str, Text(0, MAX_TEXT_CHARS)]
Code = Annotated[str, Text(1, 8, CODE_RE)]
Uuid = Annotated[str, Text(36, 36, UUID_RE)]
Time = Annotated[str, Text(1, 32, TIME_RE, time=True)]
Day = Annotated[str, Text(8, 8, DAY_RE)]
Fen = Annotated[int, Num(0, MAX_FEN)]
State = Literal["accepted", "rectifying", "reviewing", "accountability", "closed", "rated",
                "merged", "voided"]
Level = Annotated[int, Num(1, 3)]
Minutes = Annotated[int, Num(1, 366 * 24 * 60)]
Count = Annotated[int, Num(0, 10**9)]


# --- payloads of schema version 1 -------------------------------------------------------


class ReasonEntry(TypedDict):
    """Why the triage decided as it did (one rule that fired)."""

    rule: Word
    detail: Note


class TriageResult(TypedDict):
    """The automatic triage stored with a new ticket (``domain.triage.TriageResult``)."""

    category: Word
    subcategory: Word
    level: Level
    flags: list[Word]
    department: NotRequired[Annotated[str, Text(0, MAX_WORD_CHARS)]]
    departments: list[Word]
    respond_within_minutes: Minutes
    reasons: list[Annotated[ReasonEntry, OPEN]]


class Customer(TypedDict, total=False):
    """Who complained (all optional)."""

    name: Name | None
    phone: Annotated[str, Text(0, 32)] | None
    member_tier: Word | None


class Product(TypedDict, total=False):
    """What the complaint is about (all optional)."""

    name: Name | None
    sku: Annotated[str, Text(0, MAX_WORD_CHARS)] | None


class DuplicateCandidate(TypedDict):
    """An earlier ticket the desk offered as a possible duplicate."""

    id: Uuid
    number: Annotated[str, Text(1, 64)]
    reason: Word
    similarity: float


class TicketCreated(TypedDict):
    """A new complaint; the only event that may open a ticket."""

    number: Annotated[str, Text(1, 64, NUMBER_RE)]
    store_code: Code
    desk_code: Code
    channel: Word
    text: Body
    customer: NotRequired[Customer | None]
    customers: NotRequired[Annotated[int, Num(1, 100_000)]]
    product: NotRequired[Product | None]
    amount_paid_fen: NotRequired[Fen | None]
    triage: Annotated[TriageResult, OPEN]
    due_at: Time
    duplicate_candidates: NotRequired[list[DuplicateCandidate]]
    # Saved by desks since the progress page; older tickets have none.
    verify_code: NotRequired[Annotated[str, Text(6, 6, VERIFY_CODE_RE)]]
    external_id: NotRequired[Annotated[str, Text(1, 128)]]  # channel tickets
    handler: NotRequired[Word | None]


class Previous(TypedDict):
    """The triage a correction replaced."""

    category: Word
    subcategory: Word
    level: Level


class Triaged(TypedDict):
    """A new triage: a correction by staff or a raise by the group rule."""

    category: Word
    subcategory: Word
    level: Level
    flags: list[Word]
    departments: list[Word]
    respond_within_minutes: Minutes
    due_at: Time
    reasons: NotRequired[list[Annotated[ReasonEntry, OPEN]]]
    why: NotRequired[Word]
    automatic: NotRequired[bool]
    previous: NotRequired[Previous]


class NotificationRaised(TypedDict):
    """Who must be told at once (a level-1 ticket)."""

    to: list[Word]
    reason: Word


class Assigned(TypedDict):
    """The ticket's handler."""

    handler: Word


class NoteAdded(TypedDict):
    """An append-only note."""

    text: Body


class CustomerContacted(TypedDict):
    """A contact with the customer."""

    method: Word
    text: Body


class Accountability(TypedDict):
    """The outcome recorded when leaving 奖惩."""

    outcome: Literal["reward", "penalty", "none"]
    subject: Name
    note: Note


# "from" is a keyword, hence the functional form.
StatusChanged = TypedDict("StatusChanged", {
    "from": State,
    "to": State,
    "note": NotRequired[Note],
    "accountability": NotRequired[Accountability],
    "review": NotRequired[Literal["passed", "returned"]],
    "reopen": NotRequired[bool],
    # Closed at first contact (受理 → 完结, skipping 整改 → 复核 → 奖惩): the note says
    # what settled it.
    "first_contact": NotRequired[bool],
})
StatusChanged.__doc__ = "A step of the closed loop (or headquarters' override of it)."


class Escalated(TypedDict):
    """One step up the escalation ladder."""

    step: Annotated[int, Num(1, 100)]
    to: Word
    overdue_minutes: NotRequired[Annotated[int, Num(-(10**9), 10**9)]]


class Rated(TypedDict):
    """The customer's satisfaction."""

    score: Annotated[int, Num(1, 5)]
    comment: NotRequired[Note]


Merged = TypedDict("Merged", {
    "into": Uuid,
    "into_number": NotRequired[Annotated[str, Text(1, 64)]],
    "from": NotRequired[State],
    "note": NotRequired[Note],
})
Merged.__doc__ = "Merged into another ticket (a duplicate)."

Voided = TypedDict("Voided", {"from": NotRequired[State], "note": NotRequired[Note]})
Voided.__doc__ = "Entered in error; nothing is deleted."


class ConflictResolved(TypedDict):
    """A person settled a status conflict."""

    status: State
    note: NotRequired[Note]


class CompensationLine(TypedDict):
    """A compensation granted, requested for approval or refused."""

    compensation_id: Uuid
    kind: Word
    amount_fen: Fen
    requester_role: Word
    approved_by: NotRequired[Word | None]
    approval_level: NotRequired[Literal["manager", "hq"] | None]
    customer_phone: NotRequired[Annotated[str, Text(0, 32)] | None]
    reason: Word
    reason_params: NotRequired[dict[str, Note]]
    store_day: Day
    note: NotRequired[Note]


class CompensationDecided(TypedDict):
    """A decision on a compensation that waited for approval."""

    compensation_id: Uuid
    decision: Literal["approved", "refused"]
    reason: Word
    note: NotRequired[Note]


class AlertAcknowledged(TypedDict):
    """Someone saw an alert."""

    alert: Word


class ReceiptPrinted(TypedDict):
    """A receipt reached the printer (or was drawn by ``kesu receipt``)."""

    kind: Word
    format: Word
    reprint: bool
    copy_no: Annotated[int, Num(1, 10_000)]
    printer: NotRequired[Annotated[str, Text(0, 512)]]
    compensation_id: NotRequired[Uuid]


PAYLOADS: dict[int, dict[str, Any]] = {
    1: {
        "ticket_created": TicketCreated,
        "triaged": Annotated[Triaged, OPEN],
        "notification_raised": NotificationRaised,
        "assigned": Assigned,
        "note_added": NoteAdded,
        "customer_contacted": CustomerContacted,
        "status_changed": StatusChanged,
        "escalated": Escalated,
        "rated": Rated,
        "merged": Merged,
        "voided": Voided,
        "conflict_resolved": ConflictResolved,
        "compensation_granted": CompensationLine,
        "compensation_requested": CompensationLine,
        "compensation_refused": CompensationLine,
        "compensation_decided": CompensationDecided,
        "alert_acknowledged": AlertAcknowledged,
        "receipt_printed": ReceiptPrinted,
    },
}
SUPPORTED_SCHEMAS = frozenset(PAYLOADS)


# --- checking -----------------------------------------------------------------------------


class SchemaError(ValueError):
    """A value that does not fit the schema; ``path`` says where (``payload.text``)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason

    def under(self, prefix: str) -> SchemaError:
        """The same problem one level up: *prefix* (``.key``, ``[3]``) before the path."""
        return SchemaError(prefix + self.path, self.reason)


class InvalidEvent(ValueError):
    """An event that no desk or centre may store; ``reason`` names the problem."""

    def __init__(self, event_id: str, reason: str) -> None:
        super().__init__(f"event {event_id}: {reason}")
        self.event_id, self.reason = event_id, reason


@cache
def _hints(kind: type) -> tuple[dict[str, Any], frozenset[str]]:
    """(field → hint, required fields) of a TypedDict, NotRequired read from the hints."""
    hints = typing.get_type_hints(kind, include_extras=True)
    fields: dict[str, Any] = {}
    required: set[str] = set()
    for key, hint in hints.items():
        if typing.get_origin(hint) is NotRequired:
            fields[key] = typing.get_args(hint)[0]
        else:
            fields[key] = hint
            if kind.__total__:  # type: ignore[attr-defined]
                required.add(key)
    return fields, frozenset(required)


def _is_typeddict(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, dict) and hasattr(kind, "__total__")


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(value: str, rule: Text, path: str) -> None:
    if not rule.min <= len(value) <= rule.max:
        raise SchemaError(path, f"length {len(value)} not within {rule.min}..{rule.max}")
    if not value.isascii() and _SURROGATE.search(value):
        raise SchemaError(path, "contains a lone surrogate")
    if rule.pattern is not None and not rule.pattern.search(value):
        raise SchemaError(path, f"does not match {rule.pattern.pattern}")
    if rule.time:
        check_time(value, path)


def check_time(value: str, path: str = "time") -> datetime:
    """A stored time: ``YYYY-MM-DDTHH:MM:SS.mmmZ`` of a real moment in a sane year."""
    if not TIME_RE.search(value):
        raise SchemaError(path, "not a UTC time like 2026-11-22T02:00:00.000Z")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SchemaError(path, "not a real date and time") from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise SchemaError(path, f"year {moment.year} outside {MIN_YEAR}..{MAX_YEAR}")
    return moment


def _check_extra(value: Any, path: str, depth: int = 0) -> None:
    """Any JSON value of bounded depth and size (unknown keys of an OPEN dict)."""
    if depth > MAX_EXTRA_DEPTH:
        raise SchemaError(path, "nested too deeply")
    if isinstance(value, str):
        _check_text(value, Text(0, MAX_TEXT_CHARS), path)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise SchemaError(path, "not a finite number")
    elif isinstance(value, list):
        if len(value) > MAX_LIST:
            raise SchemaError(path, f"more than {MAX_LIST} items")
        for i, item in enumerate(value):
            _check_extra(item, f"{path}[{i}]", depth + 1)
    elif isinstance(value, dict):
        if len(value) > MAX_LIST:
            raise SchemaError(path, f"more than {MAX_LIST} keys")
        for key, item in value.items():
            _check_extra(item, f"{path}.{key}", depth + 1)
    elif not (value is None or isinstance(value, (bool, int))):
        raise SchemaError(path, f"unexpected {_type_name(value)}")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
        raise SchemaError(path, "integer out of range")


# A validator raises SchemaError with the path *below* the value it checks ("" for the
# value itself); each container adds its step on the way out. Building every field's
# path in advance cost more than the checks themselves on a 500-event push.
Validator = Callable[[Any], None]


def check(value: Any, hint: Any, path: str = "payload") -> None:
    """Raise :class:`SchemaError` unless *value* (parsed JSON) fits the type *hint*."""
    try:
        _validator(hint)(value)
    except SchemaError as exc:
        raise exc.under(path) from None


@cache
def _validator(hint: Any) -> Validator:
    """A function checking values against *hint*, built once per type: a push checks
    hundreds of payloads, and reading the type hints each time was most of the cost."""
    rules: tuple[Any, ...] = ()
    if typing.get_origin(hint) is Annotated:
        hint, *meta = typing.get_args(hint)
        rules = tuple(meta)
    if hint is Any:
        return lambda value: _check_extra(value, "")
    if _is_typeddict(hint):
        return _dict_validator(hint, OPEN in rules)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        return _union_validator(tuple(_validator(a) for a in args))
    if origin is Literal:
        return _literal_validator(args)
    if origin is list:
        bounds = next((r for r in rules if isinstance(r, Items)), Items())
        return _list_validator(_validator(args[0]), bounds)
    if origin is dict:
        return _map_validator(_validator(args[0]), _validator(args[1]))
    if hint is type(None):
        return _null
    if hint is bool:
        return _bool
    if hint is int:
        return _int_validator(tuple(r for r in rules if isinstance(r, Num)))
    if hint is float:
        return _float
    if hint is str:
        return _str_validator(tuple(r for r in rules if isinstance(r, Text)))
    raise TypeError(f"schema type {hint!r} is not supported")  # a bug in this module


def _dict_validator(kind: type, open_: bool) -> Validator:
    fields, required = _hints(kind)
    checks = {key: _validator(hint) for key, hint in fields.items()}

    def validate(value: Any) -> None:
        if not isinstance(value, dict):
            raise SchemaError("", f"expected an object, got {_type_name(value)}")
        if not required <= value.keys():
            raise SchemaError(f".{sorted(required - value.keys())[0]}", "missing")
        for key, item in value.items():
            field_check = checks.get(key)
            if field_check is not None:
                try:
                    field_check(item)
                except SchemaError as exc:
                    raise exc.under(f".{key}") from None
            elif open_:
                _check_extra(item, f".{key}")
            else:
                raise SchemaError(f".{key}", "unknown field")

    return validate


def _union_validator(options: tuple[Validator, ...]) -> Validator:
    def validate(value: Any) -> None:
        problems = []
        for option in options:
            try:
                option(value)
                return
            except SchemaError as exc:
                problems.append(exc.reason)
        raise SchemaError("", " or ".join(dict.fromkeys(problems)))

    return validate


def _literal_validator(allowed: tuple[Any, ...]) -> Validator:
    def validate(value: Any) -> None:
        if not any(value == a and type(value) is type(a) for a in allowed):
            raise SchemaError("", f"must be one of {', '.join(map(str, allowed))}")

    return validate


def _list_validator(item: Validator, bounds: Items) -> Validator:
    def validate(value: Any) -> None:
        if not isinstance(value, list):
            raise SchemaError("", f"expected a list, got {_type_name(value)}")
        if not bounds.min <= len(value) <= bounds.max:
            raise SchemaError("", f"{len(value)} items, not within {bounds.min}..{bounds.max}")
        for i, entry in enumerate(value):
            try:
                item(entry)
            except SchemaError as exc:
                raise exc.under(f"[{i}]") from None

    return validate


def _map_validator(key_check: Validator, item: Validator) -> Validator:
    def validate(value: Any) -> None:
        if not isinstance(value, dict):
            raise SchemaError("", f"expected an object, got {_type_name(value)}")
        if len(value) > MAX_LIST:
            raise SchemaError("", f"more than {MAX_LIST} keys")
        for key, entry in value.items():
            try:
                key_check(key)
            except SchemaError as exc:
                raise exc.under(" key") from None
            try:
                item(entry)
            except SchemaError as exc:
                raise exc.under(f".{key}") from None

    return validate


def _null(value: Any) -> None:
    if value is not None:
        raise SchemaError("", f"expected null, got {_type_name(value)}")


def _bool(value: Any) -> None:
    if not isinstance(value, bool):
        raise SchemaError("", f"expected true or false, got {_type_name(value)}")


def _int_validator(rules: tuple[Num, ...]) -> Validator:
    def validate(value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SchemaError("", f"expected an integer, got {_type_name(value)}")
        for rule in rules:
            if not rule.ge <= value <= rule.le:
                raise SchemaError("", f"{value} not within {rule.ge}..{rule.le}")

    return validate


def _float(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SchemaError("", f"expected a number, got {_type_name(value)}")
    if not math.isfinite(value) or abs(value) > 2**53:
        raise SchemaError("", "not a finite number")


def _str_validator(rules: tuple[Text, ...]) -> Validator:
    def validate(value: Any) -> None:
        if not isinstance(value, str):
            raise SchemaError("", f"expected text, got {_type_name(value)}")
        for rule in rules:
            _check_text(value, rule, "")

    return validate


def payload_type(event_type: str, schema_version: int) -> Any:
    """The payload TypedDict of *event_type* in *schema_version*; SchemaError if unknown."""
    types = PAYLOADS.get(schema_version)
    if types is None:
        raise SchemaError("schema_version", f"unknown event schema {schema_version}")
    kind = types.get(event_type)
    if kind is None:
        raise SchemaError("type", f"unknown event type {event_type[:64]!r}")
    return kind


def check_payload(event_type: str, payload: Any,
                  schema_version: int = EVENT_SCHEMA_VERSION) -> None:
    """Raise :class:`SchemaError` unless *payload* is a valid *event_type* payload."""
    check(payload, payload_type(event_type, schema_version))


# One encoder: json.dumps with options builds a new one per call.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_payload(payload: Mapping[str, Any]) -> str:
    """The one JSON text of a payload that is stored and hashed."""
    return _CANONICAL.encode(payload)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_payload(text: str) -> Any:
    """The payload *text* parsed strictly: no NaN/Infinity, bounded size and depth.

    Raises :class:`SchemaError` (never RecursionError or the integer-length ValueError).
    """
    if len(text) > MAX_PAYLOAD_BYTES or len(text.encode("utf-8", "surrogatepass")) > (
            MAX_PAYLOAD_BYTES):
        raise SchemaError("payload", f"larger than {MAX_PAYLOAD_BYTES} bytes")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise SchemaError("payload", "nested too deeply") from None
    except ValueError as exc:
        raise SchemaError("payload", f"not JSON: {str(exc)[:120]}") from None


_HLC_LOW = int(datetime(MIN_YEAR, 1, 1, tzinfo=UTC).timestamp() * 1000)
_HLC_HIGH = int(datetime(MAX_YEAR, 12, 31, tzinfo=UTC).timestamp() * 1000)


def hlc_parts(text: object) -> tuple[int, int] | None:
    """(wall ms, counter) of a well-formed hybrid-clock text in a sane year, else None."""
    if not isinstance(text, str):
        return None
    match = HLC_RE.search(text)
    if match is None:
        return None
    wall = int(match.group(1))
    # A zero wall is the clock's origin (tests and tools); anything else must be a date.
    if wall != 0 and not _HLC_LOW <= wall <= _HLC_HIGH:
        return None
    return wall, int(match.group(2))


def _text_field(event: Mapping[str, Any], name: str, rule: Text) -> None:
    value = event.get(name)
    if not isinstance(value, str):
        raise SchemaError(name, "missing or not text")
    _check_text(value, rule, name)


# The text fields of every event and their rules, built once.
_EVENT_TEXTS = (
    ("event_id", Text(36, 36, UUID_RE)),
    ("ticket_id", Text(36, 36, UUID_RE)),
    ("type", Text(1, MAX_WORD_CHARS)),
    ("actor", Text(1, MAX_ACTOR_CHARS)),
    ("device_id", Text(1, MAX_DEVICE_CHARS)),
    ("policy_version", Text(1, MAX_POLICY_VERSION_CHARS)),
    ("prev_hash", Text(64, 64, HASH_RE)),
    ("hash", Text(64, 64, HASH_RE)),
    ("occurred_at", Text(1, 32, TIME_RE, time=True)),
)


def check_event(event: Mapping[str, Any]) -> Any:
    """Check one whole event (wire or stored form, ``payload`` as JSON text).

    Ids, hashes, clock, time, sizes, schema version, and the payload against its type.
    Returns the parsed payload; raises :class:`InvalidEvent` naming the problem.
    """
    event_id = str(event.get("event_id"))[:64]
    try:
        for name, rule in _EVENT_TEXTS:
            _text_field(event, name, rule)
        if hlc_parts(event.get("hlc")) is None:
            raise SchemaError("hlc", "not a hybrid clock like 001795320000000.00000")
        seq = event.get("device_seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq < 2**62:
            raise SchemaError("device_seq", "not a positive integer")
        version = event.get("schema_version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise SchemaError("schema_version", "not an integer")
        kind = payload_type(str(event["type"]), version)
        text = event.get("payload")
        if not isinstance(text, str):
            raise SchemaError("payload", "not JSON text")
        payload = parse_payload(text)
        check(payload, kind)
        if canonical_payload(payload) != text:
            # Key order, spacing, duplicate keys: one text, one meaning, one hash.
            raise SchemaError("payload", "not in canonical form (sorted keys, no spaces)")
    except SchemaError as exc:
        raise InvalidEvent(event_id, str(exc)) from None
    return payload


def readable_payload(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The payload of *event* when the whole event is valid, else None (never raises)."""
    try:
        payload = check_event(event)
    except InvalidEvent:
        return None
    return payload if isinstance(payload, dict) else None
