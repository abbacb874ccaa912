"""One Alt+letter per control: every window, in every state staff meet, in both
languages, offers each mnemonic to one visible, enabled control only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop import ticket_actions as handling
from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from tests.ui.keyboard import type_text
from tests.ui.login_steps import log_in
from tests.ui.mnemonics import duplicates, mnemonic_of
from ui.context import AppContext
from ui.main_window import MainWindow, WorkArea
from ui.printing.print_dialog import PrintDialog
from ui.translations import install_language

STATES = ("accepted", "rectifying", "reviewing", "accountability", "closed")


class Findings:
    """Duplicates found so far, with where they were."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, window: QWidget, where: str) -> None:
        for letter, controls in sorted(duplicates(window).items()):
            self.found.append(f"{where}: Alt+{letter} → {controls}")


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest, ctx: AppContext) -> Iterator[str]:
    ctx.language = install_language(request.param)
    yield request.param
    install_language("zh_CN")


def tickets_in_every_state(desk: Desk, staff: dict[str, Staff]) -> dict[str, str]:
    made = {}
    for state in STATES:
        t = create_ticket(desk, staff["d1"], {"text": "酸奶过期了，孩子喝了拉肚子",
                                              "customer": {"phone": "13812345678"}}).ticket
        steps = {"rectifying": [("d1", "rectifying")],
                 "reviewing": [("d1", "rectifying"), ("d1", "reviewing")],
                 "accountability": [("d1", "rectifying"), ("d1", "reviewing"),
                                    ("d2", "accountability")],
                 "closed": [("d1", "rectifying"), ("d1", "reviewing"),
                            ("d2", "accountability"), ("m1", "closed")]}.get(state, [])
        for who, to in steps:
            extra = {"accountability": {"outcome": "none", "subject": "", "note": ""}} \
                if to == "closed" else {}
            handling.advance(desk, staff[who], t.id, to, **extra)  # type: ignore[arg-type]
        made[state] = t.id
    compensate(desk, staff["d1"], made["accepted"], amount="800", kind="cash")  # waits
    compensate(desk, staff["d1"], made["accepted"], amount="20", kind="cash")  # granted
    return made


def walk_ticket_forms(qtbot: QtBot, findings: Findings, w: MainWindow, work: WorkArea,
                      tickets: dict[str, str], who: str) -> None:
    work.tabs.setCurrentWidget(work.ticket)
    bar = work.ticket.action_bar
    for state, tid in tickets.items():
        work.open_ticket(tid)
        findings.check(w, f"{who}, ticket {state}")
        for action in bar.allowed():
            bar.open_action(action)
            where = f"{who}, ticket {state}, form {action}"
            if action == "compensate":
                form = bar.compensation
                for amount in ("20", "800", "50000"):  # granted, manager here, headquarters
                    form.amount.clear()
                    type_text(qtbot, form.amount, amount)
                    findings.check(w, f"{where} {amount} yuan")
                form.amount.clear()
            else:
                findings.check(w, where)
            bar.close_form()


def test_every_window_has_one_control_per_mnemonic(
    ctx: AppContext, qtbot: QtBot, desk: Desk, staff: dict[str, Staff], clock: FixedClock,
    language: str, wait_idle: Callable[[], None], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    tickets = tickets_in_every_state(desk, staff)
    clock.advance(hours=3)  # level 1 overdue: the banner and the manager's strip show
    findings = Findings()
    w = MainWindow(ctx)
    w.confirm_discard = lambda: True  # type: ignore[method-assign]
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    qtbot.waitExposed(w)
    findings.check(w, "login screen")
    for who in ("d1", "d2", "m1"):
        work = log_in(qtbot, w, who)
        wait_idle()
        qtbot.waitUntil(lambda: not ctx.reader.busy(), timeout=10_000)
        assert work.alerts.isVisible()
        for i in range(work.tabs.count()):
            if work.tabs.isTabVisible(i):
                work.tabs.setCurrentIndex(i)
                wait_idle()
                findings.check(w, f"{who}, tab {work.tabs.tabText(i)}")
        if who == "m1":
            assert work.attention.isVisible()
        walk_ticket_forms(qtbot, findings, w, work, tickets, who)
        w.lock()
    # The quick-entry window: its login page and its entry page.
    w.login.staff_id.clear()
    log_in(qtbot, w, "c1")
    w.show_quick_entry()
    quick = w.quick
    assert quick is not None
    qtbot.waitExposed(quick)
    findings.check(quick, "quick entry")
    ctx.session.lock()
    findings.check(quick, "quick entry, login page")
    log_in(qtbot, w, "d1")
    # The print dialog (a voucher shows the compensation line) and the print queue.
    dialog = PrintDialog(ctx, tickets["accepted"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for i in range(dialog.kind.count()):
        dialog.kind.setCurrentIndex(i)
        findings.check(dialog, f"print dialog, {dialog.kind.currentText()}")
    queue = w.printing.show_queue()
    qtbot.waitExposed(queue)
    findings.check(queue, "print queue")
    w.printing.stop()
    assert findings.found == [], "\n".join(findings.found)


def test_the_check_sees_a_duplicate(qtbot: QtBot) -> None:
    """The walker above cannot pass by looking at nothing."""
    from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton

    box = QWidget()
    qtbot.addWidget(box)
    row = QHBoxLayout(box)
    edit = QLineEdit()
    label = QLabel("&Note")
    label.setBuddy(edit)
    for widget in (label, edit, QPushButton("Add &note"), QPushButton("Sa&ve"),
                   QPushButton("&&Co")):
        row.addWidget(widget)
    hidden = QPushButton("&Hidden")
    row.addWidget(hidden)
    box.show()
    hidden.hide()
    assert set(duplicates(box)) == {"N"}
    assert mnemonic_of("&&Co") is None and mnemonic_of("保存(&S)") == "S"
