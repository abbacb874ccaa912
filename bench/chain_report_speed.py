"""The chain's report at size: a year of 200 stores and 2,000,000 tickets on PostgreSQL.

The projection is bulk-loaded as ``console_chain.py`` loads it (stated in the JSON:
loaded, not pushed), with the reports' columns filled the way the projection fills them
(store day in the store's zone, response time, reopen count, rating, first contact,
product key) and a compensation line for about one ticket in eight. Then a real
``kesu-server serve`` on it and an hq login, and the report page of the whole chain for
the last 366 days (``/console/reports?scope=*&period=custom``: every figure, the league
of 200 stores, the overdue list) timed over HTTP:

Then every day of the chain and the regions is computed as the server's projection worker
computes them after a refold (``report_days.refill``, then ``warm`` until done: timed as
``days_built_s``), and the report page of the whole chain for the last 366 days
(``/console/reports?scope=*&period=custom``: every figure, the league of 200 stores, the
overdue list) is timed over HTTP:

- **cold**: a fresh ``kesu-server serve`` process (nothing of the report in its memory:
  the days are read from ``centre_report_days`` and decoded, the months merged) on a
  PostgreSQL restarted for each round (empty shared buffers; the OS file cache stays)
  (target < 2 s);
- **warm**: the same process again (target < 300 ms);
- **after a push**: one ticket of today changed as the catch-up changes it (the next
  projection mark, its days emptied and stamped), then the page: the days touched are
  computed again, the rest read;
- **the worker's warm-up after a push**: the same change again, then ``report_days.warm``
  timed in this process (today's days of the chain and the region computed again, off
  any request);
- **days emptied** (once): every cached day wiped, the page computes all it needs from
  the projection on the request (what a report meets after a wipe before the worker has
  computed the days again).

A region's page (20 stores) is timed the same way. Prints one JSON object.

    .venv/bin/python bench/chain_report_speed.py [--tickets 2000000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import _support
import httpx
import psycopg
import sqlalchemy as sa

from bench.console_chain import CHANNELS, PASSWORD, REGIONS, STORES, _master_data, _subcategories
from sync.server.console import report_days
from sync.server.storage import Storage
from sync.server.tables import PROJECTED_THROUGH, dialect_insert, server_meta
from tests.sync.helpers import ServerProcess
from tests.sync.postgres import PgCluster


def _load(dsn: str, tickets: int) -> float:
    """Bulk-load *tickets* projection rows with the reports' columns, and compensation
    lines; seconds taken."""
    subs = _subcategories()
    cats = "(ARRAY[" + ",".join(f"'{c}'" for c, _ in subs) + "])"
    names = "(ARRAY[" + ",".join(f"'{s}'" for _, s in subs) + "])"
    chans = "(ARRAY[" + ",".join(f"'{c}'" for c in CHANNELS) + "])"
    stamp = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'"
    sql = f"""
    INSERT INTO centre_tickets (ticket_id, store, region, number, level, status, channel,
        category, subcategory, text, customer_phone, product_name, product_sku, created_at,
        due_at, first_response_at, respond_within_minutes, escalation_step, conflicts, open,
        updated_seq, store_day, response_ms, reopen_count, rating, first_contact, handler,
        product_key)
    SELECT 't' || lpad(i::text, 11, '0'),
           'S' || lpad((i % {STORES})::text, 3, '0'),
           'R' || lpad(((i % {STORES}) / 20)::text, 2, '0'),
           'K' || lpad(i::text, 9, '0'),
           lvl, st, {chans}[1 + i % {len(CHANNELS)}],
           {cats}[1 + i % {len(subs)}], {names}[1 + i % {len(subs)}],
           '投诉' || i, '138' || lpad((i % 400000)::text, 8, '0'),
           CASE WHEN i % 3 = 0 THEN '商品' || (i % 5000) END,
           CASE WHEN i % 6 = 0 THEN 'SKU' || (i % 5000) END,
           to_char(ts AT TIME ZONE 'UTC', {stamp}),
           to_char((ts + make_interval(mins => mins)) AT TIME ZONE 'UTC', {stamp}),
           CASE WHEN answered THEN to_char((ts + make_interval(secs => resp / 1000.0))
                                           AT TIME ZONE 'UTC', {stamp}) END,
           mins, 0, 0, op, 0,
           to_char(ts AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'),
           CASE WHEN answered THEN resp END,
           CASE WHEN i % 53 = 0 THEN 1 ELSE 0 END,
           CASE WHEN st = 'rated' THEN 1 + i % 5 END,
           i % 7 = 0, NULL,
           CASE WHEN i % 6 = 0 THEN 'sku:SKU' || (i % 5000)
                WHEN i % 3 = 0 THEN 'name:商品' || (i % 5000) END
    FROM (
      SELECT i, ts, op, lvl, mins, st, resp, NOT (op AND i % 2 = 0) AS answered
      FROM (
        SELECT i, ts, op,
               CASE WHEN i % 10 = 0 THEN 1 WHEN i % 10 < 4 THEN 2 ELSE 3 END AS lvl,
               CASE WHEN i % 10 = 0 THEN 60 WHEN i % 10 < 4 THEN 240 ELSE 1440 END AS mins,
               CASE WHEN op THEN (ARRAY['accepted','rectifying','reviewing',
                                         'accountability'])[1 + i % 4]
                    ELSE (ARRAY['closed','rated','closed','voided'])[1 + i % 4] END AS st,
               (i::bigint * 7919) % 7200000 AS resp
        FROM (
          SELECT i, now() - interval '365 days' + (i * interval '365 days' / {tickets}) AS ts,
                 (i > {tickets} * 0.995 OR i % 397 = 0) AS op
          FROM generate_series(1, {tickets}) AS i) base) shaped) rows
    """
    comp = """
    INSERT INTO centre_compensations (compensation_id, ticket_id, store, region, kind,
        amount_fen, status, approval_level, requester_role, requested_by, requested_at,
        reason, decided_by, decided_at, updated_seq, store_day)
    SELECT ticket_id || '-c', ticket_id, store, region,
           (ARRAY['refund','coupon','gift','cash'])[1 + length(ticket_id) % 4 + 0],
           500 + (substr(ticket_id, 2)::bigint * 37) % 150000,
           (ARRAY['granted','granted','granted','pending_approval','refused'])
               [1 + substr(ticket_id, 2)::bigint % 5],
           NULL, (ARRAY['cashier','desk','manager'])[1 + substr(ticket_id, 2)::bigint % 3],
           'staff' || substr(ticket_id, 2)::bigint % 7, created_at, '补偿', NULL, NULL, 0,
           store_day
    FROM centre_tickets WHERE substr(ticket_id, 2)::bigint % 8 = 0
    """
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)
        conn.execute(comp)
        conn.execute("ANALYZE centre_tickets")
        conn.execute("ANALYZE centre_compensations")
    return time.perf_counter() - started


def _login(url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=120)
    answer = client.post("/console/login", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 303, answer.text[:300]
    return client


def _get(client: httpx.Client, path: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    answer = client.get(path)
    ms = (time.perf_counter() - t0) * 1000
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return ms, answer.text


def _stats(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50_ms": round(_support.percentile(ms, 0.5), 1),
            "p99_ms": round(_support.percentile(ms, 0.99), 1), "max_ms": round(max(ms), 1)}


def _touch_today(dsn: str, storage: Storage, n: int) -> None:
    """Change one of today's tickets as a push's catch-up would: the row written with the
    next projection mark, and its days emptied and stamped (``report_days.touched``) in
    the same transaction."""
    with storage.writing() as conn:
        mark = int(conn.execute(sa.select(server_meta.c.value).where(
            server_meta.c.key == PROJECTED_THROUGH)).scalar() or 0) + 1
        row = conn.execute(sa.text(
            "UPDATE centre_tickets SET rating = :rating, updated_seq = :seq "
            "WHERE ticket_id = (SELECT ticket_id FROM centre_tickets ORDER BY created_at DESC "
            "LIMIT 1) RETURNING store, region, store_day"),
            {"rating": 1 + n % 5, "seq": mark}).one()
        report_days.touched(conn, [{"store": row[0], "region": row[1], "store_day": row[2],
                                    "updated_seq": mark}])
        conn.execute(dialect_insert(conn, server_meta).values(
            key=PROJECTED_THROUGH, value=str(mark)).on_conflict_do_update(
            index_elements=[server_meta.c.key], set_={"value": str(mark)}))


def _build_days(storage: Storage) -> tuple[float, int]:
    """Every day of the chain and the regions computed from the projection, as the
    server's worker does after a refold (``refill``, then ``warm`` until it is done);
    seconds taken and scope-days computed."""
    started = time.perf_counter()
    marked = report_days.refill(storage)
    while report_days.warm(storage) >= report_days.WARM_DAYS:
        pass
    return time.perf_counter() - started, marked


def measure(tickets: int, rounds: int) -> dict[str, Any]:
    """Load the chain, compute its days, serve it, time the report pages."""
    cluster = PgCluster(fsync=True)
    cluster.start()
    try:
        url = cluster.create_database()
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        storage = Storage(url)
        _master_data(storage)
        load_s = _load(dsn, tickets)
        build_s, scope_days = _build_days(storage)
        today = datetime.now(UTC).date()
        first = today - timedelta(days=365)
        out: dict[str, Any] = {}
        server = ServerProcess(url, bench=True, cluster=cluster)
        try:
            for name, scope in (("chain", "*"), ("region", "r:R03")):
                path = (f"/console/reports?scope={scope}&period=custom&first={first}"
                        f"&last={today}")
                cold, warm, after, worker = [], [], [], []
                html = ""
                for n in range(rounds):
                    # A fresh server process, nothing of the report in its memory, on a
                    # PostgreSQL just restarted (its buffers empty; the OS's file cache
                    # is not ours to empty).
                    cluster.restart()
                    storage.engine.dispose()  # the bench's own connections died with it
                    server.start(timeout=60)
                    client = _login(server.url, "bench_hq")
                    ms, html = _get(client, path)
                    cold.append(ms)
                    for _ in range(3):
                        warm.append(_get(client, path)[0])
                    _touch_today(dsn, storage, n)
                    after.append(_get(client, path)[0])
                    # What the worker does after such a catch-up: today's days of the
                    # chain and the ticket's region computed again.
                    _touch_today(dsn, storage, n + rounds)
                    t0 = time.perf_counter()
                    report_days.warm(storage)
                    worker.append((time.perf_counter() - t0) * 1000)
                    client.close()
                    server.stop()
                # The days emptied (a wipe, before the worker has computed them again):
                # the page computes every day it needs from the projection itself.
                server.start(timeout=60)
                client = _login(server.url, "bench_hq")
                report_days.clear(storage)
                scratch = _get(client, path)[0]
                client.close()
                server.stop()
                found = re.search(r'data-name="tickets">.*?class="value">(?:<a[^>]*>)?([0-9]+)',
                                  html, re.S)
                figure = found.group(1) if found else "?"
                out[name] = {"cold": _stats(cold), "warm": _stats(warm),
                             "after_a_push": _stats(after),
                             "worker_warm_up_after_a_push": _stats(worker),
                             "days_emptied_ms": round(scratch, 1),
                             "tickets_shown": int(figure) if figure.isdigit() else figure,
                             "bytes": len(html)}
                _build_days(storage)  # the days back for the next scope's rounds
        finally:
            server.stop()
            storage.close()
    finally:
        cluster.stop()
    return {"backend": "postgresql", "stores": STORES, "regions": REGIONS, "tickets": tickets,
            "tickets_bulk_loaded_not_pushed": True, "load_s": round(load_s, 1),
            "days_built_s": round(build_s, 1), "scope_days_built": scope_days,
            "period_days": 366, **out, "targets": {"cold_ms": 2000, "warm_ms": 300}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory():
        _support.emit({"bench": "chain_report_speed", **measure(args.tickets, args.rounds)})


if __name__ == "__main__":
    main()
