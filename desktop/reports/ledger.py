"""Compensation figures of a period, from the ``compensations`` ledger.

Lines count by their store day. Totals are of *granted* lines; pending and refused lines
are counted apart. ``by_staff`` is by the staff member who granted (requested) the line,
against the per-grant limit of the role they had then; a grant above that limit was
approved by someone else (a manager on the spot or later, or headquarters).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date

from domain.policy import Policy
from domain.reports.model import CompensationSummary, DayCap, Drill, Period, StaffCompensation
from domain.reports.period import days_of

# Ledger lines of a period: two parameters, ledger_days(period).
IN_PERIOD_SQL = "store_day >= ? AND store_day <= ?"


def _day_text(d: date) -> str:
    return d.strftime("%Y%m%d")  # the ledger's store_day, as Desk.store_day writes it


def ledger_days(period: Period) -> tuple[str, str]:
    """The first and last store day of *period* as the ledger writes them, for
    :data:`IN_PERIOD_SQL`."""
    return _day_text(period.first_day), _day_text(period.last_day)


def granted_total(conn: sqlite3.Connection, period: Period) -> int:
    """Compensation granted in *period*, in fen."""
    return int(conn.execute(
        f"SELECT coalesce(sum(amount_fen), 0) FROM compensations WHERE {IN_PERIOD_SQL} "
        "AND status = 'granted'", ledger_days(period)).fetchone()[0])


def compensation_summary(conn: sqlite3.Connection, policy: Policy, period: Period,
                         names: Mapping[str, str]) -> CompensationSummary:
    """The compensation ledger of *period*."""
    bounds = ledger_days(period)
    status_rows = conn.execute(
        f"SELECT status, kind, count(*), sum(amount_fen) FROM compensations "
        f"WHERE {IN_PERIOD_SQL} GROUP BY status, kind", bounds).fetchall()
    granted_fen = granted = pending = pending_fen = refused = 0
    by_kind: list[tuple[str, int, int]] = []
    for status, kind, count, total in status_rows:
        if status == "granted":
            granted += count
            granted_fen += total
            by_kind.append((kind, int(total), int(count)))
        elif status == "pending_approval":
            pending += count
            pending_fen += total
        elif status == "refused":
            refused += count
    by_kind.sort(key=lambda k: (-k[1], k[0]))

    limits = policy.compensation.role_limits_fen
    roles = dict(conn.execute("SELECT id, role FROM staff").fetchall())
    staff: dict[str, dict[str, int | str]] = {}
    for sid, role, count, total, largest, above in conn.execute(
        "SELECT requested_by, requester_role, count(*), sum(amount_fen), max(amount_fen), "
        "sum(amount_fen > CASE requester_role WHEN 'cashier' THEN ? WHEN 'desk' THEN ? "
        "WHEN 'manager' THEN ? ELSE amount_fen END) "
        f"FROM compensations WHERE {IN_PERIOD_SQL} AND status = 'granted' "
        "GROUP BY requested_by, requester_role",
        (limits["cashier"], limits["desk"], limits["manager"], *bounds),
    ):
        entry = staff.setdefault(sid, {"role": role, "granted": 0, "grants": 0,
                                       "largest": 0, "above": 0})
        entry["granted"] = int(entry["granted"]) + int(total)
        entry["grants"] = int(entry["grants"]) + int(count)
        entry["largest"] = max(int(entry["largest"]), int(largest))
        entry["above"] = int(entry["above"]) + int(above)
    by_staff = []
    for sid, e in staff.items():
        role = str(roles.get(sid, e["role"]))
        by_staff.append(StaffCompensation(
            staff_id=sid, name=names.get(sid, sid), role=role, limit_fen=limits.get(role),
            granted_fen=int(e["granted"]), grants=int(e["grants"]),
            largest_fen=int(e["largest"]), above_limit=int(e["above"]),
            drill=Drill(period, (("compensation_staff", sid),
                                 ("compensation_status", "granted"))),
        ))
    by_staff.sort(key=lambda s: (-s.granted_fen, s.staff_id))

    per_day = dict(conn.execute(
        f"SELECT store_day, sum(amount_fen) FROM compensations WHERE {IN_PERIOD_SQL} "
        "AND status = 'granted' GROUP BY store_day", bounds).fetchall())
    cap = policy.compensation.store_daily_cap_fen
    daily = tuple(DayCap(d, int(per_day.get(_day_text(d), 0)), cap) for d in days_of(period))
    busiest = max((d for d in daily if d.granted_fen > 0),
                  key=lambda d: (d.granted_fen, -d.day.toordinal()), default=None)
    return CompensationSummary(
        granted_fen=granted_fen, granted=granted, pending=pending, pending_fen=pending_fen,
        refused=refused, by_kind=tuple(by_kind), by_staff=tuple(by_staff),
        daily_cap=daily, cap_fen=cap, busiest_day=busiest,
    )
