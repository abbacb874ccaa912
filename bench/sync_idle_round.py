"""A sync round with nothing to do: the desk's ``sync_once`` when all is pushed and pulled.

Two desks of one store with 40 tickets each, fully synced with a real ``kesu-server`` on
loopback; then one desk runs rounds back to back (each asks the status, finds nothing to
push, pulls one empty page). Target: p99 under 20 ms. Prints one JSON object.

    .venv/bin/python bench/sync_idle_round.py [--rounds 300] [--backend sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import _support

from bench.sync_push_pull import COMPLAINTS, server_on
from desktop.tickets import create_ticket
from domain.clock import FixedClock, parse_time
from tests.sync.helpers import DeskNode

TARGET_MS = 20.0


def measure(backend: str, rounds: int, work: Path) -> dict[str, Any]:
    """p50/p99 of idle rounds against a server on *backend*."""
    with server_on(backend, work) as server:
        clock = FixedClock(parse_time("2026-11-02T01:00:00.000Z"))
        desks = [DeskNode(work / f"{backend}-D{i}.db", "BI01", f"D{i}", clock, server)
                 for i in (1, 2)]
        for node in desks:
            node.enrol()
            for n in range(40):
                clock.advance(seconds=61)
                create_ticket(node.desk, node.clerk,
                              {"text": f"{COMPLAINTS[n % len(COMPLAINTS)]}（第{n}次）"})
        for node in (*desks, desks[0]):
            node.engine.sync_once()
        desk = desks[0]
        for _ in range(20):  # warm up connections and code paths
            desk.engine.sync_once()
        ms: list[float] = []
        for _ in range(rounds):
            started = time.perf_counter()
            report = desk.engine.sync_once()
            ms.append((time.perf_counter() - started) * 1000)
            assert report.offered == 0 and report.pulled == 0, report
        for node in desks:
            node.close()
    p99 = _support.percentile(ms, 0.99)
    return {"p50_ms": round(_support.percentile(ms, 0.5), 2), "p99_ms": round(p99, 2),
            "max_ms": round(max(ms), 2), "target_met": p99 < TARGET_MS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    out: dict[str, Any] = {
        "figure": "sync_idle_round",
        "rounds": args.rounds,
        "target_ms": TARGET_MS,
        "what": "SyncEngine.sync_once with nothing to push or pull, over loopback keep-alive "
                "(status, empty pull page, and whatever else a round asks)",
    }
    work = Path(tempfile.mkdtemp(prefix="kesu-bench-"))
    try:
        for backend in backends:
            out[backend] = measure(backend, args.rounds, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _support.emit(out)


if __name__ == "__main__":
    main()
