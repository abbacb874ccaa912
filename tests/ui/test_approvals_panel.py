"""The manager's approvals: a desk's request approved, an HQ-level one only refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from desktop import compensation
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket, get_ticket
from desktop.views import compensations_of
from domain.fold import TicketState
from tests.conftest import PINS
from tests.ui.test_ticket_panel import child, type_into, type_text
from ui.approvals_panel import COLUMNS, ApprovalsPanel
from ui.compensation_form import CompensationForm
from ui.context import AppContext


@pytest.fixture
def ticket(desk: Desk, staff: dict[str, Staff]) -> TicketState:
    return create_ticket(desk, staff["d1"], {
        "text": "电视机送货时摔坏了，要求退款", "customer": {"phone": "13912345678"},
    }).ticket


@pytest.fixture
def panel(ctx: AppContext, qtbot: QtBot) -> ApprovalsPanel:
    widget = ApprovalsPanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def click(qtbot: QtBot, panel: ApprovalsPanel, name: str) -> None:
    button: QPushButton = child(panel, QPushButton, name)
    assert button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_desk_request_approved_by_the_manager(
    ctx: AppContext, panel: ApprovalsPanel, ticket: TicketState, desk: Desk,
    login: Callable[[str], Staff], qtbot: QtBot,
) -> None:
    # The desk clerk sends 600 yuan for approval from the compensation form.
    login("d1")
    form = CompensationForm(ctx)
    qtbot.addWidget(form)
    form.set_ticket(get_ticket(ctx.desk, ticket.id))
    form.show()
    type_into(qtbot, form, "compAmount", "600")
    with qtbot.waitSignal(form.recorded, timeout=10_000):
        qtbot.mouseClick(child(form, QPushButton, "compSendForApproval"),
                         Qt.MouseButton.LeftButton)
    assert panel.pending_count() == 1
    table: QTableWidget = child(panel, QTableWidget, "approvalsTable")
    assert table.rowCount() == 1 and table.item(0, 0).text() == ticket.number
    assert table.item(0, COLUMNS.index("amount")).text() == "600.00"
    assert table.item(0, COLUMNS.index("limit")).text() == "500.00"  # the desk clerk's own limit
    assert "服务台小李" in table.item(0, COLUMNS.index("requester")).text()
    # A desk clerk cannot decide.
    assert not child(panel, QPushButton, "approveButton").isEnabled()
    # The manager approves with a note.
    login("m1")
    assert child(panel, QPushButton, "approveButton").isEnabled()
    type_into(qtbot, panel, "approvalNote", "老顾客，同意")
    click(qtbot, panel, "approveButton")  # asks the PIN again first
    assert compensations_of(desk.conn, ticket.id)[0]["status"] == "pending_approval"
    pin: QLineEdit = child(panel, QLineEdit, "approvalPin")
    assert panel.focusWidget() is pin  # the PIN field waits for the keys
    type_text(qtbot, pin, PINS["m1"])
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        qtbot.keyClick(pin, Qt.Key.Key_Return)
    [line] = compensations_of(desk.conn, ticket.id)
    assert line["status"] == "granted" and line["approved_by"] == "m1"
    assert panel.pending_count() == 0 and table.rowCount() == 0
    said = child(panel, QLabel, "approvalOutcome").text()
    assert ticket.number in said and "600.00" in said
    assert "服务台小李" in said and "店长张伟" in said


def test_hq_request_can_only_be_refused_here(
    ctx: AppContext, panel: ApprovalsPanel, ticket: TicketState, desk: Desk,
    staff: dict[str, Staff], login: Callable[[str], Staff], qtbot: QtBot,
    wait_idle: Callable[[], None],
) -> None:
    outcome = compensation.compensate(desk, staff["d1"], ticket.id, amount="1500",
                                      kind="refund")
    assert outcome.compensation.approval_level == "hq"
    login("m1")
    panel.refresh()
    assert panel.select(outcome.compensation.id)
    assert not child(panel, QPushButton, "approveButton").isEnabled()
    hint = child(panel, QLabel, "approvalHint").text()
    assert hint != ""
    # Refusing needs a reason; without one nothing is written.
    click(qtbot, panel, "refuseButton")
    wait_idle()
    assert child(panel, QLabel, "approvalError").text() != ""
    assert compensations_of(desk.conn, ticket.id)[0]["status"] == "pending_approval"
    type_into(qtbot, panel, "approvalNote", "金额过高，请重新协商")
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        click(qtbot, panel, "refuseButton")
    [line] = compensations_of(desk.conn, ticket.id)
    assert line["status"] == "refused" and line["approved_by"] == "m1"
    assert child(panel, QLineEdit, "approvalNote").text() == ""


def test_failed_decision_shows_why_and_keeps_the_note(
    ctx: AppContext, panel: ApprovalsPanel, ticket: TicketState, desk: Desk,
    staff: dict[str, Staff], login: Callable[[str], Staff], qtbot: QtBot,
    wait_idle: Callable[[], None],
) -> None:
    outcome = compensation.compensate(desk, staff["d1"], ticket.id, amount="700", kind="cash")
    login("m1")
    panel.refresh()
    # Meanwhile another manager decides it at another desk.
    compensation.decide_pending(desk, staff["m2"], outcome.compensation.id, approve=False,
                                note="已处理")
    type_into(qtbot, panel, "approvalNote", "同意")
    click(qtbot, panel, "approveButton")
    type_text(qtbot, child(panel, QLineEdit, "approvalPin"), PINS["m1"])
    click(qtbot, panel, "approvalConfirmButton")
    wait_idle()
    assert child(panel, QLabel, "approvalError").text() != ""
    assert child(panel, QLineEdit, "approvalNote").text() == "同意"
    assert compensations_of(desk.conn, ticket.id)[0]["status"] == "refused"


def test_open_ticket_signal(ctx: AppContext, panel: ApprovalsPanel, ticket: TicketState,
                            desk: Desk, staff: dict[str, Staff],
                            login: Callable[[str], Staff], qtbot: QtBot) -> None:
    compensation.compensate(desk, staff["d1"], ticket.id, amount="700", kind="cash")
    login("m1")
    panel.refresh()
    with qtbot.waitSignal(panel.open_ticket, timeout=2000) as signal:
        click(qtbot, panel, "openTicketButton")
    assert signal.args == [ticket.id]
