"""The desks' routes of the response-script library: pull it, report its use.

``GET /v1/scripts`` answers the newest published library as
:func:`domain.scripts.library_document` writes it, with ``ETag: "v<version>"``; a desk
that already holds that version sends it back in ``If-None-Match`` and gets 304 and no
body. ``POST /v1/scripts/usage`` takes up to :data:`~sync.server.script_library.MAX_USES`
uses for the token's store (a store named in the body is ignored); a fault anywhere
refuses the whole request with 422 naming the use and field, and a replayed use id is
stored once. Both need a device token, as every desk route does
(:func:`sync.server.routes_device.device_token`), and the protocol header.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypedDict

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from domain.errors import InvalidInput
from domain.event_schema import TIME_RE, UUID_RE, Items, Num, Text
from domain.scripts import library_document
from sync.server import openapi as doc
from sync.server import script_library
from sync.server.errors import Refusal
from sync.server.routes_device import device_token
from sync.server.storage import Storage
from sync.server.web import check_protocol, json_response, read_json

_DEVICE: list[dict[str, list[str]]] = [{"deviceToken": []}]


class ScriptUse(TypedDict):
    """One copy of a script into a note, or one "this helped", on a desk."""

    id: Annotated[str, Text(36, 36, UUID_RE)]  # a UUID v4 or v7: the replay key
    script_id: Annotated[str, Text(1, 64)]
    version: Annotated[int, Num(0, 2**31 - 1)]
    kind: Literal["copied", "helpful"]
    ticket_id: Annotated[str, Text(36, 36, UUID_RE)] | None
    at: Annotated[str, Text(24, 24, TIME_RE, time=True)]


class ScriptUsageRequest(TypedDict):
    """A desk's uses, for the store its token is bound to."""

    uses: Annotated[list[ScriptUse], Items(0, script_library.MAX_USES)]


class ScriptUsageResponse(TypedDict):
    """How many of the uses were new (a replayed id counts once, ever)."""

    accepted: int


class ScriptLibraryResponse(TypedDict):
    """The newest published library (version 0 and no scripts: none was published)."""

    version: int
    published_at: str
    published_by: str
    scripts: list[dict[str, Any]]


def _etag(version: int) -> str:
    return f'"v{version}"'


def _matches(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` value names *etag* (weak or strong, or ``*``)."""
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags or "*" in tags


def scripts_router(storage: Storage) -> APIRouter:
    """The desks' script library routes on *storage*."""
    router = APIRouter(tags=["scripts"])
    # The answer's bytes per version: a version never changes, and every desk asks.
    bodies: dict[int, Response] = {}
    lock = threading.Lock()

    def answer(version: int) -> Response:
        with lock:
            hit = bodies.get(version)
        if hit is None:
            with storage.engine.connect() as conn:
                library = script_library.library_of(conn, version) if version else None
            body = library_document(library) if library is not None else {
                "version": 0, "published_at": "", "published_by": "", "scripts": []}
            hit = json_response(body)
            with lock:
                bodies[version] = hit
        return Response(hit.body, media_type="application/json",
                        headers={"ETag": _etag(version), "Cache-Control": "no-cache"})

    @router.get("/v1/scripts", openapi_extra={"security": _DEVICE},
                responses={**doc.answers(ScriptLibraryResponse, 401, 403, 426),
                           304: {"description": "The desk holds this version already "
                                                "(`If-None-Match: \"v<version>\"`)"}})
    def scripts(request: Request) -> Response:
        """The newest published response-script library, with ``ETag: "v<version>"``."""
        check_protocol(request)
        device_token(storage, request)
        with storage.engine.connect() as conn:
            version = script_library.current_version(conn)
        if _matches(request.headers.get("If-None-Match"), _etag(version)):
            return Response(status_code=304, headers={"ETag": _etag(version)})
        return answer(version)

    @router.post("/v1/scripts/usage",
                 openapi_extra={**doc.body(ScriptUsageRequest), "security": _DEVICE},
                 responses=doc.answers(ScriptUsageResponse, 401, 403, 413, 422, 426))
    async def usage(request: Request) -> Response:
        """Record the desk's uses of scripts for its store; replayed ids count once."""
        check_protocol(request)
        token = await run_in_threadpool(device_token, storage, request)
        try:
            raw = await read_json(request)
        except Refusal as exc:
            if exc.status != 400:
                raise
            raise Refusal(422, "invalid_usage", "body: not JSON", use=None,
                          field="body") from exc
        try:
            uses = script_library.parse_uses(raw)
        except InvalidInput as exc:
            use, field = exc.params.get("use"), exc.params.get("field", "uses")
            where = "uses" if exc.code == "scripts.usage.too_many" else (
                field if use is None else f"uses[{use}].{field}")
            detail = (f"at most {script_library.MAX_USES} uses per request"
                      if exc.code == "scripts.usage.too_many" else f"{where}: invalid")
            raise Refusal(422, "invalid_usage", detail, use=use,
                          field="uses" if field is None else field) from exc

        def store() -> int:
            with storage.writing() as conn:
                return script_library.record_uses(conn, token.store, uses, datetime.now(UTC))

        accepted = await run_in_threadpool(store)
        return json_response({"accepted": accepted})

    return router
