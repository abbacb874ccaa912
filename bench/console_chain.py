"""The chain's console at size: the queue page and the intake's triage answer on
PostgreSQL with 200 stores in 10 regions and 2,000,000 tickets.

The tickets are bulk-loaded into the centre's projection (``centre_tickets``) with one
``INSERT … SELECT generate_series`` (stated in the JSON: loaded, not pushed; pushing two
million complaints through desks would take hours and measures the push, which
``sync_push_pull.py`` does). A year of complaints, level 1/2/3 about 10/30/60 %, about
1 % still open (the last days' tickets and a tail of old stuck ones, so the overdue list
is long), 400,000 customers of about five tickets each. Then a real ``kesu-server serve``
on that database, an hq login and a regional manager's, and for each the p50/p99 of the
queue page (the real HTML page over HTTP, several filters; target p99 < 300 ms) and of
``POST /console/api/intake/triage`` over the sample complaints with a customer phone
that has history (target p99 < 50 ms). Prints one JSON object.

    .venv/bin/python bench/console_chain.py [--tickets 2000000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import _support
import httpx
import psycopg

from sync.server.console import accounts, masterdata
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess
from tests.sync.postgres import PgCluster

ROOT = Path(__file__).resolve().parents[1]
STORES, REGIONS = 200, 10
PASSWORD = "bench password 基准"
CHANNELS = ("desk", "checkout", "hotline", "qr", "online", "douyin")


def _subcategories() -> list[tuple[str, str]]:
    policy = json.loads((ROOT / "resources/policy/default.json").read_text("utf-8"))
    return [(cat, sub) for cat, body in policy["triage"]["categories"].items()
            for sub in body["subcategories"]]


def _master_data(storage: Storage) -> None:
    for r in range(REGIONS):
        masterdata.save_region(storage, f"R{r:02d}", f"区域{r:02d}", f"Region {r:02d}")
    for s in range(STORES):
        masterdata.save_store(storage, f"S{s:03d}", f"门店{s:03d}", f"R{s // 20:02d}",
                              "Asia/Shanghai")
    accounts.add_user(storage, "bench_hq", "总部基准", "hq", PASSWORD, None)
    accounts.add_user(storage, "bench_regional", "区域基准", "regional", PASSWORD, "R03")
    accounts.add_user(storage, "bench_agent", "客服基准", "agent", PASSWORD, None)


def _load(dsn: str, tickets: int) -> float:
    """Bulk-load *tickets* rows into centre_tickets; seconds taken."""
    subs = _subcategories()
    cats = "(ARRAY[" + ",".join(f"'{c}'" for c, _ in subs) + "])"
    names = "(ARRAY[" + ",".join(f"'{s}'" for _, s in subs) + "])"
    chans = "(ARRAY[" + ",".join(f"'{c}'" for c in CHANNELS) + "])"
    texts = "(ARRAY[" + ",".join("'" + t.replace("'", "''") + "'"
                                for t in _support.COMPLAINTS) + "])"
    # i/n of a year before now; open: the newest 0.5 % and every 397th older ticket.
    sql = f"""
    INSERT INTO centre_tickets
    SELECT 't' || lpad(i::text, 11, '0'),
           'S' || lpad((i % {STORES})::text, 3, '0'),
           'R' || lpad(((i % {STORES}) / 20)::text, 2, '0'),
           'K' || lpad(i::text, 9, '0'),
           lvl, st, {chans}[1 + i % {len(CHANNELS)}],
           {cats}[1 + i % {len(subs)}], {names}[1 + i % {len(subs)}],
           {texts}[1 + i % {len(_support.COMPLAINTS)}] || '（' || i || '）',
           '138' || lpad((i % 400000)::text, 8, '0'),
           CASE WHEN i % 3 = 0 THEN '商品' || (i % 5000) END,
           CASE WHEN i % 6 = 0 THEN 'SKU' || (i % 5000) END,
           to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           to_char((ts + make_interval(mins => mins)) AT TIME ZONE 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           CASE WHEN op AND i % 2 = 0 THEN NULL
                ELSE to_char((ts + interval '25 minutes') AT TIME ZONE 'UTC',
                             'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
           mins, 0, 0, op, 0
    FROM (
      SELECT i, ts, op,
             CASE WHEN i % 10 = 0 THEN 1 WHEN i % 10 < 4 THEN 2 ELSE 3 END AS lvl,
             CASE WHEN i % 10 = 0 THEN 60 WHEN i % 10 < 4 THEN 240 ELSE 1440 END AS mins,
             CASE WHEN op THEN (ARRAY['accepted','rectifying','reviewing',
                                       'accountability'])[1 + i % 4]
                  ELSE (ARRAY['closed','rated','closed','voided'])[1 + i % 4] END AS st
      FROM (
        SELECT i, now() - interval '365 days' + (i * interval '365 days' / {tickets}) AS ts,
               (i > {tickets} * 0.995 OR i % 397 = 0) AS op
        FROM generate_series(1, {tickets}) AS i) base) rows
    """
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)
        conn.execute("ANALYZE centre_tickets")
    return time.perf_counter() - started


def _login(url: str, username: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=30)
    answer = client.post("/console/login", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 303, answer.text[:300]
    page = client.get("/console/account")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return client, found.group(1)


def _stats(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50_ms": round(_support.percentile(ms, 0.5), 1),
            "p99_ms": round(_support.percentile(ms, 0.99), 1), "max_ms": round(max(ms), 1)}


def _timed_get(client: httpx.Client, path: str, rounds: int) -> tuple[list[float], int]:
    ms: list[float] = []
    size = 0
    client.get(path)  # the first answer warms the process's caches, not counted
    for _ in range(rounds):
        t0 = time.perf_counter()
        answer = client.get(path)
        ms.append((time.perf_counter() - t0) * 1000)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        size = len(answer.content)
    return ms, size


QUEUE_VIEWS = {
    "all": "/console/queue",
    "overdue": "/console/queue?overdue=1",
    "level1": "/console/queue?level=1",
    "store": "/console/queue?store=S042",
    "channel_status": "/console/queue?channel=hotline&status=rectifying",
    "page3": "/console/queue?page=3",
}


def measure(tickets: int, rounds: int) -> dict[str, Any]:
    """Load the chain, serve it, time the pages."""
    cluster = PgCluster(fsync=True)
    cluster.start()
    try:
        url = cluster.create_database()
        storage = Storage(url)
        _master_data(storage)
        storage.close()
        load_s = _load(url.replace("postgresql+psycopg://", "postgresql://"), tickets)
        server = ServerProcess(url, bench=True, cluster=cluster)
        server.start(timeout=60)
        try:
            out: dict[str, Any] = {}
            for who in ("bench_hq", "bench_regional"):
                client, _csrf = _login(server.url, who)
                views: dict[str, Any] = {}
                every: list[float] = []
                for name, path in QUEUE_VIEWS.items():
                    ms, size = _timed_get(client, path, rounds)
                    views[name] = {**_stats(ms), "bytes": size}
                    every += ms
                out[who.removeprefix("bench_")] = {"queue_all_views": _stats(every),
                                                  "views": views}
                client.close()
            client, csrf = _login(server.url, "bench_agent")
            ms = []
            for r in range(rounds * 5):
                body = {"store": f"S{r % STORES:03d}", "channel": "hotline",
                        "text": _support.COMPLAINTS[r % len(_support.COMPLAINTS)],
                        "phone": f"138{(r * 7919) % 400000:08d}"}
                t0 = time.perf_counter()
                answer = client.post("/console/api/intake/triage", json=body,
                                     headers={"X-CSRF-Token": csrf})
                ms.append((time.perf_counter() - t0) * 1000)
                assert answer.status_code == 200, answer.text[:300]
            out["intake_triage"] = _stats(ms[1:])
            out["intake_triage_history_rows"] = len(answer.json().get("history", []))
            client.close()
        finally:
            server.stop()
    finally:
        cluster.stop()
    return {"backend": "postgresql", "stores": STORES, "regions": REGIONS,
            "tickets": tickets, "tickets_bulk_loaded_not_pushed": True,
            "load_s": round(load_s, 1), **out,
            "targets": {"queue_p99_ms": 300, "triage_p99_ms": 50}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=20, help="timed loads per queue view")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory():
        _support.emit({"bench": "console_chain", **measure(args.tickets, args.rounds)})


if __name__ == "__main__":
    main()
