"""The ticket view driven through its widgets: the whole loop, void, merge, reopen, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop.desk import Desk, install_policy
from desktop.staff import Staff
from desktop.tickets import create_ticket, get_ticket
from domain.clock import FixedClock
from domain.fold import TicketState
from tests.ui.keyboard import type_text
from ui.context import AppContext
from ui.ticket_panel import TicketPanel, duration_text


@pytest.fixture
def ticket(desk: Desk, staff: dict[str, Staff]) -> TicketState:
    """A level-2 complaint with a phone number, recorded by d1 at the desk."""
    return create_ticket(desk, staff["d1"], {
        "text": "收银员态度很差，找零少给了五块钱",
        "customer": {"phone": "13812345678"},
    }).ticket


@pytest.fixture
def panel(ctx: AppContext, qtbot: QtBot) -> TicketPanel:
    widget = TicketPanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 750)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def child(panel: QWidget, cls: type, name: str):  # type: ignore[no-untyped-def]
    found = panel.findChild(cls, name)
    assert found is not None, name
    return found


def button(panel: QWidget, name: str) -> QPushButton:
    found: QPushButton = child(panel, QPushButton, name)
    return found


def visible_actions(panel: TicketPanel) -> set[str]:
    return {b.objectName().removeprefix("action_")
            for b in panel.findChildren(QPushButton) if b.objectName().startswith("action_")
            and b.isVisible()}


def click(qtbot: QtBot, widget: QPushButton) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, panel: QWidget, name: str, text: str) -> None:
    edit: QLineEdit = child(panel, QLineEdit, name)
    edit.clear()
    type_text(qtbot, edit, text)


def save(qtbot: QtBot, ctx: AppContext, panel: TicketPanel, page: str) -> None:
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        click(qtbot, button(panel, f"submit_{page}"))


def status(desk: Desk, ticket: TicketState) -> str:
    return get_ticket(desk, ticket.id).status


def timeline_text(panel: TicketPanel) -> str:
    lst: QListWidget = child(panel, QListWidget, "ticketTimeline")
    return "\n".join(lst.item(i).text() for i in range(lst.count()))


def test_header_shows_the_ticket(ctx: AppContext, panel: TicketPanel, ticket: TicketState,
                                 login: Callable[[str], Staff], clock: FixedClock) -> None:
    login("d1")
    panel.show_ticket(ticket.id)
    assert panel.current_ticket_id() == ticket.id
    assert child(panel, QLabel, "ticketNumber").text() == ticket.number
    assert child(panel, QLabel, "levelBadge").text() == "二级"
    assert child(panel, QLabel, "ticketStatus").text() == "受理"
    # The handler must call back: desk staff see the whole number (domain.privacy).
    assert child(panel, QLabel, "ticketPhone").text().endswith("13812345678")
    assert child(panel, QLabel, "ticketText").text() == ticket.text
    assert not child(panel, QLabel, "ticketConflict").isVisible()
    # The countdown follows the desk's clock (level 2: 240 minutes).
    countdown = child(panel, QLabel, "ticketCountdown")
    assert "4:00:00" in countdown.text()
    clock.advance(minutes=250)
    panel._tick()
    assert "0:10:00" in countdown.text() and countdown.text() != ""
    assert "overdue" in countdown.text().lower() or "超时" in countdown.text()


def test_the_timeline_names_the_model_that_graded_the_ticket(
        ctx: AppContext, panel: TicketPanel, ticket: TicketState, desk: Desk,
        login: Callable[[str], Staff]) -> None:
    login("d1")
    panel.show_ticket(ticket.id)
    model = desk.triage.model
    assert model is not None
    assert f"由规则和模型 {model.version} 分级" in timeline_text(panel)


def test_unknown_ticket_says_so(ctx: AppContext, panel: TicketPanel,
                                login: Callable[[str], Staff]) -> None:
    login("d1")
    panel.show_ticket("XT01-D2-20990101-0001")
    assert panel.current_ticket_id() is None
    assert "XT01-D2-20990101-0001" in child(panel, QLabel, "ticketError").text()


def test_desk_clerk_takes_a_ticket_round_the_whole_loop(
    ctx: AppContext, panel: TicketPanel, ticket: TicketState, desk: Desk,
    login: Callable[[str], Staff], qtbot: QtBot,
) -> None:
    login("d1")
    panel.show_ticket(ticket.id)
    # 受理: contact the customer (first response).
    click(qtbot, button(panel, "action_contact"))
    method: QComboBox = child(panel, QComboBox, "contactMethod")
    method.setCurrentIndex(method.findData("phone"))
    type_into(qtbot, panel, "contactText", "已致电顾客道歉")
    save(qtbot, ctx, panel, "contact")
    assert get_ticket(desk, ticket.id).first_response_at is not None
    assert "已致电顾客道歉" in timeline_text(panel)
    # 受理 → 整改 (d1 becomes the handler).
    click(qtbot, button(panel, "action_advance_rectifying"))
    type_into(qtbot, panel, "advanceNote", "收银员培训")
    save(qtbot, ctx, panel, "advance")
    assert status(desk, ticket) == "rectifying"
    assert "受理 → 整改" in timeline_text(panel)
    # 整改 → 复核, still d1.
    click(qtbot, button(panel, "action_advance_reviewing"))
    save(qtbot, ctx, panel, "advance")
    assert status(desk, ticket) == "reviewing"
    # The handler cannot review their own work: no review buttons for d1.
    assert "advance_accountability" not in visible_actions(panel)
    # d2 reviews and passes it; the panel follows the staff change.
    login("d2")
    assert "advance_accountability" in visible_actions(panel)
    click(qtbot, button(panel, "action_advance_accountability"))
    save(qtbot, ctx, panel, "advance")
    assert status(desk, ticket) == "accountability"
    assert "复核 → 奖惩" in timeline_text(panel)
    # The manager closes it with the accountability outcome.
    login("m1")
    click(qtbot, button(panel, "action_advance_closed"))
    outcome: QComboBox = child(panel, QComboBox, "closeOutcome")
    outcome.setCurrentIndex(outcome.findData("penalty"))
    type_into(qtbot, panel, "closeSubject", "收银员小王")
    type_into(qtbot, panel, "closeNote", "扣当月服务分")
    save(qtbot, ctx, panel, "close")
    assert status(desk, ticket) == "closed"
    assert child(panel, QLabel, "ticketStatus").text() == "完结"
    # Follow-up call: the rating.
    click(qtbot, button(panel, "action_rate"))
    score: QSpinBox = child(panel, QSpinBox, "rateScore")
    score.selectAll()
    qtbot.keyClicks(score, "4")
    type_into(qtbot, panel, "rateComment", "处理及时")
    save(qtbot, ctx, panel, "rate")
    rated = get_ticket(desk, ticket.id)
    assert rated.status == "rated" and rated.rating == 4
    assert child(panel, QLabel, "ticketStatus").text() == "已评价"
    assert "★★★★☆" in timeline_text(panel)
    assert "收银员小王" in timeline_text(panel)


def test_close_without_outcome_is_refused_and_keeps_the_typing(
    ctx: AppContext, panel: TicketPanel, ticket: TicketState, desk: Desk,
    staff: dict[str, Staff], login: Callable[[str], Staff], qtbot: QtBot,
    wait_idle: Callable[[], None],
) -> None:
    from desktop import ticket_actions as handling

    handling.advance(desk, staff["d1"], ticket.id, "rectifying")
    handling.advance(desk, staff["d1"], ticket.id, "reviewing")
    handling.advance(desk, staff["d2"], ticket.id, "accountability")
    login("m1")
    panel.show_ticket(ticket.id)
    click(qtbot, button(panel, "action_advance_closed"))
    type_into(qtbot, panel, "closeNote", "顾客已满意")
    click(qtbot, button(panel, "submit_close"))  # no outcome chosen
    wait_idle()
    assert status(desk, ticket) == "accountability"
    assert child(panel, QLabel, "error_close").text() != ""
    assert child(panel, QLineEdit, "closeNote").text() == "顾客已满意"
    assert panel.action_bar.open_form() == "advance:closed"


def test_failed_merge_keeps_the_typed_text(
    ctx: AppContext, panel: TicketPanel, ticket: TicketState, desk: Desk,
    login: Callable[[str], Staff], qtbot: QtBot, wait_idle: Callable[[], None],
) -> None:
    login("d1")
    panel.show_ticket(ticket.id)
    click(qtbot, button(panel, "action_merge"))
    type_into(qtbot, panel, "mergeInto", "XT01-D2-20261122-0099")
    type_into(qtbot, panel, "mergeReason", "同一顾客重复登记")
    qtbot.keyClick(child(panel, QLineEdit, "mergeReason"), Qt.Key.Key_Return)
    wait_idle()
    assert "XT01-D2-20261122-0099" in child(panel, QLabel, "error_merge").text()
    assert child(panel, QLineEdit, "mergeInto").text() == "XT01-D2-20261122-0099"
    assert child(panel, QLineEdit, "mergeReason").text() == "同一顾客重复登记"
    assert status(desk, ticket) == "accepted"


def test_merge_into_another_ticket(
    ctx: AppContext, panel: TicketPanel, ticket: TicketState, desk: Desk,
    staff: dict[str, Staff], login: Callable[[str], Staff], qtbot: QtBot,
) -> None:
    other = create_ticket(desk, staff["d1"], {"text": "找零少给了五块，收银员还很凶"}).ticket
    login("d1")
    panel.show_ticket(other.id)
    click(qtbot, button(panel, "action_merge"))
    type_into(qtbot, panel, "mergeInto", ticket.number)
    type_into(qtbot, panel, "mergeReason", "重复登记")
    save(qtbot, ctx, panel, "merge")
    merged = get_ticket(desk, other.id)
    assert merged.status == "merged" and merged.merged_into == ticket.id
    assert ticket.number in timeline_text(panel)
    # A merged ticket offers nothing more.
    assert visible_actions(panel) == set()


def test_manager_voids_and_desk_clerk_sees_no_void(
    ctx: AppContext, panel: TicketPanel, ticket: TicketState, desk: Desk,
    login: Callable[[str], Staff], qtbot: QtBot,
) -> None:
    login("d1")
    panel.show_ticket(ticket.id)
    assert "void" not in visible_actions(panel)
    assert {"contact", "note", "compensate", "merge", "advance_rectifying"} <= visible_actions(
        panel)
    login("m1")
    assert "void" in visible_actions(panel)
    click(qtbot, button(panel, "action_void"))
    type_into(qtbot, panel, "voidReason", "测试录入，误操作")
    save(qtbot, ctx, panel, "void")
    assert status(desk, ticket) == "voided"
    assert child(panel, QLabel, "ticketStatus").text() == "已作废"
    assert "测试录入，误操作" in timeline_text(panel)
    assert visible_actions(panel) == set()


def test_reopen_after_rating(
    ctx: AppContext, panel: TicketPanel, ticket: TicketState, desk: Desk,
    staff: dict[str, Staff], login: Callable[[str], Staff], qtbot: QtBot,
) -> None:
    from desktop import ticket_actions as handling

    handling.advance(desk, staff["d1"], ticket.id, "rectifying")
    handling.advance(desk, staff["d1"], ticket.id, "reviewing")
    handling.advance(desk, staff["d2"], ticket.id, "accountability")
    handling.advance(desk, staff["m1"], ticket.id, "closed",
                     accountability={"outcome": "none"})
    handling.rate(desk, staff["d1"], ticket.id, 2, "还是不满意")
    login("d1")
    panel.show_ticket(ticket.id)
    assert "reopen" in visible_actions(panel) and "rate" not in visible_actions(panel)
    click(qtbot, button(panel, "action_reopen"))
    type_into(qtbot, panel, "reopenReason", "顾客回访不满意，要求重新处理")
    save(qtbot, ctx, panel, "reopen")
    reopened = get_ticket(desk, ticket.id)
    assert reopened.status == "rectifying" and reopened.reopen_count == 1
    assert "已评价 → 整改" in timeline_text(panel)


def test_note_by_keyboard_and_triage_correction(
    ctx: AppContext, panel: TicketPanel, ticket: TicketState, desk: Desk,
    login: Callable[[str], Staff], qtbot: QtBot,
) -> None:
    login("m1")
    panel.show_ticket(ticket.id)
    click(qtbot, button(panel, "action_note"))
    note = child(panel, QLineEdit, "noteText")
    type_text(qtbot, note, "顾客下午再来")
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        qtbot.keyClick(note, Qt.Key.Key_Return)
    assert "顾客下午再来" in timeline_text(panel)
    assert note.text() == ""  # saved: the form is clear for the next note
    click(qtbot, button(panel, "action_correct"))
    level: QComboBox = child(panel, QComboBox, "correctLevel")
    level.setCurrentIndex(level.findData(1))
    type_into(qtbot, panel, "correctReason", "顾客要投诉到12315")
    save(qtbot, ctx, panel, "correct")
    assert get_ticket(desk, ticket.id).level == 1
    assert child(panel, QLabel, "levelBadge").text() == "一级"


def test_duration_text() -> None:
    assert duration_text(3725) == "1:02:05"
    assert duration_text(-59) == "0:00:59"


def test_handling_staff_see_who_the_customer_is_and_what_was_bought(
        ctx: AppContext, panel: TicketPanel, desk: Desk, staff: dict[str, Staff],
        login: Callable[[str], Staff], tmp_path: Path) -> None:
    """Name, full phone, product, SKU and the amount paid (from integer fen); a cashier
    and any place the policy lists see the phone masked."""
    ticket = create_ticket(desk, staff["c1"], {
        "text": "酸奶过期了，孩子喝了拉肚子",
        "customer": {"phone": "13812345678", "name": "王女士", "member_tier": "gold"},
        "product": {"name": "蒙牛纯牛奶 250ml×12", "sku": "6901234567890"},
        "amount_paid": "1,234.50",
    }).ticket
    assert ticket.amount_paid_fen == 123450
    for who in ("d1", "m1"):
        login(who)
        panel.show_ticket(ticket.id)
        labels = {name: child(panel, QLabel, name) for name in (
            "ticketCustomerName", "ticketPhone", "ticketProduct", "ticketSku",
            "ticketAmountPaid", "ticketCustomerTier")}
        assert all(label.isVisible() for label in labels.values())
        assert "王女士" in labels["ticketCustomerName"].text()
        assert labels["ticketPhone"].text().endswith("13812345678")
        assert "蒙牛纯牛奶 250ml×12" in labels["ticketProduct"].text()
        assert "6901234567890" in labels["ticketSku"].text()
        assert "¥1,234.50" in labels["ticketAmountPaid"].text()
        assert labels["ticketCustomerTier"].text() == "金卡"
    login("c1")  # the cashier is no handler: masked (the panel re-reads on the change)
    assert child(panel, QLabel, "ticketPhone").text().endswith("138****5678")
    assert "13812345678" not in child(panel, QLabel, "ticketPhone").text()
    # The policy may mask it on the ticket view too.
    doc = json.loads(json.dumps(desk.policy.raw))
    doc["privacy"] = {"mask_phone_in": ["ticket_view", "receipt", "progress_page"]}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    install_policy(ctx.desk, path)
    login("m1")
    panel.show_ticket(ticket.id)
    assert child(panel, QLabel, "ticketPhone").text().endswith("138****5678")
    # A ticket without those facts shows no empty captions.
    bare = create_ticket(desk, staff["d1"], {"text": "请问几点关门"}).ticket
    panel.show_ticket(bare.id)
    for name in ("ticketCustomerName", "ticketPhone", "ticketProduct", "ticketSku",
                 "ticketAmountPaid", "ticketCustomerTier"):
        assert not child(panel, QLabel, name).isVisible()
