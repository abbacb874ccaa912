"""A request only headquarters can approve, on a desk that cannot reach headquarters:
the compensation form says so before and after saving, the status line while it waits."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from desktop.compensation import compensate, decide_pending
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket, get_ticket
from local_db import meta, sync_state
from local_db.connection import transaction
from tests.ui.test_ticket_panel import child, type_text
from ui.compensation_form import CompensationForm
from ui.context import AppContext
from ui.status_line import StatusLine

TEXT = "收银员态度很差，问她问题不理人还翻白眼"


def test_form_says_hq_cannot_be_reached_before_and_after_saving(
    ctx: AppContext, desk: Desk, staff: dict[str, Staff], qtbot: QtBot,
    login: Callable[[str], Staff],
) -> None:
    ticket = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket
    login("d1")
    form = CompensationForm(ctx)
    qtbot.addWidget(form)
    form.resize(700, 520)
    form.set_ticket(get_ticket(desk, ticket.id))
    form.show()
    qtbot.waitExposed(form)
    amount: QLineEdit = child(form, QLineEdit, "compAmount")
    amount.setFocus()
    type_text(qtbot, amount, "1500")
    hint = child(form, QLabel, "compHint").text()
    assert "总部" in hint and "尚未登记" in hint
    with qtbot.waitSignal(form.recorded, timeout=10_000):
        qtbot.keyClick(amount, Qt.Key.Key_Return)
    outcome = child(form, QLabel, "compOutcome").text()
    # ¥1,500 waits at the centre for the regional manager (within ¥3,000).
    assert "等待区域经理审批" in outcome and "尚未登记" in outcome
    # An enrolled desk: headquarters gets it at the next sync, nothing more to say.
    with transaction(desk.conn):
        meta.put(desk.conn, sync_state.SERVER, "https://kesu.example.cn")
    amount.clear()
    type_text(qtbot, amount, "1500")
    assert "尚未登记" not in child(form, QLabel, "compHint").text()


def test_status_line_says_so_while_any_hq_request_waits(
    ctx: AppContext, desk: Desk, staff: dict[str, Staff], qtbot: QtBot,
) -> None:
    line = StatusLine(ctx)
    qtbot.addWidget(line)
    assert "笔待中心" not in line.sync_label.text()
    tid = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket.id
    out = compensate(desk, staff["d1"], tid, amount="1500", kind="cash")
    line.refresh()
    text = line.sync_label.text()
    assert "1 笔" in text and "中心" in text and "登记" in text
    assert "c5221f" in line.sync_label.styleSheet()
    # A manager's request alone says nothing of headquarters.
    decide_pending(desk, staff["m1"], out.compensation.id, approve=False, note="金额过高")
    compensate(desk, staff["d1"], tid, amount="600", kind="cash")
    line.refresh()
    assert "笔待中心" not in line.sync_label.text()
    # Waiting for headquarters on an enrolled desk: the usual sync line.
    compensate(desk, staff["d1"], tid, amount="1500", kind="cash")
    line.refresh()
    assert "笔待中心" in line.sync_label.text()
    with transaction(desk.conn):
        meta.put(desk.conn, sync_state.SERVER, "https://kesu.example.cn")
    line.refresh()
    assert "笔待中心" not in line.sync_label.text()
