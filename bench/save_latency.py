"""Durable save latency of one complaint into a database holding 1,000,000 tickets.

Compared with the bare minimum: a plain ``sqlite3`` INSERT of the same ticket row plus
COMMIT, on the same file with the same pragmas (WAL, synchronous=FULL). Runs the two
interleaved so disk and cache drift hit both alike. Prints one JSON object.

    .venv/bin/python bench/save_latency.py [--tickets 1000000] [--saves 300]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from pathlib import Path

import _support

from bench.bigdb import big_database
from desktop.desk import init_desk
from desktop.staff import add_staff, get_staff
from desktop.tickets import prepare_ticket, save_ticket
from domain.clock import FixedClock, parse_time
from domain.errors import NotFound
from domain.fold import TicketState
from local_db import meta
from local_db.connection import connect, transaction

COMPLAINTS = _support.COMPLAINTS


def actor_form(text: str, i: int) -> dict[str, object]:
    """The complaint of save number *i*."""
    return {"text": text, "channel": "desk", "customer": {"phone": f"139{i:08d}"}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--saves", type=int, default=300)
    args = parser.parse_args()

    path = big_database(Path(__file__).parent / ".cache" / f"big-{args.tickets}.db",
                        args.tickets)
    conn = connect(path)
    with transaction(conn):  # the synthetic history belongs to this bench desk
        meta.put(conn, "store_code", "BN01")
        meta.put(conn, "desk_code", "D1")
    conn.close()
    # The synthetic history runs to a fixed date; the bench desk works just after it, as
    # a real desk works at the end of its own history (not in a window full of the
    # "future" tickets the generator made).
    conn = connect(path)
    last = conn.execute("SELECT max(created_at) FROM tickets").fetchone()[0]
    conn.close()
    clock = FixedClock(parse_time(last) + timedelta(minutes=1))
    desk = init_desk(path, store_code="BN01", desk_code="D1", store_name="bench",
                     clock=clock)
    try:
        actor = get_staff(desk.conn, "bench")
    except NotFound:
        actor = add_staff(desk.conn, desk.policy.staff, desk.clock, staff_id="bench",
                          name="bench", role="desk", pin="2468")
    bare = connect(path)  # same pragmas as the desk's connection
    columns = [c for c in TicketState.__dataclass_fields__]
    insert = (f"INSERT INTO tickets ({', '.join(columns)}) "
              f"VALUES ({', '.join('?' for _ in columns)})")

    full_ms: list[float] = []
    prepare_ms: list[float] = []
    bare_ms: list[float] = []
    for i in range(args.saves):
        text = f"{COMPLAINTS[i % len(COMPLAINTS)]}（第{i}次）"
        clock.advance(seconds=20)
        t0 = time.perf_counter()
        draft = prepare_ticket(desk, actor_form(text, i))
        t1 = time.perf_counter()
        created = save_ticket(desk, actor, draft)
        t2 = time.perf_counter()
        prepare_ms.append((t1 - t0) * 1000)
        full_ms.append((t2 - t1) * 1000)

        row = created.ticket.as_row()
        row["id"] = f"bare-{created.ticket.id}"
        row["number"] = f"BARE-{created.ticket.number}"
        values = [row[c] for c in columns]
        t0 = time.perf_counter()
        bare.execute("BEGIN")
        bare.execute(insert, values)
        bare.execute("COMMIT")
        bare_ms.append((time.perf_counter() - t0) * 1000)
        # The bare row is no ticket: out again at once, so the next save's duplicate
        # look-up cannot offer it (its id is no ticket id) and the cached DB stays clean.
        bare.execute("DELETE FROM tickets WHERE id = ?", (row["id"],))

    total = desk.conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    p50, p99 = _support.percentile(full_ms, 0.5), _support.percentile(full_ms, 0.99)
    b50, b99 = _support.percentile(bare_ms, 0.5), _support.percentile(bare_ms, 0.99)
    _support.emit({
        "figure": "save_latency",
        "tickets_in_db": total,
        "saves": args.saves,
        "what": "kesu_ms is the durable save (the write transaction: number, events, "
                "projection, search entry, group re-check, commit); prepare_ms is the "
                "validation, triage and duplicate look-up the intake form runs while "
                "staff type, before they press save",
        "prepare_ms": {"p50": round(_support.percentile(prepare_ms, 0.5), 3),
                       "p99": round(_support.percentile(prepare_ms, 0.99), 3)},
        "kesu_ms": {"p50": round(p50, 3), "p99": round(p99, 3),
                    "mean": round(statistics.fmean(full_ms), 3)},
        "bare_sqlite_ms": {"p50": round(b50, 3), "p99": round(b99, 3),
                           "mean": round(statistics.fmean(bare_ms), 3)},
        "ratio_p50": round(p50 / b50, 3),
        "ratio_p99": round(p99 / b99, 3),
        "target_ratio": 1.5,
    })


if __name__ == "__main__":
    main()
