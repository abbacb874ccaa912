"""Response clock and escalation, computed offline from events and the clock."""

from __future__ import annotations

from desktop import ticket_actions as handling
from desktop.response_clock import response_status
from desktop.tickets import create_ticket, get_ticket
from local_db import eventlog, store

L2 = "买的保温杯不保温，倒进去热水一会就凉了，要退货"  # level 2: 240 minutes


def test_overdue_only_without_first_response(desk, staff, clock) -> None:
    t = create_ticket(desk, staff["d1"], {"text": L2}).ticket
    assert t.level == 2
    s = response_status(t, clock.now(), desk.policy)
    assert not s.overdue and s.seconds_to_due == 240 * 60
    clock.advance(minutes=241)
    assert response_status(t, clock.now(), desk.policy).overdue


def test_a_note_is_a_first_response_and_stops_the_clock(desk, staff, clock) -> None:
    t = create_ticket(desk, staff["d1"], {"text": L2}).ticket
    clock.advance(minutes=30)
    t = handling.add_note(desk, staff["d1"], t.id, "已联系品控")
    clock.advance(hours=10)
    s = response_status(t, clock.now(), desk.policy)
    assert not s.overdue and s.responded_in_time and s.escalation_steps_due == 0


def test_leaving_accepted_is_a_first_response(desk, staff, clock) -> None:
    t = create_ticket(desk, staff["d1"], {"text": L2}).ticket
    clock.advance(minutes=300)
    t = handling.advance(desk, staff["d1"], t.id, "rectifying")
    s = response_status(t, clock.now(), desk.policy)
    assert s.responded_in_time is False and not s.overdue


def test_escalation_steps_climb_the_ladder_each_interval(desk, staff, clock) -> None:
    t = create_ticket(desk, staff["d1"], {"text": L2}).ticket
    assert handling.escalate_due(desk) == []
    clock.advance(minutes=240)
    raised = handling.escalate_due(desk)
    assert raised == [{"number": t.number, "step": 1, "to": "store_manager"}]
    assert handling.escalate_due(desk) == []  # idempotent
    clock.advance(minutes=240 * 5)  # far past: up to the top of the ladder, once each
    raised = handling.escalate_due(desk)
    assert [r["to"] for r in raised] == ["regional_manager", "general_manager"]
    t = get_ticket(desk, t.id)
    assert t.escalation_step == 3
    types = [e.type for e in eventlog.events_for_ticket(desk.conn, t.id)]
    assert types.count("escalated") == 3
    assert store.check(desk.conn) == []


def test_no_escalation_after_response_or_close(desk, staff, clock) -> None:
    t = create_ticket(desk, staff["d1"], {"text": L2}).ticket
    handling.contact_customer(desk, staff["d1"], t.id, "phone", "已回电")
    clock.advance(days=3)
    assert handling.escalate_due(desk) == []


def test_followup_due_24h_after_closing(desk, staff, clock) -> None:
    t = create_ticket(desk, staff["d1"], {"text": L2}).ticket
    for who, to in [("d1", "rectifying"), ("d1", "reviewing"), ("m1", "accountability")]:
        handling.advance(desk, staff[who], t.id, to)
    t = handling.advance(desk, staff["m1"], t.id, "closed", accountability={"outcome": "none"})
    s = response_status(t, clock.now(), desk.policy)
    assert s.followup_due_at is not None
    assert (s.followup_due_at - clock.now()).total_seconds() == 24 * 3600
