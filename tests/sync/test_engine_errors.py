"""Error paths of the desk engine, against ``httpx.MockTransport`` (no server)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from desktop.clock import FixedClock
from desktop.desk import Desk, init_desk
from desktop.staff import add_staff
from desktop.tickets import create_ticket
from local_db import sync_state
from sync.engine import SyncEngine, backoff_delay
from sync.errors import (
    BadResponse,
    NetworkError,
    ServerError,
    ServerRejected,
    SyncError,
    Unauthorized,
    UpdateRequired,
)
from tests.conftest import START

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    """An enrolled-looking desk with one ticket (two events) waiting to be pushed."""
    clock = FixedClock(START)
    d = init_desk(tmp_path / "d.db", store_code="XT01", desk_code="D1", clock=clock)
    clerk = add_staff(d.conn, d.policy.staff, clock, staff_id="d1", name="小李", role="desk",
                      pin="2222")
    create_ticket(d, clerk, {"text": "酸奶变质了"})
    sync_state.put(d.conn, sync_token="t0ken")
    yield d
    d.close()


def _engine(desk: Desk, handler: Handler) -> SyncEngine:
    return SyncEngine(desk.conn, "http://kesu.test", transport=httpx.MockTransport(handler),
                      clock=desk.clock)


def _status(request: httpx.Request) -> httpx.Response | None:
    if request.url.path == "/v1/status":
        return httpx.Response(200, json={"protocol": 1, "epoch": "e1", "store_code": "XT01",
                                         "desk_code": "D1", "device_id": "x",
                                         "high_water": 0, "head": 0})
    return None


@pytest.mark.parametrize("response, error", [
    (httpx.Response(500, text="boom"), ServerError),
    (httpx.Response(503), ServerError),
    (httpx.Response(200, text="<html>captive portal</html>"), BadResponse),
    (httpx.Response(200, json={"unexpected": True}), BadResponse),
    (httpx.Response(401, json={"error": "unauthorized", "detail": "no"}), Unauthorized),
    (httpx.Response(426, json={"error": "update_required", "detail": "v2"}), UpdateRequired),
    (httpx.Response(422, json={"error": "broken_chain", "detail": "x"}), ServerRejected),
])
def test_push_failures_keep_every_event(desk: Desk, response: httpx.Response,
                                        error: type[SyncError]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return _status(request) or response

    before = desk.conn.execute("SELECT event_id, server_seq FROM events").fetchall()
    with _engine(desk, handler) as engine, pytest.raises(error) as info:
        engine.sync_once()
    assert desk.conn.execute("SELECT event_id, server_seq FROM events").fetchall() == before
    status = engine.status()
    assert status["pending"] == len(before) and status["acked"] == 0
    assert status["last_error"] and info.value.code in status["last_error"]
    if error is ServerRejected:
        assert info.value.reason == "broken_chain"  # type: ignore[attr-defined]


def test_network_down_is_a_network_error(desk: Desk) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with _engine(desk, handler) as engine, pytest.raises(NetworkError):
        engine.sync_once()


def test_garbage_pull_page_is_refused_whole(desk: Desk) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/push":
            return httpx.Response(200, json={"acked_through": 2, "inserted": 2, "epoch": "e1"})
        if request.url.path == "/v1/pull":
            return httpx.Response(200, json={"events": [{"event_id": 1}], "cursor": 5,
                                             "epoch": "e1", "more": False})
        return _status(request) or httpx.Response(404)

    with _engine(desk, handler) as engine, pytest.raises(BadResponse):
        engine.sync_once()
    state = sync_state.read_state(desk.conn)
    assert (state.acked, state.cursor) == (2, 0)  # the push counted, the page did not


def test_success_clears_the_last_error(desk: Desk) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        assert request.headers["Kesu-Protocol"] == "1"
        assert request.headers["Authorization"] == "Bearer t0ken"
        if request.url.path == "/v1/push":
            return httpx.Response(200, json={"acked_through": 2, "inserted": 2, "epoch": "e1"})
        if request.url.path == "/v1/pull":
            return httpx.Response(200, json={"events": [], "cursor": 0, "epoch": "e1",
                                             "more": False})
        return _status(request) or httpx.Response(404)

    sync_state.put(desk.conn, sync_last_error="earlier failure")
    with _engine(desk, handler) as engine:
        report = engine.sync_once()
        assert (report.offered, report.pushed, report.acked_through) == (2, 2, 2)
        assert calls == ["/v1/status", "/v1/push", "/v1/pull"]
        status = engine.status()
    assert status["last_error"] is None and status["last_success"] == "2026-11-22T02:00:00.000Z"
    assert status["pending"] == 0


def test_enrol_refuses_a_code_of_another_store(desk: Desk) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"token": "new", "store_code": "XX99",
                                         "desk_code": "D1", "device_id": "x", "epoch": "e"})

    with _engine(desk, handler) as engine, pytest.raises(ServerRejected):
        engine.enrol("code")
    assert sync_state.read_state(desk.conn).token == "t0ken"


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    assert backoff_delay(0, rand=lambda: 0.0) == 1.0
    assert backoff_delay(0, rand=lambda: 1.0) == 2.0
    assert backoff_delay(3, rand=lambda: 0.0) == 8.0
    assert backoff_delay(50, rand=lambda: 1.0) == 300.0
    delays = {backoff_delay(4) for _ in range(50)}
    assert len(delays) > 1 and all(16.0 <= d <= 32.0 for d in delays)
