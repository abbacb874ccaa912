"""Error paths of the desk engine, against ``httpx.MockTransport`` (no server)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from desktop.desk import Desk, init_desk, open_desk_conn
from desktop.desk_sync.engine import SyncEngine, backoff_delay
from desktop.desk_sync.errors import LocalFailure
from desktop.staff import add_staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from local_db import sync_state
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
        # The product alerts last (desktop.desk_sync.alerts_pull; a 404 here is no error).
        assert calls == ["/v1/status", "/v1/push", "/v1/pull", "/v1/alerts"]
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


def _ok(request: httpx.Request, pull_events: list[dict[str, object]] | None = None,
        policy: httpx.Response | None = None) -> httpx.Response:
    """A server that accepts every push (of the fixture's two events) and pulls *pull_events*."""
    if request.url.path == "/v1/push":
        return httpx.Response(200, json={"acked_through": 2, "inserted": 2, "epoch": "e1"})
    if request.url.path == "/v1/pull":
        events = pull_events or []
        return httpx.Response(200, json={"events": events, "cursor": 7 if events else 0,
                                         "epoch": "e1", "more": False})
    if request.url.path == "/v1/policy":
        return policy or httpx.Response(204)
    return _status(request) or httpx.Response(404)


def test_refused_batch_is_a_dead_letter_and_later_events_wait_behind_it(desk: Desk) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/push":
            return httpx.Response(422, json={"error": "broken_chain", "detail": "prev_hash"})
        return _ok(request)

    before = desk.conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    with _engine(desk, handler) as engine:
        for _ in range(2):
            with pytest.raises(ServerRejected):
                engine.sync_once()
        status = engine.status()
    (letter,) = sync_state.dead_letters(desk.conn)
    assert (letter.reason, letter.detail, letter.http_status) == ("broken_chain", "prev_hash", 422)
    assert (letter.first_seq, letter.last_seq, letter.count) == (1, 2, 2)
    assert status["dead_letters"] == 1 and status["blocked_by_dead_letter"] is True
    assert status["pending"] == 2
    assert desk.conn.execute("SELECT * FROM events ORDER BY seq").fetchall() == before


def test_desk_behind_server_is_a_dead_letter(desk: Desk) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/status":
            return httpx.Response(200, json={"protocol": 1, "epoch": "e1", "store_code": "XT01",
                                             "desk_code": "D1", "device_id": "x",
                                             "high_water": 9, "head": 9})
        return _ok(request)

    with _engine(desk, handler) as engine, pytest.raises(ServerRejected):
        engine.sync_once()
    assert [d.reason for d in sync_state.dead_letters(desk.conn)] == ["desk_behind_server"]


def test_401_says_enrol_again_and_a_later_success_clears_it(desk: Desk) -> None:
    refuse = [True]

    def handler(request: httpx.Request) -> httpx.Response:
        if refuse[0]:
            return httpx.Response(401, json={"error": "unauthorized", "detail": "revoked"})
        return _ok(request)

    with _engine(desk, handler) as engine:
        with pytest.raises(Unauthorized):
            engine.sync_once()
        status = engine.status()
        assert status["enrol_again"] is True and status["pending"] == 2
        assert status["enrolled"] is True  # the token is kept, nothing is deleted
        assert sync_state.dead_letters(desk.conn) == []
        refuse[0] = False
        engine.sync_once()
        assert engine.status()["enrol_again"] is False


def test_protocol_mismatch_records_update_required(desk: Desk) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(426, json={"error": "update_required", "detail": "protocol 2"})

    with _engine(desk, handler) as engine:
        with pytest.raises(UpdateRequired):
            engine.sync_once()
        status = engine.status()
    assert status["update_required"] is True and "protocol 2" in status["update_reason"]
    assert status["pending"] == 2


def test_newer_event_schema_stops_pulling_but_not_pushing(desk: Desk, tmp_path: Path) -> None:
    other = init_desk(tmp_path / "o.db", store_code="XT01", desk_code="D9", clock=desk.clock)
    clerk = add_staff(other.conn, other.policy.staff, desk.clock, staff_id="d9", name="小赵",
                      role="desk", pin="2222")
    create_ticket(other, clerk, {"text": "停车场没有灯"})
    (event, *_) = sync_state.outbox(other.conn, 0, 100)
    other.close()
    newer = {**event, "schema_version": sync_state.MAX_SCHEMA_VERSION + 1, "server_seq": 7}
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return _ok(request, pull_events=[newer])

    with _engine(desk, handler) as engine:
        report = engine.sync_once()
        status = engine.status()
    assert report.update_required and report.acked_through == 2
    assert "/v1/policy" not in calls
    assert (status["pending"], status["cursor"], status["update_required"]) == (0, 0, True)
    assert desk.conn.execute("SELECT count(*) FROM events WHERE event_id = ?",
                             (event["event_id"],)).fetchone()[0] == 0


class _Tokens:
    def __init__(self, token: str | None) -> None:
        self.token = token

    def get(self) -> str | None:
        return self.token

    def set(self, token: str) -> None:
        self.token = token


def test_the_token_comes_from_the_injected_source(desk: Desk) -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization"))
        if request.url.path == "/v1/enrol":
            return httpx.Response(200, json={"token": "fresh", "store_code": "XT01",
                                             "desk_code": "D1", "device_id": "x", "epoch": "e"})
        return _ok(request)

    tokens = _Tokens(None)
    engine = SyncEngine(desk.conn, "http://kesu.test", transport=httpx.MockTransport(handler),
                        clock=desk.clock, tokens=tokens)
    with engine:
        assert engine.status()["enrolled"] is False
        engine.enrol("123456")
        engine.sync_once()
    assert tokens.token == "fresh" and seen[0] is None and seen[1] == "Bearer fresh"
    assert sync_state.read_state(desk.conn).server == "http://kesu.test"
    assert sync_state.read_state(desk.conn).token == "t0ken"  # meta untouched


def _policy_response(desk: Desk, version: str, **changes: object) -> httpx.Response:
    document = {**copy.deepcopy(desk.policy.raw), "policy_version": version, **changes}
    return httpx.Response(200, json={"version": version, "document": document})


def test_a_new_policy_is_installed_and_a_bad_one_keeps_the_old(desk: Desk) -> None:
    from desktop.desk_sync.wiring import DeskPolicySink

    old = desk.policy.version
    answer = [_policy_response(desk, old)]

    def handler(request: httpx.Request) -> httpx.Response:
        return _ok(request, policy=answer[0])

    engine = SyncEngine(desk.conn, "http://kesu.test", transport=httpx.MockTransport(handler),
                        clock=desk.clock, policy_sink=DeskPolicySink(desk))
    with engine:
        assert engine.sync_once().policy_installed is None  # same version: nothing to do
        answer[0] = _policy_response(desk, "2027.1.1", timezone="Mars/Olympus")
        report = engine.sync_once()
        assert report.policy_installed is None and report.policy_error
        status = engine.status()
        assert status["policy_version"] == old
        assert "sync.policy_refused" in status["last_error"] and status["last_success"]
        answer[0] = _policy_response(desk, "2027.1.2")
        assert engine.sync_once().policy_installed == "2027.1.2"
        assert engine.status()["policy_version"] == "2027.1.2"
        assert engine.status()["last_error"] is None
    # Installed like `kesu policy load`: the desk reopened runs it.
    assert open_desk_conn(desk.conn).policy.version == "2027.1.2"


def test_a_failure_on_the_desk_is_recorded_never_a_bare_traceback(desk: Desk) -> None:
    """Issue 13: `sync once` exited 1 with a traceback while last_error stayed null."""

    class BrokenSink:
        def current_version(self) -> str | None:
            return "old"

        def install(self, version: str, document: dict[str, object]) -> None:
            raise RuntimeError("disk on fire")

    def handler(request: httpx.Request) -> httpx.Response:
        return _ok(request, policy=_policy_response(desk, "2027.9.9"))

    before = desk.conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    engine = SyncEngine(desk.conn, "http://kesu.test", transport=httpx.MockTransport(handler),
                        clock=desk.clock, policy_sink=BrokenSink())
    with engine, pytest.raises(LocalFailure) as failed:
        engine.sync_once()
    assert "disk on fire" in str(failed.value)
    assert "sync.local_failure" in (sync_state.read_state(desk.conn).last_error or "")
    assert desk.conn.execute("SELECT * FROM events ORDER BY seq").fetchall() == before
