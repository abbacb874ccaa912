"""Push and pull throughput of the sync server over loopback, on SQLite and PostgreSQL.

20,000 events written by four real desks (tickets and notes through the desk API; built
once into ``bench/.cache/``) are pushed to a fresh ``kesu-server --bench`` in batches of
500, then pulled back in pages of 500 by another desk of the store. The baseline is the
same bytes POSTed to the bare endpoint ``POST /v1/_echo`` of the same process (HTTP,
uvicorn and FastAPI, no storage). Both databases are durable: SQLite with
``synchronous=FULL``, PostgreSQL (a throwaway cluster) with ``fsync`` and
``synchronous_commit`` on. Prints one JSON object.

    .venv/bin/python bench/sync_push_pull.py [--events 20000] [--backend sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import _support
import httpx

from desktop.desk import init_desk
from desktop.staff import add_staff
from desktop.ticket_actions import add_note
from desktop.tickets import create_ticket
from domain.clock import FixedClock, parse_time
from local_db import sync_state
from local_db.connection import connect
from sync.protocol import MAX_PUSH_BATCH, PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server import enrolment
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess, add_store
from tests.sync.postgres import PgCluster

STORE = "BS01"
DESKS = 4
TARGET_EPS = {"sqlite": 20_000, "postgres": 10_000}
COMPLAINTS = _support.COMPLAINTS
NOTES = ("已联系顾客，同意退款", "已安排店长回电", "已调取监控，正在核实")


def desk_databases(events: int) -> list[Path]:
    """Four desk databases holding *events* events between them (built once, cached)."""
    cache = _support.CACHE / f"sync-desks-{events}"
    paths = [cache / f"D{i + 1}.db" for i in range(DESKS)]
    if all(p.exists() for p in paths):
        return paths
    cache.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=cache.parent))
    per_desk = events // DESKS
    for i in range(DESKS):
        clock = FixedClock(parse_time("2026-11-02T01:00:00.000Z"))
        desk = init_desk(building / f"D{i + 1}.db", store_code=STORE, desk_code=f"D{i + 1}",
                         store_name="bench", clock=clock)
        clerk = add_staff(desk.conn, desk.policy.staff, clock, staff_id="d1",
                          name="服务台小李", role="desk", pin="2222")
        n = 0
        while sync_state.last_own_seq(desk.conn) < per_desk:
            clock.advance(seconds=97)
            ticket = create_ticket(desk, clerk, {
                "text": f"{COMPLAINTS[n % len(COMPLAINTS)]}（第{n}次）",
                "customer": {"phone": f"139{i}{n:07d}"}}).ticket.id
            for k in range(n % 3):
                if sync_state.last_own_seq(desk.conn) < per_desk:
                    add_note(desk, clerk, ticket, NOTES[k])
            n += 1
        desk.close()
    shutil.rmtree(cache, ignore_errors=True)
    building.rename(cache)
    return paths


def outbox_batches(path: Path) -> tuple[str, list[tuple[int, bytes]]]:
    """The desk's device id and its whole history as push bodies of 500 events."""
    conn = connect(path)
    try:
        device_id = sync_state.read_state(conn).device_id
        bodies: list[tuple[int, bytes]] = []
        after = 0
        while batch := sync_state.outbox(conn, after, MAX_PUSH_BATCH):
            body = {"protocol": PROTOCOL_VERSION, "device_id": device_id,
                    "first_seq": after + 1, "events": batch}
            bodies.append((len(batch), json.dumps(body, ensure_ascii=False,
                                                  separators=(",", ":")).encode()))
            after += len(batch)
    finally:
        conn.close()
    return device_id, bodies


@contextmanager
def server_on(backend: str, work: Path) -> Iterator[ServerProcess]:
    """A fresh ``kesu-server --bench`` on *backend*."""
    cluster = None
    if backend == "sqlite":
        proc = ServerProcess(work / "server.db", bench=True)
    else:
        cluster = PgCluster(fsync=True)
        cluster.start()
        proc = ServerProcess(cluster.create_database(), bench=True, cluster=cluster)
    proc.start()
    try:
        yield proc
    finally:
        proc.kill()
        if cluster is not None:
            cluster.stop()


def _headers(token: str | None = None) -> dict[str, str]:
    h = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), "Content-Type": "application/json"}
    if token:
        h["Authorization"] = f"Bearer {token}"
    return h


def enrol(http: httpx.Client, storage: Storage, desk: str, device_id: str) -> str:
    """A device token for *device_id* as desk *desk* of the bench store."""
    add_store(storage, STORE)
    code = enrolment.create_code(storage, STORE, desk)[0]
    r = http.post("/v1/enrol", headers=_headers(), json={
        "protocol": PROTOCOL_VERSION, "code": code, "device_id": device_id})
    r.raise_for_status()
    return str(r.json()["token"])


def _echo(http: httpx.Client, bodies: list[bytes]) -> float:
    started = time.perf_counter()
    for body in bodies:
        http.post("/v1/_echo", content=body, headers=_headers()).raise_for_status()
    return time.perf_counter() - started


def measure(backend: str, desks: list[Path], work: Path) -> dict[str, Any]:
    """Push everything, pull everything; the same bytes through the bare endpoint."""
    histories = [outbox_batches(p) for p in desks]
    total = sum(n for _, bodies in histories for n, _ in bodies)
    with server_on(backend, work) as server, \
            httpx.Client(base_url=server.url, timeout=120) as http:
        storage = Storage(server.db_url)
        tokens = [enrol(http, storage, f"D{i + 1}", dev) for i, (dev, _) in enumerate(histories)]
        reader = enrol(http, storage, "R1", str(uuid.uuid4()))
        storage.close()
        push_bodies = [b for _, bodies in histories for _, b in bodies]
        _echo(http, push_bodies[:4])  # warm the connection and the handlers
        echo_before = _echo(http, push_bodies)
        inserted = 0
        started = time.perf_counter()
        for token, (_, bodies) in zip(tokens, histories, strict=True):
            for _, body in bodies:
                r = http.post("/v1/push", content=body, headers=_headers(token))
                r.raise_for_status()
                inserted += r.json()["inserted"]
        push_s = time.perf_counter() - started
        echo_after = _echo(http, push_bodies)
        assert inserted == total, (inserted, total)

        pages: list[bytes] = []
        pulled, cursor, more = 0, 0, True
        started = time.perf_counter()
        while more:
            r = http.get("/v1/pull", params={"since": cursor, "limit": 500},
                         headers=_headers(reader))
            r.raise_for_status()
            pages.append(r.content)
            page = r.json()
            pulled += len(page["events"])
            cursor, more = page["cursor"], page["more"]
        pull_s = time.perf_counter() - started
        assert pulled == total, (pulled, total)
        echo_pull = _echo(http, pages)
    echo_push = (echo_before + echo_after) / 2
    push_eps, pull_eps = total / push_s, total / pull_s
    return {
        "push_events_per_s": round(push_eps),
        "pull_events_per_s": round(pull_eps),
        "bare_push_bytes_events_per_s": round(total / echo_push),
        "bare_pull_bytes_events_per_s": round(total / echo_pull),
        "push_ratio_to_bare": round(push_eps / (total / echo_push), 3),
        "pull_ratio_to_bare": round(pull_eps / (total / echo_pull), 3),
        "push_target_events_per_s": TARGET_EPS[backend],
        "push_target_met": push_eps >= TARGET_EPS[backend],
        "push_mb": round(sum(len(b) for b in push_bodies) / 1e6, 2),
        "pull_mb": round(sum(len(b) for b in pages) / 1e6, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    desks = desk_databases(args.events)
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    out: dict[str, Any] = {
        "figure": "sync_push_pull",
        "events": args.events,
        "desks": DESKS,
        "batch": MAX_PUSH_BATCH,
        "what": "one client, sequential requests over loopback keep-alive; bare = the same "
                "bytes POSTed to /v1/_echo (ratio 1.0 = storage costs nothing)",
    }
    work = Path(tempfile.mkdtemp(prefix="kesu-bench-"))
    try:
        for backend in backends:
            out[backend] = measure(backend, desks, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _support.emit(out)


if __name__ == "__main__":
    main()
