"""The HTTP face of the reference server: ``create_app(db_url)`` builds the FastAPI app.

Bodies are parsed and checked by :mod:`sync.protocol` (not pydantic) so the wire
format has one definition shared with the desk; answers are plain JSON. The device
routes (enrol, status, push, pull, policy) live here; headquarters and channel routes in
:mod:`sync.server.routes_hq`. ``/openapi.json`` and ``/docs`` describe every route
(:mod:`sync.server.openapi`).

Nothing here is per-process state that several server processes on one database could
disagree on: the epoch is read from the database, the test fault hook counts this
process's own pushes on purpose.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
from collections.abc import Callable
from dataclasses import replace

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.event_schema import CODE_RE, MAX_DEVICE_CHARS
from sync import protocol
from sync.protocol import (
    MAX_PULL_LIMIT,
    PROTOCOL_VERSION,
    BatchInconsistent,
    ProtocolViolation,
    check_push,
)
from sync.server import enrolment, notify, policy_store
from sync.server import openapi as doc
from sync.server.bodies import check_body, limits_of
from sync.server.central import ActionRefused
from sync.server.progress import progress_router
from sync.server.routes_hq import hq_router
from sync.server.storage import (
    CENTRAL_DESK,
    CENTRAL_DEVICE_PREFIX,
    Rejected,
    Storage,
    TokenInfo,
)
from sync.server.web import (
    MAX_SEQ,
    Refusal,
    bearer,
    check_protocol,
    int_param,
    json_response,
    read_json,
)

# Test-only fault hook: "die_after_commit:N" / "die_before_commit:N" SIGKILLs the
# server around the commit of the N-th push this process handles, to prove resends are
# exactly-once.
FAULT_ENV = "KESU_SERVER_FAULT"

# Kept for the fault hooks and tests that name them here.
_Refusal = Refusal
_json = json_response
_DEVICE: list[dict[str, list[str]]] = [{"deviceToken": []}]


def _limits(storage: Storage) -> dict[str, int]:
    with storage.engine.connect() as conn:
        return limits_of(policy_store.current(conn)[0])


def create_app(db_url: str, *, bench: bool = False, webhook: str | None = None) -> FastAPI:
    """The sync server on the database at *db_url* (created if missing).

    ``webhook``: a WeCom group-robot URL; when set, a worker thread posts the queued
    notifications there from start-up to shut-down (:mod:`sync.server.notify`).

    ``bench`` adds ``POST /v1/_echo`` (reads the body, answers 204) for measuring the
    HTTP stack alone.
    """
    storage = Storage(db_url)
    app = FastAPI(title="kesu-server", version=f"protocol {PROTOCOL_VERSION}",
                  description="Kesu central server: desk sync, headquarters actions, "
                              "channel tickets, policy documents. Every request carries "
                              "the header `Kesu-Protocol: 1`.",
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    app.state.storage = storage
    fault = os.environ.get(FAULT_ENV, "")
    fault_kind, _, fault_n = fault.partition(":")
    # itertools.count: atomic under the GIL, whichever thread handles the push.
    pushes = itertools.count(1)
    # Test-only (h4): "die_after_status:N" / "die_during_pull:N" SIGKILL the server after
    # the N-th status was read, or the N-th pull page was read, before either is answered.
    answered = {"die_after_status": itertools.count(1), "die_during_pull": itertools.count(1)}

    def _maybe_die(kind: str) -> None:
        if fault_kind == kind and str(next(answered[kind])) == fault_n:
            os.kill(os.getpid(), signal.SIGKILL)

    @app.exception_handler(Refusal)
    async def _refused(_request: Request, exc: Refusal) -> JSONResponse:
        return JSONResponse({"error": exc.error, "detail": exc.detail, **exc.extra},
                            status_code=exc.status)

    @app.exception_handler(ActionRefused)
    async def _action_refused(_request: Request, exc: ActionRefused) -> JSONResponse:
        return JSONResponse({"error": exc.error, "detail": exc.detail}, status_code=exc.status)

    def _who(request: Request) -> TokenInfo:
        token = bearer(request)
        info = storage.authenticate(token) if token else None
        if info is None:
            if token and storage.authenticate_hq(token) is not None:
                raise Refusal(403, "forbidden", "a headquarters token does not sync")
            raise Refusal(401, "unauthorized", "unknown or revoked device token")
        return info

    @app.post("/v1/enrol", tags=["sync"],
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
        try:
            token, info = await run_in_threadpool(lambda: enrolment.enrol(
                storage, code, device_id, store=said["store_code"], desk=said["desk_code"]))
        except enrolment.EnrolRefusal as exc:
            raise Refusal(exc.status, exc.error, exc.detail, **exc.extra) from exc
        epoch = await run_in_threadpool(lambda: storage.epoch)
        return json_response({"token": token, "store_code": info.store, "desk_code": info.desk,
                              "device_id": info.device_id, "epoch": epoch})

    @app.get("/v1/status", tags=["sync"], openapi_extra={"security": _DEVICE},
             responses=doc.answers(protocol.StatusResponse, 401, 403, 426))
    def status(request: Request) -> Response:
        """What the server holds of this device and its store."""
        check_protocol(request)
        who = _who(request)
        st = storage.status(who)
        _maybe_die("die_after_status")
        return json_response({"protocol": PROTOCOL_VERSION, "epoch": st.epoch,
                              "store_code": who.store, "desk_code": who.desk,
                              "device_id": who.device_id, "high_water": st.high_water,
                              "head": st.head, "central": st.central,
                              "policy_version": st.policy_version})

    @app.post("/v1/reoffer", tags=["sync"],
              openapi_extra={**doc.body(protocol.PushRequest), "security": _DEVICE},
              responses=doc.answers(protocol.PushResponse, 400, 401, 403, 409, 413, 422, 426))
    async def reoffer(request: Request) -> Response:
        """Give back central events of the desk's store that a restored server lost.

        The same checks as a push (gapless sequence, chain, hashes, store) on one of
        the store's central chains. A desk gains nothing by it that it could not
        already do with its own events: its store's tickets are its to change.
        """
        raw = await read_json(request)
        check_protocol(request, raw.get("protocol") if isinstance(raw, dict) else None)
        who = await run_in_threadpool(_who, request)
        central_chain = f"{CENTRAL_DEVICE_PREFIX}:{who.store}:"
        batch = _batch(raw, lambda device: device.startswith(central_chain),
                       "only central events of the desk's own store can be re-offered")
        # The centre numbered these tickets itself (desk code HQ); a clash with a number
        # it gave out again after the restore keeps the first, as before the restore.
        central = replace(who, device_id=batch["device_id"], desk=CENTRAL_DESK)
        return await _store(central, batch, "", numbers=False)

    def _batch(raw: object, may_push: Callable[[str], bool], refusal: str
               ) -> protocol.PushRequest:
        """The checked push body: 400 malformed, 403 for another device's chain, 422
        for a well-formed batch that is not one device's consecutive run."""
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

    async def _store(who: TokenInfo, batch: protocol.PushRequest, fault: str, *,
                     numbers: bool = True) -> Response:
        """Commit *batch* to *who*'s chain; answer the ack, the gap, or the refusal."""
        try:
            outcome = await run_in_threadpool(
                lambda: storage.push(who, batch["first_seq"], batch["events"],
                                     numbers=numbers))
        except Rejected as exc:
            raise Refusal(422, exc.reason, exc.detail) from exc
        if fault and fault_kind == fault:
            os.kill(os.getpid(), signal.SIGKILL)
        if outcome.expected is not None:
            raise Refusal(409, "gap", f"expected device_seq {outcome.expected}",
                          expected=outcome.expected)
        epoch = await run_in_threadpool(lambda: storage.epoch)
        return json_response({"acked_through": outcome.acked_through,
                              "inserted": outcome.inserted, "epoch": epoch})

    @app.post("/v1/push", tags=["sync"],
              openapi_extra={**doc.body(protocol.PushRequest), "security": _DEVICE},
              responses=doc.answers(protocol.PushResponse, 400, 401, 403, 409, 413, 422, 426))
    async def push(request: Request) -> Response:
        """Store a batch of the device's events; answered only after commit."""
        raw = await read_json(request)
        check_protocol(request, raw.get("protocol") if isinstance(raw, dict) else None)
        who = await run_in_threadpool(_who, request)
        batch = _batch(raw, lambda device: device == who.device_id,
                       "a token pushes only its own device's events")
        nth = str(next(pushes))
        if fault_kind == "die_before_commit" and nth == fault_n:
            os.kill(os.getpid(), signal.SIGKILL)
        after = "die_after_commit" if nth == fault_n else ""
        return await _store(who, batch, after)

    @app.get("/v1/pull", tags=["sync"],
             openapi_extra={"security": _DEVICE, "parameters": doc.PULL_PARAMETERS},
             responses=doc.answers(protocol.PullResponse, 400, 401, 403, 426))
    def pull(request: Request) -> Response:
        """The store's events with server_seq above *since*, in order, a page at a time."""
        check_protocol(request)
        who = _who(request)
        since = int_param(request, "since", 0, 0, MAX_SEQ)
        limit = int_param(request, "limit", 500, 1, MAX_PULL_LIMIT)
        rows, more = storage.pull(who, since, limit)
        _maybe_die("die_during_pull")
        cursor = rows[-1]["server_seq"] if rows else since
        return json_response({"events": rows, "cursor": cursor, "epoch": storage.epoch,
                              "more": more})

    @app.get("/v1/policy", tags=["sync"], openapi_extra={"security": _DEVICE},
             responses={**doc.answers(doc.PolicyResponse, 401, 403, 426),
                        204: {"description": "No policy was published yet"}})
    def policy(request: Request) -> Response:
        """The newest policy document headquarters published (204 when none)."""
        check_protocol(request)
        _who(request)
        with storage.engine.connect() as conn:
            newest = policy_store.newest_document(conn)
        if newest is None:
            return Response(status_code=204)
        return json_response({"version": newest[0], "document": json.loads(newest[1])})

    app.include_router(hq_router(storage))
    app.include_router(progress_router(storage))

    if webhook:
        notify.run_worker_with(app, notify.DeliveryWorker(storage, webhook))

    if bench:
        @app.post("/v1/_echo", include_in_schema=False)
        async def echo(request: Request) -> Response:
            await request.body()
            return Response(status_code=204)

    doc.install(app, lambda: _limits(storage))
    return app
