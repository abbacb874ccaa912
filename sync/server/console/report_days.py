"""The centre's per-day partials of the report (``domain.reports.day_part.DayPart``), read
from the projection and cached per scope and store day.

A scope is the chain (:data:`GROUP`), a region (``r:<code>``) or a store (``s:<code>``);
its partial of a day holds the tickets created on that store day (each store's own zone:
``centre_tickets.store_day``) in the scope's stores. The figures over them are the desk's
one computation (``domain.reports.figures``).

Each missing day of a scope is computed by three grouped queries over the scope's days
(sums, products, product names), never per day or per ticket, and stored in
``centre_report_days`` with the projection's mark it was read at. Invalidation follows the
projection, not the clock: the catch-up (``centre_tickets``) calls :func:`touched`, which
empties the days of the tickets it wrote, in the catch-up's own transaction, and stamps them with
the tickets' sequence; a partial computed from an older snapshot is never stored over a
newer stamp, so a report never shows a partial older than what it says.
"""

from __future__ import annotations

import logging
import threading
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.fold import CLOSED_STATES, FINAL_STATES
from domain.reports.day_part import DayPart, add_sums
from sync.server.storage import Storage
from sync.server.tables import (
    PROJECTED_THROUGH,
    centre_compensations,
    centre_report_days,
    centre_tickets,
    dialect_insert,
    server_meta,
)

GROUP = "*"
_log = logging.getLogger(__name__)
_T = centre_tickets.c


def region_scope(region: str) -> str:
    """The scope of *region*'s stores."""
    return f"r:{region}"


def store_scope(store: str) -> str:
    """The scope of one store."""
    return f"s:{store}"


def _scope_of(scope: str, table: sa.Table) -> sa.ColumnElement[bool]:
    if scope == GROUP:
        return sa.true()
    kind, _, code = scope.partition(":")
    if kind == "r":
        return table.c.region == code
    if kind == "s":
        return table.c.store == code
    raise ValueError(f"not a report scope: {scope!r}")


def scope_filter(scope: str) -> sa.ColumnElement[bool]:
    """The projection rows of *scope*."""
    return _scope_of(scope, centre_tickets)


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.case((condition, 1), else_=0)


def _list(dialect: str, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The non-null values of *column* in a group, as "a,b,c" (None when none)."""
    if dialect == "postgresql":
        return sa.func.string_agg(sa.cast(column, sa.Text), ",")
    return sa.func.group_concat(column)


def sums_columns() -> list[sa.ColumnElement[Any]]:
    """The desk's sums of a group of counted tickets (``day_part.SUMS``, in order),
    spelled on the projection's columns: the one spelling the partials and the league
    share."""
    closed = _T.status.in_(sorted(CLOSED_STATES))
    responded = _T.first_response_at.is_not(None)
    return [
        sa.func.count(), sa.func.sum(_flag(closed)), sa.func.sum(_flag(_T.reopen_count > 0)),
        sa.func.sum(_flag(sa.or_(closed, _T.reopen_count > 0))), sa.func.count(_T.rating),
        sa.func.coalesce(sa.func.sum(_T.rating), 0),
        sa.func.sum(_flag(sa.and_(responded, _T.first_response_at <= _T.due_at))),
        sa.func.sum(_flag(sa.and_(responded, _T.first_response_at > _T.due_at))),
        sa.func.count(_T.first_response_at)]


def _ints(text: str | None) -> list[int]:
    return [int(v) for v in text.split(",")] if text else []


def _day_ranges(days: Sequence[date], column: sa.Column[Any] | None = None
                ) -> sa.ColumnElement[bool]:
    """*column* (``centre_tickets.store_day``) within the runs of consecutive *days*
    (sorted)."""
    column = _T.store_day if column is None else column
    runs: list[tuple[date, date]] = []
    for d in days:
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return sa.or_(*(column.between(a.isoformat(), b.isoformat()) for a, b in runs))


# Runs some SELECTs and returns each one's rows, in order (sequentially on one
# connection, or at once on several: see _reader).
Reader = Callable[[Sequence[sa.Select[Any]]], list[list[Any]]]


def _on(conn: Connection) -> Reader:
    return lambda selects: [list(conn.execute(q).all()) for q in selects]


def compute_parts(conn: Connection, scope: str, days: Iterable[date]) -> dict[date, DayPart]:
    """The partials of *days* of *scope* computed from the projection (no cache)."""
    return _compute_parts(_on(conn), conn.dialect.name, scope, days)


def _compute_parts(read: Reader, dialect: str, scope: str, days: Iterable[date]
                   ) -> dict[date, DayPart]:
    wanted = sorted(set(days))
    parts = {d: DayPart() for d in wanted}
    if not wanted:
        return parts
    where = sa.and_(_day_ranges(wanted), scope_filter(scope))
    final = sa.case((_T.status.in_(sorted(FINAL_STATES)), _T.status), else_=None)
    counted = sa.and_(where, _T.status.not_in(sorted(FINAL_STATES)))
    # Each breakdown grouped on its own (a day has tens of groups, not the thousands of
    # their cross product); the unanswered one by one (few); response times by day.
    subs, channels, levels, unanswered, times, products, names_rows = read([
        sa.select(_T.store_day, final, _T.subcategory, _T.category, *sums_columns(),
                  sa.func.sum(_flag(_T.level == 1)))
        .where(where).group_by(_T.store_day, final, _T.subcategory, _T.category),
        sa.select(_T.store_day, _T.channel, *sums_columns()).where(counted)
        .group_by(_T.store_day, _T.channel),
        sa.select(_T.store_day, _T.level, *sums_columns()).where(counted)
        .group_by(_T.store_day, _T.level),
        sa.select(_T.store_day, _T.subcategory, _T.category, _T.channel, _T.level, _T.due_at)
        .where(counted, _T.first_response_at.is_(None)),
        sa.select(_T.store_day, _list(dialect, _T.response_ms))
        .where(counted, _T.response_ms.is_not(None)).group_by(_T.store_day),
        sa.select(_T.store_day, _T.product_key,
                  sa.func.min(sa.func.nullif(_T.product_name, "")), sa.func.count())
        .where(counted, _T.product_key.is_not(None)).group_by(_T.store_day, _T.product_key),
        sa.select(_T.store_day, _T.subcategory, _T.product_name, sa.func.count())
        .where(counted, _T.product_name.is_not(None), _T.product_name != "")
        .group_by(_T.store_day, _T.subcategory, _T.product_name)])
    for row in subs:
        part = parts.get(date.fromisoformat(row[0]))
        if part is None:
            continue
        if row[1] == "voided":
            part.voided += int(row[4])
        elif row[1] == "merged":
            part.merged += int(row[4])
        else:
            add_sums(part.sub.setdefault(row[2], {}), row[3], [int(v or 0) for v in row[4:13]])
            if row[13]:
                part.level1[row[2]] = part.level1.get(row[2], 0) + int(row[13])
    for rows, into in ((channels, "channel"), (levels, "level")):
        for row in rows:
            part = parts.get(date.fromisoformat(row[0]))
            if part is not None:
                key = int(row[1]) if into == "level" else row[1]
                add_sums(getattr(part, into), key, [int(v or 0) for v in row[2:11]])
    for day_text, sub, cat, channel, level, due in unanswered:
        part = parts.get(date.fromisoformat(day_text))
        if part is not None:
            part.unanswered.append((sub, cat, channel, int(level), due))
    for day_text, listed in times:
        part = parts.get(date.fromisoformat(day_text))
        if part is not None:
            part.response_ms.extend(_ints(listed))
    labels: defaultdict[date, dict[str, str]] = defaultdict(dict)
    names: defaultdict[date, dict[str, dict[str, int]]] = defaultdict(dict)
    for day_text, key, name, n in products:
        d = date.fromisoformat(day_text)
        if d in parts:
            parts[d].products[key] = int(n)
            if name:
                labels[d][key] = name
    for day_text, sub, name, n in names_rows:
        d = date.fromisoformat(day_text)
        if d in parts:
            names[d].setdefault(sub, {})[name] = int(n)
    for d, part in parts.items():
        part.response_ms = array("q", sorted(part.response_ms))
        part.unanswered.sort()
        DayPart.build(part, labels[d], names[d])
    return parts


def _mark(conn: Connection) -> int:
    value = conn.execute(sa.select(server_meta.c.value)
                         .where(server_meta.c.key == PROJECTED_THROUGH)).scalar()
    return 0 if value is None else int(value)


@contextmanager
def _snapshot(storage: Storage) -> Iterator[Connection]:
    """A read connection that sees one snapshot throughout (PostgreSQL's default reads
    each statement anew; the mark, the days' marks and their values must agree)."""
    with storage.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


@dataclass(frozen=True)
class _Kind:
    """One cached thing per scope and day: its columns, how it is made and read."""

    name: str
    column: sa.Column[Any]
    version: sa.Column[Any]
    compute: Callable[[Reader, str, str, list[date]], dict[date, Any]]
    encode: Callable[[Any], str]
    decode: Callable[[str], Any]


def _cached(storage: Storage, kind: _Kind, scope: str, first: date, last: date
            ) -> dict[date, Any]:
    """Every day *first* .. *last* of *scope* of *kind*: cached ones read (decoded ones
    kept in the process with the mark they were computed at, so a warm report reads only
    each day's mark), the others computed and stored unless the projection touched them
    meanwhile."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    table = centre_report_days
    db = str(storage.engine.url)
    with _snapshot(storage) as conn:
        mark = _mark(conn)
        in_range = sa.and_(table.c.scope == scope,
                           table.c.day.between(first.isoformat(), last.isoformat()),
                           kind.column.is_not(None))
        versions = dict(conn.execute(sa.select(table.c.day, kind.version)
                                     .where(in_range)).all())
        found: dict[date, Any] = {}
        stale = []
        for day_text, version in versions.items():
            key = (db, kind.name, scope, day_text)
            held = _MEMO.get(key)
            if held is not None and held[0] == version:
                found[date.fromisoformat(day_text)] = held[1]
            else:
                stale.append(day_text)
        for start in range(0, len(stale), 500):
            for day_text, text, version in conn.execute(
                    sa.select(table.c.day, kind.column, kind.version)
                    .where(in_range, table.c.day.in_(stale[start:start + 500]))):
                value = kind.decode(text)
                found[date.fromisoformat(day_text)] = value
                _remember((db, kind.name, scope, day_text), int(version), value)
        missing = [d for d in days if d not in found]
    found.update(_compute(storage, kind, scope, mark, missing))
    return found


def _compute(storage: Storage, kind: _Kind, scope: str, mark: int, days: list[date]
             ) -> dict[date, Any]:
    """*days* of *scope* computed, stored and kept in the process, *mark* read before."""
    if not days:
        return {}
    # Computed after the mark was read, on snapshots as new or newer: a day that changed
    # since is stamped above the mark and refused by _store, so mixing them is safe.
    computed = kind.compute(_reader(storage), storage.engine.dialect.name, scope, days)
    try:
        _store(storage, kind, scope, mark, computed)
    except sa.exc.OperationalError:
        # Lost a lock race (a catch-up stamping the same days): the values are still
        # right for this report; the next one computes and stores them.
        _log.warning("report days of %s not cached this time", scope, exc_info=True)
        return computed
    # Kept under the mark they were read at: the database holds that mark for each day
    # stored, and none for a day _store refused (read again next time).
    db = str(storage.engine.url)
    for d, value in computed.items():
        _remember((db, kind.name, scope, d.isoformat()), mark, value)
    return computed


def _reader(storage: Storage) -> Reader:
    """Runs the SELECTs at once, each on a connection of its own (PostgreSQL works on
    them in parallel); one after another on SQLite, whose reads share one file."""
    def read(selects: Sequence[sa.Select[Any]]) -> list[list[Any]]:
        def one(query: sa.Select[Any]) -> list[Any]:
            with storage.engine.connect() as conn:
                return list(conn.execute(query).all())
        if storage.engine.dialect.name != "postgresql" or len(selects) == 1:
            return [one(q) for q in selects]
        with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
            return list(pool.map(one, selects))
    return read


PARALLEL_READS = 4

# Decoded values by (database, kind, scope, day): (the mark they were computed at, value).
_MEMO: OrderedDict[tuple[str, str, str, str], tuple[int, Any]] = OrderedDict()
MEMO_DAYS = 8000  # a year's chain, previous year and look-back, and a few regions', twice
_MEMO_LOCK = threading.Lock()


def _remember(key: tuple[str, str, str, str], version: int, value: Any) -> None:
    with _MEMO_LOCK:
        _MEMO[key] = (version, value)
        _MEMO.move_to_end(key)
        while len(_MEMO) > MEMO_DAYS:
            _MEMO.popitem(last=False)


def _store(storage: Storage, kind: _Kind, scope: str, mark: int,
           values: dict[date, Any]) -> None:
    table = centre_report_days
    rows = [{"scope": scope, "day": d.isoformat(), kind.column.name: kind.encode(v),
             kind.version.name: mark} for d, v in sorted(values.items())]
    with storage.writing() as conn:
        for start in range(0, len(rows), 200):
            insert = dialect_insert(conn, table).values(rows[start:start + 200])
            # Not over a stamp newer than the snapshot the values were read from.
            conn.execute(insert.on_conflict_do_update(
                index_elements=[table.c.scope, table.c.day],
                set_={kind.column.name: insert.excluded[kind.column.name],
                      kind.version.name: insert.excluded[kind.version.name]},
                where=sa.or_(table.c.touched_seq.is_(None), table.c.touched_seq <= mark)))


# A store's sums of one day for the league: SUMS, then the response time in ms, the
# first-contact closes not reopened and those reopened, and the due times of its
# unanswered tickets.
LeagueDay = dict[str, tuple[list[int], list[str]]]


def _compute_league(read: Reader, dialect: str, scope: str, days: Iterable[date]
                    ) -> dict[date, LeagueDay]:
    """Per day of *days*, per store of *scope*: its counted tickets' sums (no cache)."""
    wanted = sorted(set(days))
    out: dict[date, LeagueDay] = {d: {} for d in wanted}
    if not wanted:
        return out
    [rows] = read([
            sa.select(_T.store_day, _T.store, *sums_columns(),
                      sa.func.coalesce(sa.func.sum(_T.response_ms), 0),
                      sa.func.sum(_flag(sa.and_(_T.first_contact.is_(True),
                                                _T.reopen_count == 0))),
                      sa.func.sum(_flag(sa.and_(_T.first_contact.is_(True),
                                                _T.reopen_count > 0))),
                      _list(dialect, sa.case((_T.first_response_at.is_(None), _T.due_at),
                                             else_=None)))
            .where(_day_ranges(wanted), scope_filter(scope),
                   _T.status.not_in(sorted(FINAL_STATES)))
            .group_by(_T.store_day, _T.store)])
    for row in rows:
        d = date.fromisoformat(row[0])
        if d in out:
            out[d][row[1]] = ([int(v or 0) for v in row[2:14]],
                              row[14].split(",") if row[14] else [])
    return out


def _league_json(value: LeagueDay) -> str:
    return orjson.dumps(value).decode()


def _league_read(text: str) -> LeagueDay:
    return {k: (v[0], v[1]) for k, v in orjson.loads(text).items()}


# One day's compensation lines: (status, kind, lines, fen) groups and granted fen per store.
CompDay = tuple[list[tuple[str, str, int, int]], dict[str, int]]


def _compute_comp(read: Reader, _dialect: str, scope: str, days: Iterable[date]
                  ) -> dict[date, CompDay]:
    """Per day of *days*: the compensation lines of *scope* requested that store day."""
    wanted = sorted(set(days))
    out: dict[date, CompDay] = {d: ([], {}) for d in wanted}
    if not wanted:
        return out
    c = centre_compensations.c
    where = sa.and_(_day_ranges(wanted, c.store_day), _scope_of(scope, centre_compensations))
    [rows] = read([sa.select(c.store_day, c.store, c.status, c.kind, sa.func.count(),
                             sa.func.sum(c.amount_fen)).where(where)
                   .group_by(c.store_day, c.store, c.status, c.kind)])
    for day_text, store, status, kind, n, total in rows:
        entry = out.get(date.fromisoformat(day_text))
        if entry is None:
            continue
        entry[0].append((status, kind, int(n), int(total)))
        if status == "granted":
            entry[1][store] = entry[1].get(store, 0) + int(total)
    for groups, _ in out.values():
        merged: dict[tuple[str, str], list[int]] = {}
        for status, kind, n, total in groups:
            have = merged.setdefault((status, kind), [0, 0])
            have[0] += n
            have[1] += total
        groups[:] = sorted((s, k, v[0], v[1]) for (s, k), v in merged.items())
    return out


def _comp_json(value: CompDay) -> str:
    return orjson.dumps({"g": value[0], "s": value[1]}).decode()


def _comp_read(text: str) -> CompDay:
    data = orjson.loads(text)
    return [(s, k, int(n), int(t)) for s, k, n, t in data["g"]], dict(data["s"])


_PARTS = _Kind("part", centre_report_days.c.part, centre_report_days.c.computed_through,
               _compute_parts, lambda part: part.to_json(), DayPart.from_json)
_LEAGUE = _Kind("league", centre_report_days.c.league, centre_report_days.c.league_through,
                _compute_league, _league_json, _league_read)
_COMP = _Kind("comp", centre_report_days.c.comp, centre_report_days.c.comp_through,
              _compute_comp, _comp_json, _comp_read)


def comp_days(storage: Storage, scope: str, first: date, last: date) -> dict[date, CompDay]:
    """Every day *first* .. *last* of *scope*: its compensation lines' sums (cached)."""
    return _cached(storage, _COMP, scope, first, last)


def day_parts(storage: Storage, scope: str, first: date, last: date
              ) -> dict[date, DayPart]:
    """The partial of every store day *first* .. *last* of *scope* (cached)."""
    return _cached(storage, _PARTS, scope, first, last)


def league_days(storage: Storage, scope: str, first: date, last: date
                ) -> dict[date, LeagueDay]:
    """Every day *first* .. *last* of *scope*: its stores' sums (cached)."""
    return _cached(storage, _LEAGUE, scope, first, last)


def touched(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """The projection wrote *rows* (in the catch-up's transaction): empty their days."""
    stamps: dict[tuple[str, str], int] = {}
    for row in rows:
        day = row.get("store_day")
        if day is None:
            continue
        seq = int(row["updated_seq"])
        scopes = [GROUP, store_scope(row["store"])]
        if row.get("region"):
            scopes.append(region_scope(row["region"]))
        for scope in scopes:
            key = (scope, day)
            stamps[key] = max(stamps.get(key, 0), seq)
    if not stamps:
        return
    table = centre_report_days
    # In one order (scope, day) everywhere, so two writers never wait on each other.
    ordered = sorted(stamps.items())
    conn.execute(dialect_insert(conn, table).values(
        [{"scope": s, "day": d, "part": None, "computed_through": None, "touched_seq": q}
         for (s, d), q in ordered]).on_conflict_do_nothing())
    for (scope, day), seq in ordered:
        conn.execute(table.update().where(table.c.scope == scope, table.c.day == day).values(
            part=None, league=None, comp=None, touched_seq=sa.func.coalesce(
                sa.func.greatest(table.c.touched_seq, seq) if conn.dialect.name == "postgresql"
                else sa.func.max(table.c.touched_seq, seq), seq)))


def restamped(conn: Connection, store: str) -> None:
    """A store moved region or zone: every partial that may hold it is dropped."""
    table = centre_report_days
    conn.execute(table.delete().where(sa.or_(
        table.c.scope.in_([GROUP, store_scope(store)]), table.c.scope.like("r:%"))))


WARM_DAYS = 400  # days emptied by one catch-up that the worker computes again, at most


def warm(storage: Storage) -> int:
    """Compute again the days of the chain and the regions that the projection emptied
    and a report had read before (``computed_through`` kept), so the next report finds
    them cached: the projection's worker calls this after each catch-up, off any
    request. The days computed; a store's own days are left to its report."""
    table = centre_report_days
    done = 0
    with storage.engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.scope, table.c.day)
            .where(table.c.part.is_(None), table.c.computed_through.is_not(None),
                   sa.or_(table.c.scope == GROUP, table.c.scope.like("r:%")))
            .order_by(table.c.day.desc()).limit(WARM_DAYS)).all()
    by_scope: dict[str, list[date]] = {}
    for scope, day in rows:
        by_scope.setdefault(str(scope), []).append(date.fromisoformat(day))
    with storage.engine.connect() as conn:
        mark = _mark(conn)
    for scope, days in by_scope.items():
        for kind in (_PARTS, _LEAGUE, _COMP):
            _compute(storage, kind, scope, mark, days)
        done += len(days)
    return done


def clear(storage: Storage) -> None:
    """Drop every cached partial (the bench's cold runs; a repair)."""
    with storage.writing() as conn:
        conn.execute(centre_report_days.delete())
    with _MEMO_LOCK:
        _MEMO.clear()

