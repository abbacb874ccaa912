"""200 desks syncing at once against one ``kesu-server`` process.

20 stores of 10 desks, each desk its own SQLite file, enrolled with the server. Three
rounds, each started by all desks together (a barrier, one thread per desk): in the
first every desk pushes a new ticket and pulls its store's; in the second it pushes
another and pulls again; the third has nothing to do. Reports the latency of a desk's
``sync_once`` (p50/p99/max per round and overall) and the number of failed rounds
(target: zero), and checks that every desk ends with its whole store. Desks use the
engine's production settings (30 s timeout). The client side (200 threads in one Python
process, applying what they pull to their own databases) shares the machine with the
server, so the CPU each side spent is reported too. Prints one JSON object.

    .venv/bin/python bench/sync_many_desks.py [--stores 20] [--desks 10] [--backend ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _support

from bench.sync_push_pull import COMPLAINTS, server_on
from desktop.desk_sync.engine import SyncEngine
from desktop.tickets import create_ticket
from domain.clock import FixedClock, parse_time
from local_db import sync_state
from sync.server import enrolment
from sync.server.storage import Storage
from tests.sync.helpers import DeskNode, add_store

ROUNDS = 3


def _stats(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(_support.percentile(ms, 0.5), 1),
            "p99_ms": round(_support.percentile(ms, 0.99), 1),
            "max_ms": round(max(ms), 1)}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process *pid* so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(backend: str, stores: int, per_store: int, work: Path) -> dict[str, Any]:
    """Rounds of all desks at once against one server on *backend*."""
    with server_on(backend, work) as server:
        storage = Storage(server.db_url)
        nodes: list[DeskNode] = []
        started = time.perf_counter()
        for s in range(stores):
            for d in range(per_store):
                clock = FixedClock(parse_time("2026-11-02T01:00:00.000Z"))
                node = DeskNode(work / f"{backend}-{s}-{d}.db", f"M{s:03d}", f"D{d}", clock,
                                server)
                node.engine.close()  # the production engine, not the tests' 10 s timeout
                node.engine = SyncEngine(node.conn, server.url, clock=clock)
                add_store(storage, f"M{s:03d}")
                node.engine.enrol(enrolment.create_code(storage, f"M{s:03d}", f"D{d}")[0])
                nodes.append(node)
        storage.close()
        setup_s = time.perf_counter() - started

        barrier = threading.Barrier(len(nodes))
        ms: list[list[float]] = [[] for _ in range(ROUNDS)]
        client_cpu_ms: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def run(i: int, node: DeskNode) -> None:
            for r in range(ROUNDS):
                if r < 2:  # new work for the first two rounds
                    node.clock.advance(seconds=13)
                    create_ticket(node.desk, node.clerk, {
                        "text": f"{COMPLAINTS[(i + r) % len(COMPLAINTS)]}（{i}-{r}）"})
                barrier.wait()
                t0, c0 = time.perf_counter(), time.thread_time()
                try:
                    node.engine.sync_once()
                except Exception as exc:  # counted, not fatal: that is the figure
                    with lock:
                        errors.append(f"round {r}: {type(exc).__name__}: {exc}")
                with lock:
                    ms[r].append((time.perf_counter() - t0) * 1000)
                    client_cpu_ms.append((time.thread_time() - c0) * 1000)

        threads = [threading.Thread(target=run, args=(i, n)) for i, n in enumerate(nodes)]
        assert server.proc is not None
        server_cpu = _cpu_seconds(server.proc.pid)
        wall = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall_s = time.perf_counter() - wall
        server_cpu = _cpu_seconds(server.proc.pid) - server_cpu
        # A last quiet round, so every desk must hold every event of its store.
        for node in nodes:
            node.engine.sync_once()
        complete = 0
        for s in range(stores):
            group = nodes[s * per_store:(s + 1) * per_store]
            expected = sum(sync_state.last_own_seq(n.conn) for n in group)
            complete += sum(n.conn.execute("SELECT count(*) FROM events").fetchone()[0]
                            == expected for n in group)
        for node in nodes:
            node.close()
    every = [v for round_ms in ms for v in round_ms]
    return {
        "desks": len(nodes),
        "errors": len(errors),
        "first_errors": errors[:3],
        "round_latency": _stats(every),
        "by_round": [_stats(round_ms) for round_ms in ms],
        "desks_complete_after": complete,
        "wall_s_all_rounds": round(wall_s, 1),
        "server_cpu_s_all_rounds": round(server_cpu, 1),
        "client_cpu_s_all_rounds": round(sum(client_cpu_ms) / 1000, 1),
        "client_cpu_ms_per_round": _stats(client_cpu_ms),
        "setup_s": round(setup_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=20)
    parser.add_argument("--desks", type=int, default=10, help="desks per store")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    out: dict[str, Any] = {"figure": "sync_many_desks", "rounds": ROUNDS, "target_errors": 0}
    work = Path(tempfile.mkdtemp(prefix="kesu-bench-"))
    try:
        for backend in backends:
            out[backend] = measure(backend, args.stores, args.desks, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _support.emit(out)


if __name__ == "__main__":
    main()
