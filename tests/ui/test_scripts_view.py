"""The response scripts in the intake form and the ticket view, driven through real widgets
on a real desk database holding a pulled library."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QLineEdit, QListWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop import script_library
from desktop.changes import Changes
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.fold import TicketState
from tests.desktop.test_script_library import script_doc
from tests.ui.keyboard import type_text
from ui.context import AppContext
from ui.intake_panel import IntakePanel
from ui.ticket_panel import TicketPanel

Login = Callable[[str], Staff]

LIBRARY: dict[str, Any] = {
    "version": 2, "published_at": "2026-11-21T08:00:00.000Z", "published_by": "hq:王总",
    "scripts": [
        script_doc(),  # 变质食品处理: spoiled, levels 1 and 2, up to ¥500.00
        script_doc(id="points", subcategory="membership", levels=[], title="积分未到账",
                   say_first="先向顾客致歉，说明积分到账时间", offer_limit_fen=None,
                   legal_rule=None, may_offer=None),
        script_doc(id="sorry", subcategory="*", levels=[], title="通用致歉",
                   say_first="请先真诚道歉", check=None, may_offer=None,
                   offer_limit_fen=None, never_promise=None, legal_rule=None),
    ],
}


@pytest.fixture
def library(desk: Desk) -> None:
    """The library as a sync pull leaves it in the desk database."""
    script_library.install(desk, LIBRARY)


def child(parent: QWidget, cls: type, name: str) -> Any:
    found = parent.findChild(cls, name)
    assert found is not None, name
    return found


def titles(parent: QWidget, name: str) -> list[str]:
    lst: QListWidget = child(parent, QListWidget, name)
    return [lst.item(i).text() for i in range(lst.count())]


def pick(qtbot: QtBot, parent: QWidget, name: str, title: str) -> None:
    """Click the script titled *title* (it opens below the list)."""
    lst: QListWidget = child(parent, QListWidget, name)
    item = next(lst.item(i) for i in range(lst.count()) if lst.item(i).text() == title)
    lst.scrollToItem(item)
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton,
                     pos=lst.visualItemRect(item).center())


def uses(desk: Desk) -> list[tuple[str, str, str | None]]:
    return [(str(r[0]), str(r[1]), r[2]) for r in desk.conn.execute(
        "SELECT kind, script_id, ticket_id FROM script_uses ORDER BY at, id")]


@pytest.fixture
def intake(ctx: AppContext, qtbot: QtBot) -> Iterator[IntakePanel]:
    widget = IntakePanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 720)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()


@pytest.fixture
def ticket(desk: Desk, staff: dict[str, Staff]) -> TicketState:
    """A level-1 complaint about spoiled milk."""
    return create_ticket(desk, staff["d1"], {"text": "买的牛奶过期了，喝了肚子疼"}).ticket


@pytest.fixture
def panel(ctx: AppContext, qtbot: QtBot) -> Iterator[TicketPanel]:
    widget = TicketPanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 720)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()


def open_scripts_tab(panel: TicketPanel) -> None:
    panel.tabs.setCurrentIndex(2)


def test_the_intake_shows_the_scripts_of_the_suggested_subcategory_as_staff_type(
        ctx: AppContext, library: None, intake: IntakePanel, qtbot: QtBot,
        login: Login) -> None:
    login("d1")
    box: QGroupBox = child(intake, QGroupBox, "intake_scripts_box")
    assert not box.isVisible()  # nothing typed: nothing to match
    type_text(qtbot, intake.text, "买的牛奶过期了，喝了肚子疼")
    qtbot.waitUntil(box.isVisible, timeout=5000)
    assert titles(intake, "intake_scripts_list") == ["变质食品处理", "通用致歉"]
    assert "变质过期" in child(intake, QLabel, "intake_scripts_caption").text()
    detail: QLabel = child(intake, QLabel, "intake_scripts_detail")
    assert not detail.isVisible()
    pick(qtbot, intake, "intake_scripts_list", "变质食品处理")
    assert detail.isVisible()
    text = detail.text()
    for part in ("先说：非常抱歉，我们马上为您处理。", "核实：核对小票与批次号",
                 "可提供：退款并赔偿", "最多可给 ¥500.00", "不可承诺：不承诺检测结果",
                 "法规：食品安全法第一百四十八条"):
        assert part in text, part
    # The triage changes with the text, and the scripts with it.
    intake.text.clear()
    type_text(qtbot, intake.text, "会员积分没到账")
    qtbot.waitUntil(lambda: titles(intake, "intake_scripts_list") == ["积分未到账", "通用致歉"],
                    timeout=5000)
    # Nothing recorded: the intake only shows.
    assert uses(ctx.desk) == []


def test_without_a_library_the_intake_shows_no_script_box(
        ctx: AppContext, intake: IntakePanel, qtbot: QtBot, login: Login) -> None:
    login("d1")
    type_text(qtbot, intake.text, "买的牛奶过期了，喝了肚子疼")
    qtbot.waitUntil(lambda: child(intake, QLabel, "triage_level").text() != "—", timeout=5000)
    assert not child(intake, QGroupBox, "intake_scripts_box").isVisible()


def test_copy_into_the_note_fills_the_note_box_and_saves_nothing_by_itself(
        ctx: AppContext, library: None, panel: TicketPanel, ticket: TicketState,
        login: Login, qtbot: QtBot, wait_idle: Callable[[], None]) -> None:
    login("d1")
    panel.show_ticket(ticket.id)
    assert panel.tabs.tabText(2) == "话术（2）"
    open_scripts_tab(panel)
    assert titles(panel, "ticketScripts_list") == ["变质食品处理", "通用致歉"]
    copy: QPushButton = child(panel, QPushButton, "ticketScripts_copy")
    assert not copy.isVisible()  # nothing picked yet
    pick(qtbot, panel, "ticketScripts_list", "变质食品处理")
    assert copy.isVisible() and copy.text() == "复制到备注"
    events = ctx.desk.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    note: QLineEdit = child(panel, QLineEdit, "noteText")
    assert note.isVisible()
    assert note.text().startswith("变质食品处理；先说：非常抱歉，我们马上为您处理。；核实：")
    assert "最多可给 ¥500.00" in note.text()
    wait_idle()
    assert ctx.desk.conn.execute("SELECT count(*) FROM events").fetchone()[0] == events
    assert uses(ctx.desk) == [("copied", "spoiled-food", ticket.id)]
    # Staff save the note as any note.
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        qtbot.keyClick(note, Qt.Key.Key_Return)
    texts = [str(r[0]) for r in ctx.desk.conn.execute(
        "SELECT json_extract(payload, '$.text') FROM events WHERE type = 'note_added'")]
    assert len(texts) == 1 and texts[0].startswith("变质食品处理；先说")


def test_copy_adds_to_what_is_typed_in_the_note(
        ctx: AppContext, library: None, panel: TicketPanel, ticket: TicketState,
        login: Login, qtbot: QtBot) -> None:
    login("d1")
    panel.show_ticket(ticket.id)
    qtbot.mouseClick(child(panel, QPushButton, "action_note"), Qt.MouseButton.LeftButton)
    note: QLineEdit = child(panel, QLineEdit, "noteText")
    type_text(qtbot, note, "顾客很着急")
    open_scripts_tab(panel)
    pick(qtbot, panel, "ticketScripts_list", "通用致歉")
    qtbot.mouseClick(child(panel, QPushButton, "ticketScripts_copy"), Qt.MouseButton.LeftButton)
    assert note.text() == "顾客很着急 通用致歉；先说：请先真诚道歉"


def test_helpful_is_recorded_once_per_script_and_ticket(
        ctx: AppContext, library: None, panel: TicketPanel, ticket: TicketState,
        login: Login, qtbot: QtBot, wait_idle: Callable[[], None]) -> None:
    login("d1")
    panel.show_ticket(ticket.id)
    open_scripts_tab(panel)
    pick(qtbot, panel, "ticketScripts_list", "变质食品处理")
    helpful: QPushButton = child(panel, QPushButton, "ticketScripts_helpful")
    assert helpful.text() == "有帮助" and helpful.isEnabled()
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        qtbot.mouseClick(helpful, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(helpful, Qt.MouseButton.LeftButton)  # a second press: ignored
    wait_idle()
    assert helpful.text() == "已标记有帮助" and not helpful.isEnabled()
    assert uses(ctx.desk) == [("helpful", "spoiled-food", ticket.id)]
    # Shown again (another ticket, then this one): still marked, still once.
    panel.show_ticket(ticket.id)
    pick(qtbot, panel, "ticketScripts_list", "变质食品处理")
    assert not helpful.isEnabled()
    # Another script of the same ticket may be marked too.
    pick(qtbot, panel, "ticketScripts_list", "通用致歉")
    assert helpful.isEnabled()


@pytest.mark.parametrize("query, found", [
    ("异", []),  # one character found nowhere
    ("积", ["积分未到账"]),  # one Chinese character
    ("积分", ["积分未到账"]),  # two
    ("十倍", ["变质食品处理"]),  # in the legal rule
    ("会员", ["积分未到账"]),  # the subcategory's name in the policy (会员权益)
    ("歉", ["变质食品处理", "积分未到账", "通用致歉"]),
])
def test_search_the_whole_library(
        ctx: AppContext, library: None, panel: TicketPanel, ticket: TicketState,
        login: Login, qtbot: QtBot, query: str, found: list[str]) -> None:
    login("d1")
    panel.show_ticket(ticket.id)
    open_scripts_tab(panel)
    search: QLineEdit = child(panel, QLineEdit, "ticketScripts_search")
    type_text(qtbot, search, query)
    caption: QLabel = child(panel, QLabel, "ticketScripts_caption")
    qtbot.waitUntil(lambda: caption.text() == f"话术库中找到 {len(found)} 条", timeout=5000)
    assert titles(panel, "ticketScripts_list") == found
    search.clear()  # back to the ticket's own scripts
    qtbot.waitUntil(lambda: titles(panel, "ticketScripts_list") == ["变质食品处理", "通用致歉"],
                    timeout=5000)


def test_a_pulled_library_refreshes_the_ticket_view(
        ctx: AppContext, desk: Desk, panel: TicketPanel, ticket: TicketState,
        login: Login) -> None:
    login("d1")
    panel.show_ticket(ticket.id)
    open_scripts_tab(panel)
    assert titles(panel, "ticketScripts_list") == []
    assert "还没有话术库" in child(panel, QLabel, "ticketScripts_caption").text()
    script_library.install(desk, LIBRARY)  # as the sync thread does, on its connection
    ctx.executor.changed.emit(Changes(scripts=True))  # what the sync bridge says then
    assert titles(panel, "ticketScripts_list") == ["变质食品处理", "通用致歉"]
    assert panel.tabs.tabText(2) == "话术（2）"
