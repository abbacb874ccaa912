"""What the approvals list shows (complaint, problem, level, requester, amount against the
limit, age; oldest first, old ones marked by policy) and the PIN asked again."""

from __future__ import annotations

import copy
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from desktop import compensation
from desktop.desk import Desk, install_policy_document, reload_policy
from desktop.staff import Staff
from desktop.tickets import create_ticket
from desktop.views import compensations_of
from domain.clock import FixedClock
from tests.conftest import PINS
from tests.ui.test_approvals_panel import panel
from tests.ui.test_ticket_panel import child, type_text
from ui.approvals_panel import COLUMNS, ApprovalsPanel
from ui.context import AppContext

__all__ = ["panel"]  # the fixture of the approvals-panel tests

RUDE = "收银员态度很差，问她问题不理人还翻白眼，我要投诉她"
LATE = "线上买的东西配送晚了两天"


def _cells(table: QTableWidget, row: int) -> dict[str, str]:
    return {key: table.item(row, c).text() for c, key in enumerate(COLUMNS)}


AGE = COLUMNS.index("age")


def _requests(desk: Desk, staff: dict[str, Staff], clock: FixedClock) -> tuple[str, str]:
    first = create_ticket(desk, staff["d1"], {"text": RUDE}).ticket
    old = compensation.compensate(desk, staff["d1"], first.id, amount="600", kind="cash",
                                  note="顾客情绪激动")
    clock.advance(hours=30)
    second = create_ticket(desk, staff["c1"], {"text": LATE}).ticket
    new = compensation.compensate(desk, staff["c1"], second.id, amount="250", kind="refund")
    clock.advance(minutes=45)
    return old.compensation.id, new.compensation.id


def test_each_request_shows_what_the_manager_weighs_oldest_first(
    ctx: AppContext, panel: ApprovalsPanel, desk: Desk, staff: dict[str, Staff],
    clock: FixedClock, login: Callable[[str], Staff],
) -> None:
    old, new = _requests(desk, staff, clock)
    login("m1")
    panel.refresh()
    assert [r.compensation_id for r in panel.requests()] == [old, new]
    table: QTableWidget = child(panel, QTableWidget, "approvalsTable")
    first, second = _cells(table, 0), _cells(table, 1)
    assert first["ticket"].endswith("0001") and first["level"] == "二级"
    assert "服务" in first["problem"] and "服务态度" in first["problem"]
    assert (first["amount"], first["limit"]) == ("600.00", "500.00")
    assert (second["amount"], second["limit"]) == ("250.00", "200.00")  # the cashier's
    assert "服务台小李" in first["requester"] and "收银员小王" in second["requester"]
    assert first["kind"] == "现金" and first["waiting_for"] == "店长"
    # 30 h 45 min: older than the policy's 24 h, marked; 45 min is not.
    assert "1天6小时" in first["age"] and "⚠" in first["age"] and "超时" in first["age"]
    assert second["age"] == "45分钟"
    assert table.item(0, AGE).foreground().color().name() == "#c5221f"
    assert "1 笔已等待超过 24 小时" in child(panel, QLabel, "approvalsTitle").text()
    # The selected request spelled out, with the complaint's text.
    assert panel.select(old)
    details = child(panel, QLabel, "approvalDetails").text()
    assert RUDE in details and "顾客情绪激动" in details
    assert "500.00" in details and "100.00" in details  # its limit, and how far above


def test_old_is_policy_data(
    ctx: AppContext, panel: ApprovalsPanel, desk: Desk, staff: dict[str, Staff],
    clock: FixedClock, login: Callable[[str], Staff],
) -> None:
    _requests(desk, staff, clock)
    doc = copy.deepcopy(desk.policy.raw)
    doc["policy_version"] += "-30m"
    doc["approvals"] = {"old_after_hours": 72}
    install_policy_document(desk, doc)
    reload_policy(ctx.desk)
    login("m1")
    panel.refresh()
    table: QTableWidget = child(panel, QTableWidget, "approvalsTable")
    assert "⚠" not in table.item(0, AGE).text()


def test_approving_asks_the_pin_again_and_a_wrong_one_records_nothing(
    ctx: AppContext, panel: ApprovalsPanel, desk: Desk, staff: dict[str, Staff],
    clock: FixedClock, login: Callable[[str], Staff], qtbot: QtBot,
    wait_idle: Callable[[], None],
) -> None:
    old, _new = _requests(desk, staff, clock)
    login("m1")
    panel.refresh()
    assert panel.select(old)
    qtbot.mouseClick(child(panel, QPushButton, "approveButton"), Qt.MouseButton.LeftButton)
    box: QFrame = child(panel, QFrame, "approvalConfirm")
    assert box.isVisible() and panel.confirming() == old
    prompt = child(panel, QLabel, "approvalConfirmText").text()
    assert "600.00" in prompt and "服务台小李" in prompt and "店长张伟" in prompt
    pin: QLineEdit = child(panel, QLineEdit, "approvalPin")
    # A refresh (a timer, a pull, another desk's change) keeps the prompt and the typing.
    type_text(qtbot, pin, "00")
    panel.refresh()
    assert box.isVisible() and pin.text() == "00"
    type_text(qtbot, pin, "00")
    qtbot.keyClick(pin, Qt.Key.Key_Return)
    wait_idle()
    assert compensations_of(desk.conn, _ticket_of(desk, old))[0]["status"] == "pending_approval"
    assert child(panel, QLabel, "approvalError").text() != ""
    assert pin.text() == "" and box.isVisible()
    type_text(qtbot, pin, PINS["m1"])
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        qtbot.keyClick(pin, Qt.Key.Key_Return)
    wait_idle()
    [line] = compensations_of(desk.conn, _ticket_of(desk, old))
    assert line["status"] == "granted" and line["approved_by"] == "m1"
    said = child(panel, QLabel, "approvalOutcome").text()
    assert "已批准" in said and "600.00" in said and "服务台小李" in said and "店长张伟" in said
    assert not box.isVisible() and panel.confirming() is None


def test_another_staff_member_closes_the_pin_prompt(
    ctx: AppContext, panel: ApprovalsPanel, desk: Desk, staff: dict[str, Staff],
    clock: FixedClock, login: Callable[[str], Staff], qtbot: QtBot,
) -> None:
    _requests(desk, staff, clock)
    login("m1")
    panel.refresh()
    qtbot.mouseClick(child(panel, QPushButton, "approveButton"), Qt.MouseButton.LeftButton)
    assert panel.confirming() is not None
    login("m2")
    assert panel.confirming() is None
    assert not child(panel, QFrame, "approvalConfirm").isVisible()


def _ticket_of(desk: Desk, compensation_id: str) -> str:
    return str(desk.conn.execute("SELECT ticket_id FROM compensations WHERE id = ?",
                                 (compensation_id,)).fetchone()[0])


def test_ages_move_on_in_place_without_disturbing_the_manager(
    ctx: AppContext, panel: ApprovalsPanel, desk: Desk, staff: dict[str, Staff],
    clock: FixedClock, login: Callable[[str], Staff], qtbot: QtBot,
) -> None:
    _old, new = _requests(desk, staff, clock)
    login("m1")
    panel.refresh()
    assert panel.select(new)
    table: QTableWidget = child(panel, QTableWidget, "approvalsTable")
    assert "⚠" not in table.item(1, AGE).text()
    type_text(qtbot, child(panel, QLineEdit, "approvalNote"), "核实中")
    qtbot.mouseClick(child(panel, QPushButton, "approveButton"), Qt.MouseButton.LeftButton)
    pin: QLineEdit = child(panel, QLineEdit, "approvalPin")
    type_text(qtbot, pin, "99")
    clock.advance(hours=24)
    panel.update_ages()  # the timer's slot
    assert "⚠" in table.item(1, AGE).text() and "1天" in table.item(1, AGE).text()
    assert panel.requests()[table.currentRow()].compensation_id == new
    assert panel.confirming() == new and pin.text() == "99"
    assert child(panel, QLineEdit, "approvalNote").text() == "核实中"
