"""Refused batches against a real server: listed as dead letters, never dropped."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.tickets import create_ticket
from local_db import sync_state
from sync.errors import ServerRejected
from tests.sync.helpers import DeskNode, ServerProcess

MakeDesk = Callable[..., DeskNode]


def test_a_tampered_event_is_a_dead_letter_and_later_events_wait_behind_it(
    make_desk: MakeDesk, server: ServerProcess,
) -> None:
    a = make_desk("A", "D1", server)
    create_ticket(a.desk, a.clerk, {"text": "酸奶变质了"})
    a.engine.sync_once()
    acked = sync_state.read_state(a.conn).acked
    second = create_ticket(a.desk, a.clerk, {"text": "收银员态度很差"}).ticket
    # A damaged database (or a bad editor): the payload no longer matches its hash.
    a.conn.execute("UPDATE events SET payload = replace(payload, '很差', '很好') "
                   "WHERE ticket_id = ? AND type = 'ticket_created'", (second.id,))
    third = create_ticket(a.desk, a.clerk, {"text": "停车场没有灯"}).ticket
    before = a.conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    for _ in range(2):
        with pytest.raises(ServerRejected) as info:
            a.engine.sync_once()
    assert info.value.reason == "bad_hash"
    (letter,) = sync_state.dead_letters(a.conn)
    assert (letter.reason, letter.count, letter.first_seq) == ("bad_hash", 2, acked + 1)
    assert letter.last_seq == sync_state.last_own_seq(a.conn)
    status = a.engine.status()
    assert status["dead_letters"] == 1 and status["blocked_by_dead_letter"] is True
    assert status["pending"] == sync_state.last_own_seq(a.conn) - acked
    assert "bad_hash" in (status["last_error"] or "")
    # Nothing was dropped or rewritten, and the server holds none of the batch.
    assert a.conn.execute("SELECT * FROM events ORDER BY seq").fetchall() == before
    on_server = {e[0] for e in server.server_events(a.desk.store_code)}
    for tid in (second.id, third.id):
        ids = {r[0] for r in a.conn.execute("SELECT event_id FROM events WHERE ticket_id = ?",
                                            (tid,))}
        assert ids and not ids & on_server
