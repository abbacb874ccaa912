"""The report's figures against an independent computation on a generated store history.

The history is made through the real core (create_ticket, handling, compensation) with a
FixedClock moved across three weeks of Asia/Shanghai store days, once per module. Each
figure is then recomputed here in plain Python from the rows read back (and the key
facts checked against what the generator did), following model.py's definitions.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from desktop import ticket_actions as handling
from desktop.compensation import compensate, decide_pending
from desktop.desk import Desk, init_desk
from desktop.reports import day_cache
from desktop.reports.attention import start_screen
from desktop.reports.drill import count_behind, tickets_behind
from desktop.reports.figures import build_report
from desktop.staff import Staff, add_staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock, parse_time
from domain.reports import figures
from domain.reports.model import Drill, Report
from domain.reports.part_block import PartBlock
from domain.reports.period import days_of, make_period, previous_period, resolve_period

TZ = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 7)
NOW = datetime(2026, 11, 8, 3, 0, tzinfo=UTC)  # 11:00 on Sunday 8 November, store time
HISTORY_START = date(2026, 10, 18)
STAFF = {"c1": "cashier", "d1": "desk", "d2": "desk", "m1": "manager", "m2": "manager"}
PINS = {"c1": "1111", "d1": "2222", "d2": "2323", "m1": "9999", "m2": "9898"}
TEXTS = ["收银员态度很差", "结账多收了钱", "请问停车场几点关门", "线上买的东西配送晚了两天",
         "会员积分没有到账", "地面很脏", "买的衣服质量有问题，穿一次就坏了", "促销价没有生效",
         "买的酸奶变质了，要求退款"]
SKU = "6901234567890"
CLOSED = ("closed", "rated")


@dataclass
class History:
    """The desk after the generated history, and what the generator did."""

    desk: Desk
    numbers: dict[int, str] = field(default_factory=dict)
    reopened: set[str] = field(default_factory=set)
    merged: set[str] = field(default_factory=set)
    voided: set[str] = field(default_factory=set)
    comp_outcomes: Counter[str] = field(default_factory=Counter)
    boundary: dict[str, str] = field(default_factory=dict)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(UTC)


def _generate(desk: Desk, clock: FixedClock, staff: dict[str, Staff], seed: int = 6
              ) -> History:
    """The store history (also made for several stores of a chain by the centre's report
    tests, one *seed* each)."""
    rng = random.Random(seed)
    h = History(desk)
    actions: list[tuple[datetime, int, Callable[[], None]]] = []
    seq = iter(range(10**9))

    def at(moment: datetime, fn: Callable[[], None]) -> None:
        actions.append((moment, next(seq), fn))

    plans: list[tuple[datetime, dict[str, Any]]] = []
    day = HISTORY_START
    while day <= NOW.astimezone(TZ).date():
        for _ in range(rng.randint(3, 6)):
            moment = _local(day, rng.randint(8, 22), rng.randint(0, 59))
            plans.append((moment, {"text": rng.choice(TEXTS)}))
        day += timedelta(days=1)
    # Midnight and the period boundaries: 23:59:59 and 00:00:00 store time.
    for edge in (date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 4)):
        start = _local(edge, 0)
        plans.append((start - timedelta(seconds=1), {"text": "收银员态度很差", "edge": "before",
                                                     "fate": "open"}))
        plans.append((start, {"text": "收银员态度很差", "edge": "after", "fate": "open"}))
    # A product by SKU on 30, 31 Oct and 1 Nov (a run across the period start), and a
    # product by name, written two ways, on 4–6 Nov.
    for d in (date(2026, 10, 30), date(2026, 10, 31), date(2026, 11, 1)):
        plans.append((_local(d, 9, 17), {"text": "买的衣服质量有问题，穿一次就坏了",
                                         "product": {"sku": SKU, "name": "羽绒服"},
                                         "fate": "close"}))
    for d, name in ((date(2026, 11, 4), "Milk 1L"), (date(2026, 11, 5), "milk 1l"),
                    (date(2026, 11, 6), "MILK 1L")):
        plans.append((_local(d, 15, 5), {"text": "结账多收了钱", "product": {"name": name},
                                         "fate": "open"}))
    # Still inside its target at NOW (level 3, one day), and a run ending today.
    plans.append((_local(LAST, 22, 30), {"text": "请问停车场几点关门", "fate": "open",
                                         "response": "none"}))
    for d in (date(2026, 11, 6), LAST, date(2026, 11, 8)):
        plans.append((_local(d, 9, 1), {"text": "地面很脏", "fate": "open"}))
    plans.sort(key=lambda p: p[0])

    live: list[int] = []  # tickets that may be merge targets
    for index, (moment, data) in enumerate(plans):
        edge = data.pop("edge", None)
        forced_fate = data.pop("fate", None)
        forced_response = data.pop("response", None)

        def create(index: int = index, data: dict[str, Any] = data,
                   edge: str | None = edge, moment: datetime = moment) -> None:
            t = create_ticket(desk, staff[rng.choice(["c1", "d1", "d2"])], data).ticket
            h.numbers[index] = t.number
            if edge:
                h.boundary[t.number] = f"{edge}:{moment.isoformat()}"

        at(moment, create)
        fate = rng.choices(["open", "close", "rate", "reopen", "merge", "void"],
                           weights=[3, 3, 3, 2, 1, 1])[0]
        fate = forced_fate or fate
        if fate == "merge" and not live:
            fate = "open"
        response = forced_response or rng.choices(["fast", "late", "none"], weights=[6, 2, 2])[0]
        if fate in ("close", "rate", "reopen") and response == "none":
            response = "fast"
        if fate in ("merge", "void") and response == "late":
            response = "none"  # nothing is written on a merged or voided ticket
        if response == "fast":
            delay = timedelta(minutes=rng.randint(1, 55))
        elif response == "late":
            delay = timedelta(minutes=1440 + rng.randint(5, 300))
        else:
            delay = None

        def num(i: int = index) -> str:
            return h.numbers[i]

        if delay is not None:
            at(moment + delay, lambda num=num: handling.contact_customer(
                desk, staff["d1"], num(), "phone", "已联系顾客"))
        base = moment + (delay or timedelta(0)) + timedelta(minutes=30)
        if fate == "merge":
            into = rng.choice(live[-5:])
            at(moment + timedelta(minutes=90), lambda num=num, into=into: _merge(
                desk, staff["d2"], num(), h, into, h.merged))
        elif fate == "void":
            at(moment + timedelta(minutes=90), lambda num=num: _void(
                desk, staff["m1"], num(), h.voided))
        else:
            live.append(index)
        comp = rng.random()
        if fate not in ("merge", "void") and comp < 0.45 and not forced_response:
            at(moment + timedelta(minutes=10), lambda num=num, comp=comp: _compensate(
                desk, staff, num(), comp, h, rng))
        if fate in ("close", "rate", "reopen"):
            steps = [("rectifying", "d1"), ("reviewing", "d1"), ("accountability", "m1"),
                     ("closed", "m1")]
            for i, (to, who) in enumerate(steps):
                at(base + timedelta(hours=i + 1), lambda num=num, to=to, who=who: _advance(
                    desk, staff[who], num(), to))
            closed_at = base + timedelta(hours=len(steps))
            if fate in ("rate", "reopen") and rng.random() < 0.8:
                score = rng.randint(1, 5)
                at(closed_at + timedelta(hours=20), lambda num=num, score=score: _rate(
                    desk, staff["d2"], num(), score))
            if fate == "reopen":
                at(closed_at + timedelta(hours=26), lambda num=num: _reopen(
                    desk, staff["d2"], num(), h.reopened))
    actions.sort(key=lambda a: (a[0], a[1]))
    for moment, _, fn in actions:
        if moment > NOW:
            continue
        clock.set(moment)
        fn()
    clock.set(NOW)
    return h


def _advance(desk: Desk, actor: Staff, number: str, to: str) -> None:
    ticket = desk.conn.execute("SELECT status FROM tickets WHERE number = ?",
                               (number,)).fetchone()
    if ticket["status"] in ("merged", "voided"):
        return
    pending = desk.conn.execute(
        "SELECT c.id FROM compensations c JOIN tickets t ON t.id = c.ticket_id "
        "WHERE t.number = ? AND c.status = 'pending_approval'", (number,)).fetchall()
    if to == "closed" and pending:
        return  # stays in 奖惩 until headquarters decides
    accountability = {"outcome": "none"} if to == "closed" else None
    handling.advance(desk, actor, number, to, accountability=accountability)


def _rate(desk: Desk, actor: Staff, number: str, score: int) -> None:
    status = desk.conn.execute("SELECT status FROM tickets WHERE number = ?",
                               (number,)).fetchone()[0]
    if status == "closed":  # not when a pending compensation kept it open
        handling.rate(desk, actor, number, score)


def _reopen(desk: Desk, actor: Staff, number: str, reopened: set[str]) -> None:
    status = desk.conn.execute("SELECT status FROM tickets WHERE number = ?",
                               (number,)).fetchone()[0]
    if status in CLOSED:
        handling.reopen(desk, actor, number, "顾客不满意")
        reopened.add(number)


def _merge(desk: Desk, actor: Staff, number: str, h: History, into: int,
           merged: set[str]) -> None:
    target = h.numbers[into]
    status = desk.conn.execute("SELECT status FROM tickets WHERE number = ?",
                               (target,)).fetchone()[0]
    if status in ("merged", "voided"):
        return
    handling.merge(desk, actor, number, target, "重复登记")
    merged.add(number)


def _void(desk: Desk, actor: Staff, number: str, voided: set[str]) -> None:
    handling.void(desk, actor, number, "录入错误")
    voided.add(number)


def _compensate(desk: Desk, staff: dict[str, Staff], number: str, r: float, h: History,
                rng: random.Random) -> None:
    who = staff[rng.choice(["c1", "d1", "d2", "m1"])]
    if r < 0.25:  # within the frontline limit: granted
        out = compensate(desk, who, number, amount=str(rng.randint(5, 150)),
                         kind=rng.choice(["refund", "coupon", "gift"]))
    elif r < 0.32:  # above a desk's limit, manager approves on the spot with a PIN
        out = compensate(desk, staff["d1"], number, amount="800", kind="cash",
                         approver_id="m2", approver_pin=PINS["m2"])
    elif r < 0.40:  # above the limit: waits for a manager, who approves or refuses
        out = compensate(desk, staff["c1"], number, amount="300", kind="exchange")
        if out.status == "pending_approval" and rng.random() < 0.6:
            approve = rng.random() < 0.5
            out = decide_pending(desk, staff["m1"], out.compensation.id, approve=approve,
                                 note="店长决定")
    else:  # above every store limit: pending for headquarters
        out = compensate(desk, who, number, amount="1200", kind="cash")
    h.comp_outcomes[out.status] += 1


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """The generated store history, built once for the module."""
    path: Path = tmp_path_factory.mktemp("report") / "kesu.db"
    clock = FixedClock(_local(HISTORY_START, 7))
    desk = init_desk(path, store_code="XT01", desk_code="D2", store_name="湘潭一店",
                     clock=clock)
    staff = {sid: add_staff(desk.conn, desk.policy.staff, clock, staff_id=sid,
                            name=f"员工{sid}", role=role, pin=PINS[sid])
             for sid, role in STAFF.items()}
    h = _generate(desk, clock, staff)
    yield h
    desk.close()


@pytest.fixture(scope="module")
def period() -> Any:
    return make_period("custom", FIRST, LAST, TZ)


@pytest.fixture(scope="module")
def report(history: History, period: Any) -> Report:
    d = history.desk
    return build_report(d.conn, d.policy, period, NOW, store_code="XT01")


# --- the independent computation ---------------------------------------------------------

def _rows(h: History) -> list[dict[str, Any]]:
    return [dict(r) for r in h.desk.conn.execute("SELECT * FROM tickets")]


def _day(text: str) -> date:
    return parse_time(text).astimezone(TZ).date()


def _counted(h: History, first: date = FIRST, last: date = LAST) -> list[dict[str, Any]]:
    return [r for r in _rows(h) if first <= _day(r["created_at"]) <= last
            and r["status"] not in ("voided", "merged")]


def _minutes(r: dict[str, Any]) -> float:
    return (parse_time(r["first_response_at"]) - parse_time(r["created_at"])).total_seconds() / 60


def _product(r: dict[str, Any]) -> str | None:
    if r["product_sku"]:
        return f"sku:{r['product_sku']}"
    if r["product_name"]:
        return "name:" + r["product_name"].replace(" ", "").lower()
    return None


def _expected_runs(h: History, first: date, last: date, n: int = 3) -> set[tuple[Any, ...]]:
    days: dict[tuple[str, str], Counter[date]] = defaultdict(Counter)
    for r in _rows(h):
        if r["status"] in ("voided", "merged"):
            continue
        d = _day(r["created_at"])
        if d > last:
            continue  # a report of a past period does not change with later days
        days[("subcategory", r["subcategory"])][d] += 1
        if (key := _product(r)) is not None:
            days[("product", key)][d] += 1
    runs = set()
    for (by, key), counts in days.items():
        for d in counts:
            if d - timedelta(days=1) in counts:
                continue  # not the start of a run
            end = d
            while end + timedelta(days=1) in counts:
                end += timedelta(days=1)
            length = (end - d).days + 1
            if length >= n and first <= end <= last:
                tickets = sum(c for x, c in counts.items() if d <= x <= end)
                runs.add((by, key, d, end, length, tickets))
    return runs


# --- the history has the cases the issue names ----------------------------------------

def test_history_has_every_edge_case(history: History) -> None:
    h = history
    rows = {r["number"]: r for r in _rows(h)}
    assert h.reopened and h.merged and h.voided
    assert {n for n, r in rows.items() if r["reopen_count"]} == h.reopened
    assert {n for n, r in rows.items() if r["status"] == "merged"} == h.merged
    assert {n for n, r in rows.items() if r["status"] == "voided"} == h.voided
    assert {"granted", "refused", "pending_approval"} <= set(h.comp_outcomes)
    assert len(h.boundary) == 6
    statuses = Counter(r["status"] for r in rows.values())
    assert statuses["rated"] and statuses["closed"] and statuses["accepted"]


def test_boundary_tickets_fall_on_the_right_store_day(history: History, report: Report
                                                      ) -> None:
    ids = {r.number for r in tickets_behind(history.desk.conn, Drill(report.period), NOW)}
    for number, how in history.boundary.items():
        moment = datetime.fromisoformat(how.split(":", 1)[1])
        inside = report.period.start_utc <= moment < report.period.end_utc
        assert (number in ids) == inside, (number, how)
    # 15:59:59Z on 31 Oct is 23:59:59 on the last day before the period; 16:00:00Z is in.
    edges = sorted(history.boundary.values())
    assert any("2026-10-31T15:59:59" in e for e in edges)
    assert any("2026-10-31T16:00:00" in e for e in edges)


# --- each figure -------------------------------------------------------------------------

def test_counts_and_breakdowns(history: History, report: Report) -> None:
    counted = _counted(history)
    assert report.tickets == len(counted) > 20
    all_in = [r for r in _rows(history) if FIRST <= _day(r["created_at"]) <= LAST]
    assert report.voided == sum(r["status"] == "voided" for r in all_in)
    assert report.merged == sum(r["status"] == "merged" for r in all_in)
    for attr, col in (("by_category", "category"), ("by_subcategory", "subcategory"),
                      ("by_channel", "channel"), ("by_level", "level")):
        expected = Counter(str(r[col]) for r in counted)
        assert {c.key: c.count for c in getattr(report, attr)} == expected, attr
        counts = [c.count for c in getattr(report, attr)]
        assert counts == sorted(counts, reverse=True)


def test_daily_trend_has_every_day(history: History, report: Report) -> None:
    counted = _counted(history)
    by_day = Counter(_day(r["created_at"]) for r in counted)
    l1 = Counter(_day(r["created_at"]) for r in counted if r["level"] == 1)
    assert [(p.day, p.count, p.level1) for p in report.trend] == [
        (FIRST + timedelta(days=i), by_day[FIRST + timedelta(days=i)],
         l1[FIRST + timedelta(days=i)]) for i in range(7)]


def test_compliance_per_level_leaves_pending_out(history: History, report: Report) -> None:
    counted = _counted(history)
    now = NOW
    saw_pending = False
    for comp in report.compliance:
        rows = [r for r in counted if r["level"] == comp.level]
        responded = [r for r in rows if r["first_response_at"]]
        in_time = [r for r in responded
                   if parse_time(r["first_response_at"]) <= parse_time(r["due_at"])]
        overdue = [r for r in rows if not r["first_response_at"]
                   and parse_time(r["due_at"]) <= now]
        pending = [r for r in rows if not r["first_response_at"]
                   and parse_time(r["due_at"]) > now]
        decided = len(responded) + len(overdue)
        assert (comp.decided, comp.in_time, comp.missed, comp.pending) == (
            decided, len(in_time), decided - len(in_time), len(pending))
        assert comp.rate == (None if decided == 0 else len(in_time) / decided)
        assert comp.target_minutes == history.desk.policy.target(comp.level).respond_within_minutes
        saw_pending |= bool(pending)
        missed = {r["id"] for r in rows if r not in in_time and r not in pending}
        assert {t.id for t in tickets_behind(history.desk.conn, comp.drill_missed, NOW)} == missed
    assert saw_pending, "the history needs a ticket still inside its target"


def test_first_response_mean_and_nearest_rank_p90(history: History, report: Report) -> None:
    minutes = sorted(_minutes(r) for r in _counted(history) if r["first_response_at"])
    assert report.response.responded == len(minutes)
    assert report.response.mean_minutes == pytest.approx(sum(minutes) / len(minutes))
    assert report.response.p90_minutes == pytest.approx(
        minutes[math.ceil(0.9 * len(minutes)) - 1])


def test_resolution_reopen_and_satisfaction(history: History, report: Report) -> None:
    counted = _counted(history)
    resolved = [r for r in counted if r["status"] in CLOSED]
    reopened = [r for r in counted if r["reopen_count"] > 0]
    ever_closed = [r for r in counted if r["status"] in CLOSED or r["reopen_count"] > 0]
    rated = [r["rating"] for r in counted if r["rating"] is not None]
    assert (report.resolved, report.reopened, report.ever_closed, report.rated) == (
        len(resolved), len(reopened), len(ever_closed), len(rated))
    assert reopened and rated
    assert report.resolution_rate == pytest.approx(len(resolved) / len(counted))
    assert report.reopen_rate == pytest.approx(len(reopened) / len(ever_closed))
    assert report.satisfaction == pytest.approx(sum(rated) / len(rated))
    # A reopened ticket is no longer rated nor resolved until closed again.
    assert all(r["rating"] is None for r in reopened if r["status"] not in CLOSED)


def test_compensation_by_kind_staff_and_day(history: History, report: Report) -> None:
    policy = history.desk.policy
    lines = [dict(r) for r in history.desk.conn.execute("SELECT * FROM compensations")]
    inside = [c for c in lines
              if FIRST <= datetime.strptime(c["store_day"], "%Y%m%d").date() <= LAST]
    granted = [c for c in inside if c["status"] == "granted"]
    comp = report.compensation
    assert comp.granted_fen == sum(c["amount_fen"] for c in granted) > 0
    assert comp.granted == len(granted)
    pending = [c for c in inside if c["status"] == "pending_approval"]
    assert (comp.pending, comp.pending_fen) == (len(pending), sum(c["amount_fen"] for c in pending))
    assert comp.pending and comp.refused
    assert comp.refused == sum(c["status"] == "refused" for c in inside)
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in granted:
        kinds[c["kind"]][0] += c["amount_fen"]
        kinds[c["kind"]][1] += 1
    assert {k: [fen, n] for k, fen, n in comp.by_kind} == kinds
    limits = policy.compensation.role_limits_fen
    for s in comp.by_staff:
        mine = [c for c in granted if c["requested_by"] == s.staff_id]
        assert s.granted_fen == sum(c["amount_fen"] for c in mine)
        assert s.grants == len(mine) and s.largest_fen == max(c["amount_fen"] for c in mine)
        assert s.role == STAFF[s.staff_id] and s.limit_fen == limits[s.role]
        assert s.above_limit == sum(c["amount_fen"] > limits[c["requester_role"]] for c in mine)
        assert s.name == f"员工{s.staff_id}"
        behind = {t.id for t in tickets_behind(history.desk.conn, s.drill, NOW)}
        assert behind == {c["ticket_id"] for c in mine}
    assert {s.staff_id for s in comp.by_staff} == {c["requested_by"] for c in granted}
    assert any(s.above_limit for s in comp.by_staff)
    per_day = Counter[date]()
    for c in granted:
        per_day[datetime.strptime(c["store_day"], "%Y%m%d").date()] += c["amount_fen"]
    assert [(d.day, d.granted_fen, d.cap_fen) for d in comp.daily_cap] == [
        (FIRST + timedelta(days=i), per_day[FIRST + timedelta(days=i)],
         policy.compensation.store_daily_cap_fen) for i in range(7)]
    assert comp.busiest_day is not None
    assert comp.busiest_day.granted_fen == max(per_day.values())


def test_top_problems(history: History, report: Report) -> None:
    counted = _counted(history)
    subs = Counter(r["subcategory"] for r in counted)
    l1 = Counter(r["subcategory"] for r in counted if r["level"] == 1)
    ranked = sorted(subs, key=lambda s: (-subs[s], -l1[s], s))[:3]
    assert [p.subcategory for p in report.top_problems] == ranked
    for p in report.top_problems:
        assert (p.count, p.level1) == (subs[p.subcategory], l1[p.subcategory])
        names = Counter(r["product_name"] for r in counted
                        if r["subcategory"] == p.subcategory and r["product_name"])
        best = sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))
        assert p.top_product == (best[0][0] if best else None)
        assert count_behind(history.desk.conn, p.drill, NOW) == p.count


def test_overdue_list_is_now_whatever_the_creation_date(history: History,
                                                        report: Report) -> None:
    overdue = {r["number"] for r in _rows(history)
               if r["first_response_at"] is None and parse_time(r["due_at"]) <= NOW
               and r["status"] not in ("closed", "rated", "merged", "voided")}
    assert {o.number for o in report.overdue} == overdue
    assert any(not FIRST <= _day(o.created_at) <= LAST for o in report.overdue)
    for o in report.overdue:
        assert o.minutes_overdue == int((NOW - parse_time(o.due_at)).total_seconds() // 60)
    drill = Drill(report.period, (("overdue_now", True),))
    assert {t.number for t in tickets_behind(history.desk.conn, drill, NOW)} == overdue


def test_repeat_alerts_by_subcategory_and_product_across_the_period_start(
        history: History, report: Report) -> None:
    expected = _expected_runs(history, FIRST, LAST)
    got = {(a.by, a.key, a.first_day, a.last_day, a.days, a.tickets)
           for a in report.repeat_alerts}
    assert got == expected
    sku = [a for a in report.repeat_alerts if a.key == f"sku:{SKU}"]
    assert len(sku) == 1 and sku[0].first_day == date(2026, 10, 30)
    assert sku[0].last_day == FIRST and sku[0].label == "羽绒服"
    milk = [a for a in report.repeat_alerts if a.key == "name:milk1l"]
    assert len(milk) == 1 and milk[0].days == 3
    assert any(a.by == "subcategory" and a.first_day < FIRST for a in report.repeat_alerts)
    for a in report.repeat_alerts:
        assert count_behind(history.desk.conn, a.drill, NOW) == a.tickets


def test_every_count_drills_to_its_tickets(history: History, report: Report) -> None:
    conn = history.desk.conn
    counted = _counted(history)
    for attr, col in (("by_category", "category"), ("by_channel", "channel"),
                      ("by_level", "level")):
        for c in getattr(report, attr):
            rows = tickets_behind(conn, c.drill, NOW)
            assert {r.id for r in rows} == {r["id"] for r in counted if str(r[col]) == c.key}
            assert [r.created_at for r in rows] == sorted((r.created_at for r in rows),
                                                          reverse=True)
    for key, col in (("resolved", None), ("reopened", None), ("rated", None)):
        ids = {t.id for t in tickets_behind(conn, Drill(report.period, ((key, True),)), NOW)}
        want = {r["id"] for r in counted if (
            r["status"] in CLOSED if key == "resolved" else
            r["reopen_count"] > 0 if key == "reopened" else r["rating"] is not None)}
        assert ids == want, (key, col)


def test_previous_period_same_length_immediately_before(history: History,
                                                         report: Report) -> None:
    prev = report.previous_period
    assert (prev.first_day, prev.last_day) == (date(2026, 10, 25), date(2026, 10, 31))
    assert report.previous.tickets == len(_counted(history, prev.first_day, prev.last_day))
    d = history.desk
    again = build_report(d.conn, d.policy, prev, NOW, store_code="XT01")
    assert report.previous == again.headline
    assert report.headline.tickets == report.tickets
    assert report.headline.compensation_fen == report.compensation.granted_fen


def test_empty_period(history: History) -> None:
    d = history.desk
    empty = make_period("custom", date(2025, 3, 1), date(2025, 3, 31), TZ)
    r = build_report(d.conn, d.policy, empty, NOW, store_code="XT01")
    assert r.tickets == r.voided == r.merged == 0
    assert r.by_category == r.by_level == r.top_problems == r.repeat_alerts == ()
    assert r.response.mean_minutes is None and r.response.p90_minutes is None
    assert r.resolution_rate is r.reopen_rate is r.satisfaction is None
    assert all(c.rate is None and c.decided == 0 for c in r.compliance)
    assert len(r.trend) == 31 and not any(p.count for p in r.trend)
    assert r.compensation.granted_fen == 0 and r.compensation.busiest_day is None
    assert len(r.compensation.daily_cap) == 31
    assert r.overdue  # the to-do list does not depend on the period


def test_start_screen(history: History) -> None:
    d = history.desk
    att = start_screen(d.conn, d.policy, NOW)
    today = NOW.astimezone(TZ).date()
    # The strip says which days it covers: the last seven store days through today.
    assert (att.period.first_day, att.period.last_day) == (today - timedelta(days=6), today)
    assert att.period.days == d.policy.reports.attention_days == 7
    expected = _expected_runs(history, today - timedelta(days=6), today)
    assert {(a.by, a.key, a.first_day, a.last_day, a.days, a.tickets)
            for a in att.repeat_alerts} == expected
    assert expected
    # Some of them ended before yesterday: the old two-day window missed what a week shows.
    assert any(a.last_day < today - timedelta(days=1) for a in att.repeat_alerts)
    overdue1 = {r["number"] for r in _rows(history) if r["level"] == 1
                and r["first_response_at"] is None and parse_time(r["due_at"]) <= NOW
                and r["status"] not in ("closed", "rated", "merged", "voided")}
    assert {o.number for o in att.overdue_level1} == overdue1


@pytest.mark.parametrize("days_later", [0, 1, 2, 5])
def test_the_strip_and_the_report_tell_one_story(history: History, days_later: int) -> None:
    """For the days the strip names, the dashboard lists exactly the strip's repeats."""
    d = history.desk
    now = NOW + timedelta(days=days_later)
    att = start_screen(d.conn, d.policy, now)
    same_days = build_report(d.conn, d.policy, att.period, now, store_code="XT01")
    assert same_days.repeat_alerts == att.repeat_alerts
    for kind in ("today", "week"):
        shown = build_report(d.conn, d.policy, resolve_period(kind, now, TZ), now,
                             store_code="XT01")
        first = shown.period.first_day
        # Every repeat the dashboard shows for a shorter period is one the strip shows.
        assert {a for a in att.repeat_alerts if a.last_day >= first} >= {
            a for a in shown.repeat_alerts if a.last_day >= att.period.first_day}
        assert {(a.key, a.last_day) for a in shown.repeat_alerts} == {
            (k[1], k[3]) for k in _expected_runs(history, first, shown.period.last_day)}


def test_this_week_is_compared_with_the_same_weekdays(history: History) -> None:
    d = history.desk
    wednesday = datetime(2026, 11, 4, 4, 0, tzinfo=UTC)  # 12:00 on Wednesday 4 November
    r = build_report(d.conn, d.policy, resolve_period("week", wednesday, TZ), wednesday,
                     store_code="XT01")
    assert (r.period.first_day, r.period.last_day) == (date(2026, 11, 2), date(2026, 11, 4))
    prev = r.previous_period
    assert (prev.first_day, prev.last_day) == (date(2026, 10, 26), date(2026, 10, 28))
    assert [x.weekday() for x in (prev.first_day, prev.last_day)] == [0, 2]  # Mon–Wed
    assert r.previous.tickets == len(_counted(history, date(2026, 10, 26), date(2026, 10, 28)))


def test_last_month_is_the_whole_month_before(history: History) -> None:
    d = history.desk
    december = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    r = build_report(d.conn, d.policy, resolve_period("last_month", december, TZ), december,
                     store_code="XT01")
    assert (r.period.first_day, r.period.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert (r.previous_period.first_day, r.previous_period.last_day) == (
        date(2026, 10, 1), date(2026, 10, 31))
    assert r.tickets == len(_counted(history, date(2026, 11, 1), date(2026, 11, 30)))
    assert r.previous.tickets == len(_counted(history, date(2026, 10, 1), date(2026, 10, 31)))
    assert r.tickets and r.previous.tickets


def test_previous_period_helper() -> None:
    p = make_period("custom", date(2026, 2, 1), date(2026, 2, 28), TZ)
    prev = previous_period(p)
    assert (prev.first_day, prev.last_day, prev.days) == (date(2026, 1, 4), date(2026, 1, 31),
                                                          28)
    # "This month" is set beside the same days of the month before.
    month = previous_period(make_period("month", date(2026, 2, 1), date(2026, 2, 28), TZ))
    assert (month.first_day, month.last_day) == (date(2026, 1, 1), date(2026, 1, 28))


@pytest.mark.parametrize("share", [0.0, 2.0])
def test_long_and_short_reading_paths_agree(history: History, report: Report, share: float,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.reports import figures

    monkeypatch.setattr(figures, "LONG_SHARE", share)
    d = history.desk
    again = build_report(d.conn, d.policy, report.period, NOW, store_code="XT01")
    assert again == report


@pytest.mark.parametrize("first, last", [
    (date(2026, 10, 1), date(2026, 11, 30)),  # two whole months, and two before them
    (date(2026, 10, 20), date(2026, 11, 7)),  # loose days, no whole month
    (date(2026, 10, 25), date(2026, 12, 31)),  # loose days, then November and December
])
def test_merged_blocks_of_days_give_the_days_figures(history: History, first: date,
                                                     last: date) -> None:
    """``figures.assemble`` over blocks of days merged (``part_block``), as the centre
    hands it, gives every figure the days give."""
    d = history.desk
    period = make_period("custom", first, last, TZ)
    parts = day_cache.day_parts(d.conn, period.timezone, figures.first_day(period),
                                period.last_day)
    report = build_report(d.conn, d.policy, period, NOW, store_code="XT01")

    def by_month(p: Any) -> list[Any]:
        months: dict[tuple[int, int], list[Any]] = {}
        for day in days_of(p):
            months.setdefault((day.year, day.month), []).append(parts[day])
        return [PartBlock.of(block) for block in months.values()]

    merged = figures.assemble(parts, d.policy, period, NOW, store_code="XT01",
                              compensation=report.compensation,
                              previous_compensation_fen=report.previous.compensation_fen,
                              overdue=report.overdue, covering=by_month)
    assert replace(report, first_contact=None) == merged
    assert report.tickets > 0 and report.top_problems
