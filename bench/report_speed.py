"""The full store report over one year of a busy store (200,000 tickets).

Builds (once, cached in ``bench/.cache/``) a desk database of 200,000 tickets created over
one year (``bench.bigdb``'s generator, its three-year span folded into 2026), made
realistic where the report looks: one store; open tickets only in the last days
(older ones are closed, rated or reopened); a first response for every handled ticket;
ratings on rated ones; some merged and voided; and a compensation ledger (about one
ticket in eight: granted, pending and refused lines by the staff of each role).

Then times ``build_report`` + ``report_json`` for the year, the last month and a week:
cold (the report's day cache cleared before each round) and warm (p50/p99), with the
cache's size; then the PDF of the year (when ``desktop.reports.pdf.render_report_pdf``
exists) and the manager's start screen, and prints one JSON object (milliseconds).
Targets: JSON < 300 ms warm for the year, PDF < 1.5 s, start screen < 50 ms.
"""

from __future__ import annotations

import importlib
import json
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import _support

from bench.bigdb import START, synthetic_ticket_rows
from desktop.desk import init_desk
from domain.clock import format_time, parse_time
from domain.policy import load_policy
from local_db.connection import connect
from local_db.migrations import migrate

N = 200_000
ROUNDS = 10
YEAR_START = datetime(2025, 12, 31, 16, tzinfo=UTC)  # 2026-01-01 00:00 in Shanghai
NOW = datetime(2026, 12, 31, 15, 59, tzinfo=UTC)     # 23:59 on the last day
SPAN = timedelta(days=3 * 365)
OPEN = ("accepted", "rectifying", "reviewing", "accountability")
STAFF = {"c1": "cashier", "c2": "cashier", "d1": "desk", "d2": "desk", "m1": "manager"}
KINDS = ("refund", "exchange", "gift", "coupon", "cash", "service_card", "category_coupon")


def _fold(text: str) -> datetime:
    """A time of bigdb's three-year span mapped into the report year."""
    offset = parse_time(text) - START
    return YEAR_START + offset / 3


def _year_rows(n: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    rows = []
    for r in synthetic_ticket_rows(n):
        created = _fold(r["created_at"])
        minutes = r["respond_within_minutes"]
        age_days = (NOW - created).total_seconds() / 86400
        r["store_code"] = "XT01"
        r["created_at"] = format_time(created)
        r["due_at"] = format_time(created + timedelta(minutes=minutes))
        r["updated_at"] = r["created_at"]
        roll = rng.random()
        if age_days < 2 and roll < 0.5:
            status = rng.choice(OPEN)
        elif roll < 0.01:
            status = "voided"
        elif roll < 0.025:
            status = "merged"
        elif roll < 0.55:
            status = "closed"
        else:
            status = "rated"
        responded = None
        # 90 % answered within the target, the rest late; recent "accepted" ones not yet.
        if (status != "accepted" and status not in ("voided", "merged")) or rng.random() < 0.5:
            late = rng.random() < 0.1
            delay = rng.uniform(minutes, minutes * 3) if late else rng.uniform(1, minutes)
            responded = created + timedelta(minutes=delay)
        r["status"] = status
        r["first_response_at"] = None if responded is None else format_time(responded)
        closed = status in ("closed", "rated")
        r["closed_at"] = (format_time((responded or created) + timedelta(hours=rng.randint(2, 48)))
                          if closed else None)
        r["rating"] = rng.choices([1, 2, 3, 4, 5], [3, 4, 10, 33, 50])[0] if status == "rated" \
            else None
        r["reopen_count"] = 1 if closed and rng.random() < 0.04 else 0
        # Realistic products: SKUs repeat (a store sells a few thousand items).
        if r["product_sku"]:
            r["product_sku"] = f"69{rng.randrange(3000):011d}"
        rows.append(r)
    return rows


def _compensations(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    rng = random.Random(8)
    out = []
    for r in rows:
        if rng.random() >= 0.125:
            continue
        sid = rng.choice(list(STAFF))
        role = STAFF[sid]
        amount = rng.choice([500, 1000, 2000, 5000, 10000, 20000, 30000, 60000, 120000])
        status = rng.choices(["granted", "pending_approval", "refused"], [90, 5, 5])[0]
        created = parse_time(r["created_at"]) + timedelta(minutes=rng.randint(5, 120))
        day = (created + timedelta(hours=8)).strftime("%Y%m%d")
        out.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), r["id"],
                    rng.choice(KINDS), amount, status, sid, role,
                    "m1" if status == "granted" and amount > 50000 else None, None,
                    r["customer_phone"], "comp.within_limit", "2026.11.1",
                    format_time(created), format_time(created), day))
    return out


def report_database(n: int = N) -> Path:
    """The one-year desk database, built only once."""
    path = _support.CACHE / f"report-{n}.db"
    done = path.with_name(path.name + ".ready")
    if path.exists() and done.exists():
        return path
    _support.CACHE.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = connect(path)
    migrate(conn)
    conn.execute("PRAGMA synchronous=OFF")
    rows = _year_rows(n)
    columns = list(rows[0])
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO tickets ({', '.join(columns)}) "
                     f"VALUES ({', '.join('?' for _ in columns)})",
                     [[r[c] for c in columns] for r in rows])
    conn.executemany("INSERT INTO compensations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     _compensations(rows))
    for sid, role in STAFF.items():
        conn.execute("INSERT INTO staff (id, name, role, pin_hash, created_at) "
                     "VALUES (?, ?, ?, 'x', ?)", (sid, f"员工{sid}", role, format_time(NOW)))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    init_desk(path, store_code="XT01", desk_code="D2", store_name="湘潭一店").close()
    done.write_text("ok")
    return path


def _ms(samples: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(samples) * 1000, 1),
            "p99": round(_support.percentile(samples, 0.99) * 1000, 1),
            "max": round(max(samples) * 1000, 1)}


PERIODS = {"year": (date(2026, 1, 1), date(2026, 12, 31)),
           "month": (date(2026, 12, 1), date(2026, 12, 31)),
           "week": (date(2026, 12, 21), date(2026, 12, 27))}
COLD_ROUNDS = {"year": 3, "month": 5, "week": 5}


def _cache_size(conn: Any) -> dict[str, int]:
    rows, size = conn.execute(
        "SELECT count(*), coalesce(sum(length(day) + length(timezone) + length(data)), 0) "
        "FROM report_days").fetchone()
    return {"rows": rows, "bytes": size}


def main() -> None:
    """Build or reuse the database, time the report cold and warm, print JSON."""
    from desktop.reports import day_cache
    from desktop.reports.attention import start_screen
    from desktop.reports.figures import build_report
    from desktop.reports.json_export import report_json
    from domain.reports.period import make_period
    from local_db.connection import transaction

    t0 = time.perf_counter()
    path = report_database()
    built_s = time.perf_counter() - t0
    policy = load_policy()
    conn = connect(path)
    migrate(conn)
    info = conn.execute("SELECT count(*), min(created_at), max(created_at), count(rating), "
                        "count(closed_at), count(first_response_at) FROM tickets").fetchone()
    comp_lines = conn.execute("SELECT count(*) FROM compensations").fetchone()[0]

    def timed_json(period: Any) -> tuple[float, Any]:
        a = time.perf_counter()
        report = build_report(conn, policy, period, NOW, store_code="XT01")
        json.dumps(report_json(report), ensure_ascii=False)
        return time.perf_counter() - a, report

    def clear_cache() -> None:
        with transaction(conn):
            day_cache.clear(conn)

    periods: dict[str, Any] = {}
    report = None
    for name, (first, last) in PERIODS.items():
        period = make_period("custom", first, last, policy.timezone)
        cold = []
        for _ in range(COLD_ROUNDS[name]):
            clear_cache()
            cold.append(timed_json(period)[0])
        warm = []
        for _ in range(ROUNDS):
            seconds, report = timed_json(period)
            warm.append(seconds)
        assert report is not None
        periods[name] = {"report_tickets": report.tickets,
                         "repeat_alerts": len(report.repeat_alerts),
                         "cold_json_ms": _ms(cold), "warm_json_ms": _ms(warm),
                         "cache": _cache_size(conn)}
    # The year last, so the PDF renders it and the cache ends warm for the year.
    clear_cache()
    year = make_period("custom", *PERIODS["year"], policy.timezone)
    timed_json(year)
    cache_year = _cache_size(conn)
    _, report = timed_json(year)
    start_s = []
    for _ in range(ROUNDS * 3):
        a = time.perf_counter()
        start_screen(conn, policy, NOW)
        start_s.append(time.perf_counter() - a)
    pdf_s = []
    try:  # written by another part of the work; time it when it is there
        render_pdf: Any = importlib.import_module("desktop.reports.pdf").render_report_pdf
    except (ImportError, AttributeError):
        render_pdf = None
    if render_pdf is not None:
        for _ in range(max(3, ROUNDS // 2)):
            a = time.perf_counter()
            render_pdf(report, "zh_CN")
            pdf_s.append(time.perf_counter() - a)
    result: dict[str, Any] = {
        "benchmark": "report_speed",
        "tickets": info[0], "created_from": info[1], "created_to": info[2],
        "rated": info[3], "closed": info[4], "responded": info[5],
        "compensation_lines": comp_lines, "db_ready_s": round(built_s, 1),
        "rounds": ROUNDS, "cold_rounds": COLD_ROUNDS,
        "periods": periods, "json_target_ms": 300,
        "report_json_ms": periods["year"]["warm_json_ms"],
        "cache_after_year": cache_year,
        "start_screen_ms": _ms(start_s), "start_screen_target_ms": 50,
        "pdf_ms": _ms(pdf_s) if pdf_s else None, "pdf_target_ms": 1500,
    }
    _support.emit(result)


if __name__ == "__main__":
    main()
