"""Operations say what they changed, and views refresh only for what they show."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from desktop.changes import Changes
from desktop.desk import Desk
from desktop.printing import print_queue
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.fold import TicketState
from ui.context import AppContext
from ui.operations import tickets
from ui.printing.print_queue_panel import PrintQueueIndicator
from ui.ticket_panel import TicketPanel


def test_an_operation_hands_its_value_on_and_names_its_ticket(
        ctx: AppContext, qtbot: QtBot, desk: Desk, staff: dict[str, Staff]) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "牛奶过期了"}).ticket
    seen: dict[str, object] = {}
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000) as signal:
        tickets.add_note(staff["d1"], t.id, "已联系顾客").run(
            ctx, on_done=lambda state: seen.setdefault("state", state))
    changes = signal.args[0] if signal.args else None
    assert isinstance(changes, Changes) and changes.tickets == {t.id}
    assert not changes.ticket_added and not changes.print_jobs
    qtbot.waitUntil(lambda: "state" in seen)
    state = seen["state"]
    assert isinstance(state, TicketState) and state.id == t.id


def test_a_write_on_another_ticket_leaves_the_shown_one_alone(
        ctx: AppContext, qtbot: QtBot, desk: Desk, staff: dict[str, Staff],
        login: Callable[[str], Staff], wait_idle: Callable[[], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    shown = create_ticket(desk, staff["d1"], {"text": "牛奶过期了"}).ticket
    other = create_ticket(desk, staff["d1"], {"text": "面包发霉了"}).ticket
    login("d1")
    panel = TicketPanel(ctx)
    qtbot.addWidget(panel)
    panel.show_ticket(shown.id)
    refreshed: list[bool] = []
    panel.refresh = lambda: refreshed.append(True)  # type: ignore[method-assign]
    indicator = PrintQueueIndicator(ctx)
    qtbot.addWidget(indicator)
    counted: list[bool] = []
    counts = print_queue.counts

    def counting(conn: sqlite3.Connection) -> dict[str, int]:
        counted.append(True)
        return counts(conn)

    monkeypatch.setattr(print_queue, "counts", counting)  # what the indicator re-reads
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        tickets.add_note(staff["d1"], other.id, "已联系顾客").run(ctx)
    wait_idle()
    assert refreshed == [] and counted == []  # not its ticket, no print job
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        tickets.add_note(staff["d1"], shown.id, "已联系顾客").run(ctx)
    wait_idle()
    assert refreshed == [True] and counted == []
