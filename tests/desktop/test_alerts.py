"""Alerts: level-1, overdue and escalation, each until acknowledged, recorded as events."""

from __future__ import annotations

from desktop import ticket_actions as handling
from desktop.alerts import acknowledge, active_alerts
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from local_db import store


def test_level_one_alert_stays_until_acknowledged(desk: Desk, staff: dict[str, Staff]) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "孩子吃了你们的酸奶食物中毒住院了"}).ticket
    calm = create_ticket(desk, staff["d1"], {"text": "建议多放一些购物篮"}).ticket
    assert t.level == 1 and calm.level == 3
    alerts = active_alerts(desk)
    assert [(a.number, a.kind) for a in alerts] == [(t.number, "level_1")]
    acknowledge(desk, staff["d2"], t.id, "level_1")
    acknowledge(desk, staff["d2"], t.id, "level_1")  # a second press records nothing
    assert active_alerts(desk) == []
    acks = desk.conn.execute(
        "SELECT actor FROM events WHERE type = 'alert_acknowledged'").fetchall()
    assert [r[0] for r in acks] == ["d2"]
    assert store.check(desk.conn) == []


def test_overdue_and_escalation_alerts(desk: Desk, staff: dict[str, Staff],
                                       clock: FixedClock) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "收银员态度不好"}).ticket
    assert active_alerts(desk) == []
    clock.advance(minutes=t.respond_within_minutes + 1)
    assert [a.kind for a in active_alerts(desk)] == ["overdue"]
    acknowledge(desk, staff["d1"], t.id, "overdue")
    assert active_alerts(desk) == []
    clock.advance(hours=48)
    raised = handling.escalate_due(desk)
    assert raised
    kinds = [a.kind for a in active_alerts(desk)]
    assert kinds == ["escalated"]  # a new escalation step alerts again
    handling.contact_customer(desk, staff["d1"], t.id, "phone", "已致电道歉")
    for a in active_alerts(desk):
        acknowledge(desk, staff["d1"], a.ticket_id, a.key)
    assert active_alerts(desk) == []


def test_closed_tickets_raise_no_alerts(desk: Desk, staff: dict[str, Staff]) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "孩子吃了你们的酸奶食物中毒住院了"}).ticket
    handling.void(desk, staff["m1"], t.id, "录错了")
    assert active_alerts(desk) == []
