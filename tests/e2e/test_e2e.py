"""Sync against a real ``kesu-server`` process: convergence, isolation, faults."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.compensation import compensate
from desktop.ticket_actions import add_note, advance
from desktop.tickets import create_ticket
from domain.event_schema import canonical_payload
from domain.events import event_hash
from local_db import store, sync_state
from sync.errors import EnrolRefused, NetworkError, Unauthorized, UpdateRequired
from sync.protocol import PROTOCOL_VERSION
from tests.sync.helpers import DeskNode, ServerProcess, headers

MakeDesk = Callable[..., DeskNode]


def _ticket(node: DeskNode, text: str = "昨天买的酸奶打开就是臭的，已经变质了") -> str:
    node.clock.advance(seconds=7)
    return create_ticket(node.desk, node.clerk, {"text": text}).ticket.id


def _assert_converged(server: ServerProcess, *nodes: DeskNode) -> None:
    first = nodes[0]
    for node in nodes:
        assert store.check(node.conn) == []
        assert node.event_set() == first.event_set()
        assert node.projections() == first.projections()
        assert None not in {seq for _, _, seq in node.event_set()}
        assert node.engine.status()["pending"] == 0
    on_server = server.server_events(first.desk.store_code)
    assert sorted(e[0] for e in on_server) == sorted(e[0] for e in first.event_set())
    every = server.server_events()
    assert len({e[0] for e in every}) == len(every)


def test_two_desks_converge_and_another_store_sees_nothing(make_desk: MakeDesk,
                                                           server: ServerProcess) -> None:
    a, b = make_desk("A", "D1", server), make_desk("A", "D2", server)
    other = make_desk("B", "D1", server)
    t1 = _ticket(a)
    _ticket(a, "收银员态度很差，问她问题不理人还翻白眼")
    compensate(a.desk, a.clerk, t1, amount="20", kind="coupon")
    _ticket(b, "停车场没有灯，晚上很黑")
    foreign = _ticket(other, "电梯坏了三天没人修")

    ra = a.engine.sync_once()
    assert ra.pushed == ra.offered > 0 and ra.acked_through == sync_state.last_own_seq(a.conn)
    rb = b.engine.sync_once()
    assert rb.applied == ra.offered  # b got all of a's events
    other.engine.sync_once()
    # b handles a's ticket; a closes the loop.
    b.clock.advance(minutes=3)
    add_note(b.desk, b.clerk, t1, "已联系顾客，同意退款")
    advance(b.desk, b.clerk, t1, "rectifying")
    b.engine.sync_once()
    a.engine.sync_once()
    b.engine.sync_once()  # b sees its own events come back with their server_seq
    _assert_converged(server, a, b)
    assert {r[0] for r in a.conn.execute("SELECT status FROM tickets WHERE id = ?", (t1,))} \
        == {"rectifying"}
    assert a.conn.execute("SELECT count(*) FROM compensations").fetchone()[0] == 1
    # Store isolation: the other store has only its own ticket, and no one else has it.
    assert [r[0] for r in other.conn.execute("SELECT id FROM tickets")] == [foreign]
    assert a.conn.execute("SELECT count(*) FROM tickets WHERE id = ?", (foreign,)
                          ).fetchone()[0] == 0
    assert store.check(other.conn) == []
    # Search works on pulled tickets (indexed on arrival).
    from local_db.search import search
    assert search(b.conn, "停车场") and search(a.conn, "停车场")
    # A round with nothing to do changes nothing.
    again = a.engine.sync_once()
    assert (again.offered, again.pulled) == (0, 0)


def _forge(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    forged = {**event, **changes}
    forged["hash"] = event_hash(forged)
    return forged


def test_token_cannot_touch_another_store(make_desk: MakeDesk, server: ServerProcess) -> None:
    a, other = make_desk("A", "D1", server), make_desk("B", "D1", server)
    t1 = _ticket(a)
    a.engine.sync_once()
    _ticket(other)
    token = sync_state.read_state(other.conn).token
    mine = sync_state.outbox(other.conn, 0, 1)[0]
    payload = json.loads(mine["payload"])
    # B's token claims a ticket for store A ...
    claim = _forge(mine, payload=canonical_payload({**payload,
                                                    "store_code": a.desk.store_code}))
    # ... or adds a note to A's ticket.
    note = _forge(mine, ticket_id=t1, type="note_added",
                  payload=canonical_payload({"text": "x"}))
    with httpx.Client(base_url=server.url, headers=headers(token)) as http:
        for forged in (claim, note):
            r = http.post("/v1/push", json={"protocol": PROTOCOL_VERSION, "first_seq": 1,
                                            "device_id": forged["device_id"],
                                            "events": [forged]})
            assert r.status_code == 422 and r.json()["error"] == "foreign_store"
        # Pushing as another device is refused too.
        r = http.post("/v1/push", json={"protocol": PROTOCOL_VERSION, "first_seq": 1,
                                        "device_id": a.desk.device_id,
                                        "events": [_forge(mine, device_id=a.desk.device_id)]})
        assert r.status_code == 403
    assert server.server_events(other.desk.store_code) == []
    assert a.engine.sync_once().pulled == 0


def test_resend_and_duplicate_batches_are_harmless(make_desk: MakeDesk,
                                                   server: ServerProcess) -> None:
    a = make_desk("A", "D1", server)
    for _ in range(3):
        _ticket(a)
    token = sync_state.read_state(a.conn).token
    batch = sync_state.outbox(a.conn, 0, 500)
    body = {"protocol": PROTOCOL_VERSION, "device_id": batch[0]["device_id"], "first_seq": 1,
            "events": batch}
    with httpx.Client(base_url=server.url, headers=headers(token)) as http:
        first = http.post("/v1/push", json=body).json()
        again = http.post("/v1/push", json=body).json()
        # A resend overlapping the stored tail and adding one new event.
        _ticket(a)
        longer = sync_state.outbox(a.conn, 2, 500)
        third = http.post("/v1/push", json={**body, "first_seq": 3, "events": longer}).json()
    assert first["inserted"] == len(batch) and first["acked_through"] == len(batch)
    assert again["inserted"] == 0 and again["acked_through"] == len(batch)
    assert third["acked_through"] == sync_state.last_own_seq(a.conn)
    assert third["inserted"] == len(longer) - (len(batch) - 2)
    report = a.engine.sync_once()  # status tells the engine all is acked already
    assert report.offered == 0
    assert len(server.server_events(a.desk.store_code)) == sync_state.last_own_seq(a.conn)
    assert store.check(a.conn) == []


def test_gap_is_refused_with_the_expected_seq(make_desk: MakeDesk,
                                              server: ServerProcess) -> None:
    a = make_desk("A", "D1", server)
    for _ in range(3):
        _ticket(a)
    token = sync_state.read_state(a.conn).token
    tail = sync_state.outbox(a.conn, 2, 500)
    with httpx.Client(base_url=server.url, headers=headers(token)) as http:
        r = http.post("/v1/push", json={"protocol": PROTOCOL_VERSION,
                                        "device_id": tail[0]["device_id"],
                                        "first_seq": tail[0]["device_seq"], "events": tail})
    assert r.status_code == 409
    assert r.json()["error"] == "gap" and r.json()["expected"] == 1
    assert server.server_events(a.desk.store_code) == []
    # The engine resends from the expected number.
    a.engine.sync_once()
    assert len(server.server_events(a.desk.store_code)) == sync_state.last_own_seq(a.conn)


def test_broken_chain_is_rejected_with_a_reason(make_desk: MakeDesk,
                                                server: ServerProcess) -> None:
    a = make_desk("A", "D1", server)
    _ticket(a)
    token = sync_state.read_state(a.conn).token
    batch = sync_state.outbox(a.conn, 0, 500)
    batch[-1] = {**batch[-1], "prev_hash": "f" * 64}
    with httpx.Client(base_url=server.url, headers=headers(token)) as http:
        r = http.post("/v1/push", json={"protocol": PROTOCOL_VERSION,
                                        "device_id": batch[0]["device_id"], "first_seq": 1,
                                        "events": batch})
    assert r.status_code == 422 and r.json()["error"] == "broken_chain"
    assert server.server_events(a.desk.store_code) == []


def test_bad_token_is_401_and_keeps_data(make_desk: MakeDesk, server: ServerProcess) -> None:
    a = make_desk("A", "D1", server, enrol=False)
    _ticket(a)
    with pytest.raises(Unauthorized):
        a.engine.sync_once()  # never enrolled
    sync_state.put(a.conn, sync_token="forged")
    before = a.event_set()
    with pytest.raises(Unauthorized):
        a.engine.sync_once()
    assert a.event_set() == before and a.engine.status()["pending"] == len(before)
    assert "unauthorized" in (a.engine.status()["last_error"] or "")
    # An enrolment code works once only.
    code = server.enrol_code(a.desk.store_code, "D1", via_cli=True)
    a.engine.enrol(code)
    with pytest.raises(EnrolRefused) as refused:
        a.engine.enrol(code)
    assert (refused.value.reason, refused.value.status) == ("bad_code", 401)
    assert a.engine.sync_once().pushed == len(before)


def test_protocol_mismatch_raises_update_required(make_desk: MakeDesk,
                                                  server: ServerProcess) -> None:
    a = make_desk("A", "D1", server)
    _ticket(a)
    a.engine.protocol_version = PROTOCOL_VERSION + 1
    before = a.event_set()
    with pytest.raises(UpdateRequired):
        a.engine.sync_once()
    assert a.event_set() == before and server.server_events(a.desk.store_code) == []
    r = httpx.get(f"{server.url}/v1/pull", headers=headers("x", protocol=0))
    assert r.status_code == 426 and r.json()["error"] == "update_required"


def test_restored_server_gets_everything_back_exactly_once(
    make_desk: MakeDesk, private_server: ServerProcess, tmp_path: Path
) -> None:
    server = private_server
    a, b = make_desk("A", "D1", server), make_desk("A", "D2", server)
    _ticket(a)
    _ticket(b)
    for node in (a, b, a):
        node.engine.sync_once()
    old = tmp_path / "server-backup.db"
    server.backup(old)
    t2 = _ticket(a, "收银员态度很差")
    _ticket(b, "停车场没有灯")
    for node in (a, b, a, b):
        node.engine.sync_once()
    add_note(b.desk, b.clerk, t2, "已道歉")
    server.stop()
    server.restore(old)
    epoch = server.cli("new-epoch")["epoch"]
    server.start()
    # b syncs first; a only afterwards, and both re-offer what the old copy lacks.
    rb = b.engine.sync_once()
    ra = a.engine.sync_once()
    assert ra.epoch_reset and rb.epoch_reset and ra.epoch == epoch
    for node in (a, b):
        node.engine.sync_once()
    _assert_converged(server, a, b)
    assert len(server.server_events()) == len(a.event_set())


def test_restored_server_without_new_epoch_is_detected(
    make_desk: MakeDesk, private_server: ServerProcess, tmp_path: Path
) -> None:
    server = private_server
    a, b = make_desk("A", "D1", server), make_desk("A", "D2", server)
    _ticket(a)
    a.engine.sync_once()
    old = tmp_path / "server-backup.db"
    server.backup(old)
    _ticket(a)
    _ticket(b)
    a.engine.sync_once()
    b.engine.sync_once()
    server.stop()
    server.restore(old)  # the operator forgot `kesu-server new-epoch`
    server.start()
    assert a.engine.sync_once().epoch_reset  # a's acked is above what the server holds
    b.engine.sync_once()
    a.engine.sync_once()
    _assert_converged(server, a, b)


@pytest.mark.parametrize("fault", ["die_after_commit:2", "die_before_commit:2"])
def test_server_killed_around_commit_then_resend_is_exactly_once(
    make_desk: MakeDesk, private_server: ServerProcess, fault: str
) -> None:
    server = private_server
    a = make_desk("A", "D1", server)
    for _ in range(8):
        _ticket(a)
    a.engine.batch_size = 4  # several batches; the server dies on the second
    server.stop()
    server.start(fault=fault)
    with pytest.raises(NetworkError):
        a.engine.sync_once()
    server.wait_dead()
    acked_before = a.engine.status()["acked"]
    assert acked_before == 4  # the first batch was acknowledged, the second not
    server.start()
    a.engine.sync_once()
    ids = [e[0] for e in server.server_events()]
    assert len(ids) == len(set(ids)) == sync_state.last_own_seq(a.conn)
    _assert_converged(server, a)
