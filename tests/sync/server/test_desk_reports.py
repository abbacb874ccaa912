"""Desks report their versions and counts with each sync; the centre lists its desks.

Real desks (``DeskNode``) sync with the real ``kesu-server`` process (SQLite and
PostgreSQL); the overview is read from the server's database as the console reads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from desktop.desk_sync.engine import app_version, desk_report
from desktop.tickets import create_ticket
from domain.clock import format_time
from local_db import sync_state
from sync.protocol import DESK_REPORT_HEADER
from sync.server import enrolment
from sync.server.desk_reports import StoreDesks, desks_overview, policy_versions
from sync.server.storage import Storage
from tests.sync.helpers import DeskNode, ServerProcess, headers


def _overview(server: ServerProcess, *stores: str) -> dict[str, StoreDesks]:
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            return {s.store: s for s in desks_overview(conn, list(stores))}
    finally:
        storage.close()


def test_a_syncing_desk_shows_its_versions_and_counts(
        make_desk: Callable[..., DeskNode], server: ServerProcess) -> None:
    node = make_desk("A", "D1")
    store = node.desk.store_code
    listed = _overview(server, store)[store].desks
    (enrolled,) = listed
    assert enrolled.live and enrolled.last_seen_at is None  # enrolled, never synced
    assert enrolled.app_version is None

    before = format_time(datetime.now(UTC) - timedelta(seconds=1))
    node.engine.sync_once()
    (desk,) = _overview(server, store)[store].desks
    assert (desk.store, desk.desk, desk.device_id) == (store, "D1", node.desk.device_id)
    assert desk.app_version == app_version() != "unknown"
    assert desk.policy_version == node.desk.policy.version
    assert (desk.outbox, desk.dead_letters) == (0, 0)
    assert desk.last_seen_at is not None and desk.last_seen_at >= before

    # Two complaints typed while the desk only pulls: they wait in its outbox.
    create_ticket(node.desk, node.clerk, {"text": "买的酸奶过期了，要求退货"})
    create_ticket(node.desk, node.clerk, {"text": "收银员态度很差"})
    node.engine.sync_once(push=False)
    waiting = sync_state.pending_count(node.conn)
    assert waiting >= 2  # each complaint is a creation and its grading
    assert _overview(server, store)[store].desks[0].outbox == waiting
    # A refused batch is kept as a dead letter: the desk says so.
    batch = sync_state.outbox(node.conn, 0, 10)
    sync_state.record_dead_letter(node.conn, batch, reason="invalid_event", detail="test",
                                  http_status=422, now=format_time(datetime.now(UTC)))
    node.engine.sync_once(push=False)
    desk = _overview(server, store)[store].desks[0]
    assert (desk.outbox, desk.dead_letters) == (waiting, 1)
    assert desk_report(node.conn)["dead_letters"] == 1
    node.engine.sync_once()  # pushed: the outbox empties, the dead letter resolves
    assert _overview(server, store)[store].desks[0].outbox == 0
    node.engine.sync_once()  # the next round reports it resolved
    desk = _overview(server, store)[store].desks[0]
    assert (desk.outbox, desk.dead_letters) == (0, 0)
    assert policy_versions(_overview(server, store).values()) == {
        store: {node.desk.policy.version: 1}}


@pytest.mark.parametrize("garbage", [
    "not json", "[1,2]", '{"app_version":"1.0"}',
    '{"app_version":"1.0","policy_version":null,"outbox":-1,"dead_letters":0}',
    '{"app_version":"1.0","policy_version":null,"outbox":true,"dead_letters":0}',
    '{"app_version":"","policy_version":null,"outbox":1,"dead_letters":0}',
    '{"app_version":"1.0","policy_version":7,"outbox":1,"dead_letters":0}',
    '{"app_version":"1.0\\u0000","policy_version":null,"outbox":1,"dead_letters":0}',
    json.dumps({"app_version": "x" * 600, "policy_version": None, "outbox": 1,
                "dead_letters": 0}),
])
def test_a_garbage_report_is_ignored_and_the_request_served(
        make_desk: Callable[..., DeskNode], server: ServerProcess, garbage: str) -> None:
    node = make_desk("B", "D1")
    store = node.desk.store_code
    node.engine.sync_once()
    good = _overview(server, store)[store].desks[0]
    token = node.engine.tokens.get()
    assert token is not None
    create_ticket(node.desk, node.clerk, {"text": "会员积分没有到账"})
    batch = sync_state.outbox(node.conn, 0, 10)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for path in ("/v1/status", "/v1/pull"):
            answer = http.get(path, headers={**headers(token), DESK_REPORT_HEADER: garbage})
            assert answer.status_code == 200, answer.text
        pushed = http.post("/v1/push", headers={**headers(token), DESK_REPORT_HEADER: garbage},
                           json={"protocol": 1, "device_id": node.desk.device_id,
                                 "first_seq": batch[0]["device_seq"], "events": batch})
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["acked_through"] == batch[-1]["device_seq"]
    after = _overview(server, store)[store].desks[0]
    assert (after.app_version, after.policy_version, after.outbox, after.dead_letters) == (
        good.app_version, good.policy_version, good.outbox, good.dead_letters)
    node.engine.sync_once()  # and the desk syncs on


def test_a_desk_that_never_reported_still_shows_its_sign_of_life(
        server: ServerProcess, make_desk: Callable[..., DeskNode]) -> None:
    node = make_desk("C", "D1", enrol=False)  # only for a store code of this test
    store = node.desk.store_code
    code = server.enrol_code(store, "D7")
    token = httpx.post(f"{server.url}/v1/enrol", headers=headers(), json={
        "protocol": 1, "code": code, "device_id": f"raw-{store}"}).json()["token"]
    assert httpx.get(f"{server.url}/v1/status", headers={
        **headers(token), DESK_REPORT_HEADER: "{oops"}).status_code == 200
    (desk,) = _overview(server, store)[store].desks
    assert desk.desk == "D7" and desk.last_seen_at is not None
    assert (desk.app_version, desk.policy_version, desk.outbox) == (None, None, None)
    assert policy_versions([_overview(server, store)[store]]) == {store: {"": 1}}


def test_revoked_desks_pending_codes_and_empty_stores(
        make_desk: Callable[..., DeskNode], server: ServerProcess) -> None:
    node = make_desk("E", "D1")
    store = node.desk.store_code
    node.engine.sync_once()
    storage = Storage(server.db_url)
    try:
        enrolment.revoke(storage, device=node.desk.device_id)
        code, expires = enrolment.create_code(storage, store, "D2")
        enrolment.create_code(storage, store, "D3", ttl_hours=1,
                              now=datetime.now(UTC) - timedelta(hours=2))  # expired
        with storage.engine.connect() as conn:
            listed = desks_overview(conn, [store, store + "Z"])
            everything = {s.store for s in desks_overview(conn)}
    finally:
        storage.close()
    assert [s.store for s in listed] == [store, store + "Z"]
    mine, empty = listed
    (desk,) = mine.desks
    assert not desk.live and desk.revoked_at is not None
    assert desk.app_version == app_version()  # its last report stays
    (pending,) = mine.codes
    assert (pending.desk, pending.expires_at) == ("D2", expires)
    assert code not in pending.code_id  # only the hash's prefix is shown
    assert empty.desks == [] and empty.codes == []
    assert store in everything and store + "Z" not in everything
    assert policy_versions(listed) == {store: {}, store + "Z": {}}
