"""The chain's reports against the desks' own reports and an independent computation.

A chain of four stores in two regions is made through real desks (the desk report tests'
generator, one seed per store: tickets, responses, closes at first contact, ratings,
reopens, merges, voids and compensation) and pushed by the real sync engine to a real
server. Then:

- each store's figures at the centre equal its desk's own report (one computation);
- the chain's and each region's figures equal a plain-Python computation over the rows
  read back from the four desk databases, each store's days in its own time zone (one
  store is listed in Asia/Urumqi, two hours behind the desks' Shanghai);
- the league's rows equal the stores' reports; the cache agrees with a cold computation
  and follows a new event.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from desktop import ticket_actions
from desktop.reports.figures import build_report
from domain.clock import parse_time
from domain.policy import Policy
from domain.reports.day_part import DayPart
from domain.reports.figures import assemble, first_day
from domain.reports.model import Drill, Period, Report
from domain.reports.part_block import PartBlock
from domain.reports.period import make_period
from sync.server import policy_store
from sync.server.console import (
    centre_tickets,
    chain_drill,
    chain_report,
    masterdata,
    report_blocks,
    report_days,
)
from sync.server.console.chain_report import Scope
from sync.server.storage import Storage
from sync.server.tables import centre_report_days
from sync.server.tables import centre_tickets as centre_tickets_table
from tests.desktop.reports import test_figures as gen
from tests.sync.server.console.report_chain import PERIOD, SHANGHAI, Chain


@pytest.fixture
def chain(report_chain: Chain) -> Chain:
    """The chain of the session (conftest's ``report_chain``)."""
    return report_chain


def _scope(chain: Chain, kind: str, code: str = "") -> Scope:
    with chain.storage.engine.connect() as conn:
        stores = tuple(s for s in masterdata.list_stores(conn, code if kind == "region"
                                                           else None)
                       if s.code in chain.desks and (kind != "store" or s.code == code))
    key = {"group": report_days.GROUP, "region": report_days.region_scope(code),
           "store": report_days.store_scope(code)}[kind]
    return Scope(key=key, kind=kind, code=code, stores=stores)


def _policy(chain: Chain) -> Policy:
    with chain.storage.engine.connect() as conn:
        return policy_store.current(conn)[0]


def _centre(chain: Chain, scope: Scope, period: Period = PERIOD) -> Report:
    policy = _policy(chain)
    return chain_report.build(chain.storage, policy, scope, period, gen.NOW).report


# --- the independent computation ---------------------------------------------------------

def _rows(chain: Chain, stores: list[str]) -> list[dict[str, Any]]:
    out = []
    for code in stores:
        conn = chain.desks[code].conn
        fcr = {r[0] for r in conn.execute(
            "SELECT ticket_id FROM events WHERE type = 'status_changed' "
            "AND json_extract(payload, '$.first_contact') = 1")}
        for r in conn.execute("SELECT * FROM tickets"):
            row = dict(r)
            row["store"] = code
            row["day"] = parse_time(row["created_at"]).astimezone(chain.zones[code]).date()
            row["fcr"] = row["id"] in fcr
            out.append(row)
    return out


def _counted(rows: list[dict[str, Any]], first: date, last: date) -> list[dict[str, Any]]:
    return [r for r in rows if first <= r["day"] <= last
            and r["status"] not in ("voided", "merged")]


def _expected(chain: Chain, stores: list[str], first: date = gen.FIRST,
              last: date = gen.LAST) -> dict[str, Any]:
    rows = _rows(chain, stores)
    counted = _counted(rows, first, last)
    now = gen.NOW
    responded = [r for r in counted if r["first_response_at"]]
    in_time = [r for r in responded if r["first_response_at"] <= r["due_at"]]
    late = len(responded) - len(in_time)
    overdue = [r for r in counted if not r["first_response_at"]
               and parse_time(r["due_at"]) <= now]
    minutes = sorted((parse_time(r["first_response_at"]) - parse_time(r["created_at"]))
                     .total_seconds() * 1000 for r in responded)
    closed = [r for r in counted if r["status"] in ("closed", "rated")]
    ever = [r for r in counted if r["status"] in ("closed", "rated") or r["reopen_count"] > 0]
    rated = [r for r in counted if r["rating"] is not None]
    fcr = [r for r in counted if r["fcr"] and r["reopen_count"] == 0]
    granted = 0
    by_kind: Counter[str] = Counter()
    pending = 0
    for code in stores:
        for line in chain.desks[code].conn.execute(
                "SELECT status, kind, amount_fen, created_at FROM compensations"):
            day = parse_time(line["created_at"]).astimezone(chain.zones[code]).date()
            if not first <= day <= last:
                continue
            if line["status"] == "granted":
                granted += line["amount_fen"]
                by_kind[line["kind"]] += line["amount_fen"]
            elif line["status"] == "pending_approval":
                pending += 1
    return {
        "tickets": len(counted),
        "voided": sum(1 for r in rows if first <= r["day"] <= last
                      and r["status"] == "voided"),
        "by_category": Counter(r["category"] for r in counted),
        "by_subcategory": Counter(r["subcategory"] for r in counted),
        "by_channel": Counter(r["channel"] for r in counted),
        "by_level": Counter(str(r["level"]) for r in counted),
        "compliance": len(in_time) / (len(in_time) + late + len(overdue)),
        "mean": sum(minutes) / len(minutes) / 60000,
        "p90": minutes[math.ceil(0.9 * len(minutes)) - 1] / 60000,
        "resolution": len(closed) / len(counted),
        "reopen": sum(1 for r in ever if r["reopen_count"] > 0) / len(ever),
        "satisfaction": sum(r["rating"] for r in rated) / len(rated),
        "fcr": len(fcr),
        "granted": granted, "by_kind": dict(by_kind), "pending": pending,
        "overdue_now": sum(1 for r in rows if r["status"] not in (
            "closed", "rated", "voided", "merged") and not r["first_response_at"]
            and parse_time(r["due_at"]) <= now),
    }


def _check(report: Report, want: dict[str, Any]) -> None:
    assert report.tickets == want["tickets"]
    assert report.voided == want["voided"]
    for name in ("by_category", "by_subcategory", "by_channel", "by_level"):
        assert {c.key: c.count for c in getattr(report, name)} == want[name], name
    assert report.headline.compliance_rate == pytest.approx(want["compliance"])
    assert report.response.mean_minutes == pytest.approx(want["mean"])
    assert report.response.p90_minutes == pytest.approx(want["p90"])
    assert report.resolution_rate == pytest.approx(want["resolution"])
    assert report.reopen_rate == pytest.approx(want["reopen"])
    assert report.satisfaction == pytest.approx(want["satisfaction"])
    assert report.first_contact is not None
    assert report.first_contact.resolved == want["fcr"]
    assert report.compensation.granted_fen == want["granted"]
    assert {k: fen for k, fen, _ in report.compensation.by_kind} == want["by_kind"]
    assert report.compensation.pending == want["pending"]


def test_the_chain_is_varied(chain: Chain) -> None:
    rows = _rows(chain, list(chain.desks))
    statuses = Counter(r["status"] for r in rows)
    assert {"closed", "rated", "voided", "merged"} <= set(statuses)
    assert any(r["reopen_count"] for r in rows) and any(r["fcr"] for r in rows)
    # The Urumqi store's days differ from its desk's Shanghai days for some tickets.
    d_rows = [r for r in rows if r["store"] == "CRD"]
    assert any(r["day"] != parse_time(r["created_at"]).astimezone(SHANGHAI).date()
               for r in d_rows)


@pytest.mark.parametrize("kind, code, stores", [
    ("group", "", ["CRA", "CRB", "CRC", "CRD"]),
    ("region", "EAST", ["CRA", "CRB"]),
    ("region", "WEST", ["CRC", "CRD"]),
    ("store", "CRD", ["CRD"]),
])
def test_scope_figures_match_an_independent_computation(
        chain: Chain, kind: str, code: str, stores: list[str]) -> None:
    _check(_centre(chain, _scope(chain, kind, code)), _expected(chain, stores))


# October and November whole: the report adds up two merged months (report_blocks), and
# the previous period (August and September) two more.
MONTHS = make_period("custom", date(2026, 10, 1), date(2026, 11, 30), SHANGHAI)


@pytest.mark.parametrize("kind, code, stores", [
    ("group", "", ["CRA", "CRB", "CRC", "CRD"]),
    ("region", "WEST", ["CRC", "CRD"]),
    ("store", "CRD", ["CRD"]),
])
def test_whole_months_match_an_independent_computation(
        chain: Chain, kind: str, code: str, stores: list[str]) -> None:
    scope = _scope(chain, kind, code)
    _check(_centre(chain, scope, MONTHS), _expected(chain, stores, MONTHS.first_day,
                                                    MONTHS.last_day))
    days = report_days.day_parts(chain.storage, scope.key, MONTHS.first_day, MONTHS.last_day)
    blocks = report_blocks.covering(days, MONTHS.first_day, MONTHS.last_day, PartBlock.of)
    assert [type(b) for b in blocks] == [PartBlock, PartBlock]
    # Every figure (top problems' products too) as the days' own sums give it.
    report = _centre(chain, scope, MONTHS)
    every_day = report_days.day_parts(chain.storage, scope.key, first_day(MONTHS),
                                      MONTHS.last_day).values
    plain = assemble(every_day, _policy(chain), MONTHS, gen.NOW, store_code=report.store_code,
                     compensation=report.compensation,
                     previous_compensation_fen=report.previous.compensation_fen,
                     overdue=report.overdue)
    assert replace(report, first_contact=None) == plain
    # A period starting mid-month: the loose days, then November merged.
    mid = make_period("custom", date(2026, 10, 20), date(2026, 11, 30), SHANGHAI)
    _check(_centre(chain, scope, mid), _expected(chain, stores, mid.first_day, mid.last_day))


@pytest.mark.parametrize("code", ["CRA", "CRB", "CRC"])
def test_a_store_at_the_centre_is_its_desk_report(chain: Chain, code: str) -> None:
    """Same zone as its desk: every figure the desk shows, the centre shows."""
    desk = chain.desks[code].desk
    mine = build_report(desk.conn, desk.policy, PERIOD, gen.NOW, store_code=code)
    theirs = _centre(chain, _scope(chain, "store", code))
    for name in ("tickets", "voided", "merged", "by_category", "by_subcategory",
                 "by_channel", "by_level", "compliance", "response", "resolved",
                 "resolution_rate", "reopened", "ever_closed", "reopen_rate", "rated",
                 "satisfaction", "top_problems", "repeat_alerts", "trend", "headline",
                 "previous", "first_contact"):
        assert getattr(theirs, name) == getattr(mine, name), name
    for name in ("granted_fen", "granted", "pending", "pending_fen", "refused", "by_kind",
                 "daily_cap"):
        assert getattr(theirs.compensation, name) == getattr(mine.compensation, name), name
    assert [t.number for t in theirs.overdue] == [t.number for t in mine.overdue]


def test_league_rows_are_the_stores_reports(chain: Chain) -> None:
    scope = _scope(chain, "group")
    rows = chain_report.build(chain.storage, _policy(chain), scope, PERIOD, gen.NOW).league
    assert [r.store.code for r in rows] == ["CRA", "CRB", "CRC", "CRD"]
    for row in rows:
        report = _centre(chain, _scope(chain, "store", row.store.code))
        assert row.now == report.headline
        assert row.before == report.previous
        assert report.first_contact is not None
        assert row.first_contact_rate == report.first_contact.rate
        assert row.overdue_now == len(report.overdue)
    assert sum(r.overdue_now for r in rows) == _expected(chain, list(chain.desks))[
        "overdue_now"]
    ordered = chain_report.sort_league(rows, "tickets", descending=True)
    assert [r.now.tickets for r in ordered] == sorted((r.now.tickets for r in rows),
                                                      reverse=True)


def test_cache_agrees_with_a_cold_computation_and_follows_new_events(chain: Chain) -> None:
    scope = _scope(chain, "region", "EAST")
    _centre(chain, _scope(chain, "group"))  # the chain's days read once, as a page would
    warm = _centre(chain, scope)
    months_warm = _centre(chain, scope, MONTHS)
    with chain.storage.engine.connect() as conn:
        cold = report_days.compute_parts(conn, scope.key, [gen.FIRST, gen.LAST])
    cached = report_days.day_parts(chain.storage, scope.key, gen.FIRST, gen.LAST).values
    assert cached[gen.FIRST] == cold[gen.FIRST] and cached[gen.LAST] == cold[gen.LAST]
    # A new response on an overdue ticket of the period changes the figures at once.
    node = chain.desks["CRA"]
    number = node.conn.execute(
        "SELECT number FROM tickets WHERE first_response_at IS NULL AND status NOT IN "
        "('voided', 'merged', 'closed', 'rated') AND created_at >= ? AND created_at < ? "
        "ORDER BY created_at LIMIT 1",
        (PERIOD.start_utc.strftime("%Y-%m-%dT%H:%M:%S"),
         PERIOD.end_utc.strftime("%Y-%m-%dT%H:%M:%S"))).fetchone()[0]
    node.clock.set(gen.NOW)
    ticket_actions.contact_customer(node.desk, node.clerk, number, "phone", "已回电")
    node.engine.sync_once()
    centre_tickets.catch_up(chain.storage)
    # The catch-up emptied the ticket's day for the chain and its region; the warm-up
    # (the server's worker runs it too, so either may get there first) computes them
    # again, equal to a cold computation (a store's own days are left to its report).
    report_days.warm(chain.storage)
    assert not {key for key, _ in _emptied(chain)} & {report_days.GROUP, scope.key}
    with chain.storage.engine.connect() as conn:
        day_text = conn.execute(sa.select(centre_tickets_table.c.store_day).where(
            centre_tickets_table.c.number == number)).scalar_one()
        d = date.fromisoformat(day_text)
        for key in (report_days.GROUP, scope.key):
            stored = conn.execute(sa.select(centre_report_days.c.part).where(
                centre_report_days.c.scope == key,
                centre_report_days.c.day == day_text)).scalar_one()
            assert DayPart.from_json(stored) == report_days.compute_parts(conn, key, [d])[d]
    after = _centre(chain, scope)
    assert after.response.responded == warm.response.responded + 1
    assert after.tickets == warm.tickets
    assert after == _centre(chain, scope)  # and again from the cache
    # The merged month holding the day follows it too.
    months_after = _centre(chain, scope, MONTHS)
    assert months_after.response.responded == months_warm.response.responded + 1
    report_days.clear(chain.storage)
    report_blocks.clear()
    assert _centre(chain, scope).response == after.response
    assert _centre(chain, scope, MONTHS) == months_after


def test_the_warm_up_computes_every_day_of_the_chain_and_the_regions(chain: Chain) -> None:
    """After a refill (as after a refold) the worker's warm-up computes every day of the
    chain and the regions, read or not, equal to a cold computation; stores are left."""
    assert report_days.refill(chain.storage) > 0
    table = centre_report_days
    maintained = sa.or_(table.c.scope == report_days.GROUP, table.c.scope.like("r:%"))
    # The live server's escalations write events meanwhile (a catch-up empties their
    # days again, and adds a store's, which is left to its report): warm until done.
    for _ in range(5):
        while report_days.warm(chain.storage) >= report_days.WARM_DAYS:
            pass
        with chain.storage.engine.connect() as conn:
            rows = conn.execute(sa.select(table.c.scope, table.c.day, table.c.part,
                                          table.c.league, table.c.comp)
                                .where(maintained)).all()
        if all(r[2] is not None and r[3] is not None and r[4] is not None for r in rows):
            break
    assert {r[0] for r in rows} == {report_days.GROUP, "r:EAST", "r:WEST"}
    assert all(r[2] is not None and r[3] is not None and r[4] is not None for r in rows)
    with chain.storage.engine.connect() as conn:
        for scope in (report_days.GROUP, "r:EAST", "r:WEST"):
            days = sorted(date.fromisoformat(r[1]) for r in rows if r[0] == scope)
            cold = report_days.compute_parts(conn, scope, days)
            assert {date.fromisoformat(r[1]): DayPart.from_json(r[2]) for r in rows
                    if r[0] == scope} == cold
    assert gen.FIRST in days
    _check(_centre(chain, _scope(chain, "group")), _expected(chain, list(chain.desks)))


def test_the_worker_computes_days_emptied_without_an_event(
        chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Days emptied with no event to follow (a refill, a store moved) are computed by the
    projection worker within its latest delay, no report asking: on a copy of the
    centre's database that no server (and no escalation) writes to."""
    if chain.storage.engine.dialect.name != "sqlite":
        pytest.skip("a copy of the centre's SQLite file; the worker is the same on both")
    copy = tmp_path / "centre.db"
    source = sqlite3.connect(str(chain.storage.engine.url.database))
    with sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    storage = Storage(f"sqlite:///{copy}")
    table = centre_report_days
    maintained = sa.or_(table.c.scope == report_days.GROUP, table.c.scope.like("r:%"))

    def empty() -> int:
        with storage.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).where(maintained, sa.or_(
                table.c.part.is_(None), table.c.league.is_(None),
                table.c.comp.is_(None)))).scalar_one())

    def wait_until_computed() -> None:
        deadline = time.monotonic() + 30
        while empty() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert empty() == 0

    monkeypatch.setattr(centre_tickets, "WARM_QUIET_S", 0.2)
    monkeypatch.setattr(centre_tickets, "WARM_LATEST_S", 1.0)
    report_days.refill(storage)
    worker = centre_tickets.ProjectionWorker(storage, poll_seconds=0.2)
    worker.start()
    try:
        wait_until_computed()  # a start finds the days emptied before it
        assert report_days.refill(storage) > 0 and empty() > 0
        wait_until_computed()  # and later ones, no event waking it
    finally:
        worker.stop()
        storage.close()


def test_a_ticket_empties_its_days_figures_and_a_line_their_compensation(chain: Chain
                                                                       ) -> None:
    group = _scope(chain, "group")
    _centre(chain, group)
    day = gen.FIRST.isoformat()
    table = centre_report_days

    def emptied(conn: Connection) -> tuple[bool, bool, bool]:
        row = conn.execute(sa.select(table.c.part, table.c.league, table.c.comp).where(
            table.c.scope == report_days.GROUP, table.c.day == day)).one()
        return row[0] is None, row[1] is None, row[2] is None

    # Looked at in the writing transaction: the server's worker computes emptied days.
    with chain.storage.writing() as conn:
        assert emptied(conn) == (False, False, False)
        mark = int(conn.execute(sa.text(
            "SELECT value FROM server_meta WHERE key = 'projected_through'")).scalar_one())
        report_days.touched(conn, [{"ticket_id": "t", "store": "CRA", "region": "EAST",
                                    "store_day": day, "updated_seq": mark}])
        assert emptied(conn) == (True, True, False)
    _centre(chain, group)
    with chain.storage.writing() as conn:
        assert emptied(conn) == (False, False, False)
        report_days.touched(conn, [{"compensation_id": "c", "ticket_id": "t", "store": "CRA",
                                    "region": "EAST", "store_day": day,
                                    "updated_seq": mark}])
        assert emptied(conn) == (False, False, True)
    _check(_centre(chain, group), _expected(chain, list(chain.desks)))


def test_a_store_moved_to_another_region_takes_its_figures_along(chain: Chain) -> None:
    """The move empties the days without a new projection mark: nothing computed before
    it (days in the process, merged months) is shown after it."""
    for period in (PERIOD, MONTHS):
        _centre(chain, _scope(chain, "region", "EAST"), period)
        _centre(chain, _scope(chain, "region", "WEST"), period)
    with chain.storage.engine.connect() as conn:
        moved = masterdata.store(conn, "CRB")
    assert moved is not None
    masterdata.save_store(chain.storage, moved.code, moved.name, "WEST", moved.time_zone)
    try:
        for period in (PERIOD, MONTHS):
            first, last = period.first_day, period.last_day
            _check(_centre(chain, _scope(chain, "region", "EAST"), period),
                   _expected(chain, ["CRA"], first, last))
            _check(_centre(chain, _scope(chain, "region", "WEST"), period),
                   _expected(chain, ["CRB", "CRC", "CRD"], first, last))
    finally:
        masterdata.save_store(chain.storage, moved.code, moved.name, moved.region,
                              moved.time_zone)
    _check(_centre(chain, _scope(chain, "region", "EAST")), _expected(chain, ["CRA", "CRB"]))


def _emptied(chain: Chain) -> set[tuple[str, str]]:
    """(scope, day) of the days a report read before and the projection emptied since."""
    table = centre_report_days
    with chain.storage.engine.connect() as conn:
        return {(r[0], r[1]) for r in conn.execute(sa.select(table.c.scope, table.c.day)
                                                   .where(table.c.part.is_(None),
                                                          table.c.computed_through.is_not(None)))}


def test_an_empty_scope_period_has_no_rates(chain: Chain) -> None:
    empty = make_period("custom", date(2025, 1, 1), date(2025, 1, 7), SHANGHAI)
    report = chain_report.build(chain.storage, _policy(chain),
                                _scope(chain, "group"), empty, datetime(2026, 11, 8, tzinfo=UTC))
    assert report.report.tickets == 0
    assert report.report.headline.compliance_rate is None
    assert report.report.response.p90_minutes is None


def test_every_figure_drills_to_its_tickets(chain: Chain) -> None:
    scope = _scope(chain, "group")
    chain_r = chain_report.build(chain.storage, _policy(chain), scope, PERIOD, gen.NOW)
    report = chain_r.report
    with chain.storage.engine.connect() as conn:
        def behind(drill: Any) -> int:
            return chain_drill.tickets_behind(conn, scope, drill, gen.NOW, limit=1)[1]

        for name in ("by_category", "by_subcategory", "by_channel", "by_level"):
            for count in getattr(report, name):
                assert behind(count.drill) == count.count, (name, count.key)
        for level in report.compliance:
            assert behind(level.drill_missed) == level.missed, level.level
        for problem in report.top_problems:
            assert behind(problem.drill) == problem.count
        for alert in report.repeat_alerts:
            assert behind(alert.drill) == alert.tickets, alert.key
        for point in report.trend:
            assert behind(Drill(PERIOD, (("day", point.day.isoformat()),))) == point.count
        assert report.first_contact is not None
        assert behind(report.first_contact.drill) == report.first_contact.resolved
        assert behind(Drill(PERIOD, (("overdue_now", True),))) == chain_r.overdue_total
        assert behind(Drill(PERIOD)) == report.tickets
        with pytest.raises(ValueError):
            behind(Drill(PERIOD, (("bogus", 1),)))
