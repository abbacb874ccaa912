"""A ticket closed at first contact reaches the centre and the store's other desks.

The ``first_contact`` status change is checked by the centre with the shared event
schema before it commits the push: a field the schema did not know would be a 422 and a
dead letter on the desk.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.ticket_actions import resolve_first_contact
from desktop.tickets import create_ticket, get_ticket
from local_db import store, sync_state
from tests.sync.helpers import DeskNode, ServerProcess

MakeDesk = Callable[..., DeskNode]


def test_first_contact_close_is_accepted_by_the_centre_and_pulled(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    a, b = make_desk("A", "D1", server), make_desk("A", "D2", server)
    tid = create_ticket(a.desk, a.clerk, {"text": "请问你们几点关门"}).ticket.id
    a.clock.advance(minutes=2)
    resolve_first_contact(a.desk, a.clerk, tid, "已当场答复营业时间")
    result = a.engine.sync_once()
    assert result.pushed == result.offered > 0
    assert sync_state.dead_letters(a.conn) == []
    assert a.engine.status()["pending"] == 0
    b.engine.sync_once()
    pulled = get_ticket(b.desk, tid)
    assert pulled.status == "closed" and pulled.closed_at is not None
    assert store.check(b.conn) == []
    closing = a.conn.execute(
        "SELECT event_id FROM events WHERE ticket_id = ? AND type = 'status_changed'",
        (tid,)).fetchone()[0]
    assert closing in {e[0] for e in server.server_events(a.desk.store_code)}
