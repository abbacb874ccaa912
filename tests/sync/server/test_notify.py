"""Notifications: a real ``kesu-server --webhook`` posting to a real robot sink on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from desktop.compensation import compensate
from desktop.desk import init_desk
from desktop.staff import add_staff
from desktop.ticket_actions import correct_triage, escalate_due
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from local_db import meta, sync_state
from sync.server import notify
from sync.server.storage import Storage, TokenInfo
from tests.conftest import START
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.postgres import PgCluster
from tests.sync.server.hq_client import HQ
from tests.sync.server.webhook_sink import (
    FAIL_500,
    FAIL_ERRCODE,
    FAIL_GARBAGE,
    OK,
    WebhookSink,
)

MakeDesk = Callable[..., DeskNode]
LEVEL1 = "酸奶过期了，孩子喝了拉肚子"
LEVEL2 = "收银员态度很差，问她问题不理人"
# Fast retries so a test sees several attempts; the figures are the worker's own knobs.
FAST = {"KESU_WEBHOOK_BACKOFF": "0.05", "KESU_WEBHOOK_BACKOFF_MAX": "0.2",
        "KESU_WEBHOOK_POLL": "0.05", "KESU_WEBHOOK_MAX_ATTEMPTS": "6"}


@pytest.fixture
def webhook_servers(backend: str, tmp_path: Path, request: pytest.FixtureRequest
                    ) -> Iterator[Callable[..., ServerProcess]]:
    """``start(sink_url, env, db_of=None)``: a ``kesu-server serve --webhook`` of this test
    (on the database of *db_of* when given: several processes on one database)."""
    started: list[ServerProcess] = []

    def start(url: str, env: dict[str, str] | None = None,
              db_of: ServerProcess | None = None) -> ServerProcess:
        if db_of is not None:
            proc = ServerProcess(db_of.db_path or db_of.db_url, cluster=db_of.cluster)
        elif backend == "sqlite":
            proc = ServerProcess(tmp_path / "server.db")
        else:
            cluster: PgCluster = request.getfixturevalue("pg_cluster")
            proc = ServerProcess(cluster.create_database(), cluster=cluster)
        proc.extra_args = ["--webhook", url]
        proc.extra_env = {**FAST, **(env or {})}
        proc.start()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()


def _status(server: ServerProcess) -> dict[str, Any]:
    return dict(server.cli("notify", "status"))


def _wait_status(server: ServerProcess, done: Callable[[dict[str, Any]], bool],
                 timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    status = _status(server)
    while not done(status) and time.monotonic() < deadline:
        time.sleep(0.2)
        status = _status(server)
    return status


def _ok_with(sink: WebhookSink, text: str) -> list[str]:
    return [p.content for p in sink.delivered() if text in p.content]


def test_level1_ticket_reaches_the_robot_once_after_failures(
        make_desk: MakeDesk, webhook_servers: Callable[..., ServerProcess]) -> None:
    with WebhookSink([FAIL_500, FAIL_GARBAGE, FAIL_ERRCODE]) as sink:
        server = webhook_servers(sink.url)
        a = make_desk("N", "D1", server)
        quiet = create_ticket(a.desk, a.clerk, {"text": LEVEL2}).ticket
        a.clock.advance(seconds=30)
        urgent = create_ticket(a.desk, a.clerk, {
            "text": LEVEL1 + "<script>alert(1)</script>，电话13812345678",
            "customer": {"phone": "13912345678"}}).ticket
        assert (quiet.level, urgent.level) == (2, 1)
        a.engine.sync_once()

        assert sink.wait_for(lambda posts: any(p.answer == OK for p in posts))
        status = _wait_status(server, lambda s: s["counts"]["delivered"] == 1)
        assert status["counts"] == {"pending": 0, "delivered": 1, "failed": 0}
        posts = sink.posts()
        assert [p.answer for p in posts] == [FAIL_500, FAIL_GARBAGE, FAIL_ERRCODE, OK]
        assert all(p.body == posts[0].body for p in posts)  # the same message, retried
        assert posts[0].path == "/cgi-bin/webhook/send?key=test-key"
        assert posts[0].body["msgtype"] == "markdown"
        content = posts[-1].content
        for expected in (urgent.number, a.desk.store_code, "一级", "商品 / 变质过期",
                         "酸奶过期了", "新建一级客诉", "60 分钟内响应"):
            assert expected in content
        # No phone numbers, no markdown or HTML from the customer's text.
        assert "13812345678" not in content and "13912345678" not in content
        assert "<script>" not in content
        assert quiet.number not in "".join(p.content for p in posts)

        # Later events: escalation of the unanswered level-1 ticket, a compensation
        # waiting for headquarters, and headquarters' decision (a central event).
        a.clock.advance(hours=3)
        escalated = escalate_due(a.desk)
        assert escalated and all(e["number"] == urgent.number for e in escalated)
        pending = compensate(a.desk, a.manager, quiet.id, amount="1200", kind="cash")
        assert pending.status == "pending_approval"
        granted = compensate(a.desk, a.clerk, quiet.id, amount="5", kind="coupon")
        assert granted.status == "granted"  # within limits: no message
        a.engine.sync_once()
        hq = HQ(server)
        try:
            decided = hq.decide(quiet.id, pending.compensation.id, "approved",
                                reason="总部同意")
            assert decided.status_code == 201
        finally:
            hq.close()

        total = 1 + len(escalated) + 2
        assert sink.wait_for(lambda posts: sum(p.answer == OK for p in posts) >= total)
        status = _wait_status(server, lambda s: s["counts"]["delivered"] == total)
        assert status["counts"] == {"pending": 0, "delivered": total, "failed": 0}
        assert len(sink.delivered()) == total
        assert len(_ok_with(sink, "新建一级客诉")) == 1
        assert len(_ok_with(sink, "超时升级")) == len(escalated)
        # Each escalation names the rung of the ladder it reached (the first: 店长).
        assert any("第 1 级升级至店长" in c for c in _ok_with(sink, "超时升级"))
        (asked,) = _ok_with(sink, "补偿待审批")
        # ¥1,200 is within the regional limit: it waits for the region's manager.
        assert quiet.number in asked and "现金 ¥1200.00" in asked and "待区域经理审批" in asked
        (approved,) = _ok_with(sink, "补偿已批准")
        assert quiet.number in approved and "总部同意" in approved and "（总部）" in approved


def test_a_robot_that_never_accepts_ends_in_failed_with_the_error(
        make_desk: MakeDesk, webhook_servers: Callable[..., ServerProcess]) -> None:
    with WebhookSink(then=FAIL_ERRCODE) as sink:
        server = webhook_servers(sink.url, {"KESU_WEBHOOK_MAX_ATTEMPTS": "3"})
        a = make_desk("F", "D1", server)
        create_ticket(a.desk, a.clerk, {"text": LEVEL1})
        a.engine.sync_once()
        status = _wait_status(server, lambda s: s["counts"]["failed"] == 1)
        assert status["counts"] == {"pending": 0, "delivered": 0, "failed": 1}
        (failure,) = status["last_failures"]
        assert failure["attempts"] == 3 and failure["kind"] == "level1_created"
        assert "93000" in failure["last_error"]
        assert len(sink.posts()) == 3


def test_two_server_processes_send_each_message_once(
        make_desk: MakeDesk, webhook_servers: Callable[..., ServerProcess]) -> None:
    # One row per claim and a slow robot, so both processes' workers are busy at once.
    with WebhookSink(delay_s=0.2) as sink:
        first = webhook_servers(sink.url, {"KESU_WEBHOOK_BATCH": "1"})
        webhook_servers(sink.url, {"KESU_WEBHOOK_BATCH": "1"}, db_of=first)
        a = make_desk("M", "D1", first)
        numbers = []
        for i in range(6):
            a.clock.advance(seconds=10)
            numbers.append(create_ticket(a.desk, a.clerk, {"text": f"{LEVEL1}（第{i}次）"})
                           .ticket.number)
        a.engine.sync_once()
        status = _wait_status(first, lambda s: s["counts"]["delivered"] == 6)
        assert status["counts"] == {"pending": 0, "delivered": 6, "failed": 0}
        contents = [p.content for p in sink.posts()]
        assert len(contents) == 6
        assert sorted(n for n in numbers for c in contents if n in c) == sorted(numbers)


def test_enqueue_is_idempotent_and_skips_ordinary_events(tmp_path: Path) -> None:
    clock = FixedClock(START)
    desk = init_desk(tmp_path / "desk.db", store_code="S1", desk_code="D1",
                     store_name="S1", clock=clock)
    clerk = add_staff(desk.conn, desk.policy.staff, clock, staff_id="d1", name="李娜",
                      role="desk", pin="2222")
    create_ticket(desk, clerk, {"text": LEVEL1})
    second = create_ticket(desk, clerk, {"text": LEVEL2}).ticket
    batch = sync_state.outbox(desk.conn, 0, 100)
    who = TokenInfo("S1", "D1", meta.require(desk.conn, "device_id"))
    storage = Storage(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        assert storage.push(who, 1, batch).inserted == len(batch)  # type: ignore[arg-type]
        assert storage.push(who, 1, batch).inserted == 0  # type: ignore[arg-type]
        notify.catch_up(storage)  # the delivery worker's pass: no worker runs here
        with storage.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(
                sa.select(notify.notifications.c.kind, notify.notifications.c.content,
                          notify.notifications.c.event_id)).mappings()]
            stored = [dict(r) for r in conn.execute(
                sa.text("SELECT * FROM events ORDER BY server_seq")).mappings()]
        assert [r["kind"] for r in rows] == ["level1_created"]
        created = next(e for e in batch if e["type"] == "ticket_created")
        assert rows[0]["event_id"] == created["event_id"]
        with storage.writing() as conn:
            assert notify.enqueue(conn, "S1", stored) == 0
        assert notify.status(storage)["counts"] == {"pending": 1, "delivered": 0, "failed": 0}
        assert json.loads(created["payload"])["verify_code"].isdigit()

        # Raised to level 1 by a correction: one message; a second level-1 triage is no
        # raise and sends nothing.
        clock.advance(minutes=1)
        raised = correct_triage(desk, clerk, second.id, level=1, reason="顾客情绪激动")
        correct_triage(desk, clerk, second.id, level=1, reason="再次确认")
        more = sync_state.outbox(desk.conn, len(batch), 100)
        assert storage.push(who, len(batch) + 1, more).inserted == 2  # type: ignore[arg-type]
        notify.catch_up(storage)
        with storage.engine.connect() as conn:
            queued = [(str(k), str(c)) for k, c in conn.execute(
                sa.select(notify.notifications.c.kind, notify.notifications.c.content)
                .order_by(notify.notifications.c.id))]
        assert [kind for kind, _ in queued] == ["level1_created", "level1_raised"]
        assert raised.number in queued[1][1] and "二级升为一级" in queued[1][1]
    finally:
        storage.close()
        desk.close()


def test_backoff_grows_with_jitter_and_stays_under_the_cap() -> None:
    settings = notify.DeliverySettings(backoff_base_s=1.0, backoff_max_s=30.0)
    for attempts, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (9, 30.0)):
        delays = {settings.backoff(attempts) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered
