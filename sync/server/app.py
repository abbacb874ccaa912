"""The HTTP face of the reference server: ``create_app(db_url)`` builds the FastAPI app.

Bodies are parsed and checked by :mod:`sync.protocol` (not pydantic) so the wire
format has one definition shared with the desk; answers are plain JSON.
"""

from __future__ import annotations

import json
import os
import signal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from sync.protocol import (
    MAX_PULL_LIMIT,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    ProtocolViolation,
    check_push,
)
from sync.server.storage import Rejected, Storage, TokenInfo

# Test-only fault hook: "die_after_commit:N" / "die_before_commit:N" SIGKILLs the
# server around the commit of the N-th push, to prove resends are exactly-once.
FAULT_ENV = "KESU_SERVER_FAULT"


class _Refusal(Exception):
    def __init__(self, status: int, error: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail, self.extra = status, error, detail, extra


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                    status_code=status, media_type="application/json")


def create_app(db_url: str, *, bench: bool = False) -> FastAPI:
    """The sync server on the database at *db_url* (created if missing).

    ``bench`` adds ``POST /v1/_echo`` (reads the body, answers 204) for measuring the
    HTTP stack alone.
    """
    storage = Storage(db_url)
    app = FastAPI(title="kesu-server", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.storage = storage
    fault = os.environ.get(FAULT_ENV, "")
    fault_kind, _, fault_n = fault.partition(":")
    pushes = [0]

    @app.exception_handler(_Refusal)
    async def _refused(_request: Request, exc: _Refusal) -> JSONResponse:
        return JSONResponse({"error": exc.error, "detail": exc.detail, **exc.extra},
                            status_code=exc.status)

    def _protocol(request: Request, body_version: object = None) -> None:
        header = request.headers.get(PROTOCOL_HEADER)
        versions = {header, None if body_version is None else str(body_version)} - {None}
        if versions != {str(PROTOCOL_VERSION)}:
            raise _Refusal(426, "update_required",
                           f"server speaks protocol {PROTOCOL_VERSION}, request {versions}")

    def _who(request: Request) -> TokenInfo:
        auth = request.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        info = storage.authenticate(token) if scheme.lower() == "bearer" and token else None
        if info is None:
            raise _Refusal(401, "unauthorized", "unknown or revoked device token")
        return info

    async def _body(request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except ValueError as exc:
            raise _Refusal(400, "malformed", "body is not JSON") from exc

    @app.post("/v1/enrol")
    async def enrol(request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body, dict):
            raise _Refusal(400, "malformed", "body is not an object")
        _protocol(request, body.get("protocol"))
        code, device_id = body.get("code"), body.get("device_id")
        if not isinstance(code, str) or not isinstance(device_id, str) or not device_id:
            raise _Refusal(400, "malformed", "code and device_id are required")
        result = await run_in_threadpool(storage.enrol, code, device_id)
        if result is None:
            raise _Refusal(401, "unauthorized", "unknown or already used enrolment code")
        token, info = result
        return _json({"token": token, "store_code": info.store, "desk_code": info.desk,
                      "device_id": info.device_id, "epoch": storage.epoch})

    @app.get("/v1/status")
    def status(request: Request) -> Response:
        _protocol(request)
        who = _who(request)
        high_water, head = storage.status(who)
        return _json({"protocol": PROTOCOL_VERSION, "epoch": storage.epoch,
                      "store_code": who.store, "desk_code": who.desk,
                      "device_id": who.device_id, "high_water": high_water, "head": head})

    @app.post("/v1/push")
    async def push(request: Request) -> Response:
        raw = await _body(request)
        _protocol(request, raw.get("protocol") if isinstance(raw, dict) else None)
        who = await run_in_threadpool(_who, request)
        try:
            batch = check_push(raw)
        except ProtocolViolation as exc:
            raise _Refusal(400, "malformed", str(exc)) from exc
        if batch["device_id"] != who.device_id:
            raise _Refusal(403, "wrong_device", "a token pushes only its own device's events")
        pushes[0] += 1
        if fault_kind == "die_before_commit" and str(pushes[0]) == fault_n:
            os.kill(os.getpid(), signal.SIGKILL)
        try:
            outcome = await run_in_threadpool(
                storage.push, who, batch["first_seq"], batch["events"])
        except Rejected as exc:
            raise _Refusal(422, exc.reason, exc.detail) from exc
        if fault_kind == "die_after_commit" and str(pushes[0]) == fault_n:
            os.kill(os.getpid(), signal.SIGKILL)
        if outcome.expected is not None:
            raise _Refusal(409, "gap", f"expected device_seq {outcome.expected}",
                           expected=outcome.expected)
        return _json({"acked_through": outcome.acked_through, "inserted": outcome.inserted,
                      "epoch": storage.epoch})

    @app.get("/v1/pull")
    def pull(request: Request, since: int = 0, limit: int = 500) -> Response:
        _protocol(request)
        who = _who(request)
        if since < 0 or limit < 1:
            raise _Refusal(400, "malformed", "since >= 0 and limit >= 1")
        rows, more = storage.pull(who, since, min(limit, MAX_PULL_LIMIT))
        cursor = rows[-1]["server_seq"] if rows else since
        return _json({"events": rows, "cursor": cursor, "epoch": storage.epoch, "more": more})

    if bench:
        @app.post("/v1/_echo")
        async def echo(request: Request) -> Response:
            await request.body()
            return Response(status_code=204)

    return app
