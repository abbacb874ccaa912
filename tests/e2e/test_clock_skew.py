"""Desks whose clocks are six hours fast and six hours slow work on the same tickets.

The hybrid logical clock, not the wall clock, orders the fold: whatever a desk had seen
when it made a change sorts before that change, however far its wall clock lags.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.ticket_actions import add_note, advance
from desktop.tickets import create_ticket, get_ticket
from domain.clock import FixedClock
from tests.conftest import START
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.invariants import check_store, desk_events, quiesce


@pytest.fixture
def skew_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A SQLite server for this test."""
    proc = ServerProcess(tmp_path / "server.db")
    proc.start()
    yield proc
    proc.kill()


class Causality:
    """Records, for every local step, which events the desk had when it made it."""

    def __init__(self) -> None:
        self.after: list[tuple[str, set[str]]] = []  # (new event id, events seen before)

    def step(self, node: DeskNode, action: Callable[[], Any]) -> Any:
        """Run *action* on *node*'s desk; remember what it had seen."""
        seen = set(desk_events(node.conn))
        result = action()
        node.clock.advance(seconds=30)
        for event_id in set(desk_events(node.conn)) - seen:
            self.after.append((event_id, seen))
        return result

    def check(self, node: DeskNode) -> int:
        """Every recorded event sorts after all it had seen, on *node*; how many pairs."""
        key = {str(r[0]): (str(r[1]), str(r[2])) for r in node.conn.execute(
            "SELECT event_id, hlc, device_id FROM events")}
        pairs = 0
        for event_id, seen in self.after:
            for earlier in seen:
                assert key[earlier] < key[event_id], (earlier, event_id)
                pairs += 1
        return pairs


def test_desks_six_hours_apart_agree_and_fold_by_hlc(
    tmp_path: Path, skew_server: ServerProcess
) -> None:
    clocks = {"FAST": FixedClock(START + timedelta(hours=6)),
              "SLOW": FixedClock(START - timedelta(hours=6)),
              "TRUE": FixedClock(START)}
    fast, slow, true = (DeskNode(tmp_path / f"{name}.db", "SKEW1", f"D{i}", clocks[name],
                                 skew_server) for i, name in enumerate(clocks, 1))
    nodes = [fast, slow, true]
    for node in nodes:
        node.enrol()
    c = Causality()

    # The fast desk takes two complaints; the others learn of them.
    t1 = c.step(fast, lambda: create_ticket(fast.desk, fast.clerk,
                                            {"text": "酸奶过期了，孩子喝了拉肚子"}).ticket.id)
    t2 = c.step(fast, lambda: create_ticket(fast.desk, fast.clerk,
                                            {"text": "停车场没有灯，晚上很黑"}).ticket.id)
    fast.engine.sync_once()
    slow.engine.sync_once()
    # Twelve hours "earlier" by its wall clock, the slow desk starts the fix of t1 ...
    c.step(slow, lambda: advance(slow.desk, slow.clerk, t1, "rectifying"))
    c.step(slow, lambda: add_note(slow.desk, slow.clerk, t2, "已安排电工"))
    slow.engine.sync_once()
    true.engine.sync_once()
    # ... and the desk with the true time finishes it: both sort after the creation.
    c.step(true, lambda: advance(true.desk, true.clerk, t1, "reviewing"))
    # Offline at the same time, the fast and the slow desk both move t2 from 受理.
    c.step(fast, lambda: advance(fast.desk, fast.clerk, t2, "rectifying", note="快的先修"))
    c.step(slow, lambda: advance(slow.desk, slow.clerk, t2, "rectifying", note="慢的也修"))
    # The slow desk's new ticket, stamped twelve hours before t1 by the wall clock.
    t3 = c.step(slow, lambda: create_ticket(slow.desk, slow.clerk,
                                            {"text": "收银员态度很差"}).ticket.id)
    true.engine.sync_once()
    c.step(true, lambda: advance(true.desk, true.manager, t1, "accountability"))

    quiesce(nodes)
    conflicted = check_store(skew_server, nodes)
    for node in nodes:
        assert c.check(node) > 20
        assert get_ticket(node.desk, t1).status == "accountability"
        t2_state = get_ticket(node.desk, t2)
        # Both changes from 受理 are kept; the second in HLC order makes the conflict.
        assert t2_state.status == "rectifying" and t2_state.conflict == 1
        assert get_ticket(node.desk, t3).status == "accepted"
    assert conflicted == [t2]
    # By the wall clock the slow desk's change of t1 came twelve hours before t1 existed;
    # by the hybrid clock it comes after, and each later change after it.
    events = [(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in slow.conn.execute(
        "SELECT type, occurred_at, hlc, device_id FROM events WHERE ticket_id = ? "
        "AND type IN ('ticket_created', 'status_changed') ORDER BY hlc, device_id", (t1,))]
    assert [(e[0], e[3]) for e in events] == [
        ("ticket_created", fast.desk.device_id), ("status_changed", slow.desk.device_id),
        ("status_changed", true.desk.device_id), ("status_changed", true.desk.device_id)]
    assert events[1][1] < events[0][1]  # occurred_at: slow's wall clock lags
    for node in nodes:
        node.close()
