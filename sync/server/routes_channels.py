"""HTTP route of the other channels: a complaint from the hotline, a QR code, online or
Douyin becomes a store's ticket (:mod:`sync.server.channels`).

The caller is headquarters' integration, with a headquarters token
(:func:`sync.server.routes_hq.hq_name`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sync.server import channels
from sync.server import openapi as doc
from sync.server.routes_hq import HQ_SECURITY, body_object, hq_name
from sync.server.storage import Storage
from sync.server.web import json_response


def channels_router(storage: Storage) -> APIRouter:
    """The channel route on *storage*."""
    # Listed under both in the API document, as before it had a module of its own.
    router = APIRouter(tags=["headquarters", "channels"])

    @router.post("/v1/channels/tickets", status_code=201,
                 openapi_extra={**doc.body(doc.ChannelTicketRequest), "security": HQ_SECURITY},
                 responses={**doc.answers(doc.ChannelTicketResponse, 400, 401, 403, 404, 413,
                                          426,
                                          status=201, description="Created"),
                            **doc.answers(doc.ChannelTicketResponse,
                                          description="Already created for this external_id")})
    async def channel_ticket(request: Request) -> Response:
        """A complaint from the hotline, a QR code, online or Douyin becomes a store's ticket."""
        await run_in_threadpool(hq_name, storage, request)
        body = await body_object(request)
        made = await run_in_threadpool(channels.create, storage, body)
        return json_response(made.as_dict(), 201 if made.created else 200)

    return router
