"""Recording complaints: validation, triage, numbering, duplicates, groups, durability."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from desktop.tickets import create_ticket, get_ticket
from domain.errors import InvalidInput
from local_db import eventlog, store

SPOILED = "昨天买的酸奶打开就是臭的，已经变质了，孩子喝了一口"
RUDE = "收银员态度很差，问她问题不理人还翻白眼"


def _count(desk, table: str) -> int:
    return desk.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_ticket_is_saved_with_triage_number_and_due_time(desk, staff, clock) -> None:
    created = create_ticket(desk, staff["d1"], {
        "text": SPOILED, "channel": "desk",
        "customer": {"name": "陈女士", "phone": "138 1234 5678", "member_tier": "none"},
        "product": {"name": "原味酸奶", "sku": "690123"}, "amount_paid": "12.50",
    })
    t = created.ticket
    assert re.fullmatch(r"XT01-D2-20261122-0001", t.number)
    assert (t.category, t.subcategory) == ("product", "spoiled")
    assert t.level == 1 and "food_safety" in t.flags
    assert t.status == "accepted"
    assert t.customer_phone == "13812345678"
    assert t.amount_paid_fen == 1250
    assert t.due_at == "2026-11-22T03:00:00.000Z"  # level 1: 60 minutes
    assert t.reasons  # the triage says why
    assert get_ticket(desk, t.number).id == t.id
    assert store.check(desk.conn) == []


def test_level_one_notifies_at_creation(desk, staff) -> None:
    t = create_ticket(desk, staff["d1"], {"text": SPOILED}).ticket
    types = [e.type for e in eventlog.events_for_ticket(desk.conn, t.id)]
    assert types == ["ticket_created", "notification_raised"]


def test_daily_counter_restarts_on_the_store_local_day(desk, staff, clock) -> None:
    clock.set(clock.now().replace(hour=15, minute=59))  # 23:59 in Shanghai
    a = create_ticket(desk, staff["d1"], {"text": RUDE}).ticket
    clock.advance(minutes=2)  # 00:01 next day in Shanghai
    b = create_ticket(desk, staff["d1"], {"text": "停车场没有灯，晚上很黑"}).ticket
    assert a.number.endswith("20261122-0001")
    assert b.number.endswith("20261123-0001")


def test_numbers_are_unique_over_many_tickets(desk, staff) -> None:
    numbers = {create_ticket(desk, staff["c1"], {"text": f"第{i}号：货架价签和收银价格不一致"})
               .ticket.number for i in range(30)}
    assert len(numbers) == 30


@pytest.mark.parametrize("data, code", [
    ({"text": ""}, "input.empty"),
    ({"text": "   \n\t "}, "input.empty"),
    ({}, "input.empty"),
    ({"text": "字" * 1_000_000}, "input.too_long"),
    ({"text": "ok", "customer": {"phone": "12345"}}, "input.bad_phone"),
    ({"text": "ok", "amount_paid": "-3"}, "input.amount_negative"),
    ({"text": "ok", "amount_paid": "NaN"}, "input.amount_not_number"),
    ({"text": "ok", "amount_paid": "1.234"}, "input.amount_too_precise"),
    ({"text": "ok", "channel": "fax"}, "input.bad_choice"),
    ({"text": "ok", "customers": 0}, "input.bad_customers"),
    ({"text": 42}, "input.not_text"),
])
def test_bad_input_is_refused_and_nothing_is_written(desk, staff, data, code) -> None:
    create_ticket(desk, staff["d1"], {"text": RUDE})
    before = (_count(desk, "events"), _count(desk, "tickets"))
    with pytest.raises(InvalidInput) as info:
        create_ticket(desk, staff["d1"], data)
    assert info.value.code == code
    assert (_count(desk, "events"), _count(desk, "tickets")) == before


def test_emoji_quotes_and_sql_are_kept_verbatim(desk, staff) -> None:
    text = "😡 店员说\"不退\"'); DROP TABLE tickets; -- 我要投诉"
    t = create_ticket(desk, staff["d1"], {"text": text}).ticket
    assert get_ticket(desk, t.id).text == text
    assert _count(desk, "tickets") == 1


def test_same_customer_same_subcategory_within_72h_is_offered_as_duplicate(
        desk, staff, clock) -> None:
    first = create_ticket(desk, staff["d1"], {
        "text": "结账时同一件商品被扫了两次，多收了钱",
        "customer": {"phone": "13900001111"}}).ticket
    clock.advance(hours=30)
    second = create_ticket(desk, staff["d1"], {
        "text": "收银多收钱，小票上重复扣款", "customer": {"phone": "13900001111"}})
    assert second.ticket.subcategory == first.subcategory
    assert [d.number for d in second.duplicates] == [first.number]
    assert second.duplicates[0].reason == "same_customer"
    clock.advance(hours=50)  # now 80 h after the first
    third = create_ticket(desk, staff["d1"], {
        "text": "收银员算错价格多收钱了", "customer": {"phone": "13900001111"}})
    assert first.number not in [d.number for d in third.duplicates]


def test_near_identical_text_is_offered_as_duplicate(desk, staff) -> None:
    first = create_ticket(desk, staff["d1"],
                          {"text": "三楼女厕所的洗手池堵了，水漫到地上，很滑"}).ticket
    again = create_ticket(desk, staff["c1"], {"text": "三楼女厕所洗手池堵了，水漫到地上很滑！"})
    assert first.number in [d.number for d in again.duplicates]
    other = create_ticket(desk, staff["c1"], {"text": "会员积分上个月的没有到账"})
    assert first.number not in [d.number for d in other.duplicates]


def test_third_complaint_of_a_subcategory_in_two_hours_raises_the_group(
        desk, staff, clock) -> None:
    texts = ["停车场的电梯坏了一直不修", "地下车库电梯又停运了，推车下不去",
             "电梯故障，老人只能走楼梯"]
    tickets = []
    for text in texts:
        tickets.append(create_ticket(desk, staff["d1"], {"text": text}))
        clock.advance(minutes=20)
    subs = {t.ticket.subcategory for t in tickets}
    assert len(subs) == 1
    last = tickets[-1]
    assert last.ticket.level == 1 and "group" in last.ticket.flags
    assert set(last.raised) == {t.ticket.number for t in tickets[:2] if t.ticket.level > 1}
    for t in tickets[:2]:
        now = get_ticket(desk, t.ticket.id)
        assert now.level == 1 and "group" in now.flags
    assert store.check(desk.conn) == []


def test_group_window_is_two_hours(desk, staff, clock) -> None:
    create_ticket(desk, staff["d1"], {"text": "停车场的电梯坏了一直不修"})
    clock.advance(hours=3)
    create_ticket(desk, staff["d1"], {"text": "地下车库电梯又停运了"})
    clock.advance(minutes=10)
    t = create_ticket(desk, staff["d1"], {"text": "电梯故障，推车下不去"}).ticket
    assert "group" not in t.flags


def test_failure_inside_the_save_leaves_nothing(desk, staff, monkeypatch) -> None:
    from local_db import search

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(search, "index_ticket", boom)
    with pytest.raises(OSError):
        create_ticket(desk, staff["d1"], {"text": RUDE})
    assert _count(desk, "events") == 0
    assert _count(desk, "tickets") == 0
    assert _count(desk, "ticket_counters") == 0


def test_due_time_follows_the_level(desk, staff, clock) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "请问你们几点关门？"}).ticket
    assert t.level == 3
    assert t.due_at == (clock.now() + timedelta(minutes=1440)).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
