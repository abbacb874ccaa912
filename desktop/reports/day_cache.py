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
timezone is part of the key: a policy in another zone drops everything. Days from the
store day of *now* on are computed each time and never stored (they are still filling).

Missing days are computed together: one query over their ranges (grouped by store day
with ``period.day_sql``) for the ticket sums, one for the products. Writing needs the
write lock: when the database is read-only or another writer holds it, the report is
computed from the tickets without the cache, never failing for it.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from desktop.clock import parse_time
from desktop.reports.period import day_sql, day_start_utc, store_day
from desktop.reports.repeats import PRODUCT_KEY_SQL
from local_db.eventlog import format_time

COUNTED_SQL = "created_at >= ? AND created_at < ? AND status NOT IN ('voided', 'merged')"
CLOSED_SQL = "status IN ('closed', 'rated')"
# First-response time in whole milliseconds (stored times have millisecond precision).
RESPONSE_MS_SQL = "round((julianday(first_response_at) - julianday(created_at)) * 86400000)"

SEQ_KEY = "report_cache_seq"
# More new events than this since the last look: drop the whole cache rather than find
# each one's day (after a first sync of a whole store, say).
CLEAR_ALL_EVENTS = 5000
# How long to wait for the write lock before computing without the cache (ms).
LOCK_WAIT_MS = 200
# The sums of a group of counted tickets, in this order.
SUMS = ("tickets", "resolved", "reopened", "ever_closed", "rated", "rating_sum",
        "in_time", "late", "responded")


@dataclass
class DayPart:
    """What the report needs from the counted tickets of one store day."""

    sub: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # sub → cat → SUMS
    channel: dict[str, list[int]] = field(default_factory=dict)
    level: dict[int, list[int]] = field(default_factory=dict)
    level1: dict[str, int] = field(default_factory=dict)  # level-1 tickets by subcategory
    # (subcategory, category, channel, level, due_at) of tickets not yet answered
    unanswered: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    response_ms: list[int] = field(default_factory=list)  # sorted
    voided: int = 0
    merged: int = 0
    products: dict[str, int] = field(default_factory=dict)  # product key → tickets
    labels: dict[str, str] = field(default_factory=dict)    # product key → smallest name
    names: dict[str, dict[str, int]] = field(default_factory=dict)  # sub → name → tickets

    def to_json(self) -> str:
        """The partial as the cache stores it."""
        data: dict[str, Any] = {
            "s": self.sub, "c": self.channel, "l": {str(k): v for k, v in self.level.items()},
            "l1": self.level1, "u": self.unanswered, "r": self.response_ms,
            "v": self.voided, "m": self.merged, "p": self.products, "pl": self.labels,
            "n": self.names}
        return json.dumps({k: v for k, v in data.items() if v}, ensure_ascii=False,
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> DayPart:
        """A partial read back from the cache."""
        d = json.loads(text)
        return cls(sub=d.get("s", {}), channel=d.get("c", {}),
                   level={int(k): v for k, v in d.get("l", {}).items()},
                   level1=d.get("l1", {}),
                   unanswered=[(s, c, ch, int(lv), due) for s, c, ch, lv, due in d.get("u", ())],
                   response_ms=d.get("r", []), voided=d.get("v", 0), merged=d.get("m", 0),
                   products=d.get("p", {}), labels=d.get("pl", {}), names=d.get("n", {}))


def _add(target: dict[Any, list[int]], key: Any, sums: Sequence[int]) -> None:
    have = target.get(key)
    target[key] = list(sums) if have is None else [a + b for a, b in zip(have, sums,
                                                                         strict=True)]


def _runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days of the sorted *days*."""
    runs: list[tuple[date, date]] = []
    for d in days:
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def compute_parts(conn: sqlite3.Connection, tz: ZoneInfo, days: Iterable[date]
                  ) -> dict[date, DayPart]:
    """The partials of *days* computed from the tickets (two queries over their ranges)."""
    wanted = sorted(set(days))
    parts = {d: DayPart() for d in wanted}
    if not wanted:
        return parts
    runs = _runs(wanted)
    ranges = ", ".join("(?, ?)" for _ in runs)
    params: list[object] = []
    for first, last in runs:
        params += [format_time(day_start_utc(first, tz)),
                   format_time(day_start_utc(last + timedelta(days=1), tz))]
    day = day_sql("t.created_at", wanted[0], wanted[-1], tz)
    spans = (f"WITH spans(s, e) AS (VALUES {ranges}) SELECT {day} AS d, {{}} FROM spans "
             "JOIN tickets t ON t.created_at >= spans.s AND t.created_at < spans.e")
    excluded = "CASE WHEN t.status IN ('voided', 'merged') THEN t.status END"
    # One pass of the tickets: every sum by (day, subcategory, category, channel, level),
    # the due times of the unanswered and the response times as lists.
    tickets_sql = spans.format(
        f"{excluded}, t.subcategory, t.category, t.channel, t.level, count(*), "
        f"sum(t.{CLOSED_SQL}), sum(t.reopen_count > 0), "
        f"sum(t.{CLOSED_SQL} OR t.reopen_count > 0), count(t.rating), "
        "coalesce(sum(t.rating), 0), "
        "sum(t.first_response_at IS NOT NULL AND t.first_response_at <= t.due_at), "
        "sum(t.first_response_at IS NOT NULL AND t.first_response_at > t.due_at), "
        "count(t.first_response_at), "
        "group_concat(CASE WHEN t.first_response_at IS NULL THEN t.due_at END), "
        "group_concat(CAST(" + RESPONSE_MS_SQL.replace("first_response_at", "t.first_response_at")
        .replace("(created_at", "(t.created_at") + " AS INTEGER))"
    ) + " GROUP BY 1, 2, 3, 4, 5, 6"
    for row in conn.execute(tickets_sql, params):
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
        _add(part.sub.setdefault(sub, {}), cat, sums)
        _add(part.channel, channel, sums)
        _add(part.level, level, sums)
        if level == 1:
            part.level1[sub] = part.level1.get(sub, 0) + sums[0]
        if row[15]:
            part.unanswered += [(sub, cat, channel, level, due) for due in row[15].split(",")]
        if row[16]:
            part.response_ms += map(int, row[16].split(","))
    # Products: key and name counted by (day, subcategory); labels are the smallest name.
    products_sql = spans.format(
        f"t.subcategory, {PRODUCT_KEY_SQL.replace('product_', 't.product_')}, "
        "t.product_name, count(*)") + (
        " WHERE t.status NOT IN ('voided', 'merged') AND (t.product_name IS NOT NULL "
        "OR t.product_sku IS NOT NULL) GROUP BY 1, 2, 3, 4")
    for d_text, sub, key, name, n in conn.execute(products_sql, params):
        part = parts.get(date.fromisoformat(d_text))
        if part is None:
            continue
        if key is not None:
            part.products[key] = part.products.get(key, 0) + n
            if name and (key not in part.labels or name < part.labels[key]):
                part.labels[key] = name
        if name:
            names = part.names.setdefault(sub, {})
            names[name] = names.get(name, 0) + n
    for part in parts.values():
        part.response_ms.sort()
        part.unanswered.sort()
    return parts


def _day_of(text: str, tz: ZoneInfo) -> date:
    return store_day(parse_time(text), tz)


def _invalidate(conn: sqlite3.Connection, tz: ZoneInfo, after_seq: int) -> int:
    """Drop the days touched by events above *after_seq*; the highest seq seen.

    Runs inside the caller's write transaction.
    """
    if conn.execute("SELECT 1 FROM report_days WHERE timezone != ? LIMIT 1",
                    (tz.key,)).fetchone():
        conn.execute("DELETE FROM report_days")
    top = int(conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
    if top <= after_seq:
        return max(top, after_seq)
    if top - after_seq > CLEAR_ALL_EVENTS:
        conn.execute("DELETE FROM report_days")
        return top
    created = conn.execute(
        "SELECT DISTINCT t.created_at FROM events e JOIN tickets t ON t.id = e.ticket_id "
        "WHERE e.seq > ?", (after_seq,)).fetchall()
    days = sorted({_day_of(r[0], tz).isoformat() for r in created})
    conn.executemany("DELETE FROM report_days WHERE day = ?", [(d,) for d in days])
    return top


def _stored_seq(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (SEQ_KEY,)).fetchone()
    return 0 if row is None else int(row[0])


def _put_seq(conn: sqlite3.Connection, seq: int) -> None:
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (SEQ_KEY, str(seq)))


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


def clear(conn: sqlite3.Connection) -> None:
    """Forget every cached day (inside the caller's transaction, if any)."""
    conn.execute("DELETE FROM report_days")
    conn.execute("DELETE FROM meta WHERE key = ?", (SEQ_KEY,))


def day_parts(conn: sqlite3.Connection, timezone: str, first: date, last: date,
              now: datetime, *, use_cache: bool = True) -> dict[date, DayPart]:
    """The partial of every store day *first* .. *last*: from the cache when it holds
    the day, else computed (and stored when the day is over before *now*'s)."""
    tz = ZoneInfo(timezone)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if not use_cache:
        return compute_parts(conn, tz, days)
    try:
        seen = _write(conn, lambda c: _sync(c, tz))
    except _NoLock:
        return compute_parts(conn, tz, days)
    parts: dict[date, DayPart] = {}
    for day_text, data in conn.execute(
            "SELECT day, data FROM report_days WHERE day >= ? AND day <= ? AND timezone = ?",
            (first.isoformat(), last.isoformat(), tz.key)):
        parts[date.fromisoformat(day_text)] = DayPart.from_json(data)
    missing = [d for d in days if d not in parts]
    computed = compute_parts(conn, tz, missing)
    parts.update(computed)
    today = store_day(now, tz)
    keep = {d: p for d, p in computed.items() if d < today}
    if keep:
        try:
            _write(conn, lambda c: _store(c, tz, seen, keep))
        except _NoLock:
            pass  # computed right; only not kept for next time
    return parts


def _sync(conn: sqlite3.Connection, tz: ZoneInfo) -> int:
    seen = _invalidate(conn, tz, _stored_seq(conn))
    _put_seq(conn, seen)
    return seen


def _store(conn: sqlite3.Connection, tz: ZoneInfo, seen: int,
           parts: Mapping[date, DayPart]) -> None:
    # Events that came after the partials' snapshot (seq above *seen*) may have changed
    # their days: those are dropped, not stored, and the seq moves on past them.
    before = conn.execute("SELECT count(*) FROM report_days").fetchone()[0]
    top = _invalidate(conn, tz, seen)
    changed: set[date] = set()
    if top > seen:
        if before and not conn.execute("SELECT 1 FROM report_days LIMIT 1").fetchone():
            return  # everything was dropped
        changed = {_day_of(r[0], tz) for r in conn.execute(
            "SELECT DISTINCT t.created_at FROM events e JOIN tickets t ON t.id = e.ticket_id "
            "WHERE e.seq > ?", (seen,))}
        if top - seen > CLEAR_ALL_EVENTS:
            return
    conn.executemany(
        "INSERT OR REPLACE INTO report_days (day, timezone, data) VALUES (?, ?, ?)",
        [(d.isoformat(), tz.key, p.to_json()) for d, p in parts.items() if d not in changed])
    _put_seq(conn, max(top, _stored_seq(conn)))


def merged_totals(parts: Iterable[DayPart]) -> defaultdict[str, int]:
    """Voided and merged tickets over *parts*."""
    out: defaultdict[str, int] = defaultdict(int)
    for p in parts:
        out["voided"] += p.voided
        out["merged"] += p.merged
    return out
