"""The compensation form: limits before typing, the live hint, override on the spot."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket, get_ticket
from desktop.views import compensations_of
from domain.fold import TicketState
from tests.conftest import PINS
from tests.ui.test_ticket_panel import child, type_into, type_text
from ui.compensation_form import CompensationForm
from ui.context import AppContext


@pytest.fixture
def ticket(desk: Desk, staff: dict[str, Staff]) -> TicketState:
    """A level-2 complaint of a customer with a phone number."""
    return create_ticket(desk, staff["d1"], {
        "text": "买的电饭煲用了两天就坏了，要求换货",
        "customer": {"phone": "13812345678"},
    }).ticket


@pytest.fixture
def form(ctx: AppContext, qtbot: QtBot, ticket: TicketState,
         login: Callable[[str], Staff]) -> CompensationForm:
    login("d1")
    widget = CompensationForm(ctx)
    qtbot.addWidget(widget)
    widget.resize(700, 520)
    widget.set_ticket(get_ticket(ctx.desk, ticket.id))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def ledger(desk: Desk, ticket: TicketState) -> list[dict[str, object]]:
    return compensations_of(desk.conn, ticket.id)


def click(qtbot: QtBot, form: CompensationForm, name: str) -> None:
    button: QPushButton = child(form, QPushButton, name)
    assert button.isVisible() and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose_kind(form: CompensationForm, kind: str) -> None:
    combo: QComboBox = child(form, QComboBox, "compKind")
    combo.setCurrentIndex(combo.findData(kind))


def test_limits_show_before_any_amount(form: CompensationForm, desk: Desk,
                                       staff: dict[str, Staff], ticket: TicketState,
                                       login: Callable[[str], Staff]) -> None:
    limits = child(form, QLabel, "compLimits").text()
    assert "500.00" in limits  # the desk's own limit
    assert "0.00" in limits and "5000.00" in limits  # the store's day against its cap
    assert "3" in limits and "30" in limits  # the customer's grants in the window
    assert child(form, QLineEdit, "compAmount").text() == ""
    assert not child(form, QPushButton, "compGrant").isEnabled()
    # A manager sees their own limit.
    login("m1")
    assert "1000.00" in child(form, QLabel, "compLimits").text()
    summary = form.summary()
    assert summary is not None and summary.own_limit_fen == 100_000


def test_suggestion_for_food_safety(ctx: AppContext, desk: Desk, staff: dict[str, Staff],
                                    qtbot: QtBot, login: Callable[[str], Staff]) -> None:
    spoiled = create_ticket(desk, staff["d1"], {
        "text": "酸奶过期了，孩子喝了拉肚子", "amount_paid": "12.50"}).ticket
    login("d1")
    widget = CompensationForm(ctx)
    qtbot.addWidget(widget)
    widget.set_ticket(spoiled)
    assert "1000.00" in child(widget, QLabel, "compLimits").text()  # statutory minimum
    assert child(widget, QComboBox, "compKind").currentData() == "cash"


def test_within_limit_is_granted(form: CompensationForm, ctx: AppContext, desk: Desk,
                                 ticket: TicketState, qtbot: QtBot) -> None:
    choose_kind(form, "coupon")
    type_into(qtbot, form, "compAmount", "300")
    hint = child(form, QLabel, "compHint")
    assert hint.text() != ""
    assert not child(form, QFrame, "compOverride").isVisible()
    type_into(qtbot, form, "compNote", "赠送优惠券")
    with qtbot.waitSignal(form.recorded, timeout=10_000) as signal:
        click(qtbot, form, "compGrant")
    assert signal.args[0].status == "granted"
    [line] = ledger(desk, ticket)
    assert line["status"] == "granted" and line["amount_fen"] == 30_000
    assert line["kind"] == "coupon"
    assert "300.00" in child(form, QLabel, "compOutcome").text()
    assert child(form, QLineEdit, "compAmount").text() == ""
    assert "300.00" in child(form, QLabel, "compLimits").text()  # the store's day moved


def test_above_limit_with_manager_override(form: CompensationForm, desk: Desk,
                                           ticket: TicketState, qtbot: QtBot) -> None:
    type_into(qtbot, form, "compAmount", "800")
    override = child(form, QFrame, "compOverride")
    assert override.isVisible()
    assert child(form, QPushButton, "compSendForApproval").isVisible()
    assert not child(form, QPushButton, "compGrant").isVisible()
    type_into(qtbot, form, "compApproverId", "m1")
    type_text(qtbot, child(form, QLineEdit, "compApproverPin"), PINS["m1"])
    with qtbot.waitSignal(form.recorded, timeout=10_000) as signal:
        click(qtbot, form, "compApproveNow")
    assert signal.args[0].status == "granted"
    [line] = ledger(desk, ticket)
    assert line["status"] == "granted" and line["approved_by"] == "m1"
    assert line["amount_fen"] == 80_000
    assert child(form, QLineEdit, "compApproverPin").text() == ""


def test_wrong_pin_records_nothing_and_says_so(
    form: CompensationForm, desk: Desk, ticket: TicketState, qtbot: QtBot,
    wait_idle: Callable[[], None],
) -> None:
    type_into(qtbot, form, "compAmount", "800")
    type_into(qtbot, form, "compNote", "顾客坚持")
    type_into(qtbot, form, "compApproverId", "m1")
    type_text(qtbot, child(form, QLineEdit, "compApproverPin"), "0000")
    click(qtbot, form, "compApproveNow")
    wait_idle()
    assert ledger(desk, ticket) == []
    message = child(form, QLabel, "compError").text()
    assert "m1" in message and "4" in message  # who, and the tries left
    assert child(form, QLineEdit, "compAmount").text() == "800"
    assert child(form, QLineEdit, "compNote").text() == "顾客坚持"
    assert child(form, QLineEdit, "compApproverPin").text() == ""


def test_send_for_approval_leaves_it_pending(form: CompensationForm, desk: Desk,
                                             ticket: TicketState, qtbot: QtBot) -> None:
    type_into(qtbot, form, "compAmount", "600")
    with qtbot.waitSignal(form.recorded, timeout=10_000) as signal:
        click(qtbot, form, "compSendForApproval")
    assert signal.args[0].status == "pending_approval"
    [line] = ledger(desk, ticket)
    assert line["status"] == "pending_approval" and line["approval_level"] == "manager"
    assert child(form, QLabel, "compOutcome").text() != ""


def test_above_manager_limit_goes_to_headquarters(form: CompensationForm, desk: Desk,
                                                  ticket: TicketState, qtbot: QtBot) -> None:
    type_into(qtbot, form, "compAmount", "1500")
    assert not child(form, QFrame, "compOverride").isVisible()
    assert child(form, QPushButton, "compSendForApproval").isVisible()
    with qtbot.waitSignal(form.recorded, timeout=10_000):
        qtbot.keyClick(child(form, QLineEdit, "compAmount"), Qt.Key.Key_Return)
    [line] = ledger(desk, ticket)
    assert line["status"] == "pending_approval" and line["approval_level"] == "hq"


@pytest.mark.parametrize("typed", ["-5", "0", "NaN", "abc", "12.345", "0.00"])
def test_bad_amounts_are_caught_at_the_field(form: CompensationForm, typed: str,
                                             qtbot: QtBot, desk: Desk,
                                             ticket: TicketState) -> None:
    type_into(qtbot, form, "compAmount", typed)
    assert child(form, QLabel, "compAmountError").text() != ""
    assert not child(form, QPushButton, "compGrant").isEnabled()
    qtbot.keyClick(child(form, QLineEdit, "compAmount"), Qt.Key.Key_Return)
    assert ledger(desk, ticket) == []
    type_into(qtbot, form, "compAmount", "12.50")
    assert child(form, QLabel, "compAmountError").text() == ""
    assert child(form, QPushButton, "compGrant").isEnabled()
