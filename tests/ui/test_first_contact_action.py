"""Closing a ticket at first contact from the ticket view, by keyboard, on the writer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket, get_ticket
from tests.ui.keyboard import type_text
from tests.ui.test_ticket_panel import button, child, click, panel, timeline_text, visible_actions
from ui.context import AppContext
from ui.ticket_panel import TicketPanel

__all__ = ["panel"]  # the fixture, imported for this module's tests

QUESTION = "请问你们几点关门"
SPOILED = "昨天买的酸奶打开就是臭的，已经变质了"
RUDE = "收银员态度很差，问她问题不理人还翻白眼"


def test_desk_clerk_closes_a_question_at_first_contact(
    ctx: AppContext, panel: TicketPanel, desk: Desk, staff: dict[str, Staff],
    login: Callable[[str], Staff], qtbot: QtBot,
) -> None:
    ticket = create_ticket(desk, staff["d1"], {"text": QUESTION}).ticket
    login("d1")
    panel.show_ticket(ticket.id)
    assert "first_contact" in visible_actions(panel)
    click(qtbot, button(panel, "action_first_contact"))
    note: QLineEdit = child(panel, QLineEdit, "firstContactNote")
    assert note.hasFocus()
    type_text(qtbot, note, "已答复营业时间")
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        qtbot.keyClick(note, Qt.Key.Key_Return)
    closed = get_ticket(desk, ticket.id)
    assert closed.status == "closed"
    assert child(panel, QLabel, "ticketStatus").text() == "完结"
    text = timeline_text(panel)
    assert "受理 → 完结" in text and "首问解决" in text and "已答复营业时间" in text
    # Closed now: no second first-contact close, the follow-up rating is offered.
    assert "first_contact" not in visible_actions(panel)
    assert "rate" in visible_actions(panel)


def test_first_contact_is_not_offered_where_the_domain_refuses_it(
    ctx: AppContext, panel: TicketPanel, desk: Desk, staff: dict[str, Staff],
    login: Callable[[str], Staff], qtbot: QtBot,
) -> None:
    urgent = create_ticket(desk, staff["d1"], {"text": SPOILED}).ticket
    approved = create_ticket(desk, staff["d1"], {"text": RUDE}).ticket
    compensate(desk, staff["d1"], approved.id, amount="600", kind="cash",
               approver_id="m1", approver_pin="9999")
    question = create_ticket(desk, staff["d1"], {"text": QUESTION}).ticket
    login("d1")
    panel.show_ticket(urgent.id)
    assert urgent.level == 1 and "first_contact" not in visible_actions(panel)
    panel.show_ticket(approved.id)
    assert "first_contact" not in visible_actions(panel)
    panel.show_ticket(question.id)
    assert "first_contact" in visible_actions(panel)
    login("c1")  # a cashier does not handle tickets
    assert "first_contact" not in visible_actions(panel)


def test_a_refusal_is_said_in_the_form_and_keeps_the_note(
    ctx: AppContext, panel: TicketPanel, desk: Desk, staff: dict[str, Staff],
    login: Callable[[str], Staff], qtbot: QtBot, wait_idle: Callable[[], None],
) -> None:
    from desktop import ticket_actions as handling

    ticket = create_ticket(desk, staff["d1"], {"text": QUESTION}).ticket
    login("d1")
    panel.show_ticket(ticket.id)
    click(qtbot, button(panel, "action_first_contact"))
    note: QLineEdit = child(panel, QLineEdit, "firstContactNote")
    type_text(qtbot, note, "已答复")
    # Another desk moved the ticket on meanwhile (the form was already open).
    handling.advance(desk, staff["d2"], ticket.id, "rectifying")
    qtbot.keyClick(note, Qt.Key.Key_Return)
    wait_idle()
    assert get_ticket(desk, ticket.id).status == "rectifying"
    assert "受理" in child(panel, QLabel, "error_first_contact").text()
    assert note.text() == "已答复"
