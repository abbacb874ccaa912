"""The centre's ticket projection: equal to the fold of each ticket's events, caught up
from the log after commits, and after a crash between a commit and its catch-up."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from desktop.compensation import compensate
from desktop.ticket_actions import add_note
from desktop.tickets import create_ticket
from sync.server.console import centre_tickets, masterdata
from sync.server.hq import view
from sync.server.storage import Storage
from sync.server.tables import PROJECTED_THROUGH, centre_compensations, server_meta
from sync.server.tables import centre_tickets as table
from tests.sync.helpers import DeskNode, ServerProcess

MakeDesk = Callable[..., DeskNode]


def _rows(storage: Storage, store: str) -> dict[str, dict[str, object]]:
    centre_tickets.catch_up(storage)
    with storage.engine.connect() as conn:
        return {r["ticket_id"]: dict(r) for r in conn.execute(
            sa.select(table).where(table.c.store == store)).mappings()}


def test_rows_equal_the_fold_and_follow_changes(make_desk: MakeDesk,
                                                server: ServerProcess) -> None:
    node = make_desk("A", "D1")
    store = node.desk.store_code
    first = create_ticket(node.desk, node.clerk, {"text": "买到过期牛奶，孩子喝了肚子疼"}).ticket
    node.clock.advance(seconds=5)
    second = create_ticket(node.desk, node.clerk, {"text": "收银员态度很差"}).ticket
    pending = compensate(node.desk, node.manager, first.id, amount="1200", kind="cash")
    assert pending.status == "pending_approval"
    node.engine.sync_once()
    storage = Storage(server.db_url)
    try:
        rows = _rows(storage, store)
        assert set(rows) == {first.id, second.id}
        with storage.engine.connect() as conn:
            for tid, row in rows.items():
                folded = view(conn, tid)[1].ticket
                assert (row["number"], row["level"], row["status"], row["category"],
                        row["subcategory"], row["due_at"], row["region"]) == (
                    folded.number, folded.level, folded.status, folded.category,
                    folded.subcategory, folded.due_at, "TEST")
            comp = conn.execute(sa.select(centre_compensations).where(
                centre_compensations.c.ticket_id == first.id)).mappings().one()
        assert (comp["status"], comp["amount_fen"], comp["approval_level"]) == (
            "pending_approval", 120000, "hq")

        # A later change at the desk reaches the row; a region move restamps it.
        before = rows[second.id]["updated_seq"]
        node.clock.advance(seconds=5)
        add_note(node.desk, node.clerk, second.id, "已联系顾客")
        node.engine.sync_once()
        masterdata.save_region(storage, "MOVED", "新区域", "New region")
        masterdata.save_store(storage, store, "门店", "MOVED")
        rows = _rows(storage, store)
        assert int(str(rows[second.id]["updated_seq"])) > int(str(before))
        assert {r["region"] for r in rows.values()} == {"MOVED"}
    finally:
        storage.close()


def test_a_lost_catch_up_is_made_good_from_the_log(make_desk: MakeDesk,
                                                   server: ServerProcess) -> None:
    node = make_desk("A", "D1")
    ticket = create_ticket(node.desk, node.clerk, {"text": "冷柜里的冻肉有异味"}).ticket
    node.engine.sync_once()
    storage = Storage(server.db_url)
    try:
        centre_tickets.catch_up(storage)
        # As if the server died after commits whose catch-up never ran: the mark is
        # behind, the row is gone; the next catch-up rebuilds it from the log.
        with storage.writing() as conn:
            conn.execute(sa.delete(table).where(table.c.ticket_id == ticket.id))
            conn.execute(server_meta.update().where(server_meta.c.key == PROJECTED_THROUGH)
                         .values(value="0"))
        assert ticket.id in _rows(storage, node.desk.store_code)
    finally:
        storage.close()
