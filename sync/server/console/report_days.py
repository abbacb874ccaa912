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
from typing import Any, Generic, TypeVar

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
V = TypeVar("V")
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
    # The subcategories grouped on their own, channel with level (a day has tens of
    # such groups, not the thousands of their cross product), the products with their
    # subcategory and name (about one row per product a day either way); the unanswered
    # one by one (few); response times by day. Five scans of the days' rows in all.
    named = sa.and_(_T.product_name.is_not(None), _T.product_name != "")
    subs, channel_levels, unanswered, times, products = read([
        sa.select(_T.store_day, final, _T.subcategory, _T.category, *sums_columns(),
                  sa.func.sum(_flag(_T.level == 1)))
        .where(where).group_by(_T.store_day, final, _T.subcategory, _T.category),
        sa.select(_T.store_day, _T.channel, _T.level, *sums_columns()).where(counted)
        .group_by(_T.store_day, _T.channel, _T.level),
        sa.select(_T.store_day, _T.subcategory, _T.category, _T.channel, _T.level, _T.due_at)
        .where(counted, _T.first_response_at.is_(None)),
        sa.select(_T.store_day, _list(dialect, _T.response_ms))
        .where(counted, _T.response_ms.is_not(None)).group_by(_T.store_day),
        sa.select(_T.store_day, _T.subcategory, _T.product_key,
                  sa.case((named, _T.product_name), else_=None), sa.func.count())
        .where(counted, sa.or_(_T.product_key.is_not(None), named))
        .group_by(_T.store_day, _T.subcategory, _T.product_key,
                  sa.case((named, _T.product_name), else_=None))])
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
    for row in channel_levels:
        part = parts.get(date.fromisoformat(row[0]))
        if part is not None:
            sums = [int(v or 0) for v in row[3:12]]
            add_sums(part.channel, row[1], sums)
            add_sums(part.level, int(row[2]), sums)
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
    for day_text, sub, key, name, n in products:
        d = date.fromisoformat(day_text)
        part = parts.get(d)
        if part is None:
            continue
        if key is not None:
            part.products[key] = part.products.get(key, 0) + int(n)
            if name and (key not in labels[d] or name < labels[d][key]):
                labels[d][key] = name
        if name:
            by_name = names[d].setdefault(sub, {})
            by_name[name] = by_name.get(name, 0) + int(n)
    for d, part in parts.items():
        part.response_ms = array("q", sorted(part.response_ms))
        part.unanswered.sort()
        DayPart.build(part, labels[d], names[d])
    return parts


# Raised whenever days are emptied without a new projection mark (a store moved region
# or zone, a refill): a value computed before is then never kept or stored as current.
GENERATION = "report_days_generation"


@dataclass(frozen=True)
class _Marks:
    """Where the projection stood when a read began."""

    projected: int  # PROJECTED_THROUGH: the days' values are read at this mark
    generation: int  # GENERATION

    def memo_db(self, storage: Storage) -> str:
        """The process memo's name for the database at this generation."""
        return f"{storage.engine.url}#{self.generation}"


def _marks(conn: Connection) -> _Marks:
    values = dict(conn.execute(sa.select(server_meta.c.key, server_meta.c.value)
                               .where(server_meta.c.key.in_([PROJECTED_THROUGH, GENERATION])))
                  .all())
    return _Marks(int(values.get(PROJECTED_THROUGH) or 0), int(values.get(GENERATION) or 0))


def _next_generation(conn: Connection) -> None:
    conn.execute(dialect_insert(conn, server_meta).values(key=GENERATION, value="0")
                 .on_conflict_do_nothing())
    conn.execute(server_meta.update().where(server_meta.c.key == GENERATION).values(
        value=sa.cast(sa.cast(server_meta.c.value, sa.BigInteger) + 1, sa.Text)))


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


@dataclass(frozen=True)
class Days(Generic[V]):
    """Some days of one kind and scope, each with the projection mark it was computed at
    (none for a day computed but not stored: it is read again next time)."""

    db: str
    kind: str
    scope: str
    values: dict[date, V]
    versions: dict[date, int]


def _cached(storage: Storage, kind: _Kind, scope: str, first: date, last: date) -> Days[Any]:
    """Every day *first* .. *last* of *scope* of *kind*: cached ones read (decoded ones
    kept in the process with the mark they were computed at, so a warm report reads only
    each day's mark), the others computed and stored unless the projection touched them
    meanwhile."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    table = centre_report_days
    found: dict[date, Any] = {}
    versions: dict[date, int] = {}
    with _snapshot(storage) as conn:
        marks = _marks(conn)
        db = marks.memo_db(storage)
        in_range = sa.and_(table.c.scope == scope,
                           table.c.day.between(first.isoformat(), last.isoformat()),
                           kind.column.is_not(None))
        stamps = dict(conn.execute(sa.select(table.c.day, kind.version)
                                   .where(in_range)).all())
        stale = []
        for day_text, version in stamps.items():
            key = (db, kind.name, scope, day_text)
            held = _MEMO.get(key)
            if held is not None and held[0] == version:
                d = date.fromisoformat(day_text)
                found[d] = held[1]
                versions[d] = int(version)
            else:
                stale.append(day_text)
        for start in range(0, len(stale), 500):
            for day_text, text, version in conn.execute(
                    sa.select(table.c.day, kind.column, kind.version)
                    .where(in_range, table.c.day.in_(stale[start:start + 500]))):
                value = kind.decode(text)
                d = date.fromisoformat(day_text)
                found[d] = value
                versions[d] = int(version)
                _remember((db, kind.name, scope, day_text), int(version), value)
        missing = [d for d in days if d not in found]
    computed, stored = _compute(storage, kind, scope, marks, missing)
    found.update(computed)
    if stored:
        versions.update(dict.fromkeys(computed, marks.projected))
    return Days(db, kind.name, scope, found, versions)


def _compute(storage: Storage, kind: _Kind, scope: str, marks: _Marks, days: list[date]
             ) -> tuple[dict[date, Any], bool]:
    """*days* of *scope* computed, stored and kept in the process, *marks* read before;
    and whether they were stored."""
    if not days:
        return {}, True
    # Computed after the mark was read, on snapshots as new or newer: a day that changed
    # since is stamped above the mark and refused by _store, so mixing them is safe.
    computed = kind.compute(_reader(storage), storage.engine.dialect.name, scope, days)
    try:
        stored = _store(storage, kind, scope, marks, computed)
    except sa.exc.OperationalError:
        # Lost a lock race (a catch-up stamping the same days): the values are still
        # right for this report; the next one computes and stores them.
        _log.warning("report days of %s not cached this time", scope, exc_info=True)
        return computed, False
    # Kept under the mark they were read at: the database holds that mark for each day
    # stored, and none for a day _store refused (read again next time, and a block
    # holding it merged again, its stamp changed).
    if not stored:
        return computed, False
    db = marks.memo_db(storage)
    for d, value in computed.items():
        _remember((db, kind.name, scope, d.isoformat()), marks.projected, value)
    return computed, True


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


def _store(storage: Storage, kind: _Kind, scope: str, marks: _Marks,
           values: dict[date, Any]) -> bool:
    """Store *values* read at *marks*; False when the days were emptied meanwhile
    without a new mark (another generation): then nothing is stored."""
    table = centre_report_days
    mark = marks.projected
    rows = [{"scope": scope, "day": d.isoformat(), kind.column.name: kind.encode(v),
             kind.version.name: mark} for d, v in sorted(values.items())]
    with storage.writing() as conn:
        if _marks(conn).generation != marks.generation:
            return False
        for start in range(0, len(rows), 200):
            insert = dialect_insert(conn, table).values(rows[start:start + 200])
            # Not over a stamp newer than the snapshot the values were read from.
            conn.execute(insert.on_conflict_do_update(
                index_elements=[table.c.scope, table.c.day],
                set_={kind.column.name: insert.excluded[kind.column.name],
                      kind.version.name: insert.excluded[kind.version.name]},
                where=sa.or_(table.c.touched_seq.is_(None), table.c.touched_seq <= mark)))
    return True


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


def comp_days(storage: Storage, scope: str, first: date, last: date) -> Days[CompDay]:
    """Every day *first* .. *last* of *scope*: its compensation lines' sums (cached)."""
    return _cached(storage, _COMP, scope, first, last)


def day_parts(storage: Storage, scope: str, first: date, last: date) -> Days[DayPart]:
    """The partial of every store day *first* .. *last* of *scope* (cached)."""
    return _cached(storage, _PARTS, scope, first, last)


def league_days(storage: Storage, scope: str, first: date, last: date) -> Days[LeagueDay]:
    """Every day *first* .. *last* of *scope*: its stores' sums (cached)."""
    return _cached(storage, _LEAGUE, scope, first, last)


def touched(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """The projection wrote *rows* (tickets and compensation lines, in the catch-up's
    transaction): empty what they change of their days (a ticket: its days' partials
    and league sums; a compensation line: its days' compensation sums) and stamp them."""
    stamps: dict[tuple[str, str], tuple[int, bool, bool]] = {}
    for row in rows:
        day = row.get("store_day")
        if day is None:
            continue
        seq = int(row["updated_seq"])
        comp = "compensation_id" in row
        scopes = [GROUP, store_scope(row["store"])]
        if row.get("region"):
            scopes.append(region_scope(row["region"]))
        for scope in scopes:
            key = (scope, day)
            have = stamps.get(key, (0, False, False))
            stamps[key] = (max(have[0], seq), have[1] or not comp, have[2] or comp)
    if not stamps:
        return
    table = centre_report_days
    # In one order (scope, day) everywhere, so two writers never wait on each other.
    ordered = sorted(stamps.items())
    conn.execute(dialect_insert(conn, table).values(
        [{"scope": s, "day": d, "touched_seq": q} for (s, d), (q, _, _) in ordered])
        .on_conflict_do_nothing())
    greatest = (sa.func.greatest if conn.dialect.name == "postgresql" else sa.func.max)
    for (scope, day), (seq, tickets, comps) in ordered:
        emptied: dict[str, Any] = {}
        if tickets:
            emptied.update(part=None, league=None)
        if comps:
            emptied.update(comp=None)
        conn.execute(table.update().where(table.c.scope == scope, table.c.day == day).values(
            touched_seq=sa.func.coalesce(greatest(table.c.touched_seq, seq), seq),
            **emptied))


def restamped(conn: Connection, store: str) -> None:
    """A store moved region or zone: every partial that may hold it is emptied (the
    warm-up computes the chain's and the regions' again)."""
    table = centre_report_days
    conn.execute(table.update().where(sa.or_(
        table.c.scope.in_([GROUP, store_scope(store)]), table.c.scope.like("r:%")))
        .values(part=None, league=None, comp=None))
    _next_generation(conn)


WARM_DAYS = 400  # days of one scope the warm-up computes at one go, at most
_KINDS_OF_WARM = ("part", "league", "comp")


def _maintained() -> sa.ColumnElement[bool]:
    """The scopes the warm-up keeps computed: the chain and the regions (a store's own
    year is computed in well under a second when its report asks)."""
    scope = centre_report_days.c.scope
    return sa.or_(scope == GROUP, sa.and_(scope >= "r:", scope < "r;"))


def warm(storage: Storage) -> int:
    """Compute the days of the chain and the regions that the projection emptied, so
    reports find them computed: the projection's worker calls this after each catch-up
    (and until it does none), off any request. The scope-days computed, at most
    :data:`WARM_DAYS` per scope and kind; a store's own days are left to its report."""
    table = centre_report_days
    empty = [table.c[name].is_(None) for name in _KINDS_OF_WARM]
    with storage.engine.connect() as conn:
        marks = _marks(conn)
        rows = conn.execute(
            sa.select(table.c.scope, table.c.day, *empty)
            .where(_maintained(), sa.or_(*empty))
            .order_by(table.c.scope, table.c.day.desc())).all()
    wanted: dict[tuple[str, str], list[date]] = {}
    for scope, day, *missing in rows:
        for name, is_missing in zip(_KINDS_OF_WARM, missing, strict=True):
            if is_missing:
                days = wanted.setdefault((str(scope), name), [])
                if len(days) < WARM_DAYS:
                    days.append(date.fromisoformat(day))
    kinds = {k.name: k for k in (_PARTS, _LEAGUE, _COMP)}
    done = 0
    for (scope, name), days in wanted.items():
        _compute(storage, kinds[name], scope, marks, days)
        done = max(done, len(days))
    return done


def refill(storage: Storage) -> int:
    """Empty every cached day and mark each day of the projection's tickets and
    compensation lines, for the chain and each region, for the warm-up to compute (the
    bench after its bulk load; a repair). The scope-days marked."""
    t, c = centre_tickets.c, centre_compensations.c
    with storage.writing() as conn:
        mark = _marks(conn).projected
        _next_generation(conn)
        conn.execute(centre_report_days.delete())
        pairs = {(str(r[0]), str(r[1]) if r[1] else "") for q in (
            sa.select(t.store_day, t.region).where(t.store_day.is_not(None)).distinct(),
            sa.select(c.store_day, c.region).where(c.store_day.is_not(None)).distinct())
            for r in conn.execute(q)}
        keys = sorted({(GROUP, d) for d, _ in pairs}
                      | {(region_scope(r), d) for d, r in pairs if r})
        for start in range(0, len(keys), 500):
            conn.execute(dialect_insert(conn, centre_report_days).values(
                [{"scope": s, "day": d, "touched_seq": mark} for s, d in keys[start:start + 500]]))
    with _MEMO_LOCK:
        _MEMO.clear()
    return len(keys)


def clear(storage: Storage) -> None:
    """Drop every cached partial (the bench's cold runs; a repair)."""
    with storage.writing() as conn:
        conn.execute(centre_report_days.delete())
    with _MEMO_LOCK:
        _MEMO.clear()

