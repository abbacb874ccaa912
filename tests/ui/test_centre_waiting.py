"""The desk says who at the centre a request waits for: the regional manager up to the
policy's ``compensation.regional_limit_fen`` (¥3,000 shipped), above it headquarters,
in the ticket's ledger, the approvals panel, the compensation form and its outcome."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QTableWidget
from pytestqt.qtbot import QtBot

from desktop import compensation
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket, get_ticket
from domain.fold import TicketState
from tests.ui.test_ticket_panel import child, type_into
from ui.approvals_panel import COLUMNS, ApprovalsPanel
from ui.compensation_form import CompensationForm
from ui.context import AppContext
from ui.ticket_panel import TicketPanel

# (amount in yuan, what the desk says in Chinese, the approvals table's cell)
CASES = [("2000", "等待区域经理审批", "区域经理"), ("5000", "等待总部审批", "总部")]


@pytest.fixture
def ticket(desk: Desk, staff: dict[str, Staff]) -> TicketState:
    return create_ticket(desk, staff["d1"], {
        "text": "冰箱送到家就不制冷，要求赔偿", "customer": {"phone": "13712345678"},
    }).ticket


@pytest.mark.parametrize(("amount", "said", "cell"), CASES)
def test_the_ledger_and_the_approvals_panel_say_who_decides(
    ctx: AppContext, desk: Desk, staff: dict[str, Staff], ticket: TicketState,
    login: Callable[[str], Staff], qtbot: QtBot, amount: str, said: str, cell: str,
) -> None:
    out = compensation.compensate(desk, staff["d1"], ticket.id, amount=amount, kind="refund")
    assert out.compensation.approval_level == "hq"
    login("m1")
    panel = TicketPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1000, 750)
    panel.show()
    panel.show_ticket(ticket.id)
    ledger: QListWidget = child(panel, QListWidget, "ticketLedger")
    assert ledger.count() == 1 and said in ledger.item(0).text()

    approvals = ApprovalsPanel(ctx)
    qtbot.addWidget(approvals)
    approvals.resize(900, 400)
    approvals.show()
    approvals.refresh()
    assert approvals.select(out.compensation.id)
    table: QTableWidget = child(approvals, QTableWidget, "approvalsTable")
    item = table.item(table.currentRow(), COLUMNS.index("waiting_for"))
    assert item is not None and item.text() == cell
    hint = child(approvals, QLabel, "approvalHint").text()
    assert cell in hint and "只能拒绝" in hint


@pytest.mark.parametrize(("amount", "said", "cell"), CASES)
def test_the_form_says_where_the_request_goes_and_where_it_waits(
    ctx: AppContext, desk: Desk, ticket: TicketState, login: Callable[[str], Staff],
    qtbot: QtBot, amount: str, said: str, cell: str,
) -> None:
    login("d1")
    form = CompensationForm(ctx)
    qtbot.addWidget(form)
    form.resize(700, 520)
    form.set_ticket(get_ticket(ctx.desk, ticket.id))
    form.show()
    qtbot.waitExposed(form)
    type_into(qtbot, form, "compAmount", amount)
    assert f"提交{cell}审批" in child(form, QLabel, "compHint").text()
    with qtbot.waitSignal(form.recorded, timeout=10_000):
        qtbot.keyClick(child(form, QLineEdit, "compAmount"), Qt.Key.Key_Return)
    assert child(form, QLabel, "compOutcome").text().startswith(said)
