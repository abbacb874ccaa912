"""A product alert's delay: from the push that makes the N-th store to the alert being
visible to a desk (``GET /v1/alerts``), on PostgreSQL with a real ``kesu-server serve``.

Real desks (``tests.sync.helpers.DeskNode``: a desk database, its sync engine, enrolled
with the server) in N stores. Each trial takes a new product: the first N-1 stores push a
complaint about it (not timed), then the N-th store's desk saves one and the clock
starts; it pushes by the real sync protocol (``sync_once(pull=False)``: status + push),
then the desk polls ``GET /v1/alerts?since=<cursor>`` until the alert on that product is
there. Reported: p50/p99 of the whole delay, and of its two parts (the push's answer,
and after it until visible). With ``--background`` other products' complaints are pushed
first, so the mentions table is not empty. Target p99 < 1 s. Prints one JSON object.

    .venv/bin/python bench/product_alert_delay.py [--trials 20] [--background 2000]
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import _support
import httpx

from desktop.tickets import create_ticket
from domain.clock import FixedClock
from domain.policy import load_policy
from local_db import sync_state
from sync.protocol import PROTOCOL_HEADER
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.postgres import PgCluster

POLL_S = 0.005


def _stats(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50_ms": round(_support.percentile(ms, 0.5), 1),
            "p99_ms": round(_support.percentile(ms, 0.99), 1), "max_ms": round(max(ms), 1)}


def _complain(node: DeskNode, product: str) -> None:
    create_ticket(node.desk, node.clerk, {"text": _support.COMPLAINTS[0],
                                          "product": {"name": product}})


def _poll(client: httpx.Client, token: str, since: int, label: str,
          timeout_s: float = 30.0) -> int:
    """Poll until the alert on *label* is answered; the cursor then."""
    deadline = time.perf_counter() + timeout_s
    while True:
        answer = client.get("/v1/alerts", params={"since": since}, headers={
            PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text[:300]
        body = answer.json()
        if any(a["label"] == label and a["status"] == "open" for a in body["alerts"]):
            return int(body["cursor"])
        if time.perf_counter() > deadline:
            raise RuntimeError(f"no alert on {label} after {timeout_s} s")
        time.sleep(POLL_S)


def measure(trials: int, background: int) -> dict[str, Any]:
    """Start PostgreSQL and a server, make the desks, run the trials."""
    n_stores = load_policy().alerts.product_stores
    cluster = PgCluster(fsync=True)
    cluster.start()
    try:
        url = cluster.create_database()
        server = ServerProcess(url, bench=True, cluster=cluster)
        server.start(timeout=60)
        try:
            with TemporaryDirectory() as tmp:
                return _trials(server, Path(tmp), n_stores, trials, background)
        finally:
            server.stop()
    finally:
        cluster.stop()


def _trials(server: ServerProcess, tmp: Path, n_stores: int, trials: int,
            background: int) -> dict[str, Any]:
    clock = FixedClock(datetime.now(UTC))
    nodes = []
    for i in range(n_stores):
        store = f"B{i:03d}"
        server.add_store(store)
        node = DeskNode(tmp / f"{store}.db", store, "D1", clock, server)
        node.enrol()
        nodes.append(node)
    for i in range(background):  # other products, one store each: mentions, no alert
        _complain(nodes[i % n_stores], f"背景商品{i:05d}")
    for node in nodes:
        node.engine.sync_once()
    last = nodes[-1]
    token = str(sync_state.read_state(last.conn).token)
    total, push, after = [], [], []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        cursor = _poll_cursor(client, token)
        for _ in range(trials):
            product = f"基准酸奶 {uuid.uuid4().hex[:8]}"
            for node in nodes[:-1]:
                _complain(node, product)
                node.engine.sync_once(pull=False)
            _complain(last, product)
            t0 = time.perf_counter()
            last.engine.sync_once(pull=False)
            t1 = time.perf_counter()
            cursor = _poll(client, token, cursor, product)
            t2 = time.perf_counter()
            total.append((t2 - t0) * 1000)
            push.append((t1 - t0) * 1000)
            after.append((t2 - t1) * 1000)
            clock.advance(seconds=1)
    for node in nodes:
        node.close()
    return {"stores_for_alert": n_stores, "trials": trials, "background_tickets": background,
            "push_to_visible": _stats(total), "push_answer": _stats(push),
            "after_push_until_visible": _stats(after)}


def _poll_cursor(client: httpx.Client, token: str) -> int:
    answer = client.get("/v1/alerts", params={"since": 0}, headers={
        PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}"})
    return int(answer.json()["cursor"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--background", type=int, default=2000,
                        help="other products' complaints pushed first")
    args = parser.parse_args()
    _support.emit({"bench": "product_alert_delay", "backend": "postgresql",
                   **measure(args.trials, args.background),
                   "visible_through": "GET /v1/alerts (a desk's token)",
                   "targets": {"push_to_visible_p99_ms": 1000}})


if __name__ == "__main__":
    main()
