"""The background sync runner against a real ``kesu-server`` process."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.desk_sync.engine import SyncEngine
from desktop.desk_sync.runner import FAILED, PROBE_FAILED, ROUND, RunnerEvent, SyncRunner
from desktop.tickets import create_ticket
from local_db import sync_state
from local_db.connection import connect
from tests.sync.helpers import DeskNode, ServerProcess

MakeDesk = Callable[..., DeskNode]
# Generous bound for a wait on a real process; the tests never assert on durations.
WAIT = 30.0


def _factory(node: DeskNode) -> Callable[[], SyncEngine]:
    path = Path(node.conn.execute("PRAGMA database_list").fetchone()["file"])

    def make() -> SyncEngine:
        # Its own connection, opened in the runner's thread.
        return SyncEngine(connect(path), node.server.url, clock=node.clock, timeout=5.0)

    return make


class Events:
    """What the runner reported, in order."""

    def __init__(self) -> None:
        self.q: queue.Queue[RunnerEvent] = queue.Queue()

    def __call__(self, event: RunnerEvent) -> None:
        self.q.put(event)

    def next(self, *kinds: str) -> RunnerEvent:
        """The next event of one of *kinds* (others are skipped)."""
        while True:
            event = self.q.get(timeout=WAIT)
            if event.kind in kinds:
                return event


@pytest.fixture
def runners() -> Iterator[list[SyncRunner]]:
    made: list[SyncRunner] = []
    yield made
    for runner in made:
        runner.stop()


def _runner(runners: list[SyncRunner], node: DeskNode,
            events: Callable[[RunnerEvent], None], **kwargs: object) -> SyncRunner:
    runner = SyncRunner(_factory(node), on_event=events, **kwargs)  # type: ignore[arg-type]
    runners.append(runner)
    runner.start()
    return runner


def test_a_nudge_pushes_without_waiting_for_the_timer(
    make_desk: MakeDesk, server: ServerProcess, runners: list[SyncRunner],
) -> None:
    node = make_desk("A", "D1", server)
    events = Events()
    runner = _runner(runners, node, events, interval=3600.0, debounce=0.1)
    first = events.next(ROUND, FAILED)
    assert first.kind == ROUND and first.report is not None and first.report.offered == 0
    ticket = create_ticket(node.desk, node.clerk, {"text": "酸奶变质了"}).ticket
    runner.nudge()
    runner.nudge()  # a burst of changes is one round
    pushed = events.next(ROUND, FAILED)
    assert pushed.kind == ROUND and pushed.report is not None
    assert pushed.report.pushed == pushed.report.offered > 0
    on_server = {e[0] for e in server.server_events(node.desk.store_code)}
    mine = {r[0] for r in node.conn.execute("SELECT event_id FROM events WHERE ticket_id = ?",
                                            (ticket.id,))}
    assert mine and mine <= on_server
    assert events.q.empty()  # no timer round, no second round for the second nudge
    assert runner.stop() is True and not runner.running


def test_server_down_backs_off_and_syncs_as_soon_as_it_is_back(
    make_desk: MakeDesk, private_server: ServerProcess, runners: list[SyncRunner],
) -> None:
    node = make_desk("A", "D1", private_server)
    events = Events()
    # Deterministic, short backoff: the test follows its steps, not the clock.
    runner = _runner(runners, node, events, interval=3600.0, debounce=0.05,
                     backoff=lambda n: min(0.8, 0.05 * 2 ** n))
    assert events.next(ROUND, FAILED).kind == ROUND
    private_server.stop()
    create_ticket(node.desk, node.clerk, {"text": "收银员态度很差"})
    runner.nudge()
    failed = events.next(FAILED)
    assert failed.failures == 1 and failed.retry_in == 0.05
    probes = [events.next(PROBE_FAILED) for _ in range(3)]
    assert [p.failures for p in probes] == [2, 3, 4]
    assert [p.retry_in for p in probes] == [0.1, 0.2, 0.4]  # grows
    private_server.start()
    back = events.next(ROUND)
    assert back.report is not None and back.report.pushed > 0
    assert sync_state.pending_count(node.conn) == 0
    on_server = {e[0] for e in private_server.server_events(node.desk.store_code)}
    assert {r[0] for r in node.conn.execute("SELECT event_id FROM events")} <= on_server
    assert runner.stop() is True


def test_stop_returns_promptly_while_idle_and_while_backing_off(
    make_desk: MakeDesk, server: ServerProcess, runners: list[SyncRunner], tmp_path: Path,
) -> None:
    node = make_desk("A", "D1", server)
    events = Events()
    idle = _runner(runners, node, events, interval=3600.0)
    assert events.next(ROUND, FAILED).kind == ROUND
    assert idle.stop(timeout=5.0) is True  # waiting on a one-hour timer

    down = ServerProcess(tmp_path / "never-started.db")  # nothing listens on its port
    lost = make_desk("B", "D1", down, enrol=False)
    lost.engine.tokens.set("some-token")
    backing_off = _runner(runners, lost, events, interval=3600.0,
                          backoff=lambda n: 3600.0)  # next attempt in an hour
    assert events.next(FAILED).retry_in == 3600.0
    assert backing_off.stop(timeout=5.0) is True


def test_a_failing_listener_does_not_stop_the_runner(
    make_desk: MakeDesk, server: ServerProcess, runners: list[SyncRunner],
) -> None:
    node = make_desk("A", "D1", server)
    seen = Events()

    def listener(event: RunnerEvent) -> None:
        seen(event)
        raise RuntimeError("listener bug")

    runner = _runner(runners, node, listener, interval=3600.0,  # type: ignore[arg-type]
                     debounce=0.05)
    seen.next(ROUND)
    runner.nudge()
    assert seen.next(ROUND, FAILED).kind == ROUND and runner.running
