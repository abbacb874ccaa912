"""The sync wire protocol: what the desk and the central server say to each other.

Pure Python (no Qt, no HTTP library) so the desk engine, the reference server and tests
share one definition. All bodies are JSON objects.

Endpoints (every request carries the header :data:`PROTOCOL_HEADER`; all but enrol also
``Authorization: Bearer <device token>``):

* ``POST /v1/enrol``  :class:`EnrolRequest` → :class:`EnrolResponse`; 401 for an
  unknown, used or expired code, 409 when the code is for another store or desk, the
  device is bound elsewhere or the desk is enrolled on another device
* ``GET  /v1/status`` → :class:`StatusResponse`
* ``POST /v1/push``   :class:`PushRequest` → :class:`PushResponse`; 409 with
  :class:`ErrorBody` (``error="gap"`` and ``expected``) when the batch does not start
  right after the server's high-water mark for the device.
* ``GET  /v1/pull?since=CURSOR&limit=N`` → :class:`PullResponse`
* ``POST /v1/reoffer`` :class:`PushRequest` of one of the store's central chains →
  :class:`PushResponse`: a desk handing back headquarters' events a restored server lost.

Status, push, pull and re-offer may also carry the header :data:`DESK_REPORT_HEADER`:
a compact JSON :class:`DeskReport` (the desk's app version, the policy version it runs,
events waiting in its outbox, open dead letters) that the centre keeps per device for
the console. A missing or malformed report never fails the request it rides on.

Errors come as :class:`ErrorBody` with 400 (malformed), 401 (unknown token), 403
(another store or device), 409 (gap), 422 (rejected events: broken chain, bad hash,
foreign ticket), 426 (protocol version mismatch: update required).

An event's ``payload`` travels as the exact JSON *text* the desk stored and hashed, so
the hash chain stays verifiable byte for byte on the server and on every other desk.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any, Final, Literal, NotRequired, TypedDict

from domain.event_schema import (
    HASH_RE,
    HLC_RE,
    MAX_ACTOR_CHARS,
    MAX_DEVICE_CHARS,
    MAX_POLICY_VERSION_CHARS,
    MAX_WORD_CHARS,
    Code,
    Items,
    Num,
    Text,
    Time,
    Uuid,
)
from domain.events import EVENT_FIELDS

PROTOCOL_VERSION: Final = 1
PROTOCOL_HEADER = "Kesu-Protocol"
DESK_REPORT_HEADER = "Kesu-Desk-Report"
# A report is a few fields; anything longer is not one (and is not parsed).
MAX_DESK_REPORT_CHARS = 512
MAX_APP_VERSION_CHARS = 64
MAX_PUSH_BATCH = 500
MAX_PULL_LIMIT = 1000

# Field name → type every wire event must have (server_seq only on the way back).
WIRE_FIELD_TYPES: dict[str, type] = {
    name: int if name in ("device_seq", "schema_version") else str
    for name in EVENT_FIELDS if name != "server_seq"
}


# Bounds the wire types say (the documents and the checks read the same annotations).
DeviceId = Annotated[str, Text(1, MAX_DEVICE_CHARS)]
Seq = Annotated[int, Num(1, 2**62)]
Hash = Annotated[str, Text(64, 64, HASH_RE)]
Protocol = Literal[1]


class WireEvent(TypedDict):
    """One event as it travels; ``payload`` is the stored canonical JSON text.

    What ``payload`` holds for each ``type`` is :mod:`domain.event_schema`'s.
    """

    event_id: Uuid
    ticket_id: Uuid
    type: Annotated[str, Text(1, MAX_WORD_CHARS)]
    payload: Annotated[str, Text(2, 128 * 1024)]
    actor: Annotated[str, Text(1, MAX_ACTOR_CHARS)]
    device_id: DeviceId
    device_seq: Seq
    hlc: Annotated[str, Text(21, 21, HLC_RE)]
    occurred_at: Time
    policy_version: Annotated[str, Text(1, MAX_POLICY_VERSION_CHARS)]
    schema_version: Annotated[int, Num(1, 1000)]
    prev_hash: Hash
    hash: Hash
    server_seq: NotRequired[Annotated[int, Num(1, 2**63 - 1)]]


class EnrolRequest(TypedDict):
    """A desk trading its one-time code for a device token.

    ``store_code`` and ``desk_code`` say what the desk is: a code for another store or
    desk is refused (409 ``wrong_store``/``wrong_desk``) without being used up.
    """

    protocol: Protocol
    code: Annotated[str, Text(1, 64)]
    device_id: DeviceId
    store_code: NotRequired[Code]
    desk_code: NotRequired[Code]


class EnrolResponse(TypedDict):
    """The device token (shown once) and what it is bound to."""

    token: str
    store_code: str
    desk_code: str
    device_id: str
    epoch: str


class StatusResponse(TypedDict):
    """What the server holds for this token's device and store."""

    protocol: int
    epoch: str
    store_code: str
    desk_code: str
    device_id: str
    high_water: int  # highest device_seq stored for the device (0: none)
    head: int  # highest server_seq of the store (0: none)
    # High-water device_seq of each of the store's central chains: a desk holding more
    # of one (the server was restored from a backup) re-offers the rest.
    central: NotRequired[dict[str, int]]
    # The newest policy version headquarters published (None: none); the desk fetches
    # ``GET /v1/policy`` only when it differs from the one it runs.
    policy_version: NotRequired[str | None]


class PushRequest(TypedDict):
    """An ordered batch of one device's events, consecutive device_seq from first_seq."""

    protocol: Protocol
    device_id: DeviceId
    first_seq: Seq
    events: Annotated[list[WireEvent], Items(1, MAX_PUSH_BATCH)]


class PushResponse(TypedDict):
    """Sent only after the batch is committed."""

    acked_through: int
    inserted: int
    epoch: str


class PullResponse(TypedDict):
    """A page of the store's events with server_seq above ``since``, in order."""

    events: list[WireEvent]
    cursor: int
    epoch: str
    more: bool


class ErrorBody(TypedDict):
    """Any refusal. ``expected`` accompanies ``error == "gap"``; ``store_code`` and
    ``desk_code`` (what an enrolment code is for) ``wrong_store`` and ``wrong_desk``."""

    error: str
    detail: str
    expected: NotRequired[int]
    store_code: NotRequired[str]
    desk_code: NotRequired[str]


class ProtocolViolation(ValueError):
    """A body that does not follow this protocol (answered with 400)."""


class BatchInconsistent(ProtocolViolation):
    """A well-formed push whose events do not make one device's consecutive run (the
    server answers 422 ``inconsistent_batch``, after checking the device is the token's)."""


@lru_cache(maxsize=4096)
def payload_object(text: str) -> Any:
    """The parsed payload *text*, shared by the server's checks of one push.

    Cached because a push's chain check, number index and notification pick each read
    the same ``ticket_created`` payloads. Callers must not modify the result.
    """
    return json.loads(text)


def check_event(raw: object, *, closed: bool = False) -> WireEvent:
    """Validate the shape of one wire event; raise :class:`ProtocolViolation` if wrong.

    *closed* (the server, reading a push) also refuses fields the protocol does not
    name; a desk reading a pull ignores them (a newer server may add some).
    """
    if not isinstance(raw, dict):
        raise ProtocolViolation("event is not an object")
    for name, kind in WIRE_FIELD_TYPES.items():
        value = raw.get(name)
        # bool is an int subclass; a true/false seq is still malformed.
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ProtocolViolation(f"event field {name!r} missing or not {kind.__name__}")
    extra = set(raw) - set(WIRE_FIELD_TYPES) - {"server_seq"}
    if extra and closed:
        raise ProtocolViolation(f"unknown event field {sorted(extra)[0]!r}")
    event: WireEvent = {name: raw[name] for name in WIRE_FIELD_TYPES}  # type: ignore[assignment]
    return event


def check_push(raw: object) -> PushRequest:
    """Validate a push body: shape, one device, consecutive device_seq from first_seq."""
    if not isinstance(raw, dict):
        raise ProtocolViolation("body is not an object")
    device_id, first_seq, events = raw.get("device_id"), raw.get("first_seq"), raw.get("events")
    if not isinstance(device_id, str) or not device_id or len(device_id) > MAX_DEVICE_CHARS:
        raise ProtocolViolation(f"device_id: 1 to {MAX_DEVICE_CHARS} characters")
    if not isinstance(first_seq, int) or isinstance(first_seq, bool) or not (
            1 <= first_seq <= 2**62):
        raise ProtocolViolation("first_seq must be a positive integer")
    if not isinstance(events, list) or not events:
        raise ProtocolViolation("events must be a non-empty list")
    if len(events) > MAX_PUSH_BATCH:
        raise ProtocolViolation(f"at most {MAX_PUSH_BATCH} events per push")
    extra = set(raw) - {"protocol", "device_id", "first_seq", "events"}
    if extra:
        raise ProtocolViolation(f"unknown field {sorted(extra)[0]!r}")
    checked = [check_event(e, closed=True) for e in events]
    for i, event in enumerate(checked):
        if event["device_id"] != device_id:
            raise BatchInconsistent("all events of a push come from the pushing device")
        if event["device_seq"] != first_seq + i:
            raise BatchInconsistent("device_seq must be consecutive from first_seq")
    return {"protocol": PROTOCOL_VERSION, "device_id": device_id,
            "first_seq": first_seq, "events": checked}


def check_pull(raw: object) -> PullResponse:
    """Validate a pull page (desk side)."""
    if not isinstance(raw, dict):
        raise ProtocolViolation("body is not an object")
    events, cursor, epoch = raw.get("events"), raw.get("cursor"), raw.get("epoch")
    if not isinstance(events, list) or not isinstance(cursor, int) or not isinstance(epoch, str):
        raise ProtocolViolation("pull page needs events, cursor and epoch")
    checked: list[WireEvent] = []
    for e in events:
        event = check_event(e)
        seq = e.get("server_seq") if isinstance(e, dict) else None
        if not isinstance(seq, int):
            raise ProtocolViolation("pulled event without server_seq")
        event["server_seq"] = seq
        checked.append(event)
    return {"events": checked, "cursor": cursor, "epoch": epoch, "more": bool(raw.get("more"))}


class DeskReport(TypedDict):
    """What a desk tells the centre about itself with each request (header
    :data:`DESK_REPORT_HEADER`). ``policy_version`` is None before any policy is known."""

    app_version: Annotated[str, Text(1, MAX_APP_VERSION_CHARS)]
    policy_version: Annotated[str, Text(1, MAX_POLICY_VERSION_CHARS)] | None
    outbox: Annotated[int, Num(0, 2**62)]  # own events the server has not acknowledged
    dead_letters: Annotated[int, Num(0, 2**31 - 1)]  # refused batches still open


def encode_desk_report(report: DeskReport) -> str:
    """The header value of *report*: compact JSON, ASCII only (HTTP headers are latin-1;
    a policy version may be Chinese)."""
    return json.dumps(report, ensure_ascii=True, separators=(",", ":"))


def _count(value: object, top: int) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= top:
        return value
    return None


def _printable(value: object, most: int) -> bool:
    return (isinstance(value, str) and 0 < len(value) <= most and value.isprintable()
            and value == value.strip())


def parse_desk_report(text: str | None) -> DeskReport | None:
    """The report in header value *text*, or None when there is none or it is not one.

    Strict: every field present with its type and bounds, or the whole report is
    ignored (never half of it). Fields it does not name are ignored, so a newer desk may
    report more.
    """
    if not text or len(text) > MAX_DESK_REPORT_CHARS:
        return None
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if not isinstance(raw, dict) or "policy_version" not in raw:
        return None
    app, policy = raw.get("app_version"), raw["policy_version"]
    outbox = _count(raw.get("outbox"), 2**62)
    dead = _count(raw.get("dead_letters"), 2**31 - 1)
    if not _printable(app, MAX_APP_VERSION_CHARS) or outbox is None or dead is None:
        return None
    if policy is not None and not _printable(policy, MAX_POLICY_VERSION_CHARS):
        return None
    return {"app_version": str(app), "policy_version": None if policy is None else str(policy),
            "outbox": outbox, "dead_letters": dead}
