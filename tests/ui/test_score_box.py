"""The rating by keyboard: the digit typed is the score, Enter records it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop import ticket_actions as handling
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket, get_ticket
from ui.context import AppContext
from ui.score_box import ScoreBox
from ui.ticket_panel import TicketPanel


def test_a_digit_replaces_the_score(qtbot: QtBot) -> None:
    box = ScoreBox(5)
    qtbot.addWidget(box)
    box.setSpecialValueText("Choose 1–5")
    box.setSuffix(" ★")
    submitted: list[int] = []
    box.submitted.connect(lambda: submitted.append(box.value()))
    qtbot.keyClicks(box, "4")
    assert box.value() == 4
    qtbot.keyClicks(box, "5")  # not 45, not refused: 5
    assert box.value() == 5
    qtbot.keyClicks(box, "9")  # out of range: ignored
    assert box.value() == 5
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.keyClick(box, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert submitted == [5, 5]


def test_rating_is_typed_and_entered_on_the_ticket(
    ctx: AppContext, qtbot: QtBot, desk: Desk, staff: dict[str, Staff],
    login: Callable[[str], Staff],
) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "收银员态度很差，找零少给了五块钱"}).ticket
    handling.advance(desk, staff["d1"], t.id, "rectifying")
    handling.advance(desk, staff["d1"], t.id, "reviewing")
    handling.advance(desk, staff["d2"], t.id, "accountability")
    handling.advance(desk, staff["m1"], t.id, "closed",
                     accountability={"outcome": "none", "subject": "", "note": ""})
    panel = TicketPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1000, 750)
    panel.show()
    panel.activateWindow()
    qtbot.waitActive(panel)
    login("d1")
    panel.show_ticket(t.id)
    panel.action_bar.open_action("rate")
    score = panel.action_bar.rate_score
    assert panel.focusWidget() is score  # the form opens with the cursor in the score
    qtbot.keyClicks(score, "3")
    qtbot.keyClicks(score, "5")  # the customer changed their mind
    with qtbot.waitSignal(panel.action_bar.submitted, timeout=10_000):
        qtbot.keyClick(score, Qt.Key.Key_Return)
    assert get_ticket(desk, t.id).rating == 5
