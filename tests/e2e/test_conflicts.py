"""Two desks and headquarters change one ticket's status from the same starting state.

Nothing wins silently: every change is kept, the fold marks the ticket as a conflict
for a person to settle, and the desks and the centre agree on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from desktop.ticket_actions import add_note, advance
from desktop.tickets import create_ticket, get_ticket
from tests.sync.helpers import DeskNode, ServerProcess, headers
from tests.sync.invariants import check_store, quiesce


def _hq(server: ServerProcess, token: str, path: str, body: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{server.url}{path}", json=body, timeout=10,
                      headers={**headers(), "Authorization": f"Bearer {token}"})


def test_two_desks_and_hq_change_the_same_ticket(
    make_desk: Callable[..., DeskNode], server: ServerProcess
) -> None:
    a, b = make_desk("A", "D1", server), make_desk("A", "D2", server)
    hq_token = str(server.cli("hq-token", "--name", "王总")["token"])
    ticket = create_ticket(a.desk, a.clerk, {"text": "收银员态度很差，问她问题不理人"}).ticket
    a.engine.sync_once()
    b.engine.sync_once()
    assert get_ticket(b.desk, ticket.id).status == "accepted"

    # All three act from 受理 without hearing of the others.
    a.clock.advance(minutes=5)
    advance(a.desk, a.clerk, ticket.id, "rectifying", note="A：已安排培训")
    add_note(a.desk, a.clerk, ticket.id, "A 的备注")
    b.clock.advance(minutes=1)
    advance(b.desk, b.manager, ticket.id, "rectifying", note="B：店长亲自处理")
    add_note(b.desk, b.clerk, ticket.id, "B 的备注")
    r = _hq(server, hq_token, f"/v1/hq/tickets/{ticket.id}/status",
            {"from": "accepted", "to": "reviewing", "note": "总部：直接复核"})
    assert r.status_code == 201, r.text
    r = _hq(server, hq_token, f"/v1/hq/tickets/{ticket.id}/notes", {"text": "总部的备注"})
    assert r.status_code == 201, r.text

    nodes = [a, b]
    quiesce(nodes)
    conflicted = check_store(server, nodes, hq_token=hq_token)
    assert conflicted == [ticket.id]

    changes_by = {}
    notes = set()
    for node in nodes:
        rows = node.conn.execute(
            "SELECT type, payload, actor, device_id FROM events WHERE ticket_id = ? "
            "ORDER BY hlc, device_id", (ticket.id,)).fetchall()
        # Central events carry a device id of their own per store ("central:...").
        changes = [("central" if r[3].startswith("central") else r[3],
                    json.loads(r[1])["from"], json.loads(r[1])["to"]) for r in rows
                   if r[0] == "status_changed"]
        changes_by[node.desk.desk_code] = changes
        notes |= {json.loads(r[1])["text"] for r in rows if r[0] == "note_added"}
        state = get_ticket(node.desk, ticket.id)
        assert state.conflict == 1
    assert changes_by["D1"] == changes_by["D2"]
    assert sorted(changes_by["D1"]) == sorted([
        (a.desk.device_id, "accepted", "rectifying"), (b.desk.device_id, "accepted",
                                                        "rectifying"),
        ("central", "accepted", "reviewing")])
    assert {"A 的备注", "B 的备注", "总部的备注"} <= notes

    # The centre shows the same ticket, the same conflict and every event.
    r = httpx.get(f"{server.url}/v1/hq/tickets/{ticket.id}", timeout=10,
                  headers={**headers(), "Authorization": f"Bearer {hq_token}"})
    assert r.status_code == 200
    centre = r.json()
    final = get_ticket(a.desk, ticket.id)
    assert (centre["ticket"]["status"], centre["ticket"]["conflict"]) == (final.status, 1)
    on_desk = {str(row[0]) for row in a.conn.execute(
        "SELECT event_id FROM events WHERE ticket_id = ?", (ticket.id,))}
    assert {e["event_id"] for e in centre["events"]} == on_desk

    # Device tokens cannot act as headquarters, nor HQ tokens sync.
    token = a.conn.execute("SELECT value FROM meta WHERE key = 'sync_token'").fetchone()[0]
    assert _hq(server, token, f"/v1/hq/tickets/{ticket.id}/notes",
               {"text": "x"}).status_code == 403
