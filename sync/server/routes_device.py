"""HTTP routes of the desks: enrol, status, push, re-offer, pull, policy.

Every route but ``/v1/enrol`` needs ``Authorization: Bearer <device token>``; a
headquarters token gets 403, an unknown token 401. Bodies are parsed and checked by
:mod:`sync.protocol` (not pydantic), so the wire format has one definition shared with
the desk. A push and a re-offer are one routine (:func:`_take_batch`): they differ only
in which chain the token may write and as whom.

Nothing here is per-process state that several server processes on one database could
disagree on: the epoch is read from the database on every answer. (The desk reports'
write throttle is per process, and only decides how often a row is refreshed.)

Status, push, re-offer and pull each record the desk's sign of life and its
``Kesu-Desk-Report`` (:mod:`sync.server.desk_reports`) right after the token is
checked; a missing or malformed report changes nothing in the answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from domain.event_schema import CODE_RE, MAX_DEVICE_CHARS
from sync import protocol
from sync.protocol import (
    DESK_REPORT_HEADER,
    MAX_PULL_LIMIT,
    PROTOCOL_VERSION,
    BatchInconsistent,
    ProtocolViolation,
    check_push,
)
from sync.server import enrolment, policy_store
from sync.server import openapi as doc
from sync.server.bodies import check_body
from sync.server.desk_reports import ReportBook
from sync.server.errors import Refusal
from sync.server.storage import (
    CENTRAL_DESK,
    CENTRAL_DEVICE_PREFIX,
    Storage,
    TokenInfo,
)
from sync.server.web import (
    MAX_SEQ,
    bearer,
    check_protocol,
    int_param,
    json_response,
    read_json,
)

_DEVICE: list[dict[str, list[str]]] = [{"deviceToken": []}]


@dataclass(frozen=True)
class _ChainRule:
    """Which chain a token may write with a batch, and as whom the batch is stored."""

    may_write: Callable[[TokenInfo, str], bool]  # (token, the batch's device id)
    refusal: str  # the 403 detail for another chain
    writer: Callable[[TokenInfo, str], TokenInfo]  # the pusher the storage checks against
    numbers: bool  # whether new tickets' numbers must be free (see Storage.push)


_PUSH = _ChainRule(
    may_write=lambda who, device: device == who.device_id,
    refusal="a token pushes only its own device's events",
    writer=lambda who, _device: who,
    numbers=True,
)
# The centre numbered re-offered tickets itself (desk code HQ); a clash with a number it
# gave out again after the restore keeps the first, as before the restore.
_REOFFER = _ChainRule(
    may_write=lambda who, device: device.startswith(f"{CENTRAL_DEVICE_PREFIX}:{who.store}:"),
    refusal="only central events of the desk's own store can be re-offered",
    writer=lambda who, device: replace(who, device_id=device, desk=CENTRAL_DESK),
    numbers=False,
)


def _batch(raw: object, may_push: Callable[[str], bool], refusal: str
           ) -> protocol.PushRequest:
    """The checked push body: 400 malformed, 403 for another device's chain, 422 for a
    well-formed batch that is not one device's consecutive run."""
    try:
        batch = check_push(raw)
    except BatchInconsistent as exc:
        assert isinstance(raw, dict)
        if not may_push(str(raw.get("device_id"))):
            raise Refusal(403, "wrong_device", refusal) from exc
        raise Refusal(422, "inconsistent_batch", str(exc)) from exc
    except ProtocolViolation as exc:
        raise Refusal(400, "malformed", str(exc)) from exc
    if not may_push(batch["device_id"]):
        raise Refusal(403, "wrong_device", refusal)
    return batch


def device_token(storage: Storage, request: Request) -> TokenInfo:
    """The device token of *request*: 401 when unknown or revoked, 403 for a
    headquarters token (every device route, here and in
    :mod:`sync.server.routes_scripts` and :mod:`sync.server.routes_alerts`)."""
    token = bearer(request)
    info = storage.authenticate(token) if token else None
    if info is None:
        if token and storage.authenticate_hq(token) is not None:
            raise Refusal(403, "forbidden", "a headquarters token does not sync")
        raise Refusal(401, "unauthorized", "unknown or revoked device token")
    return info


def device_router(storage: Storage) -> APIRouter:
    """The desks' routes on *storage*."""
    router = APIRouter(tags=["sync"])
    book = ReportBook(storage)

    def seen(request: Request, token: TokenInfo) -> None:
        """Record the desk's sign of life and its report (never fails the request)."""
        book.seen(token, protocol.parse_desk_report(request.headers.get(DESK_REPORT_HEADER)))

    def who(request: Request) -> TokenInfo:
        return device_token(storage, request)

    async def take_batch(request: Request, rule: _ChainRule) -> Response:
        """Check a batch against *rule* and commit it; answer the ack, the gap (409) or
        the refusal. Answered only after commit."""
        raw = await read_json(request)
        check_protocol(request, raw.get("protocol") if isinstance(raw, dict) else None)
        token = await run_in_threadpool(who, request)
        await run_in_threadpool(seen, request, token)
        batch = _batch(raw, lambda device: rule.may_write(token, device), rule.refusal)
        writer = rule.writer(token, batch["device_id"])
        # A Rejected batch is a Refusal (422) the app answers as it is.
        outcome = await run_in_threadpool(
            lambda: storage.push(writer, batch["first_seq"], batch["events"],
                                 numbers=rule.numbers))
        if outcome.expected is not None:
            raise Refusal(409, "gap", f"expected device_seq {outcome.expected}",
                          expected=outcome.expected)
        epoch = await run_in_threadpool(lambda: storage.epoch)
        return json_response({"acked_through": outcome.acked_through,
                              "inserted": outcome.inserted, "epoch": epoch})

    @router.post("/v1/enrol",
                 openapi_extra=doc.body(protocol.EnrolRequest),
                 responses=doc.answers(protocol.EnrolResponse, 400, 401, 409, 413, 426))
    async def enrol(request: Request) -> Response:
        """Trade a one-time enrolment code for a device token (shown once)."""
        body = await read_json(request)
        if not isinstance(body, dict):
            raise Refusal(400, "malformed", "body is not an object")
        check_protocol(request, body.get("protocol"))
        check_body(body, protocol.EnrolRequest)
        code, device_id = body.get("code"), body.get("device_id")
        if not isinstance(code, str) or not code or not isinstance(device_id, str) \
                or not device_id or len(device_id) > MAX_DEVICE_CHARS or len(code) > 64:
            raise Refusal(400, "malformed", "code and device_id are required "
                                            f"(device_id at most {MAX_DEVICE_CHARS} characters)")
        said: dict[str, str | None] = {"store_code": None, "desk_code": None}
        for key in said:
            value = body.get(key)
            if value is None and key not in body:
                continue
            if not isinstance(value, str) or not CODE_RE.search(value):
                raise Refusal(400, "malformed", f"{key}: 1-8 capital letters or digits")
            said[key] = value
        # An EnrolRefusal is a Refusal the app answers as it is.
        token, info = await run_in_threadpool(lambda: enrolment.enrol(
            storage, code, device_id, store=said["store_code"], desk=said["desk_code"]))
        epoch = await run_in_threadpool(lambda: storage.epoch)
        return json_response({"token": token, "store_code": info.store, "desk_code": info.desk,
                              "device_id": info.device_id, "epoch": epoch})

    @router.get("/v1/status", openapi_extra={"security": _DEVICE,
                                             "parameters": [doc.DESK_REPORT_PARAMETER]},
                responses=doc.answers(protocol.StatusResponse, 401, 403, 426))
    def status(request: Request) -> Response:
        """What the server holds of this device and its store."""
        check_protocol(request)
        token = who(request)
        seen(request, token)
        st = storage.status(token)
        return json_response({"protocol": PROTOCOL_VERSION, "epoch": st.epoch,
                              "store_code": token.store, "desk_code": token.desk,
                              "device_id": token.device_id, "high_water": st.high_water,
                              "head": st.head, "central": st.central,
                              "policy_version": st.policy_version})

    @router.post("/v1/reoffer",
                 openapi_extra={**doc.body(protocol.PushRequest), "security": _DEVICE,
                                "parameters": [doc.DESK_REPORT_PARAMETER]},
                 responses=doc.answers(protocol.PushResponse, 400, 401, 403, 409, 413, 422,
                                       426))
    async def reoffer(request: Request) -> Response:
        """Give back central events of the desk's store that a restored server lost.

        The same checks as a push (gapless sequence, chain, hashes, store) on one of
        the store's central chains. A desk gains nothing by it that it could not
        already do with its own events: its store's tickets are its to change.
        """
        return await take_batch(request, _REOFFER)

    @router.post("/v1/push",
                 openapi_extra={**doc.body(protocol.PushRequest), "security": _DEVICE,
                                "parameters": [doc.DESK_REPORT_PARAMETER]},
                 responses=doc.answers(protocol.PushResponse, 400, 401, 403, 409, 413, 422,
                                       426))
    async def push(request: Request) -> Response:
        """Store a batch of the device's events; answered only after commit."""
        return await take_batch(request, _PUSH)

    @router.get("/v1/pull",
                openapi_extra={"security": _DEVICE, "parameters": doc.PULL_PARAMETERS},
                responses=doc.answers(protocol.PullResponse, 400, 401, 403, 426))
    def pull(request: Request) -> Response:
        """The store's events with server_seq above *since*, in order, a page at a time."""
        check_protocol(request)
        token = who(request)
        seen(request, token)
        since = int_param(request, "since", 0, 0, MAX_SEQ)
        limit = int_param(request, "limit", 500, 1, MAX_PULL_LIMIT)
        rows, more = storage.pull(token, since, limit)
        cursor = rows[-1]["server_seq"] if rows else since
        return json_response({"events": rows, "cursor": cursor, "epoch": storage.epoch,
                              "more": more})

    @router.get("/v1/policy", openapi_extra={"security": _DEVICE},
                responses={**doc.answers(doc.PolicyResponse, 401, 403, 426),
                           204: {"description": "No policy was published yet"}})
    def policy(request: Request) -> Response:
        """The newest policy document headquarters published (204 when none)."""
        check_protocol(request)
        who(request)
        with storage.engine.connect() as conn:
            newest = policy_store.newest_document(conn)
        if newest is None:
            return Response(status_code=204)
        return json_response({"version": newest[0], "document": json.loads(newest[1])})

    return router
