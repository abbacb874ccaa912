"""A hypothesis state machine: three desks of one store and headquarters edit tickets,
sync through the fault proxy, and the server and desks crash; then every invariant.

One ``kesu-server`` (SQLite) and one proxy serve every example; each example is a store
of its own. Cheap checks run after every step (server: unique events, gapless
``server_seq``; desks: hash chains verify), the full invariants of
``tests.sync.invariants`` at the end of each example after a quiescent sync.
Derandomized, so a CI run is repeatable.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import ClassVar

import httpx
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from desktop.tickets import get_ticket
from domain.clock import FixedClock
from local_db import eventlog
from sync.server.hq import HQ_TARGETS
from sync.server.storage import Storage
from tests.conftest import START
from tests.fault.faultproxy import MODES, FaultPlan, FaultProxy
from tests.sync.helpers import DeskNode, ServerProcess, headers
from tests.sync.invariants import (
    check_server,
    check_store,
    point_at,
    quiesce,
    random_edit,
    sync_ignoring_network,
)

DESKS = 3
_examples = itertools.count(1)


class SyncMachine(RuleBasedStateMachine):
    """Desks, headquarters, a faulty network and crashes, against one store."""

    server: ClassVar[ServerProcess]
    proxy: ClassVar[FaultProxy]
    where: ClassVar[Path]
    hq_token: ClassVar[str]
    plan: ClassVar[FaultPlan]
    stats: ClassVar[dict[str, int]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.store = f"P{next(_examples):03d}"
        self.clock = FixedClock(START)
        self.nodes: list[DeskNode] = []
        for i in range(1, DESKS + 1):
            node = DeskNode(self.where / f"{self.store}-D{i}.db", self.store, f"D{i}",
                            self.clock, self.server)
            node.enrol()
            point_at(node, self.proxy.url)
            self.nodes.append(node)
        self.known: list[str] = []

    def _count(self, what: str) -> None:
        self.stats[what] = self.stats.get(what, 0) + 1

    # --- rules ----------------------------------------------------------------------

    @rule(desk=st.integers(0, DESKS - 1), seed=st.integers(0, 2**16), count=st.integers(1, 3),
          then_sync=st.booleans())
    def edit(self, desk: int, seed: int, count: int, then_sync: bool) -> None:
        """Legal steps at a desk (create, note, contact or advance tickets), perhaps
        followed by a sync round (the proxy's background fault rate applies)."""
        rng = random.Random(seed)
        for _ in range(count):
            step = random_edit(self.nodes[desk], rng, self.known)
            self._count(f"edit:{step}")
        if then_sync:
            ok = sync_ignoring_network(self.nodes[desk])
            self._count("sync:ok" if ok else "sync:failed")

    @rule(desk=st.integers(0, DESKS - 1), fault=st.sampled_from([None, *MODES]),
          at=st.integers(0, 2))
    def sync(self, desk: int, fault: str | None, at: int) -> None:
        """One sync round through the proxy, the *at*-th request of it suffering *fault*."""
        self.proxy.script(*([None] * at), fault)
        ok = sync_ignoring_network(self.nodes[desk])
        self.proxy.clear_script()  # the fault belongs to this round only
        self._count("sync:ok" if ok else "sync:failed")

    @precondition(lambda self: bool(self.known))
    @rule(pick=st.integers(0, 10**6), action=st.sampled_from(["note", "status"]),
          to=st.sampled_from(HQ_TARGETS))
    def headquarters(self, pick: int, action: str, to: str) -> None:
        """HQ adds a note or changes the status of a ticket (as some desk saw it)."""
        ticket_id = self.known[pick % len(self.known)]
        auth = {**headers(), "Authorization": f"Bearer {self.hq_token}"}
        if action == "note":
            path, body = f"/v1/hq/tickets/{ticket_id}/notes", {"text": "总部：请尽快处理"}
        else:
            node = next((n for n in self.nodes if n.conn.execute(
                "SELECT 1 FROM tickets WHERE id = ?", (ticket_id,)).fetchone()), None)
            frm = get_ticket(node.desk, ticket_id).status if node else "accepted"
            path, body = f"/v1/hq/tickets/{ticket_id}/status", {"from": frm, "to": to}
        r = httpx.post(f"{self.server.url}{path}", json=body, headers=auth, timeout=10)
        # 404: the ticket has not reached the centre yet; 409: it is final there.
        assert r.status_code in (201, 404, 409), r.text
        self._count(f"hq:{action}:{r.status_code}")

    @rule(go=st.integers(0, 2**16))
    def crash_server(self, go: int) -> None:
        """Rarely: SIGKILL the server and start it again on the same database."""
        # Not "go == 0": hypothesis favours small values, and a restart costs seconds.
        if go % 16 != 5:
            return
        self.server.kill()
        self.server.start()
        self._count("server:killed")

    @rule(desk=st.integers(0, DESKS - 1))
    def reopen_desk(self, desk: int) -> None:
        """Drop a desk's connection (as a killed app would) and open the file again."""
        node = self.nodes[desk]
        path = Path(node.conn.execute("PRAGMA database_list").fetchone()[2])
        node.close()
        self.nodes[desk] = DeskNode.reopen(path, self.clock, self.server, url=self.proxy.url)
        self._count("desk:reopened")

    # --- checks ---------------------------------------------------------------------

    @invariant()
    def cheap_checks(self) -> None:
        """Server rows unique and gapless; every desk's chains verify."""
        check_server(self.server)
        for node in self.nodes:
            assert eventlog.verify_chain(node.conn) == []

    def teardown(self) -> None:
        """Faults stop, everyone syncs to quiescence, then every invariant."""
        try:
            self.proxy.clear_script()
            self.proxy.plan = FaultPlan()
            self.proxy.release_held()
            quiesce(self.nodes)
            conflicted = check_store(self.server, self.nodes, committed=self.known,
                                     hq_token=self.hq_token)
            self.stats["conflicts"] = self.stats.get("conflicts", 0) + len(conflicted)
        finally:
            self.proxy.plan = self.plan
            for node in self.nodes:
                node.close()


def test_desks_hq_faults_and_crashes_keep_every_invariant(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "server.db")
    server.start()
    storage = Storage(server.db_url)
    hq_token = storage.create_hq_token("王总")
    storage.close()
    proxy = FaultProxy(server.port, seed=20261123, plan=FaultPlan.mix(0.03))
    SyncMachine.server, SyncMachine.proxy, SyncMachine.where = server, proxy, tmp_path
    SyncMachine.hq_token, SyncMachine.plan = hq_token, proxy.plan
    SyncMachine.stats = {}
    try:
        # No shrinking: on this small machine it can take many minutes, and the run is
        # derandomized, so a failure's full step list is printed and reproducible.
        run_state_machine_as_test(SyncMachine, settings=settings(
            max_examples=4, stateful_step_count=40, deadline=None, derandomize=True,
            database=None, phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck)))
    finally:
        proxy.close()
        server.kill()
    stats = SyncMachine.stats
    # The run must have exercised what it claims to: faults felt, crashes, HQ, edits.
    assert stats.get("sync:failed", 0) > 0 and stats.get("sync:ok", 0) > 0, stats
    assert stats.get("edit:create", 0) > 3 and stats.get("edit:advance", 0) > 0, stats
    assert any(k.startswith("hq:") and k.endswith(":201") for k in stats), stats
    assert stats.get("desk:reopened", 0) > 0, stats
    assert len(proxy.faults_seen()) >= 4, proxy.faults_seen()
