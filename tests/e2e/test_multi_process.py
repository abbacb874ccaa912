"""Several ``kesu-server`` processes on one PostgreSQL database.

Desks push at the same time through different processes while another client pulls
through a third: every event is stored once, ``server_seq`` is gapless and follows each
device's order, and a puller that only ever asks for ``server_seq > cursor`` sees every
event exactly once. An epoch change made by ``kesu-server new-epoch`` reaches every
process at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from desktop.ticket_actions import add_note
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from local_db import store, sync_state
from tests.conftest import START
from tests.sync.helpers import DeskNode, ServerProcess, headers
from tests.sync.postgres import PgCluster

STORE = "MP01"
PUSHERS = 4
ROUNDS = 12


@pytest.fixture
def servers(pg_cluster: PgCluster) -> Iterator[list[ServerProcess]]:
    """Three server processes on one fresh database, started together."""
    url = pg_cluster.create_database()
    procs = [ServerProcess(url, cluster=pg_cluster) for _ in range(3)]
    try:
        # Started at once: they race to create the schema on the empty database.
        with ThreadPoolExecutor(len(procs)) as pool:
            for future in [pool.submit(p.start) for p in procs]:
                future.result()
        yield procs
    finally:
        for proc in procs:
            proc.kill()
        procs[0].drop_database()


def _desk(tmp_path: Path, desk: str, server: ServerProcess) -> DeskNode:
    # A clock per desk: desks run in threads of their own.
    node = DeskNode(tmp_path / f"{desk}.db", STORE, desk, FixedClock(START), server)
    node.enrol()
    return node


def _work(node: DeskNode, errors: list[BaseException]) -> None:
    """Create tickets and notes and push them in small batches, round after round."""
    try:
        for i in range(ROUNDS):
            node.clock.advance(seconds=11)
            ticket = create_ticket(node.desk, node.clerk,
                                   {"text": f"{node.desk.desk_code} 第{i}次：酸奶过期了"}).ticket.id
            add_note(node.desk, node.clerk, ticket, "已联系顾客")
            node.engine.sync_once(pull=i % 3 == 0)
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)


def _pull_all(http: httpx.Client, cursor: int, seen: list[int]) -> int:
    """Pull pages of 7 until none is left, checking that none skips a server_seq."""
    while True:
        page = http.get("/v1/pull", params={"since": cursor, "limit": 7}).json()
        seqs = [e["server_seq"] for e in page["events"]]
        # One store in this database, so the store's server_seqs are the global ones:
        # a page must continue exactly where the cursor stands.
        assert seqs == list(range(cursor + 1, cursor + 1 + len(seqs))), (cursor, seqs)
        seen.extend(seqs)
        cursor = page["cursor"]
        if not page["more"]:
            return cursor


def test_concurrent_pushes_through_several_processes(
    servers: list[ServerProcess], tmp_path: Path
) -> None:
    pushers = [_desk(tmp_path, f"D{i}", servers[i % 2]) for i in range(PUSHERS)]
    for node in pushers:
        node.engine.batch_size = 3  # many small transactions to interleave
    reader = _desk(tmp_path, "R", servers[2])
    follower = _desk(tmp_path, "F", servers[2])
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_work, args=(n, errors)) for n in pushers]
    for t in threads:
        t.start()
    seen: list[int] = []
    cursor = 0
    token = sync_state.read_state(reader.conn).token
    with httpx.Client(base_url=servers[2].url, headers=headers(token), timeout=30) as http:
        while any(t.is_alive() for t in threads):
            cursor = _pull_all(http, cursor, seen)
            follower.engine.sync_once()
        for t in threads:
            t.join()
        assert errors == []
        for node in pushers:  # whatever the last rounds left unpushed
            node.engine.sync_once()
        cursor = _pull_all(http, cursor, seen)

    on_server = servers[0].server_events()
    ids = [e[0] for e in on_server]
    total = sum(sync_state.last_own_seq(n.conn) for n in pushers)
    assert total >= PUSHERS * ROUNDS * 2 and len(ids) == len(set(ids)) == total
    assert [e[1] for e in on_server] == list(range(1, total + 1))  # gapless
    assert seen == list(range(1, total + 1))  # the reader got each once, in order
    # Each device's events got server_seqs in its own order.
    by_id = {e[0]: e[1] for e in on_server}
    for node in pushers:
        own = [by_id[r[0]] for r in node.conn.execute(
            "SELECT event_id FROM events WHERE device_id = ? ORDER BY device_seq",
            (node.desk.device_id,))]
        assert own == sorted(own) and len(own) == sync_state.last_own_seq(node.conn)
    # Every desk, whichever process it talks to, ends with the same history.
    for node in [*pushers, follower]:
        node.engine.sync_once()
    first = pushers[0]
    assert {i for i, _, _ in first.event_set()} == set(ids)
    for node in [*pushers, follower]:
        assert store.check(node.conn) == []
        assert node.event_set() == first.event_set()
        assert node.projections() == first.projections()
    for node in [*pushers, reader, follower]:
        node.close()


def test_new_epoch_reaches_every_process(servers: list[ServerProcess], tmp_path: Path) -> None:
    node = _desk(tmp_path, "D1", servers[1])
    create_ticket(node.desk, node.clerk, {"text": "收银员态度很差"})
    before = node.engine.sync_once().epoch
    token = sync_state.read_state(node.conn).token

    def epochs() -> set[str]:
        return {httpx.get(f"{p.url}/v1/status", headers=headers(token)).json()["epoch"]
                for p in servers}

    assert epochs() == {before}
    after = servers[0].cli("new-epoch")["epoch"]
    assert after != before
    assert epochs() == {after}
    pulled = httpx.get(f"{servers[2].url}/v1/pull", headers=headers(token)).json()
    assert pulled["epoch"] == after
    # The desk, still on process 1, notices and starts over under the new epoch.
    report = node.engine.sync_once()
    assert report.epoch_reset and report.epoch == after
    assert node.engine.status()["pending"] == 0
    node.close()
