"""Headquarters actions against a real ``kesu-server``: they reach the store's desks as events."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from desktop.compensation import compensate
from desktop.ticket_actions import advance, void
from desktop.tickets import create_ticket, get_ticket
from local_db import projection, store
from tests.sync.helpers import DeskNode, ServerProcess, headers
from tests.sync.server.hq_client import HQ

MakeDesk = Callable[..., DeskNode]


@pytest.fixture
def hq(server: ServerProcess) -> Iterator[HQ]:
    """A headquarters user with a fresh token."""
    client = HQ(server)
    yield client
    client.close()


def _ticket(node: DeskNode, text: str = "收银员态度很差，问她问题不理人") -> str:
    node.clock.advance(seconds=5)
    return create_ticket(node.desk, node.clerk, {"text": text}).ticket.id


def _central_events(node: DeskNode) -> list[tuple[str, str, str, int]]:
    """(type, actor, device id without the epoch part, device_seq) of central events."""
    return [(r[0], r[1], r[2].rsplit(":", 1)[0], r[3]) for r in node.conn.execute(
        "SELECT type, actor, device_id, device_seq FROM events "
        "WHERE device_id LIKE 'central:%' ORDER BY hlc")]


def test_hq_sees_the_store_and_its_changes_reach_every_desk(
        make_desk: MakeDesk, server: ServerProcess, hq: HQ) -> None:
    a, b = make_desk("A", "D1", server), make_desk("A", "D2", server)
    tid = _ticket(a)
    a.engine.sync_once()
    b.engine.sync_once()

    listed = hq.tickets(a.desk.store_code)
    assert listed.status_code == 200
    (seen,) = listed.json()["tickets"]
    desk_view = get_ticket(a.desk, tid)
    assert seen["id"] == tid and seen["number"] == desk_view.number
    assert seen["status"] == "accepted" and seen["level"] == desk_view.level

    moved = hq.status(tid, "accepted", "rectifying", note="请门店今天内联系顾客")
    assert moved.status_code == 201
    noted = hq.note(tid, "总部已电话安抚顾客")
    assert noted.status_code == 201
    assert noted.json()["server_seq"] > moved.json()["server_seq"]

    for node in (a, b):
        node.engine.sync_once()
        assert store.check(node.conn) == []
        ticket = get_ticket(node.desk, tid)
        assert ticket.status == "rectifying" and ticket.conflict == 0
        assert ticket.first_response_at is not None
        assert _central_events(node) == [
            ("status_changed", "hq:总部王经理", f"central:{a.desk.store_code}", 1),
            ("note_added", "hq:总部王经理", f"central:{a.desk.store_code}", 2)]
    # The desk carries on from the state HQ set; its event sorts after HQ's.
    b.clock.advance(minutes=2)
    advance(b.desk, b.manager, tid, "reviewing")
    b.engine.sync_once()
    a.engine.sync_once()
    assert get_ticket(a.desk, tid).status == "reviewing"
    assert a.projections() == b.projections()

    shown = hq.show(tid).json()
    assert shown["ticket"]["status"] == "reviewing"
    assert [e["type"] for e in shown["events"]] == [
        "ticket_created", "status_changed", "note_added", "status_changed"]
    desk_ids = [r[0] for r in a.conn.execute(
        "SELECT event_id FROM events WHERE ticket_id = ? ORDER BY hlc, device_id", (tid,))]
    assert [e["event_id"] for e in shown["events"]] == desk_ids


def test_a_stale_from_becomes_a_conflict_not_a_loss(make_desk: MakeDesk, server: ServerProcess,
                                                    hq: HQ) -> None:
    a = make_desk("A", "D1", server)
    tid = _ticket(a)
    a.engine.sync_once()
    a.clock.advance(minutes=1)
    advance(a.desk, a.clerk, tid, "rectifying")  # not yet pushed: HQ cannot know
    assert hq.status(tid, "accepted", "rectifying", note="总部直接派单").status_code == 201
    a.engine.sync_once()
    assert store.check(a.conn) == []
    ticket = get_ticket(a.desk, tid)
    assert ticket.conflict == 1 and ticket.status == "rectifying"
    kinds = [r[0] for r in a.conn.execute(
        "SELECT type FROM events WHERE ticket_id = ? AND type = 'status_changed'", (tid,))]
    assert len(kinds) == 2
    assert hq.show(tid).json()["ticket"]["conflict"] == 1


def test_hq_decides_a_pending_compensation_once(make_desk: MakeDesk, server: ServerProcess,
                                                hq: HQ) -> None:
    a = make_desk("A", "D1", server)
    tid = _ticket(a, "买的电饭煲用了一次就坏了，要求赔偿")
    outcome = compensate(a.desk, a.manager, tid, amount="1200", kind="cash")
    assert outcome.status == "pending_approval" and outcome.compensation.approval_level == "hq"
    cid = outcome.compensation.id
    small = compensate(a.desk, a.clerk, tid, amount="10", kind="coupon")
    assert small.status == "granted"
    a.engine.sync_once()

    lines = {c["id"]: c for c in hq.show(tid).json()["ticket"]["compensations"]}
    assert lines[cid]["status"] == "pending_approval"

    assert hq.decide(tid, small.compensation.id, "approved").json()["error"] == "not_pending"
    refused_no_reason = hq.decide(tid, cid, "refused")
    assert refused_no_reason.status_code == 400
    decided = hq.decide(tid, cid, "approved", reason="食品安全以外的特殊情况，总部同意")
    assert decided.status_code == 201
    again = hq.decide(tid, cid, "refused", reason="重复")
    assert again.status_code == 409 and again.json()["error"] == "not_pending"

    # Two headquarters users deciding the same line at once: exactly one decision.
    second = compensate(a.desk, a.manager, tid, amount="1500", kind="cash")
    a.engine.sync_once()
    other = HQ(server, name="总部李主管")
    try:
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(
                lambda who: who.decide(tid, second.compensation.id, "refused", reason="超标"),
                [hq, other]))
    finally:
        other.close()
    assert sorted(r.status_code for r in answers) == [201, 409]

    a.engine.sync_once()
    assert store.check(a.conn) == []
    line = projection.read_compensation(a.conn, cid)
    assert line is not None
    assert line.status == "granted" and line.approved_by == "hq:总部王经理"
    assert line.reason == "comp.approved_by_hq"
    refused = projection.read_compensation(a.conn, second.compensation.id)
    assert refused is not None and refused.status == "refused"
    decisions = a.conn.execute(
        "SELECT count(*) FROM events WHERE type = 'compensation_decided'").fetchone()[0]
    assert decisions == 2


def test_inputs_are_checked(make_desk: MakeDesk, server: ServerProcess, hq: HQ) -> None:
    a = make_desk("A", "D1", server)
    tid = _ticket(a)
    a.engine.sync_once()

    def refused(resp: httpx.Response, status: int, error: str) -> None:
        assert (resp.status_code, resp.json()["error"]) == (status, error), resp.text

    refused(hq.status("0190f0e0-0000-7000-8000-000000000000", "accepted", "rectifying"),
            404, "unknown_ticket")
    refused(hq.note("nope", "有人在吗"), 404, "unknown_ticket")
    refused(hq.status(tid, "accepted", "done"), 400, "unknown_status")
    refused(hq.status(tid, "nowhere", "rectifying"), 400, "unknown_status")
    refused(hq.status(tid, "accepted", "voided"), 400, "unknown_status")
    refused(hq.note(tid, "   "), 400, "empty_text")
    refused(hq.note(tid, 42), 400, "malformed")
    refused(hq.note(tid, "字" * 5001), 400, "too_long")
    refused(hq.decide(tid, "x", "maybe"), 400, "bad_decision")
    refused(hq.decide(tid, "no-such-line", "approved"), 404, "unknown_compensation")
    refused(hq.http.post(f"/v1/hq/tickets/{tid}/notes", content=b"{not json"), 400, "malformed")
    refused(hq.http.post(f"/v1/hq/tickets/{tid}/notes", json=["text"]), 400, "malformed")
    voided = _ticket(a, "顾客说填错了，这张作废")
    void(a.desk, a.manager, voided, "录入错误")
    a.engine.sync_once()
    refused(hq.status(voided, "voided", "rectifying"), 409, "final")
    # Nothing of that reached the store.
    a.engine.sync_once()
    assert {r[0] for r in a.conn.execute("SELECT device_id FROM events")} == {a.desk.device_id}


def test_tokens_keep_to_their_role(make_desk: MakeDesk, server: ServerProcess, hq: HQ) -> None:
    a = make_desk("A", "D1", server)
    tid = _ticket(a)
    a.engine.sync_once()
    enrolled = httpx.post(f"{server.url}/v1/enrol", headers=headers(), json={
        "protocol": 1, "code": server.enrol_code(a.desk.store_code, "D9"),
        "device_id": "probe-device"})
    device_token = enrolled.json()["token"]

    with httpx.Client(base_url=server.url, timeout=10) as http:
        as_desk = http.post(f"/v1/hq/tickets/{tid}/notes", json={"text": "冒充总部"},
                            headers=headers(device_token))
        assert (as_desk.status_code, as_desk.json()["error"]) == (403, "forbidden")
        listing = http.get(f"/v1/hq/stores/{a.desk.store_code}/tickets",
                           headers=headers(device_token))
        assert listing.status_code == 403
        nobody = http.get(f"/v1/hq/tickets/{tid}", headers=headers("not-a-token"))
        assert (nobody.status_code, nobody.json()["error"]) == (401, "unauthorized")
        anonymous = http.post("/v1/channels/tickets", json={}, headers=headers())
        assert anonymous.status_code == 401
        for path in ("/v1/pull?since=0", "/v1/status", "/v1/policy"):
            assert hq.http.get(path).status_code == 403, path
        pushed = hq.http.post("/v1/push", json={"protocol": 1, "device_id": "x",
                                                "first_seq": 1, "events": []})
        assert (pushed.status_code, pushed.json()["error"]) == (403, "forbidden")
        old = http.get(f"/v1/hq/tickets/{tid}", headers=headers(hq.token, protocol=0))
        assert old.status_code == 426
    a.engine.sync_once()
    assert [r[0] for r in a.conn.execute("SELECT type FROM events")] == ["ticket_created"]


def test_reserved_names_cannot_be_enrolled(server: ServerProcess) -> None:
    with pytest.raises(ValueError):
        server.enrol_code("XT99", "HQ")
    code = server.enrol_code("XT99", "D1")
    resp = httpx.post(f"{server.url}/v1/enrol", headers=headers(),
                      json={"protocol": 1, "code": code, "device_id": "central:XT99"})
    assert resp.status_code == 401


def test_a_restored_server_starts_a_new_central_chain(make_desk: MakeDesk,
                                                      private_server: ServerProcess,
                                                      tmp_path: Path) -> None:
    server = private_server
    a = make_desk("A", "D1", server)
    tid = _ticket(a)
    a.engine.sync_once()
    server.backup(tmp_path / "backup")
    hq = HQ(server)
    assert hq.note(tid, "备份之后的总部批示").status_code == 201
    hq.close()
    a.engine.sync_once()
    server.stop()
    server.restore(tmp_path / "backup")
    server.cli("new-epoch")
    server.start()
    hq = HQ(server)  # the restored database lost the first token too
    try:
        assert hq.note(tid, "恢复之后的总部批示").status_code == 201
    finally:
        hq.close()
    a.engine.sync_once()
    a.engine.sync_once()
    assert store.check(a.conn) == []
    central = _central_events(a)
    assert [(kind, seq) for kind, _, _, seq in central] == [("note_added", 1), ("note_added", 1)]
    chains = {r[0] for r in a.conn.execute(
        "SELECT device_id FROM events WHERE device_id LIKE 'central:%'")}
    assert len(chains) == 2
    # The server has the desk's ticket again, the note made after the restore, and the
    # lost note, handed back by the desk that had pulled it.
    shown = HQ(server)
    try:
        texts = [json.loads(e["payload"]).get("text")
                 for e in shown.show(tid).json()["events"]]
    finally:
        shown.close()
    assert texts[1:] == ["备份之后的总部批示", "恢复之后的总部批示"]


def test_enrol_codes_are_typeable_and_never_look_like_an_option() -> None:
    from sync.server.storage import ENROL_ALPHABET, new_enrol_code

    codes = {new_enrol_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(set(c) <= set(ENROL_ALPHABET) and not c.startswith("-") for c in codes)
    assert not set(ENROL_ALPHABET) & set("01OIl-_")
