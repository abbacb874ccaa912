"""The centre trusts no desk (issue 13): what a buggy or compromised desk sends with a
valid token is refused before it is stored, and what an older server let in stops
nobody. A real ``kesu-server`` on SQLite and on PostgreSQL, real desks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from desktop.tickets import create_ticket
from domain.ids import uuid7
from local_db import store, sync_state
from sync.errors import ServerRejected
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.hq_client import HQ
from tests.sync.trust_helpers import foreign_chain, next_event, plant, push_raw

MakeDesk = Callable[..., DeskNode]


def _created(node: DeskNode, ticket_id: str) -> dict[str, Any]:
    text = node.conn.execute("SELECT payload FROM events WHERE ticket_id = ? AND "
                             "type = 'ticket_created'", (ticket_id,)).fetchone()[0]
    return dict(json.loads(text))


def _page(server: ServerProcess, number: str, code: str) -> httpx.Response:
    return httpx.get(f"{server.url}/p/{number}", params={"code": code}, timeout=10)


@pytest.fixture
def hq(server: ServerProcess) -> HQ:
    return HQ(server)


BAD_EVENTS: list[dict[str, Any]] = [
    {"payload": "not json"},
    {"payload": "[]"},
    {"payload": "1" * 400},
    {"payload": '{"text":"好"}', "hlc": "not-a-clock"},
    {"payload": '{"text":""}'},
    {"payload": '{"text": "不是规范格式"}'},
    {"payload": '{"text":"x","extra":1}'},
    {"payload": '{"text":"好"}', "type": "note_removed"},
    {"payload": '{"text":"好"}', "occurred_at": "2026-02-30T00:00:00.000Z"},
    {"payload": '{"text":"好"}', "schema_version": 7},
    {"payload": '{"text":"好"}', "ticket_id": "t1"},
]


def test_a_malformed_event_is_refused_naming_it_and_the_store_goes_on(
        make_desk: MakeDesk, server: ServerProcess, hq: HQ) -> None:
    """Finding 1: each of these was accepted (200) and then stopped the whole store."""
    a, b = make_desk("A", "D1", server), make_desk("A", "D2", server)
    made = create_ticket(a.desk, a.clerk, {"text": "酸奶过期了，孩子喝了拉肚子"}).ticket
    a.engine.sync_once()
    for bad in BAD_EVENTS:
        changes = dict(bad)
        payload = changes.pop("payload")
        forged = next_event(a, changes.pop("ticket_id", made.id),
                            changes.pop("type", "note_added"), payload, **changes)
        answer = push_raw(a, server, forged)
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["error"] == "invalid_event"
        assert forged["event_id"] in answer.json()["detail"]
        assert forged["event_id"] not in {e[0] for e in server.server_events()}
    # Nothing of the store broke: HQ list, view and note, the page, every desk's sync.
    listing = hq.tickets(a.desk.store_code)
    assert listing.status_code == 200 and listing.json()["unreadable"] == []
    assert hq.show(made.id).status_code == 200
    assert hq.note(made.id, "总部已知悉").status_code == 201
    assert _page(server, made.number, _created(a, made.id)["verify_code"]).status_code == 200
    assert b.engine.sync_once().applied >= 2
    assert a.engine.sync_once().applied == 1  # HQ's note


def test_a_desk_that_records_a_bad_event_gets_a_dead_letter(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    a = make_desk("A", "D1", server)
    made = create_ticket(a.desk, a.clerk, {"text": "收银员多收了十块钱"}).ticket
    a.engine.sync_once()
    forged = next_event(a, made.id, "note_added", "[]")
    # A damaged desk database: the event is in its log, hashed and chained.
    a.conn.execute(
        "INSERT INTO events (event_id, ticket_id, type, payload, actor, device_id, "
        "device_seq, hlc, occurred_at, policy_version, schema_version, prev_hash, hash) "
        "VALUES (:event_id, :ticket_id, :type, :payload, :actor, :device_id, :device_seq, "
        ":hlc, :occurred_at, :policy_version, :schema_version, :prev_hash, :hash)", forged)
    with pytest.raises(ServerRejected) as refused:
        a.engine.sync_once()
    assert (refused.value.reason, refused.value.status) == ("invalid_event", 422)
    (letter,) = sync_state.dead_letters(a.conn)
    assert letter.reason == "invalid_event" and letter.event_ids == [forged["event_id"]]


def test_a_store_cannot_take_another_stores_numbers(
        make_desk: MakeDesk, server: ServerProcess, hq: HQ) -> None:
    """Finding 2: any number a ticket_created carried was indexed, first come first served."""
    a, other = make_desk("A", "D1", server), make_desk("B", "D1", server)
    real = create_ticket(other.desk, other.clerk, {"text": "电梯坏了三天没人修"}).ticket
    other.engine.sync_once()
    mine = create_ticket(a.desk, a.clerk, {"text": "停车场没有灯"}).ticket
    a.engine.sync_once()
    template = _created(a, mine.id)
    tid = uuid7()
    for number, error in [(real.number, "foreign_number"),  # another store's
                          (real.number.replace(other.desk.store_code, a.desk.store_code, 1)
                           .replace("-D1-", "-D2-"), "foreign_number"),  # another desk's
                          (mine.number, "number_taken")]:  # one the centre holds
        forged = next_event(a, tid, "ticket_created", {**template, "number": number,
                                                       "verify_code": "000000"})
        answer = push_raw(a, server, forged)
        assert (answer.status_code, answer.json()["error"]) == (422, error), number
    forged = next_event(a, tid, "ticket_created", {**template, "desk_code": "D7"})
    assert push_raw(a, server, forged).json()["error"] == "foreign_desk"
    again = next_event(a, mine.id, "ticket_created", template)
    assert push_raw(a, server, again).json()["error"] == "duplicate_creation"
    # The other store's customer still sees their own ticket.
    page = _page(server, real.number, _created(other, real.id)["verify_code"])
    assert page.status_code == 200 and "电梯坏了" in page.text


def test_rows_an_older_server_let_in_stop_nobody(
        make_desk: MakeDesk, server: ServerProcess, hq: HQ) -> None:
    """Defence in depth: poisoned rows already in the centre's database (stored before
    it checked pushes) are skipped by the HQ views and set aside by every desk, which
    go on syncing the rest of the store."""
    a, b = make_desk("A", "D1", server), make_desk("A", "D2", server)
    made = create_ticket(a.desk, a.clerk, {"text": "酸奶过期了"}).ticket
    a.engine.sync_once()
    broken = uuid7()
    evil = foreign_chain(f"old-desk-{uuid7()[-12:]}", made.id,
                         ("note_added", "not json"), ("note_added", "[]"))
    bad_ticket = foreign_chain(f"old-desk-{uuid7()[-12:]}", broken,
                               ("ticket_created", {"number": "nonsense"}))
    plant(server, a.desk.store_code, evil[0]["device_id"], *evil)
    plant(server, a.desk.store_code, bad_ticket[0]["device_id"], *bad_ticket)
    b_made = create_ticket(b.desk, b.clerk, {"text": "收银台排队太久"}).ticket

    report = b.engine.sync_once()
    assert report.set_aside == 3 and report.pushed > 0
    assert {e.event_id for e in sync_state.set_aside_events(b.conn)} == {
        e["event_id"] for e in (*evil, *bad_ticket)}
    assert "sync.set_aside" in (b.engine.status()["last_error"] or "")
    assert b.engine.status()["set_aside"] == 3
    assert store.check(b.conn) == []  # the chains are bridged over what was set aside
    seen = a.engine.sync_once()
    assert (seen.applied, seen.set_aside) == (1, 3)  # b's ticket reached a
    assert a.conn.execute("SELECT count(*) FROM tickets WHERE id = ?",
                          (b_made.id,)).fetchone()[0] == 1
    listing = hq.tickets(a.desk.store_code)
    assert listing.status_code == 200
    assert {t["id"] for t in listing.json()["tickets"]} == {made.id, b_made.id}
    assert hq.show(made.id).status_code == 200
    assert hq.note(made.id, "总部跟进").status_code == 201
    assert _page(server, made.number, _created(a, made.id)["verify_code"]).status_code == 200
    # A later round sets nothing aside again and clears the error.
    assert b.engine.sync_once().set_aside == 0
    assert b.engine.status()["last_error"] is None
