"""Limit figures and the pending-request list the compensation screens show."""

from __future__ import annotations

from desktop import approvals, compensation
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket


def test_limit_summary_and_preview(desk: Desk, staff: dict[str, Staff]) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "电饭煲坏了",
                                          "customer": {"phone": "13812345678"}}).ticket
    compensation.compensate(desk, staff["d1"], t.id, amount="120", kind="cash")
    s = approvals.limit_summary(desk, "desk", t)
    assert (s.own_limit_fen, s.manager_limit_fen) == (50_000, 100_000)
    assert s.granted_today_fen == 12_000 and s.day_left_fen == 500_000 - 12_000
    assert s.customer_grants == 1 and s.has_phone
    assert approvals.preview(desk, s, 50_000, "d1").status == "granted"
    over = approvals.preview(desk, s, 50_001, "d1")
    assert (over.status, over.approval_level) == ("pending_approval", "manager")
    assert approvals.preview(desk, s, 100_001, "d1").approval_level == "hq"
    assert approvals.limit_summary(desk, "cashier", t).own_limit_fen == 20_000


def test_pending_requests(desk: Desk, staff: dict[str, Staff]) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "送货摔坏了电视"}).ticket
    assert approvals.pending_requests(desk.conn) == []
    a = compensation.compensate(desk, staff["d1"], t.id, amount="600", kind="refund",
                                note="顾客要求全额")
    b = compensation.compensate(desk, staff["d1"], t.id, amount="2000", kind="refund")
    compensation.compensate(desk, staff["d1"], t.id, amount="10", kind="gift")  # granted
    pending = approvals.pending_requests(desk.conn)
    assert [p.compensation_id for p in pending] == [a.compensation.id, b.compensation.id]
    first = pending[0]
    assert first.ticket_number == t.number and first.requester_name == "服务台小李"
    assert first.approval_level == "manager" and first.note == "顾客要求全额"
    assert "500.00" in first.reason_text("zh_CN")
    assert pending[1].approval_level == "hq"
    assert approvals.pending_count(desk.conn) == 2
    compensation.decide_pending(desk, staff["m1"], a.compensation.id, approve=True, note="")
    assert approvals.pending_count(desk.conn) == 1


def test_reason_text_of_a_decision() -> None:
    text = approvals.reason_text({"reason": "comp.approved"}, "zh_CN", actor="m1")
    assert "m1" in text
    assert approvals.reason_text({}, "zh_CN") == ""


def test_a_request_shows_the_complaint_its_limit_and_age(desk: Desk, staff: dict[str, Staff],
                                                        clock) -> None:  # type: ignore[no-untyped-def]
    import copy
    from datetime import timedelta

    import pytest

    from desktop.desk import install_policy_document
    from domain.errors import PolicyInvalid
    from domain.policy import ApprovalsPolicy, parse_policy

    t = create_ticket(desk, staff["d1"], {"text": "收银员态度很差，问她问题不理人还翻白眼"}).ticket
    old = compensation.compensate(desk, staff["d1"], t.id, amount="600", kind="cash")
    clock.advance(hours=3)
    new = compensation.compensate(desk, staff["c1"], t.id, amount="250", kind="refund")
    first, second = approvals.pending_requests(desk.conn)  # oldest first
    assert (first.compensation_id, second.compensation_id) == (
        old.compensation.id, new.compensation.id)
    assert first.ticket_text == t.text and (first.category, first.subcategory, first.level) == (
        "service", "attitude", 2)
    policy = desk.policy
    assert first.requester_limit_fen(policy.compensation) == 50_000
    assert second.requester_limit_fen(policy.compensation) == 20_000
    now = clock.now()
    assert first.age(now) == timedelta(hours=3) and second.age(now) == timedelta(0)
    # "Old" is policy data: 24 h shipped; a store that wants 2 h marks the first one.
    assert policy.approvals.old_after_hours == 24 and not first.is_old(now, policy.approvals)
    doc = copy.deepcopy(policy.raw)
    doc["policy_version"] += "-2h"
    doc["approvals"] = {"old_after_hours": 2}
    strict = install_policy_document(desk, doc).approvals
    assert first.is_old(now, strict) and not second.is_old(now, strict)
    del doc["approvals"]
    assert parse_policy(doc).approvals == ApprovalsPolicy()
    doc["approvals"] = {"old_after_hours": 0}
    with pytest.raises(PolicyInvalid):
        parse_policy(doc)
