"""The cashier's quick entry: the cashier's category wins (recorded), limits hold, atomic."""

from __future__ import annotations

import json
from typing import Any

import pytest

from desktop import quick_entry
from desktop.compensation import Outcome
from desktop.desk import Desk
from desktop.quick_entry import (
    QuickEntry,
    best_subcategory,
    categories,
    default_kind,
    over_limit,
    record_quick,
)
from desktop.staff import Staff
from domain.errors import InvalidInput
from domain.policy import parse_policy


def _events(desk: Desk, type_: str) -> list[dict[str, Any]]:
    rows = desk.conn.execute(
        "SELECT actor, payload FROM events WHERE type = ? ORDER BY rowid", (type_,)
    ).fetchall()
    return [{"actor": r["actor"], **json.loads(r["payload"])} for r in rows]


def _count(desk: Desk, table: str) -> int:
    return int(desk.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_categories_come_from_the_policy_in_its_order(desk: Desk) -> None:
    assert categories(desk.policy) == ["product", "service", "fulfillment", "policy",
                                       "environment"]
    raw = dict(desk.policy.raw)
    raw["triage"] = {**raw["triage"],
                     "categories": dict(reversed(raw["triage"]["categories"].items()))}
    flipped = parse_policy(raw)  # the typed sections are parsed from the document
    assert categories(flipped)[0] == "environment"


def test_agreeing_with_triage_records_no_correction(desk: Desk, staff: dict[str, Staff]) -> None:
    result = record_quick(desk, staff["c1"], QuickEntry("service", "多收了五块钱"))
    t = result.ticket
    assert (t.channel, t.category, t.subcategory, t.created_by) == (
        "checkout", "service", "cashier_error", "c1")
    assert not result.corrected and result.outcome is None
    assert _events(desk, "triaged") == []


def test_cashiers_category_wins_and_is_recorded_as_a_correction(
    desk: Desk, staff: dict[str, Staff]
) -> None:
    result = record_quick(desk, staff["c1"],
                          QuickEntry("service", "酸奶发霉了", phone="13812345678"))
    t = result.ticket
    assert result.corrected and result.triaged_category == "product"
    assert (t.category, t.subcategory) == ("service", "attitude")  # no service word: first
    assert t.level == 1  # food-safety level kept: the pick never lowers it
    assert t.customer_phone == "13812345678"
    [event] = _events(desk, "triaged")
    assert event["actor"] == "c1" and event["why"] == "correction"
    assert event["previous"] == {"category": "product", "subcategory": "spoiled", "level": 1}
    assert any("c1" in r["detail"] and "商品" in r["detail"] for r in event["reasons"])


def test_correction_picks_the_best_subcategory_within_the_chosen_category(
    desk: Desk, staff: dict[str, Staff]
) -> None:
    # Triage reads a price-tag problem (policy); the cashier calls it a checkout error.
    result = record_quick(desk, staff["c1"], QuickEntry("service", "促销价格不一致，小票上"))
    assert result.corrected and result.triaged_category == "policy"
    assert result.ticket.subcategory == "cashier_error"
    assert best_subcategory(desk.policy, "service", "找错钱了") == "cashier_error"
    assert best_subcategory(desk.policy, "service", "排队太久") == "attitude"
    assert best_subcategory(desk.policy, "environment", "地上有水，滑") == "safety"


def test_compensation_within_the_limit_is_granted(desk: Desk, staff: dict[str, Staff]) -> None:
    result = record_quick(desk, staff["c1"],
                          QuickEntry("service", "多收了五块钱", amount="5"))
    assert isinstance(result.outcome, Outcome)
    assert result.outcome.status == "granted"
    c = result.outcome.compensation
    assert (c.amount_fen, c.kind, c.requested_by) == (500, default_kind(desk.policy), "c1")
    assert c.kind == "refund"  # the default policy's first kind
    exact = record_quick(desk, staff["c1"], QuickEntry("service", "多收钱", amount="200",
                                                       kind="coupon"))
    assert exact.outcome is not None and exact.outcome.status == "granted"
    assert exact.outcome.compensation.kind == "coupon"


@pytest.mark.parametrize("amount, code", [
    ("0", "input.amount_zero"), ("100000.01", "input.amount_too_large"),
    ("-3", "input.amount_negative"), ("abc", "input.amount_not_number"),
])
def test_bad_amount_is_refused_before_saving(
    desk: Desk, staff: dict[str, Staff], amount: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        record_quick(desk, staff["c1"], QuickEntry("service", "多收了钱", amount=amount))
    assert info.value.code == code
    assert (_count(desk, "tickets"), _count(desk, "events")) == (0, 0)


@pytest.mark.parametrize("amount, level", [("200.01", "manager"), ("250", "manager"),
                                           ("1000", "manager"), ("1500", "hq")])
def test_over_the_limit_saves_and_sends_the_compensation_for_approval(
    desk: Desk, staff: dict[str, Staff], amount: str, level: str,
) -> None:
    """As ``kesu compensate`` would: a manager approves, or headquarters above the
    manager's limit; the complaint is saved either way, in the same transaction."""
    assert over_limit(desk.policy, staff["c1"], 20_001)
    result = record_quick(desk, staff["c1"], QuickEntry("product", "坏了", amount=amount))
    assert _count(desk, "tickets") == 1
    assert result.outcome is not None and result.outcome.status == "pending_approval"
    line = result.outcome.compensation
    assert (line.status, line.approval_level, line.requested_by) == (
        "pending_approval", level, "c1")
    assert _count(desk, "compensations") == 1
    # What waits is a request, not a grant: nothing is given until someone decides.
    assert desk.conn.execute("SELECT count(*) FROM compensations WHERE status = 'granted'"
                             ).fetchone()[0] == 0


def test_the_limit_is_the_actors_own(desk: Desk, staff: dict[str, Staff]) -> None:
    result = record_quick(desk, staff["d1"], QuickEntry("product", "坏了", amount="300"))
    assert result.outcome is not None and result.outcome.status == "granted"


@pytest.mark.parametrize("entry, code", [
    (QuickEntry("service", "   "), "input.empty"),
    (QuickEntry("service", "多收钱", phone="12345"), "input.bad_phone"),
    (QuickEntry("snacks", "多收钱"), "input.bad_choice"),
    (QuickEntry("service", "多收钱", amount="5", kind="gold_bar"), "input.bad_choice"),
])
def test_bad_input_saves_nothing(desk: Desk, staff: dict[str, Staff], entry: QuickEntry,
                                 code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        record_quick(desk, staff["c1"], entry)
    assert info.value.code == code
    assert _count(desk, "tickets") == 0


def test_a_failed_compensation_leaves_no_half_entry(
    desk: Desk, staff: dict[str, Staff], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> Outcome:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(quick_entry, "compensate", broken)
    with pytest.raises(RuntimeError):
        record_quick(desk, staff["c1"], QuickEntry("service", "酸奶发霉了", amount="5"))
    # Ticket, correction and compensation are one transaction: a retry makes no twin.
    assert (_count(desk, "tickets"), _count(desk, "events"), _count(desk, "compensations")) \
        == (0, 0, 0)


def test_frequent_customer_waits_for_a_manager_but_the_ticket_is_saved(
    desk: Desk, staff: dict[str, Staff]
) -> None:
    entry = QuickEntry("service", "多收了钱", phone="13812345678", amount="10")
    for _ in range(desk.policy.compensation.customer_max_grants):
        first = record_quick(desk, staff["c1"], entry)
        assert first.outcome is not None and first.outcome.status == "granted"
    result = record_quick(desk, staff["c1"], entry)
    assert result.outcome is not None and result.outcome.status == "pending_approval"
    assert _count(desk, "tickets") == desk.policy.compensation.customer_max_grants + 1
