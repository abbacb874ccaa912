"""HTTP routes of headquarters: tickets of a store, actions on a ticket.

Every route needs ``Authorization: Bearer <hq token>`` (``kesu-server hq-token``); a
desk's device token gets 403, an unknown token 401. Work that touches the database runs
in the thread pool (FastAPI runs plain ``def`` routes there).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from domain.event_schema import CODE_RE
from sync.server import hq
from sync.server import openapi as doc
from sync.server.errors import Refusal
from sync.server.storage import Storage
from sync.server.web import bearer, check_protocol, json_response, read_json


def hq_name(storage: Storage, request: Request) -> str:
    """The headquarters user behind the request's token (after the protocol check)."""
    check_protocol(request)
    token = bearer(request)
    name = storage.authenticate_hq(token) if token else None
    if name is not None:
        return name
    if token and storage.authenticate(token) is not None:
        raise Refusal(403, "forbidden", "a device token cannot act for headquarters")
    raise Refusal(401, "unauthorized", "unknown or revoked headquarters token")


HQ_SECURITY: list[dict[str, list[str]]] = [{"hqToken": []}]


def _written(result: hq.Written) -> Response:
    return json_response({"event_id": result.event_id, "server_seq": result.server_seq}, 201)


def _object(raw: object) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise Refusal(400, "malformed", "body is not an object")
    return raw


async def body_object(request: Request) -> dict[str, object]:
    """The request's JSON body, which must be an object (400 otherwise)."""
    # Checked against its type in sync.server.bodies by hq and channels, after their
    # own, more specific checks (so their error codes stay).
    return _object(await read_json(request))


def hq_router(storage: Storage) -> APIRouter:
    """The headquarters routes on *storage*."""
    router = APIRouter(tags=["headquarters"])

    @router.get("/v1/hq/stores/{store}/tickets", openapi_extra={"security": HQ_SECURITY},
                responses=doc.answers(doc.TicketList, 400, 401, 403, 426))
    def list_tickets(request: Request, store: str) -> Response:
        """Every ticket of *store* as the centre folds its events, newest first."""
        hq_name(storage, request)
        if not CODE_RE.search(store):
            raise Refusal(400, "malformed", "store: 1-8 capital letters or digits")
        found = hq.store_tickets(storage, store)
        return json_response({"tickets": [v.as_dict() for v in found.views],
                              "unreadable": found.unreadable})

    @router.get("/v1/hq/tickets/{ticket_id}", openapi_extra={"security": HQ_SECURITY},
                responses=doc.answers(doc.TicketDetail, 401, 403, 404, 409, 426))
    def show_ticket(request: Request, ticket_id: str) -> Response:
        """One ticket, its compensation lines and its events in fold order."""
        hq_name(storage, request)
        view = hq.show_ticket(storage, ticket_id)
        return json_response({"ticket": view.as_dict(), "events": list(view.events)})

    @router.post("/v1/hq/tickets/{ticket_id}/status", status_code=201,
                 openapi_extra={**doc.body(doc.StatusChange), "security": HQ_SECURITY},
                 responses=doc.answers(doc.ActionResponse, 400, 401, 403, 404, 409, 413, 426,
                                       status=201, description="Recorded"))
    async def change_status(request: Request, ticket_id: str) -> Response:
        """Change the status (a ``status_changed`` event the store's desks pull)."""
        name = await run_in_threadpool(hq_name, storage, request)
        body = await body_object(request)
        return _written(await run_in_threadpool(hq.change_status, storage, f"hq:{name}",
                                                ticket_id, body))

    @router.post("/v1/hq/tickets/{ticket_id}/notes", status_code=201,
                 openapi_extra={**doc.body(doc.NoteRequest), "security": HQ_SECURITY},
                 responses=doc.answers(doc.ActionResponse, 400, 401, 403, 404, 409, 413, 426,
                                       status=201, description="Recorded"))
    async def add_note(request: Request, ticket_id: str) -> Response:
        """Add a note (a ``note_added`` event)."""
        name = await run_in_threadpool(hq_name, storage, request)
        body = await body_object(request)
        return _written(await run_in_threadpool(hq.add_note, storage, f"hq:{name}",
                                                ticket_id, body))

    @router.post("/v1/hq/tickets/{ticket_id}/compensations/{compensation_id}/decision",
                 status_code=201,
                 openapi_extra={**doc.body(doc.DecisionRequest, name="DecisionRequest"),
                                "security": HQ_SECURITY},
                 responses=doc.answers(doc.ActionResponse, 400, 401, 403, 404, 409, 413, 426,
                                       status=201, description="Recorded"))
    async def decide(request: Request, ticket_id: str, compensation_id: str) -> Response:
        """Approve or refuse a compensation pending approval (409 ``not_pending`` if not)."""
        name = await run_in_threadpool(hq_name, storage, request)
        body = await body_object(request)
        return _written(await run_in_threadpool(
            hq.decide_compensation, storage, f"hq:{name}", ticket_id, compensation_id, body))

    return router
