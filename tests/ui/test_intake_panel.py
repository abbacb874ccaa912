"""The intake form, driven like staff drive it: keys typed, buttons clicked, real SQLite."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from desktop import ticket_actions as handling
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.errors import InvalidInput
from domain.intake import parse_intake
from tests.ui.keyboard import type_text
from ui.context import AppContext
from ui.intake_panel import IntakePanel
from ui.labels import error_message

SAMPLES = Path("/work/shared/samples/complaints.jsonl")
Login = Callable[[str], Staff]


def _samples(**match: Any) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in SAMPLES.read_text("utf-8").splitlines() if line]
    return [r for r in rows if all(r.get(k) == v for k, v in match.items())]


def _food_safety() -> dict[str, Any]:
    return next(s for s in _samples(level=1, channel="desk", member_tier="none")
                if s["flags"] == ["food_safety"])


@pytest.fixture
def panel(ctx: AppContext, qtbot: QtBot) -> Iterator[IntakePanel]:
    widget = IntakePanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 720)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()  # before the context closes its connections


def _tickets(ctx: AppContext) -> int:
    return int(ctx.desk.conn.execute("SELECT count(*) FROM tickets").fetchone()[0])


def _child(panel: IntakePanel, cls: type[QWidget], name: str) -> Any:
    found = panel.findChild(cls, name)
    assert found is not None, name
    return found


def _error(panel: IntakePanel, key: str) -> QLabel:
    label: QLabel = _child(panel, QLabel, f"intake_{key}_error")
    return label


def _level(panel: IntakePanel) -> int:
    return int(_child(panel, QLabel, "triage_level").property("level") or 0)


def _save_with_keys(panel: IntakePanel, qtbot: QtBot) -> None:
    qtbot.keyClick(panel.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_typing_a_food_safety_complaint_shows_level_1_live(
    panel: IntakePanel, qtbot: QtBot
) -> None:
    sample = _food_safety()
    assert _level(panel) == 0
    type_text(qtbot, panel.text, sample["text"])
    qtbot.waitUntil(lambda: _level(panel) == sample["level"], timeout=3000)
    flags = _child(panel, QLabel, "triage_flags")
    assert flags.isVisible() and flags.text()
    assert _child(panel, QLabel, "triage_target").text()
    assert _child(panel, QLabel, "triage_reasons").text().strip()
    # Rewriting it as an inquiry lowers the suggestion live.
    inquiry = _samples(level=3, member_tier="none")[0]
    panel.text.selectAll()
    type_text(qtbot, panel.text, inquiry["text"])
    qtbot.waitUntil(lambda: _level(panel) == 3, timeout=3000)
    assert not flags.isVisible()


def test_duplicate_warning_after_saving_a_similar_one(
    ctx: AppContext, panel: IntakePanel, qtbot: QtBot, login: Login
) -> None:
    login("d1")
    text = _food_safety()["text"]
    type_text(qtbot, panel.text, text)
    with qtbot.waitSignal(panel.saved, timeout=5000) as saved:
        _save_with_keys(panel, qtbot)
    ticket_id, number = saved.args
    assert number in _child(panel, QLabel, "intake_status").text()
    assert not panel.has_unsaved()

    type_text(qtbot, panel.text, text + "，还没人处理")
    box = _child(panel, QWidget, "duplicates_box")
    qtbot.waitUntil(box.isVisible, timeout=3000)
    dupes: QListWidget = _child(panel, QListWidget, "duplicates_list")
    assert dupes.count() == 1
    assert number in dupes.item(0).text()
    with qtbot.waitSignal(panel.open_ticket, timeout=1000) as opened:
        rect = dupes.visualItemRect(dupes.item(0))
        qtbot.mouseClick(dupes.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [ticket_id]


def test_customer_history_appears_for_a_phone_with_earlier_tickets(
    desk: Desk, staff: dict[str, Staff], panel: IntakePanel, qtbot: QtBot
) -> None:
    older = create_ticket(desk, staff["d1"], {"text": _samples(subcategory="quality")[0]["text"],
                                              "customer": {"phone": "13812345678"}}).ticket
    box = _child(panel, QWidget, "history_box")
    type_text(qtbot, panel.phone, "138 1234 567")  # not a phone yet: nothing shown
    qtbot.waitUntil(lambda: _error(panel, "phone").isVisible(), timeout=3000)
    assert not box.isVisible()
    type_text(qtbot, panel.phone, "8")
    qtbot.waitUntil(box.isVisible, timeout=3000)
    assert not _error(panel, "phone").isVisible()
    history: QListWidget = _child(panel, QListWidget, "history_list")
    assert history.count() == 1
    assert older.number in history.item(0).text()
    assert history.item(0).data(Qt.ItemDataRole.UserRole) == older.id
    assert "138****5678" in _child(panel, QLabel, "history_summary").text()
    # Keyboard: Enter on the selected earlier ticket opens it.
    history.setFocus()
    history.setCurrentRow(0)
    with qtbot.waitSignal(panel.open_ticket, timeout=1000) as opened:
        qtbot.keyClick(history, Qt.Key.Key_Return)
    assert opened.args == [older.id]


def test_similar_resolved_ticket_is_shown_with_its_resolution(
    desk: Desk, staff: dict[str, Staff], panel: IntakePanel, qtbot: QtBot
) -> None:
    texts = [s["text"] for s in _samples(subcategory="spoiled")]
    old = create_ticket(desk, staff["d1"], {"text": texts[0]}).ticket
    handling.advance(desk, staff["d1"], old.id, "rectifying")
    handling.advance(desk, staff["d1"], old.id, "reviewing")
    handling.advance(desk, staff["m1"], old.id, "accountability")
    handling.advance(desk, staff["m1"], old.id, "closed", note="退款并赠送同款一盒，已下架同批次",
                     accountability={"outcome": "penalty", "subject": "生鲜部"})
    desk.clock.advance(minutes=60 * 24 * 3)  # no longer a duplicate, still similar
    type_text(qtbot, panel.text, texts[0])
    similar: QListWidget = _child(panel, QListWidget, "similar_list")
    qtbot.waitUntil(lambda: similar.count() > 0, timeout=3000)
    assert _child(panel, QWidget, "similar_box").isVisible()
    shown = similar.item(0).text()
    assert old.number in shown
    assert "退款并赠送同款一盒，已下架同批次" in shown
    assert "生鲜部" in shown


BAD_INPUTS = [
    # (field, what staff typed into which widget)
    ("text", {"intake_phone": "13812345678"}),
    ("text", {"intake_text": "   \n  "}),
    ("phone", {"intake_text": "牛奶过期了", "intake_phone": "12345"}),
    ("phone", {"intake_text": "牛奶过期了", "intake_phone": "电话号码"}),
    ("amount", {"intake_text": "牛奶过期了", "intake_amount": "-5"}),
    ("amount", {"intake_text": "牛奶过期了", "intake_amount": "十二块"}),
    ("amount", {"intake_text": "牛奶过期了", "intake_amount": "1.234"}),
]


@pytest.mark.parametrize(("field", "typed"), BAD_INPUTS)
def test_bad_input_is_caught_at_the_field_and_nothing_is_saved(
    ctx: AppContext, panel: IntakePanel, qtbot: QtBot, login: Login,
    wait_idle: Callable[[], None], field: str, typed: dict[str, str]
) -> None:
    login("d1")
    for name, value in typed.items():
        type_text(qtbot, _child(panel, QWidget, name), value)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    label = _error(panel, field)
    assert label.isVisible()
    # The same words the core says for that input, in the user's language.
    with pytest.raises(InvalidInput) as raised:
        parse_intake(panel.form_data(), ctx.desk.policy)
    assert label.text() == error_message(raised.value, ctx.language)
    assert _child(panel, QWidget, f"intake_{field}").property("invalid") is True
    assert _tickets(ctx) == 0
    assert panel.save_button.isEnabled()
    # Fixing the field clears the mark.
    widget = _child(panel, QWidget, f"intake_{field}")
    widget.clear()
    type_text(qtbot, widget, {"text": "牛奶过期了", "phone": "13812345678",
                             "amount": "12.50"}[field])
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=3000)
    assert widget.property("invalid") is False


def test_a_huge_paste_is_refused_and_kept(
    ctx: AppContext, panel: IntakePanel, qtbot: QtBot, login: Login,
    wait_idle: Callable[[], None]
) -> None:
    login("d1")
    huge = "酸奶过期了，" * 200_000  # 1.2 million characters
    panel.text.setPlainText(huge)  # what a paste does
    label = _error(panel, "text")
    qtbot.waitUntil(label.isVisible, timeout=5000)
    assert str(len(huge)) in label.text()
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert _tickets(ctx) == 0
    assert panel.text.toPlainText() == huge
    assert panel.has_unsaved()


def test_a_failed_save_keeps_the_form_and_says_why(
    ctx: AppContext, desk: Desk, panel: IntakePanel, qtbot: QtBot, login: Login,
    wait_idle: Callable[[], None]
) -> None:
    login("d1")
    # A real failure inside SQLite, as a full disk would make the insert fail.
    desk.conn.execute("CREATE TRIGGER fail_all BEFORE INSERT ON events "
                      "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    text = _food_safety()["text"]
    type_text(qtbot, panel.text, text)
    type_text(qtbot, panel.phone, "13812345678")
    type_text(qtbot, panel.amount, "12.5")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert _tickets(ctx) == 0
    status = _child(panel, QLabel, "intake_status")
    assert "disk is full" in status.text()
    assert (panel.text.toPlainText(), panel.phone.text(), panel.amount.text()) == (
        text, "13812345678", "12.5")
    assert panel.save_button.isEnabled() and not panel.text.isReadOnly()
    assert panel.has_unsaved()

    desk.conn.execute("DROP TRIGGER fail_all")
    with qtbot.waitSignal(panel.saved, timeout=5000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert _tickets(ctx) == 1


def test_emoji_quotes_and_sql_are_saved_verbatim_with_every_field(
    ctx: AppContext, panel: IntakePanel, qtbot: QtBot, login: Login
) -> None:
    login("d1")
    text = "酸奶过期😡🤮 孩子喝了吐了'); DROP TABLE tickets; -- \"引号\" 👶🏻"
    panel.text.setPlainText(text)
    panel.channel.setCurrentIndex(panel.channel.findData("hotline"))
    panel.tier.setCurrentIndex(panel.tier.findData("gold"))
    type_text(qtbot, panel.phone, "0731-5812 3456")
    type_text(qtbot, panel.name, "王女士😊")
    type_text(qtbot, panel.product, "原味酸奶")
    type_text(qtbot, panel.sku, "6901234567890")
    type_text(qtbot, panel.amount, "¥12.50")
    panel.customers.setValue(2)
    with qtbot.waitSignal(panel.saved, timeout=5000) as saved:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    row = ctx.desk.conn.execute("SELECT * FROM tickets WHERE id = ?", (saved.args[0],)).fetchone()
    assert row["text"] == text
    assert (row["channel"], row["member_tier"], row["customer_phone"], row["customer_name"],
            row["product_name"], row["product_sku"], row["amount_paid_fen"], row["customers"]) == (
        "hotline", "gold", "073158123456", "王女士😊", "原味酸奶", "6901234567890", 1250, 2)
    assert row["number"] == saved.args[1]
    # Cleared for the next complaint, defaults back.
    assert not panel.has_unsaved()
    assert panel.channel.currentData() == "desk" and panel.customers.value() == 1


def test_ctrl_return_pressed_twice_quickly_saves_once(
    ctx: AppContext, panel: IntakePanel, qtbot: QtBot, login: Login,
    wait_idle: Callable[[], None]
) -> None:
    login("d1")
    type_text(qtbot, panel.text, _food_safety()["text"])
    numbers: list[str] = []
    panel.saved.connect(lambda _tid, number: numbers.append(number))
    _save_with_keys(panel, qtbot)
    _save_with_keys(panel, qtbot)
    wait_idle()
    assert _tickets(ctx) == 1
    assert len(numbers) == 1
    # Ctrl+S saves too.
    type_text(qtbot, panel.text, "请问几点关门")
    qtbot.keyClick(panel.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle()
    assert _tickets(ctx) == 2


def test_whoever_is_logged_in_at_save_time_records_it(
    ctx: AppContext, panel: IntakePanel, qtbot: QtBot, login: Login
) -> None:
    login("d1")
    type_text(qtbot, panel.text, "收银员多收了我五块钱")
    login("d2")  # staff switch with the form open: the form survives
    assert panel.text.toPlainText() == "收银员多收了我五块钱"
    with qtbot.waitSignal(panel.saved, timeout=5000) as saved:
        _save_with_keys(panel, qtbot)
    row = ctx.desk.conn.execute("SELECT created_by FROM tickets WHERE id = ?",
                                (saved.args[0],)).fetchone()
    assert row["created_by"] == "d2"


def test_nobody_logged_in_saves_nothing(
    ctx: AppContext, panel: IntakePanel, qtbot: QtBot, wait_idle: Callable[[], None]
) -> None:
    type_text(qtbot, panel.text, "收银员多收了我五块钱")
    _save_with_keys(panel, qtbot)
    wait_idle()
    assert _tickets(ctx) == 0
    assert _child(panel, QLabel, "intake_status").text()
    assert panel.has_unsaved()
