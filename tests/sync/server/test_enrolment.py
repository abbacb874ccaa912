"""Desk identity and retiring credentials (issue 13, findings 3 to 5): enrolment binds a
device to one store and desk, codes expire, tokens are listed and revoked with
``kesu-server token``. A real server on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from desktop.tickets import create_ticket
from domain.ids import uuid7
from local_db import store, sync_state
from sync.errors import EnrolRefused, Unauthorized
from sync.server import enrolment
from sync.server.storage import Storage
from tests.sync.helpers import DeskNode, ServerProcess, headers
from tests.sync.server.hq_client import HQ, run_cli
from tests.sync.trust_helpers import foreign_chain, plant

MakeDesk = Callable[..., DeskNode]


_open: list[DeskNode] = []


def request_close(node: DeskNode) -> None:
    """Close *node* when the test ends (desks made outside make_desk)."""
    _open.append(node)


@pytest.fixture(autouse=True)
def _close_desks() -> Iterator[None]:
    yield None
    while _open:
        _open.pop().close()


def _tokens(server: ServerProcess, store_code: str) -> dict[str, list[dict[str, object]]]:
    """``kesu-server token list --store``, in process (the CLI is run where it matters)."""
    storage = Storage(server.db_url)
    try:
        return dict(enrolment.list_tokens(storage, store_code).as_dict())
    finally:
        storage.close()


def test_a_desk_initialised_with_another_desk_code_is_refused_and_burns_nothing(
        make_desk: MakeDesk, server: ServerProcess, tmp_path: Path) -> None:
    """Finding 3: two desks initialised as D1, enrolled with codes for D1 and D2."""
    first = make_desk("A", "D1", server)
    twin = DeskNode(tmp_path / "twin.db", first.desk.store_code, "D1", first.clock, server)
    request_close(twin)
    code = server.enrol_code(twin.desk.store_code, "D2")
    with pytest.raises(EnrolRefused) as refused:
        twin.engine.enrol(code)
    assert (refused.value.reason, refused.value.status) == ("wrong_desk", 409)
    assert refused.value.params == {"store": twin.desk.store_code, "desk": "D1",
                                    "code_store": twin.desk.store_code, "code_desk": "D2"}
    assert sync_state.read_state(twin.conn).token is None
    listed = _tokens(server, twin.desk.store_code)
    assert twin.desk.device_id not in {t["device_id"] for t in listed["devices"]}
    # The code was not used up: the real D2 desk enrols with it.
    real_d2 = make_desk("A", "D2", server, enrol=False)
    real_d2.engine.enrol(code)
    # And a D1 code for the twin: the desk code is held by the first device.
    with pytest.raises(EnrolRefused) as taken:
        twin.engine.enrol(server.enrol_code(twin.desk.store_code, "D1"))
    assert taken.value.reason == "desk_taken" and first.desk.device_id in taken.value.detail


def test_a_number_clash_in_an_old_database_is_said_not_silent(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    """Finding 3, an old server that already holds two tickets with one number."""
    a = make_desk("A", "D1", server)
    mine = create_ticket(a.desk, a.clerk, {"text": "收银员多收了十块钱"}).ticket
    a.engine.sync_once()
    payload = json.loads(a.conn.execute(
        "SELECT payload FROM events WHERE ticket_id = ?", (mine.id,)).fetchone()[0])
    later = payload["number"][:-4] + "0002"
    twin = f"old-twin-{uuid7()[-12:]}"
    clash = foreign_chain(twin, uuid7(), ("ticket_created", {**payload, "text": "同号的另一单"}))
    fresh = foreign_chain(f"{twin}-2", uuid7(),
                          ("ticket_created", {**payload, "number": later, "text": "又一单"}))
    plant(server, a.desk.store_code, twin, *clash)
    plant(server, a.desk.store_code, f"{twin}-2", *fresh)
    report = a.engine.sync_once()
    assert (report.applied, report.set_aside) == (1, 1)
    (aside,) = sync_state.set_aside_events(a.conn)
    assert (aside.event_id, aside.reason) == (clash[0]["event_id"], "number_taken")
    assert "sync.set_aside" in (a.engine.status()["last_error"] or "")
    assert store.check(a.conn) == []
    # The desk numbers around what it holds: 0002 came from elsewhere.
    a.clock.advance(minutes=1)
    nxt = create_ticket(a.desk, a.clerk, {"text": "停车场没有灯"}).ticket
    assert nxt.number.endswith("-0003")


def test_a_device_bound_to_one_store_cannot_enrol_for_another(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    """Finding 4: the new token's /v1/status showed the device's high-water mark."""
    a = make_desk("A", "D1", server)
    create_ticket(a.desk, a.clerk, {"text": "酸奶过期了"})
    a.engine.sync_once()
    other_store = a.desk.store_code[:-1] + "Z"
    answer = httpx.post(f"{server.url}/v1/enrol", headers=headers(), json={
        "protocol": 1, "code": server.enrol_code(other_store, "D1"),
        "device_id": a.desk.device_id}, timeout=10)
    assert (answer.status_code, answer.json()["error"]) == (409, "device_bound")
    assert "token" not in answer.json()


def test_tokens_are_listed_and_revoked_and_codes_expire(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    """Finding 5: revoked_at was reachable only by SQL, codes never expired, a
    wrong-store enrolment burnt the code and left a live token."""
    a = make_desk("A", "D1", server)
    create_ticket(a.desk, a.clerk, {"text": "酸奶过期了"})
    a.engine.sync_once()
    code_store = a.desk.store_code
    # Enrolling again revokes the device's older token.
    a.engine.enrol(server.enrol_code(code_store, "D1"))
    devices = [t for t in _tokens(server, code_store)["devices"]
               if t["device_id"] == a.desk.device_id]
    assert [t["live"] for t in devices] == [False, True]
    listed = run_cli(server, "token", "list", "--store", code_store)
    assert json.loads(listed.stdout)["devices"] == _tokens(server, code_store)["devices"]
    revoked = run_cli(server, "token", "revoke", "--device", a.desk.device_id)
    assert revoked.returncode == 0, revoked.stderr
    (entry,) = json.loads(revoked.stdout)["revoked"]
    assert (entry["kind"], entry["device_id"]) == ("device", a.desk.device_id)
    assert entry["revoked_at"]
    with pytest.raises(Unauthorized):
        a.engine.sync_once()
    assert a.engine.status()["enrol_again"] is True
    assert all(not t["live"] for t in _tokens(server, code_store)["devices"]
               if t["device_id"] == a.desk.device_id)
    storage = Storage(server.db_url)
    try:
        with pytest.raises(ValueError, match="nothing live"):
            enrolment.revoke(storage, device=a.desk.device_id)
    finally:
        storage.close()

    # Codes: the default expiry is the policy's 24 hours; a short one runs out.
    made = server.cli("enrol", "--store", code_store, "--desk", "D1")
    expires = datetime.fromisoformat(made["expires_at"].replace("Z", "+00:00"))
    assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(hours=24)
    short = server.cli("enrol", "--store", code_store, "--desk", "D1",
                       "--expires-in-hours", "0.0002")
    time.sleep(max(0.0, (datetime.fromisoformat(short["expires_at"].replace("Z", "+00:00"))
                         - datetime.now(UTC)).total_seconds()) + 0.1)
    with pytest.raises(EnrolRefused) as expired:
        a.engine.enrol(short["code"])
    assert expired.value.reason == "code_expired"
    states = {c["expires_at"]: c["state"] for c in _tokens(server, code_store)["enrol_codes"]}
    assert states[short["expires_at"]] == "expired" and states[made["expires_at"]] == "pending"
    a.engine.enrol(made["code"])
    assert a.engine.sync_once().acked_through == sync_state.last_own_seq(a.conn)

    # An HQ token revoked by name is refused at once.
    hq = HQ(server, name=f"临时-{code_store}")
    try:
        assert hq.tickets(code_store).status_code == 200
        storage = Storage(server.db_url)
        try:
            assert enrolment.revoke(storage, hq_name=hq.name)[0]["kind"] == "hq"
            assert hq.tickets(code_store).status_code == 401
            listed = enrolment.list_tokens(storage).hq
        finally:
            storage.close()
        assert [t["live"] for t in listed if t["name"] == hq.name] == [False]
    finally:
        hq.close()


def test_a_wrong_store_enrolment_leaves_no_token_and_the_code_usable(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    a = make_desk("A", "D1", server, enrol=False)
    elsewhere = a.desk.store_code[:-1] + "Y"
    code = server.enrol_code(elsewhere, "D1")
    with pytest.raises(EnrolRefused) as refused:
        a.engine.enrol(code)
    assert refused.value.reason == "wrong_store"
    assert _tokens(server, elsewhere)["devices"] == []
    assert [c["state"] for c in _tokens(server, elsewhere)["enrol_codes"]] == ["pending"]
