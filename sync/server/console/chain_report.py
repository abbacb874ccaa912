"""The chain's reports: the store report's figures for the chain, a region or a store, and
the league table of the stores.

Every figure is ``domain.reports.figures.assemble`` over the scope's per-day partials
(``report_days``): the desk's one computation, so a store's figures at the centre are its
desk's figures (of the tickets the centre has). Beside the partials, small reads of the
projection: the compensation lines of the period, the overdue list, the first-contact
counts. The league is one grouped read per period over the scope's stores, each row's
rates made by ``figures.headline_of``, the definition the report's headline uses.

A scope's days are its stores' own days (``centre_tickets.store_day``, each store's time
zone); the period is named in the chain's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time, parse_time
from domain.policy import Policy
from domain.reports.day_part import SUMS, DayPart
from domain.reports.figures import assemble, first_contact_figure, first_day, headline_of
from domain.reports.model import (
    CompensationSummary,
    DayCap,
    Drill,
    Headline,
    OverdueTicket,
    Period,
    Report,
    StaffCompensation,
)
from domain.reports.part_block import PartBlock
from domain.reports.period import days_of, previous_period
from sync.server.console import report_blocks, report_days
from sync.server.console.masterdata import Store
from sync.server.storage import Storage
from sync.server.tables import centre_compensations, centre_tickets

OVERDUE_SHOWN = 200  # the overdue list of a scope names at most this many tickets
STAFF_SHOWN = 20  # compensation by staff: the largest grants' staff
_T = centre_tickets.c
_C = centre_compensations.c


@dataclass(frozen=True)
class Scope:
    """What a report covers: the chain, one region or one store."""

    key: str  # report_days.GROUP, "r:<region>" or "s:<store>"
    kind: str  # "group" | "region" | "store"
    code: str  # the region's or store's code ("" for the chain)
    stores: tuple[Store, ...]


@dataclass(frozen=True)
class ChainReport:
    """A scope's report and what the centre adds to it."""

    scope: Scope
    report: Report
    overdue_total: int  # the overdue list holds at most OVERDUE_SHOWN of these
    league: tuple[LeagueRow, ...]  # every store of the scope, in store order


@dataclass(frozen=True)
class LeagueRow:
    """One store's headline figures in a period and the previous one."""

    store: Store
    now: Headline
    before: Headline
    overdue_now: int
    first_contact_rate: float | None

    def figure(self, name: str, previous: bool = False) -> float | int | None:
        """The figure *name* (a Headline field or ``first_contact_rate``)."""
        if name == "first_contact_rate":
            return None if previous else self.first_contact_rate
        if name == "overdue_now":
            return None if previous else self.overdue_now
        value: float | int | None = getattr(self.before if previous else self.now, name)
        return value

    def change(self, name: str) -> float | None:
        """The figure's change against the previous period (None when either is none)."""
        a, b = self.figure(name), self.figure(name, previous=True)
        return None if a is None or b is None else float(a) - float(b)


def in_scope(scope: Scope, table: sa.Table) -> sa.ColumnElement[bool]:
    """The rows of *table* (the projection's tickets or compensation lines) in *scope*."""
    if scope.kind == "region":
        return table.c.region == scope.code
    if scope.kind == "store":
        return table.c.store == scope.code
    return sa.true()


def _days(period: Period, table: sa.Table) -> sa.ColumnElement[bool]:
    return table.c.store_day.between(period.first_day.isoformat(), period.last_day.isoformat())


def _compensation(storage: Storage, policy: Policy, scope: Scope, period: Period
                  ) -> CompensationSummary:
    """The compensation lines of *period* (by their store day): the sums from the cached
    days, the staff with the largest grants read directly (bounded)."""
    cached = report_days.comp_days(storage, scope.key, period.first_day, period.last_day)
    days = cached.values
    granted_fen = granted = pending = pending_fen = refused = 0
    kinds: dict[str, list[int]] = {}
    for groups, _ in days.values():
        for status, kind, count, total in groups:
            if status == "granted":
                granted += count
                granted_fen += total
                have = kinds.setdefault(kind, [0, 0])
                have[0] += total
                have[1] += count
            elif status == "pending_approval":
                pending += count
                pending_fen += total
            elif status == "refused":
                refused += count
    by_kind = sorted(((k, v[0], v[1]) for k, v in kinds.items()), key=lambda k: (-k[1], k[0]))
    where = sa.and_(_days(period, centre_compensations), in_scope(scope, centre_compensations))
    limits = policy.compensation.role_limits_fen
    above = sa.case(*((_C.requester_role == role, limit) for role, limit in limits.items()),
                    else_=_C.amount_fen)

    def read_staff() -> list[Any]:
        with storage.engine.connect() as conn:
            return list(conn.execute(
                sa.select(_C.store, _C.requested_by, _C.requester_role, sa.func.count(),
                          sa.func.sum(_C.amount_fen), sa.func.max(_C.amount_fen),
                          sa.func.sum(sa.case((_C.amount_fen > above, 1), else_=0)))
                .where(where, _C.status == "granted")
                .group_by(_C.store, _C.requested_by, _C.requester_role)
                .order_by(sa.func.sum(_C.amount_fen).desc(), _C.store, _C.requested_by)
                .limit(STAFF_SHOWN)).all())
    # The lines behind it are the cached days' (each line is counted on its store day):
    # kept while their marks are, under the limits it compares with.
    staff_rows = report_blocks.kept(
        ("staff", cached.db, scope.key, period.first_day, period.last_day,
         tuple(sorted(limits.items()))),
        report_blocks.stamp(cached, period.first_day, period.last_day), read_staff)
    by_staff = [
        StaffCompensation(
            staff_id=f"{store}/{staff}", name=f"{store} {staff}", role=role,
            limit_fen=limits.get(role), granted_fen=int(total), grants=int(count),
            largest_fen=int(largest), above_limit=int(n_above or 0),
            drill=Drill(period, (("compensation_staff", f"{store}/{staff}"),
                                 ("compensation_status", "granted"))))
        for store, staff, role, count, total, largest, n_above in staff_rows]
    # A region's or the chain's cap is its stores' caps together.
    cap = policy.compensation.store_daily_cap_fen * max(len(scope.stores), 1)
    daily = tuple(DayCap(d, sum(days[d][1].values()), cap) for d in days_of(period))
    busiest = max((d for d in daily if d.granted_fen > 0),
                  key=lambda d: (d.granted_fen, -d.day.toordinal()), default=None)
    return CompensationSummary(
        granted_fen=granted_fen, granted=granted, pending=pending, pending_fen=pending_fen,
        refused=refused, by_kind=tuple(by_kind), by_staff=tuple(by_staff),
        daily_cap=daily, cap_fen=cap, busiest_day=busiest)


def _granted_by_store(storage: Storage, scope: Scope, period: Period) -> dict[str, int]:
    """Granted fen per store of *scope* in *period* (by the lines' store days)."""
    out: dict[str, int] = {}
    for _, per_store in report_days.comp_days(storage, scope.key, period.first_day,
                                              period.last_day).values.values():
        for store, fen in per_store.items():
            out[store] = out.get(store, 0) + fen
    return out


def overdue_where(scope: Scope, now: datetime) -> sa.ColumnElement[bool]:
    """Open, unanswered and past the due time at *now*: the overdue list."""
    return sa.and_(_T.open.is_(True), _T.first_response_at.is_(None),
                   _T.due_at <= format_time(now), in_scope(scope, centre_tickets))


def _overdue(conn: Connection, scope: Scope, now: datetime
             ) -> tuple[tuple[OverdueTicket, ...], int]:
    where = overdue_where(scope, now)
    total = int(conn.execute(sa.select(sa.func.count()).where(where)).scalar() or 0)
    rows = conn.execute(
        sa.select(_T.ticket_id, _T.number, _T.level, _T.subcategory, _T.created_at,
                  _T.due_at, _T.handler, _T.store).where(where)
        .order_by(_T.level, _T.due_at, _T.number).limit(OVERDUE_SHOWN)).all()
    return tuple(OverdueTicket(
        ticket_id=r[0], number=r[1], level=int(r[2]), subcategory=r[3], created_at=r[4],
        due_at=r[5], minutes_overdue=int((now - parse_time(r[5])).total_seconds() // 60),
        handler=r[6]) for r in rows), total


def build(storage: Storage, policy: Policy, scope: Scope, period: Period, now: datetime
          ) -> ChainReport:
    """Every figure of *scope* over *period* at *now*, and the league of its stores (the
    projection caught up first by the caller)."""
    # Each cached read may write the cache: none runs inside another's transaction.
    parts = report_days.day_parts(storage, scope.key, first_day(period), period.last_day)

    def covering(p: Period) -> list[DayPart | PartBlock]:
        return report_blocks.covering(parts, p.first_day, p.last_day, PartBlock.of)
    compensation = _compensation(storage, policy, scope, period)
    before_period = previous_period(period)
    now_sums = _store_sums(storage, scope, period, now)
    before_sums = _store_sums(storage, scope, before_period, now)
    granted_now = _granted_by_store(storage, scope, period)
    granted_before = _granted_by_store(storage, scope, before_period)
    with storage.engine.connect() as conn:
        overdue, overdue_total = _overdue(conn, scope, now)
        overdue_by_store = _overdue_by_store(conn, scope, now)
    report = assemble(parts.values, policy, period, now, store_code=scope.code or "*",
                      compensation=compensation,
                      previous_compensation_fen=sum(granted_before.values()), overdue=overdue,
                      covering=covering)
    report = replace(report, first_contact=first_contact_figure(
        report, _first_contact(now_sums), _first_contact(before_sums)))
    rows = []
    for store in scope.stores:
        sums, ms, fcr, _ = now_sums.get(store.code, (_EMPTY, 0, 0, 0))
        b_sums, b_ms, _, _ = before_sums.get(store.code, (_EMPTY, 0, 0, 0))
        rows.append(LeagueRow(
            store=store,
            now=headline_of(sums, ms, granted_now.get(store.code, 0)),
            before=headline_of(b_sums, b_ms, granted_before.get(store.code, 0)),
            overdue_now=overdue_by_store.get(store.code, 0),
            first_contact_rate=None if sums["tickets"] == 0 else fcr / sums["tickets"]))
    return ChainReport(scope=scope, report=report, overdue_total=overdue_total,
                       league=tuple(rows))


def _first_contact(sums: dict[str, tuple[dict[str, int], int, int, int]]
                   ) -> tuple[int, int]:
    """(closed at first contact and not reopened, reopened since) over the stores'
    sums."""
    return sum(v[2] for v in sums.values()), sum(v[3] for v in sums.values())


def _store_sums(storage: Storage, scope: Scope, period: Period, now: datetime
                ) -> dict[str, tuple[dict[str, int], int, int, int]]:
    """Per store of *scope*: the sums of its counted tickets of *period* (``SUMS`` and
    ``overdue``, the unanswered past their due time at *now*), their response time in
    ms, and its first-contact closes not reopened and reopened; from the cached days of
    the league."""
    now_text = format_time(now)
    days = report_days.league_days(storage, scope.key, period.first_day, period.last_day)
    daily: dict[str, list[list[int]]] = {}
    overdue: dict[str, int] = {}
    for day in report_blocks.covering(days, period.first_day, period.last_day,
                                      report_blocks.merge_league):
        for store, (values, unanswered) in day.items():
            daily.setdefault(store, []).append(values)
            if unanswered:
                overdue[store] = overdue.get(store, 0) + sum(
                    1 for due in unanswered if due <= now_text)
    out: dict[str, tuple[dict[str, int], int, int, int]] = {}
    n = len(SUMS)
    for store, rows in daily.items():
        added = list(map(sum, zip(*rows, strict=True)))  # column sums, in C
        sums = dict(zip(SUMS, added[:n], strict=True))
        sums["overdue"] = overdue.get(store, 0)
        out[store] = (sums, added[n], added[n + 1], added[n + 2])
    return out


def _overdue_by_store(conn: Connection, scope: Scope, now: datetime) -> dict[str, int]:
    return {s: int(n) for s, n in conn.execute(
        sa.select(_T.store, sa.func.count()).where(overdue_where(scope, now))
        .group_by(_T.store))}


_EMPTY = dict.fromkeys((*SUMS, "overdue"), 0)


LEAGUE_FIGURES = ("tickets", "compliance_rate", "mean_response_minutes", "resolution_rate",
                  "reopen_rate", "satisfaction", "first_contact_rate", "compensation_fen",
                  "overdue_now")


def sort_league(rows: Sequence[LeagueRow], figure: str, descending: bool,
                by_change: bool = False) -> list[LeagueRow]:
    """*rows* by *figure* (or its change), stores without it last whatever the order."""
    def key(row: LeagueRow) -> tuple[bool, float, str]:
        value = row.change(figure) if by_change else row.figure(figure)
        if value is None:
            return (True, 0.0, row.store.code)
        return (False, -float(value) if descending else float(value), row.store.code)
    return sorted(rows, key=key)
