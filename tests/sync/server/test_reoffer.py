"""Re-offering the centre's events: only the desk's own store, never a rewrite."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from desktop.tickets import create_ticket
from domain.events import event_hash
from local_db import sync_state
from tests.sync.helpers import DeskNode, ServerProcess, headers
from tests.sync.server.hq_client import HQ

MakeDesk = Callable[..., DeskNode]


def _central_events(node: DeskNode) -> list[dict[str, object]]:
    (device_id, top), = sync_state.central_heads(node.conn).items()
    events = sync_state.chain_events(node.conn, device_id, 0, 10)
    assert len(events) == top
    return events


def _reoffer(server: ServerProcess, node: DeskNode, events: list[dict[str, object]]
             ) -> httpx.Response:
    token = sync_state.read_state(node.conn).token
    body = {"protocol": 1, "device_id": events[0]["device_id"],
            "first_seq": events[0]["device_seq"], "events": events}
    return httpx.post(f"{server.url}/v1/reoffer", json=body, headers=headers(token),
                      timeout=10)


def test_reoffer_is_refused_for_another_store_or_a_changed_event(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    a, other = make_desk("A", "D1", server), make_desk("B", "D1", server)
    ticket = create_ticket(a.desk, a.clerk, {"text": "收银员找错钱了，少找了十块"}).ticket.id
    a.engine.sync_once()
    hq = HQ(server)
    try:
        assert hq.note(ticket, "总部：已联系门店").status_code == 201
    finally:
        hq.close()
    a.engine.sync_once()
    events = _central_events(a)

    # Handing back what the server already holds is harmless.
    same = _reoffer(server, a, events)
    assert same.status_code == 200 and same.json()["inserted"] == 0

    # Another store's desk may not write into store A's central chain.
    assert _reoffer(server, other, events).status_code == 403

    # Nor may store A's desk rewrite the centre's note.
    forged = dict(events[0])
    payload = json.loads(str(forged["payload"]))
    payload["text"] = "总部：同意赔偿一万元"
    forged["payload"] = json.dumps(payload, ensure_ascii=False)
    forged["hash"] = event_hash(forged)
    refused = _reoffer(server, a, [forged])
    assert refused.status_code == 422 and refused.json()["error"] == "fork"
