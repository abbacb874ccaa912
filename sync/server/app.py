"""The HTTP face of the reference server: ``create_app(db_url)`` builds the FastAPI app.

The app is the storage and the routers, by audience: the desks
(:mod:`sync.server.routes_device`), headquarters (:mod:`sync.server.routes_hq`), the
other channels (:mod:`sync.server.routes_channels`) and the customers' progress page
(:mod:`sync.server.progress`). Answers are plain JSON; a refusal anywhere is
``{"error", "detail", ...}`` with its status. ``/openapi.json`` and ``/docs`` describe
every route (:mod:`sync.server.openapi`). The test-only fault hooks are not here: see
:mod:`sync.server.faults`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from sync.protocol import PROTOCOL_VERSION
from sync.server import console, notify, policy_store
from sync.server import openapi as doc
from sync.server.bodies import limits_of
from sync.server.console.centre_tickets import ProjectionWorker
from sync.server.errors import Refusal
from sync.server.progress import progress_router
from sync.server.routes_alerts import alerts_router
from sync.server.routes_channels import channels_router
from sync.server.routes_device import device_router
from sync.server.routes_hq import hq_router
from sync.server.routes_scripts import scripts_router
from sync.server.storage import Storage


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

    @app.exception_handler(Refusal)
    async def _refused(_request: Request, exc: Refusal) -> JSONResponse:
        return JSONResponse({"error": exc.error, "detail": exc.detail, **exc.extra},
                            status_code=exc.status)

    app.include_router(device_router(storage))
    app.include_router(scripts_router(storage))
    app.include_router(hq_router(storage))
    app.include_router(channels_router(storage))
    app.include_router(progress_router(storage))
    app.include_router(alerts_router(storage))
    console.install(app, storage)

    if webhook:
        notify.run_worker_with(app, notify.DeliveryWorker(storage, webhook))
    notify.run_worker_with(app, ProjectionWorker(storage))

    if bench:
        @app.post("/v1/_echo", include_in_schema=False)
        async def echo(request: Request) -> Response:
            await request.body()
            return Response(status_code=204)

    doc.install(app, lambda: _limits(storage))
    return app
