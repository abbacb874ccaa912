"""Frontline limits: per role, manager override by PIN, daily cap, the 30-day customer rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.compensation import compensate, decide_pending, suggestion
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.actions.compensation import decide
from domain.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from domain.policy import load_policy
from local_db import eventlog, store
from tests.conftest import PINS

POLICY = load_policy().compensation
MANAGER = Staff("m1", "店长", "manager", True)
DESK = Staff("d2", "服务台", "desk", True)


def _ticket(desk, staff, phone="13712345678", who="d1"):
    return create_ticket(desk, staff[who], {
        "text": "买的电饭煲用了两天就坏了，要求换货", "customer": {"phone": phone}}).ticket


@pytest.mark.parametrize("who, amount, status", [
    ("c1", "200", "granted"), ("c1", "200.01", "pending_approval"),
    ("d1", "500", "granted"), ("d1", "500.01", "pending_approval"),
    ("m1", "1000", "granted"), ("m1", "1000.01", "pending_approval"),
])
def test_each_role_grants_up_to_its_limit(desk, staff, who, amount, status) -> None:
    t = _ticket(desk, staff)
    out = compensate(desk, staff[who], t.id, amount=amount, kind="cash")
    assert out.status == status
    assert out.compensation.policy_version == desk.policy.version
    event = eventlog.events_for_ticket(desk.conn, t.id)[-1]
    assert event.policy_version == desk.policy.version
    assert event.payload["reason"] == out.compensation.reason
    assert store.check(desk.conn) == []


def test_manager_override_on_the_spot_with_pin(desk, staff) -> None:
    t = _ticket(desk, staff)
    out = compensate(desk, staff["d1"], t.id, amount="800", kind="refund",
                     approver_id="m1", approver_pin=PINS["m1"])
    assert out.status == "granted" and out.compensation.approved_by == "m1"
    assert "m1" in out.reason


def test_wrong_approver_pin_is_an_error_and_records_nothing(desk, staff) -> None:
    t = _ticket(desk, staff)
    before = len(eventlog.events_for_ticket(desk.conn, t.id))
    with pytest.raises(AuthenticationFailed) as info:
        compensate(desk, staff["d1"], t.id, amount="800", kind="refund",
                   approver_id="m1", approver_pin="0000")
    assert info.value.code == "staff.wrong_pin"
    assert len(eventlog.events_for_ticket(desk.conn, t.id)) == before


def test_approver_who_is_not_a_manager_is_refused_as_an_event(desk, staff) -> None:
    t = _ticket(desk, staff)
    out = compensate(desk, staff["c1"], t.id, amount="300", kind="cash",
                     approver_id="d2", approver_pin=PINS["d2"])
    assert out.status == "refused"
    assert eventlog.events_for_ticket(desk.conn, t.id)[-1].type == "compensation_refused"


def test_above_manager_limit_waits_for_headquarters(desk, staff) -> None:
    t = _ticket(desk, staff)
    out = compensate(desk, staff["d1"], t.id, amount="1500", kind="cash",
                     approver_id="m1", approver_pin=PINS["m1"])
    assert out.status == "pending_approval" and out.compensation.approval_level == "hq"
    with pytest.raises(PermissionDenied):
        decide_pending(desk, staff["m1"], out.compensation.id, approve=True, note="")
    refused = decide_pending(desk, staff["m1"], out.compensation.id, approve=False,
                             note="顾客接受换货")
    assert refused.status == "refused"


def test_manager_decides_a_desk_request_later(desk, staff) -> None:
    t = _ticket(desk, staff)
    out = compensate(desk, staff["d1"], t.id, amount="700", kind="cash")
    assert out.compensation.approval_level == "manager"
    with pytest.raises(PermissionDenied):
        decide_pending(desk, staff["d2"], out.compensation.id, approve=True, note="")
    done = decide_pending(desk, staff["m1"], out.compensation.id, approve=True, note="同意")
    assert done.status == "granted" and done.compensation.approved_by == "m1"
    assert store.check(desk.conn) == []


def test_store_daily_cap(desk, staff, clock) -> None:
    for i in range(5):
        t = _ticket(desk, staff, phone=f"1370000000{i}")
        assert compensate(desk, staff["m1"], t.id, amount="1000", kind="cash").status == "granted"
    t = _ticket(desk, staff, phone="13800000009")
    out = compensate(desk, staff["c1"], t.id, amount="1", kind="coupon")
    assert out.status == "pending_approval" and out.compensation.approval_level == "hq"
    clock.advance(days=1)  # a new store day
    assert compensate(desk, staff["c1"], t.id, amount="1", kind="coupon").status == "granted"


def test_fourth_compensation_in_30_days_needs_a_manager(desk, staff, clock) -> None:
    for _ in range(3):
        t = _ticket(desk, staff)
        assert compensate(desk, staff["c1"], t.id, amount="10", kind="coupon").status == "granted"
        clock.advance(days=5)
    t = _ticket(desk, staff)
    out = compensate(desk, staff["c1"], t.id, amount="10", kind="coupon")
    assert out.status == "pending_approval" and out.reason
    assert compensate(desk, staff["m1"], t.id, amount="10", kind="coupon").status == "granted"
    clock.advance(days=31)
    t = _ticket(desk, staff)
    assert compensate(desk, staff["c1"], t.id, amount="10", kind="coupon").status == "granted"


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "NaN", "inf", "1e400", "0.001"])
def test_bad_amounts_are_refused(desk, staff, amount) -> None:
    t = _ticket(desk, staff)
    with pytest.raises(InvalidInput):
        compensate(desk, staff["d1"], t.id, amount=amount, kind="cash")


def test_unknown_kind_is_refused(desk, staff) -> None:
    t = _ticket(desk, staff)
    with pytest.raises(InvalidInput):
        compensate(desk, staff["d1"], t.id, amount="5", kind="bitcoin")


def test_food_safety_suggests_ten_times_at_least_1000(desk, staff) -> None:
    t = create_ticket(desk, staff["d1"], {
        "text": "面包里吃出一根头发", "amount_paid": "8.80"}).ticket
    s = suggestion(desk, t)
    assert s is not None and s["amount_fen"] == 100000
    t2 = create_ticket(desk, staff["d1"], {
        "text": "买的牛排变质发臭", "amount_paid": "268.00"}).ticket
    s2 = suggestion(desk, t2)
    assert s2 is not None and s2["amount_fen"] == 268000


roles = st.sampled_from(["cashier", "desk", "manager"])
fen = st.integers(min_value=1, max_value=2_000_000)


@given(role=roles, amount=fen, day=st.integers(0, 600_000), grants=st.integers(0, 10),
       with_manager=st.booleans())
def test_limit_rules_never_grant_beyond_authority(role, amount, day, grants, with_manager):
    d = decide(POLICY, role=role, amount_fen=amount, day_granted_fen=day,
               customer_grants=grants, approver=MANAGER if with_manager else None,
               requester_id="x")
    limits = POLICY.role_limits_fen
    if d.status == "granted":
        assert day + amount <= POLICY.store_daily_cap_fen
        assert amount <= limits["manager"]
        if role != "manager" and d.approved_by is None:
            assert amount <= limits[role] and grants < POLICY.customer_max_grants
    if amount > limits["manager"] or day + amount > POLICY.store_daily_cap_fen:
        assert d.status == "pending_approval" and d.approval_level == "hq"
    if amount <= limits[role] and grants < POLICY.customer_max_grants and \
            day + amount <= POLICY.store_daily_cap_fen:
        assert d.status == "granted"


@given(role=roles, amount=fen, day=st.integers(0, 600_000), grants=st.integers(0, 10))
def test_a_non_manager_approver_never_grants(role, amount, day, grants):
    d = decide(POLICY, role=role, amount_fen=amount, day_granted_fen=day,
               customer_grants=grants, approver=DESK, requester_id="x")
    assert d.status == "refused"
