"""Per-store-day partials of the store report, cached in the desk database (m007).

A day's partial (:class:`DayPart`) is everything ``figures.build_report`` needs from the
tickets created on one store day that depends neither on *now* nor on the policy: sums by
subcategory (and category), channel and level, the due times of the tickets still
unanswered (compared with *now* when merged: overdue or pending), the sorted response
times (exact nearest-rank p90), voided and merged counts, product keys and names. A report
merges the partials of its days, so a warm year reads ~730 small rows instead of walking
200,000 tickets.

Invalidation follows the event log, not the clock: ``events.seq`` is insertion order, so
before the cache is read the events with a seq above the one stored in ``meta`` (a range
on the primary key: cheap when few) name their tickets, whose creation store days are
dropped (an event synced in late with an old ``occurred_at`` still has a new seq). The
timezone is part of the key: a policy in another zone drops everything. Today is cached
like any day: each ticket saved today comes with its event, which drops today's row, so
it is computed again whenever touched (the desk's own saves touch it all day).

Missing days are computed together: one query over their ranges (grouped by store day
with ``period.day_sql``) for the ticket sums, one for the products. Writing needs the
write lock: when the database is read-only or another writer holds it, the report is
computed from the tickets without the cache, never failing for it.
"""

from __future__ import annotations

import gc
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from desktop.reports.day_sql import day_sql
from desktop.reports.repeats import PRODUCT_KEY_SQL
from domain.clock import format_time, parse_time
from domain.reports.day_part import DayPart, add_sums
from domain.reports.period import day_start_utc, store_day

COUNTED_SQL = "created_at >= ? AND created_at < ? AND status NOT IN ('voided', 'merged')"
CLOSED_SQL = "status IN ('closed', 'rated')"
# First-response time in whole milliseconds (stored times have millisecond precision).
RESPONSE_MS_SQL = "round((julianday(first_response_at) - julianday(created_at)) * 86400000)"

SEQ_KEY = "report_cache_seq"
# The layout of DayPart.to_json; a cache written in another layout is dropped whole.
FORMAT_KEY = "report_cache_format"
FORMAT = "2"
# Days holding more than this share of the tickets are computed by scanning covering
# indexes whole; fewer by looking their ranges up by creation time.
LONG_SHARE = 0.25
# More new events than this since the last look: drop the whole cache rather than find
# each one's day (after the first sync of a whole store, say).
CLEAR_ALL_EVENTS = 50_000
# How long to wait for the write lock before computing without the cache (ms).
LOCK_WAIT_MS = 200


def _runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days of the sorted *days*."""
    runs: list[tuple[date, date]] = []
    for d in days:
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _is_long(conn: sqlite3.Connection, spans: Sequence[tuple[str, str]],
             share: float) -> bool:
    """Whether *spans* hold more than *share* of the tickets (judged by creation times)."""
    # Two queries: SQLite answers a lone min() or max() from the index end.
    low = conn.execute("SELECT min(created_at) FROM tickets").fetchone()[0]
    high = conn.execute("SELECT max(created_at) FROM tickets").fetchone()[0]
    if low is None or high is None:
        return False
    lo, hi = parse_time(low), parse_time(high)
    covered = sum(max((min(hi, parse_time(e)) - max(lo, parse_time(s))).total_seconds(), 0.0)
                  for s, e in spans)
    return covered > share * max((hi - lo).total_seconds(), 1.0)


def compute_parts(conn: sqlite3.Connection, tz: ZoneInfo, days: Iterable[date], *,
                  long_share: float = LONG_SHARE) -> dict[date, DayPart]:
    """The partials of *days* computed from the tickets, each query once over all their
    time ranges (grouped by store day), never once per day.

    When the days hold more than *long_share* of the tickets, the sums and product names
    are read by scanning covering indexes whole (m006; no table reads), else the
    ranges are looked up by creation time (few rows, read from the table).
    """
    wanted = sorted(set(days))
    parts = {d: DayPart() for d in wanted}
    if not wanted:
        return parts
    spans = [(format_time(day_start_utc(first, tz)),
              format_time(day_start_utc(last + timedelta(days=1), tz)))
             for first, last in _runs(wanted)]
    params = [t for span in spans for t in span]
    day = day_sql("created_at", wanted[0], wanted[-1], tz)
    joined = (f"WITH spans(s, e) AS (VALUES {', '.join('(?, ?)' for _ in spans)}) "
              f"SELECT {day}, {{}} FROM spans JOIN tickets INDEXED BY {{}} "
              "ON created_at >= spans.s AND created_at < spans.e WHERE 1")
    scanned = (f"SELECT {day}, {{}} FROM tickets INDEXED BY {{}} WHERE ("
               + " OR ".join("created_at >= ? AND created_at < ?" for _ in spans) + ")")
    long = _is_long(conn, spans, long_share)

    def select(columns: str, long_index: str, where: str, group: str) -> sqlite3.Cursor:
        sql = (scanned.format(columns, long_index) if long
               else joined.format(columns, "tickets_by_created"))
        return conn.execute(f"{sql} {where} GROUP BY {group}", params)

    # One pass over the tickets: every sum by (day, voided/merged, subcategory, category,
    # channel, level), with the due times of the unanswered and the response times listed.
    rows = select(
        "CASE WHEN status IN ('voided', 'merged') THEN status END, "
        "subcategory, category, channel, level, count(*), "
        f"sum({CLOSED_SQL}), sum(reopen_count > 0), sum({CLOSED_SQL} OR reopen_count > 0), "
        "count(rating), coalesce(sum(rating), 0), "
        "sum(first_response_at IS NOT NULL AND first_response_at <= due_at), "
        "sum(first_response_at IS NOT NULL AND first_response_at > due_at), "
        "count(first_response_at), "
        "group_concat(CASE WHEN first_response_at IS NULL THEN due_at END), "
        f"group_concat(CAST({RESPONSE_MS_SQL} AS INTEGER))",
        "tickets_report_groups", "", "1, 2, 3, 4, 5, 6")
    for row in rows:
        part = parts.get(date.fromisoformat(row[0]))
        if part is None:
            continue
        status, sub, cat, channel, level = row[1], row[2], row[3], row[4], int(row[5])
        if status == "voided":
            part.voided += int(row[6])
            continue
        if status == "merged":
            part.merged += int(row[6])
            continue
        sums = [int(v or 0) for v in row[6:15]]
        add_sums(part.sub.setdefault(sub, {}), cat, sums)
        add_sums(part.channel, channel, sums)
        add_sums(part.level, level, sums)
        if level == 1:
            part.level1[sub] = part.level1.get(sub, 0) + sums[0]
        if row[15]:
            part.unanswered += [(sub, cat, channel, level, due) for due in row[15].split(",")]
        if row[16]:
            part.response_ms.extend(map(int, row[16].split(",")))
    counted = "AND status NOT IN ('voided', 'merged')"
    labels: defaultdict[str, dict[str, str]] = defaultdict(dict)  # day → key → name
    names: defaultdict[str, dict[str, dict[str, int]]] = defaultdict(dict)  # day → sub → …
    # Product keys by day, with the smallest name (the index leads with created_at: its
    # ranges are read whatever their length, never the table).
    for d_text, key, name, n in conn.execute(
            joined.format(f"{PRODUCT_KEY_SQL}, min(nullif(product_name, '')), count(*)",
                          "tickets_report_products")
            + f" {counted} AND {PRODUCT_KEY_SQL} IS NOT NULL GROUP BY 1, 2", params):
        part = parts.get(date.fromisoformat(d_text))
        if part is not None:
            part.products[key] = n
            if name:
                labels[d_text][key] = name
    # Product names by (day, subcategory), for the top problems.
    for d_text, sub, name, n in select(
            "subcategory, product_name, count(*)", "tickets_report_days",
            f"{counted} AND product_name IS NOT NULL AND product_name != ''", "1, 2, 3"):
        if date.fromisoformat(d_text) in parts:
            names[d_text].setdefault(sub, {})[name] = n
    for d, part in parts.items():
        part.response_ms = array("q", sorted(part.response_ms))
        part.unanswered.sort()
        DayPart.build(part, labels[d.isoformat()], names[d.isoformat()])
    return parts


def _invalidate(conn: sqlite3.Connection, tz: ZoneInfo, after_seq: int
               ) -> tuple[int, set[str] | None]:
    """Drop the cached days touched by events above *after_seq* (inside the caller's
    write transaction); the highest seq, and the days dropped (``None``: all)."""
    if _meta(conn, FORMAT_KEY) != FORMAT:
        conn.execute("DELETE FROM report_days")
        _put(conn, FORMAT_KEY, FORMAT)
    if conn.execute("SELECT 1 FROM report_days WHERE timezone != ? LIMIT 1",
                    (tz.key,)).fetchone():
        conn.execute("DELETE FROM report_days")
    top = int(conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
    if top <= after_seq:
        return after_seq, set()
    if top - after_seq > CLEAR_ALL_EVENTS:
        conn.execute("DELETE FROM report_days")
        return top, None
    # Creation minutes (every zone's offset is whole minutes): few to convert.
    minutes = conn.execute(
        "SELECT DISTINCT substr(t.created_at, 1, 16) FROM events e "
        "JOIN tickets t ON t.id = e.ticket_id WHERE e.seq > ?", (after_seq,)).fetchall()
    days = {store_day(datetime.fromisoformat(f"{r[0]}:00+00:00"), tz).isoformat()
            for r in minutes}
    conn.executemany("DELETE FROM report_days WHERE day = ?", [(d,) for d in sorted(days)])
    return top, days


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _put(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def _stored_seq(conn: sqlite3.Connection) -> int:
    return int(_meta(conn, SEQ_KEY) or 0)


def _put_seq(conn: sqlite3.Connection, seq: int) -> None:
    _put(conn, SEQ_KEY, str(seq))


class _NoLock(Exception):
    """The write lock could not be had: read-only or busy database."""


def _write(conn: sqlite3.Connection, job: Any) -> Any:
    """Run *job(conn)* in a short BEGIN IMMEDIATE; :class:`_NoLock` when not possible."""
    if conn.in_transaction:
        raise _NoLock  # inside someone else's transaction: do not commit it for them
    timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _NoLock from exc
        try:
            result = job(conn)
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            conn.execute("ROLLBACK")
            raise _NoLock from exc
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return result
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(timeout)}")


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a block that makes many acyclic objects.

    A year's partials are ~500,000 small objects made at once (and the report merged
    from them thousands more): the collector would run dozens of times over them, and
    over everything else alive, for nothing, as decoded JSON and the report's frozen
    dataclasses hold no cycles. Nested use keeps it paused until the outer block ends.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def clear(conn: sqlite3.Connection) -> None:
    """Forget every cached day (inside the caller's transaction, if any)."""
    conn.execute("DELETE FROM report_days")
    conn.execute("DELETE FROM meta WHERE key = ?", (SEQ_KEY,))


def day_parts(conn: sqlite3.Connection, timezone: str, first: date, last: date, *,
              use_cache: bool = True, long_share: float = LONG_SHARE
              ) -> dict[date, DayPart]:
    """The partial of every store day *first* .. *last*: from the cache when it holds
    the day, else computed (and stored).

    Without the cache (*use_cache* false, or the write lock not to be had) every day is
    computed from the tickets: the same partials.
    """
    tz = ZoneInfo(timezone)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if not use_cache:
        return compute_parts(conn, tz, days, long_share=long_share)
    seen = _clean_seq(conn, tz)
    if seen is None:
        try:
            seen = _write(conn, lambda c: _sync(c, tz))
        except _NoLock:
            return compute_parts(conn, tz, days, long_share=long_share)
    # As bytes: orjson reads UTF-8 directly (no str decoded, then encoded again).
    rows = conn.execute(
        "SELECT day, CAST(data AS BLOB) FROM report_days "
        "WHERE day >= ? AND day <= ? AND timezone = ?",
        (first.isoformat(), last.isoformat(), tz.key)).fetchall()
    with cycle_collection_paused():
        parts = {date.fromisoformat(d): DayPart.from_json(data) for d, data in rows}
    missing = [d for d in days if d not in parts]
    computed = compute_parts(conn, tz, missing, long_share=long_share)
    parts.update(computed)
    if computed:
        try:
            _write(conn, lambda c: _store(c, tz, seen, computed))
        except _NoLock:
            pass  # computed right; only not kept for next time
    return parts


def _clean_seq(conn: sqlite3.Connection, tz: ZoneInfo) -> int | None:
    """The stored seq when no event came since and every row is of *tz*: the cache is
    read as it is, with no write (no commit to wait for); else ``None``."""
    try:
        stored = _stored_seq(conn)
        if _meta(conn, FORMAT_KEY) != FORMAT or conn.execute(
                "SELECT 1 FROM report_days WHERE timezone != ? LIMIT 1", (tz.key,)).fetchone():
            return None
    except sqlite3.OperationalError:
        return None  # no cache table (not migrated): the write path says so
    top = int(conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
    return stored if top == stored else None


def _sync(conn: sqlite3.Connection, tz: ZoneInfo) -> int:
    seen, _ = _invalidate(conn, tz, _stored_seq(conn))
    _put_seq(conn, seen)
    return seen


def _store(conn: sqlite3.Connection, tz: ZoneInfo, seen: int,
           parts: Mapping[date, DayPart]) -> None:
    # Events recorded since the partials' snapshot (seq above *seen*) may have changed
    # their days: those days are dropped, not stored, and the stored seq moves past them.
    top, changed = _invalidate(conn, tz, seen)
    if changed is not None:
        conn.executemany(
            "INSERT OR REPLACE INTO report_days (day, timezone, data) VALUES (?, ?, ?)",
            [(d.isoformat(), tz.key, p.to_json()) for d, p in parts.items()
             if d.isoformat() not in changed])
    _put_seq(conn, max(top, _stored_seq(conn)))
