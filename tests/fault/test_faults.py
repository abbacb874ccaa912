"""Faults between desk and server: a misbehaving network, a desk killed with SIGKILL at
each protocol step, a server killed around each step; afterwards every invariant of
``tests.sync.invariants`` holds."""

from __future__ import annotations

import itertools
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from domain.clock import FixedClock
from local_db import sync_state
from sync.errors import NetworkError
from sync.server.storage import Storage
from tests.conftest import START
from tests.fault.faultproxy import MODES, FaultPlan, FaultProxy
from tests.sync.helpers import DeskNode, ServerProcess, headers
from tests.sync.invariants import (
    check_store,
    desk_events,
    point_at,
    quiesce,
    random_edit,
    sync_ignoring_network,
)

ROOT = Path(__file__).parents[2]
_stores = itertools.count(1)


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One SQLite server for the tests here that do not kill it."""
    proc = ServerProcess(tmp_path_factory.mktemp("faults") / "server.db")
    proc.start()
    yield proc
    proc.kill()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A SQLite server of this test alone (to kill and restart)."""
    proc = ServerProcess(tmp_path / "server.db")
    proc.start()
    yield proc
    proc.kill()


def _desks(tmp_path: Path, server: ServerProcess, n: int,
           clock: FixedClock | None = None) -> list[DeskNode]:
    store = f"F{next(_stores):03d}"
    clock = clock or FixedClock(START)
    nodes = []
    for i in range(n):
        node = DeskNode(tmp_path / f"{store}-D{i + 1}.db", store, f"D{i + 1}", clock, server)
        node.enrol()  # straight to the server: a lost enrolment answer burns the code
        nodes.append(node)
    return nodes


def _close(nodes: list[DeskNode]) -> None:
    for node in nodes:
        node.close()


# --- 1. the faulty network ------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_each_network_fault_loses_and_duplicates_nothing(
    tmp_path: Path, sqlite_server: ServerProcess, mode: str
) -> None:
    nodes = _desks(tmp_path, sqlite_server, 3)
    rng = random.Random(f"faults-{mode}")
    with FaultProxy(sqlite_server.port, seed=7, plan=FaultPlan.only(mode, 0.4)) as proxy:
        for node in nodes:
            point_at(node, proxy.url)
        known: list[str] = []
        failures = 0
        for _ in range(6):
            for node in nodes:
                for _ in range(rng.randint(1, 3)):
                    random_edit(node, rng, known)
                failures += not sync_ignoring_network(node)
        seen = proxy.faults_seen().get(mode, 0)
        assert seen >= 3, f"the proxy hardly ever applied {mode}"
        if mode in ("drop_request", "drop_response", "reorder"):
            assert failures > 0  # these faults must have been felt by the desks
        proxy.release_held()
        proxy.plan = FaultPlan()  # the faults stop; the desks settle through the proxy
        quiesce(nodes)
    check_store(sqlite_server, nodes)
    assert len(known) >= 5
    _close(nodes)


def test_fault_mix_with_desks_syncing_concurrently(
    make_desk: Callable[..., DeskNode], server: ServerProcess
) -> None:
    """Three desks in threads, every fault mode at once; on SQLite and PostgreSQL."""
    nodes = [make_desk("A", f"D{i}", server) for i in (1, 2, 3)]
    # make_desk shares one clock; give each desk its own so threads do not race on it.
    for i, node in enumerate(nodes):
        node.clock = node.desk.clock = FixedClock(START)
        node.clock.advance(seconds=i)
    errors: list[BaseException] = []
    with FaultProxy(server.port, seed=11, plan=FaultPlan.mix(0.1)) as proxy:
        for node in nodes:
            point_at(node, proxy.url)

        def work(node: DeskNode, seed: int) -> None:
            rng = random.Random(seed)
            known: list[str] = []
            try:
                for _ in range(10):
                    for _ in range(rng.randint(1, 3)):
                        random_edit(node, rng, known)
                    sync_ignoring_network(node)
            except BaseException as exc:  # reported below; a thread cannot fail the test
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(node, i)) for i, node in
                   enumerate(nodes)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        seen = proxy.faults_seen()
        assert len(seen) >= 4, seen
        proxy.release_held()
        proxy.plan = FaultPlan()
        quiesce(nodes)
    check_store(server, nodes)


# --- 2. the desk killed with SIGKILL ----------------------------------------------------


def _child(db: Path, url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fault.sync_child", str(db), url, *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", (line, proc.stderr.read() if proc.stderr else "")


def _kill(proc: subprocess.Popen[str]) -> list[str]:
    """SIGKILL the child; the lines it printed."""
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return out.split("\n")


def test_desk_killed_at_random_moments_while_editing_and_syncing(
    tmp_path: Path, sqlite_server: ServerProcess
) -> None:
    nodes = _desks(tmp_path, sqlite_server, 2)
    child_db = nodes[0].desk.conn.execute("PRAGMA database_list").fetchone()[2]
    clock = nodes[0].clock
    nodes[0].close()
    other = nodes[1]
    rng = random.Random(20261123)
    saved: list[str] = []
    synced_rounds = 0
    with FaultProxy(sqlite_server.port, seed=3) as proxy:
        for attempt in range(8):
            proc = _child(Path(child_db), proxy.url, "--edit", "--rounds", "50",
                          "--start-ms", str(int(clock.now().timestamp() * 1000) + attempt))
            _wait_ready(proc)
            # Kill somewhere in the first few rounds: mid-save, mid-push, mid-pull.
            threading.Event().wait(rng.uniform(0.02, 0.6))
            lines = _kill(proc)
            saved += [ln.split()[1] for ln in lines if ln.startswith("saved ")]
            synced_rounds += sum(ln == "synced" for ln in lines)
            random_edit(other, rng, [])
            sync_ignoring_network(other)
        assert len(proxy.log) > 0
    # The kills interrupted work, and yet work got done.
    assert saved and synced_rounds > 0
    desk = DeskNode.reopen(Path(child_db), clock, sqlite_server)
    nodes = [desk, other]
    quiesce(nodes)
    check_store(sqlite_server, nodes, committed=saved)
    _close(nodes)


@pytest.mark.parametrize(("method", "path", "stage"), [
    ("GET", "/v1/status", "before"),
    ("POST", "/v1/push", "before"),
    ("POST", "/v1/push", "after"),  # committed on the server, ack never stored
    ("GET", "/v1/pull", "after"),   # page served, never applied
])
def test_desk_killed_at_a_protocol_step(
    tmp_path: Path, sqlite_server: ServerProcess, method: str, path: str, stage: str
) -> None:
    nodes = _desks(tmp_path, sqlite_server, 2)
    desk, other = nodes
    rng = random.Random(f"{method}{path}{stage}")
    known: list[str] = []
    for _ in range(6):
        random_edit(desk, rng, known)
        random_edit(other, rng, known)
    other.engine.sync_once()  # something for the killed desk to pull
    child_db = Path(desk.conn.execute("PRAGMA database_list").fetchone()[2])
    clock = desk.clock
    before = desk_events(desk.conn)
    desk.close()
    with FaultProxy(sqlite_server.port, seed=5) as proxy:
        pause = proxy.pause(method, path, stage)
        proc = _child(child_db, proxy.url, "--rounds", "1",
                      "--start-ms", str(int(clock.now().timestamp() * 1000)))
        _wait_ready(proc)
        assert pause.reached.wait(30), "the child never reached the step"
        lines = _kill(proc)
        proxy.resume(pause)
        assert "synced" not in lines
    desk = DeskNode.reopen(child_db, clock, sqlite_server)
    nodes = [desk, other]
    state = sync_state.read_state(desk.conn)
    on_server = {e[0] for e in sqlite_server.server_events(desk.desk.store_code)}
    if (method, stage) == ("POST", "after"):
        # The server has every own event, the desk never heard: nothing is re-sent.
        own = {e for e, (_, device, _, _) in before.items() if device == desk.desk.device_id}
        assert state.acked == 0 and own and own <= on_server
        assert desk.engine.sync_once().offered == 0
    if method == "GET" and path == "/v1/pull":
        assert state.cursor == 0  # the page was never applied
    quiesce(nodes)
    check_store(sqlite_server, nodes, committed=known)
    _close(nodes)


# --- 3. the server killed with SIGKILL --------------------------------------------------


@pytest.mark.parametrize("fault", [
    "die_before_commit:3", "die_after_commit:3", "die_during_pull:2", "die_after_status:4",
])
def test_server_killed_at_a_protocol_step(
    tmp_path: Path, own_server: ServerProcess, fault: str
) -> None:
    server = own_server
    nodes = _desks(tmp_path, server, 3)
    for node in nodes:
        node.engine.batch_size = 3  # several pushes per round
    server.stop()
    server.start(fault=fault)
    rng = random.Random(fault)
    known: list[str] = []
    died = False
    for _ in range(6):
        for node in nodes:
            for _ in range(3):
                random_edit(node, rng, known)
            try:
                node.engine.sync_once()
            except NetworkError:
                died = True
                break
        if died:
            break
    assert died, f"the server never died with {fault}"
    server.wait_dead()
    for node in nodes:  # the desks go on working while the server is down
        random_edit(node, rng, known)
        with pytest.raises(NetworkError):
            node.engine.sync_once()
    server.start()
    quiesce(nodes)
    check_store(server, nodes, committed=known)
    _close(nodes)


# --- 4. a server restored from an older backup ------------------------------------------


def _hq_note(server: ServerProcess, token: str, ticket_id: str, text: str) -> None:
    r = httpx.post(f"{server.url}/v1/hq/tickets/{ticket_id}/notes", json={"text": text},
                   headers={**headers(), "Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(("new_epoch", "hq_in_lost_window"), [
    pytest.param(True, False, id="new_epoch"),
    pytest.param(False, False, id="forgot_new_epoch"),
    pytest.param(True, True, id="new_epoch-hq_lost"),
    pytest.param(False, True, id="forgot_new_epoch-hq_lost"),
])
def test_server_restored_from_backup_with_many_desks_and_hq(
    tmp_path: Path, own_server: ServerProcess, new_epoch: bool, hq_in_lost_window: bool
) -> None:
    server = own_server
    nodes = _desks(tmp_path, server, 3)
    storage = Storage(server.db_url)
    hq_token = storage.create_hq_token("王总")
    storage.close()
    rng = random.Random(f"restore-{new_epoch}")
    known: list[str] = []
    for _ in range(3):
        for node in nodes:
            random_edit(node, rng, known)
            random_edit(node, rng, known)
            node.engine.sync_once()
    _hq_note(server, hq_token, known[0], "总部：备份前的备注")
    quiesce(nodes)
    backup = tmp_path / "server-backup.db"
    server.backup(backup)
    # After the backup: more work, synced by two desks only, and HQ acts once more.
    for node in nodes:
        for _ in range(3):
            random_edit(node, rng, known)
    nodes[0].engine.sync_once()
    nodes[1].engine.sync_once()
    if hq_in_lost_window:
        newest = nodes[0].conn.execute(  # a ticket the centre has only since the backup
            "SELECT id FROM tickets ORDER BY created_at DESC LIMIT 1").fetchone()[0]
        _hq_note(server, hq_token, newest, "总部：备份后的备注")
    nodes[0].engine.sync_once()
    server.stop()
    server.restore(backup)
    if new_epoch:
        server.cli("new-epoch")
    server.start()
    # The desk that never synced the lost window comes first, then the others.
    random_edit(nodes[2], rng, known)
    for node in reversed(nodes):
        node.engine.sync_once()
    _hq_note(server, hq_token, known[1], "总部：恢复后的备注")
    quiesce(nodes)
    check_store(server, nodes, committed=known, hq_token=hq_token, exact_server_seq=True)
    _close(nodes)
