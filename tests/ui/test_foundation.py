"""The parts every window stands on: the writer thread, the session, fonts, language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop import ticket_actions as handling
from desktop.desk import Desk
from desktop.i18n import current_language, tr
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.errors import InvalidInput
from resources import CJK_FONT_FAMILY
from tests.ui.font_world import glyph_families
from ui.context import AppContext
from ui.fonts import ensure_cjk_font, system_has_chinese_font
from ui.labels import error_message, level_label, state_label
from ui.translations import install_language


def test_executor_writes_on_its_own_thread_and_reports_back(
    ctx: AppContext, staff: dict[str, Staff], qtbot: QtBot, wait_idle: Callable[[], None]
) -> None:
    import threading

    seen: dict[str, object] = {}

    def job(desk: Desk) -> str:
        seen["thread"] = threading.current_thread().name
        return create_ticket(desk, staff["d1"], {"text": "牛奶过期了"}).ticket.number

    with qtbot.waitSignal(ctx.executor.changed, timeout=5000):
        ctx.executor.submit(job, on_done=lambda n: seen.setdefault("number", n))
    wait_idle()
    assert seen["thread"] == "kesu-db-writer"
    assert str(seen["number"]).startswith("XT01-D2-")
    # The GUI thread's own connection sees the committed ticket.
    count = ctx.desk.conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    assert count == 1


def test_a_save_never_waits_behind_a_long_read(
    ctx: AppContext, staff: dict[str, Staff], qtbot: QtBot, wait_idle: Callable[[], None]
) -> None:
    import threading

    assert not ctx.reader.running()  # started on first use only (managers' reports)
    release = threading.Event()
    seen: dict[str, object] = {}

    def long_read(desk: Desk) -> int:
        seen["thread"] = threading.current_thread().name
        release.wait(10)
        return int(desk.conn.execute("SELECT count(*) FROM tickets").fetchone()[0])

    ctx.reader.submit(long_read, on_done=lambda n: seen.setdefault("count", n), writes=False)
    qtbot.waitUntil(lambda: "thread" in seen, timeout=5000)
    # The report is still running; the clerk's save goes through meanwhile.
    with qtbot.waitSignal(ctx.executor.changed, timeout=5000):
        ctx.executor.submit(lambda desk: create_ticket(desk, staff["d1"], {"text": "牛奶过期了"}))
    assert ctx.reader.busy() and "count" not in seen
    release.set()
    wait_idle()
    assert seen["thread"] == "kesu-db-reader" and seen["count"] in (0, 1)


def test_executor_reports_errors_in_the_users_language(
    ctx: AppContext, staff: dict[str, Staff], wait_idle: Callable[[], None]
) -> None:
    errors: list[BaseException] = []
    ctx.executor.submit(lambda desk: handling.add_note(desk, staff["d1"], "nope", "x"),
                        on_error=errors.append)
    wait_idle()
    assert len(errors) == 1
    assert "nope" in error_message(errors[0], "zh_CN")
    assert error_message(InvalidInput("input.empty", field="text"), "zh_CN") != "input.empty"


def test_idle_lock_fires_and_login_unlocks(ctx: AppContext, staff: dict[str, Staff],
                                           qtbot: QtBot) -> None:
    ctx.session.idle_lock_ms = 150
    ctx.session.login(staff["d1"])
    with qtbot.waitSignal(ctx.session.locked_changed, timeout=3000) as blocker:
        pass
    assert blocker.args == [True]
    assert ctx.session.staff == staff["d1"]  # locking keeps who was there
    ctx.session.login(staff["d2"])
    assert not ctx.session.locked and ctx.session.staff == staff["d2"]


def test_bundled_font_gives_chinese_glyphs(qapp: QApplication) -> None:
    # Right with and without system Chinese fonts (tests/ui/test_fonts.py runs it in both).
    registered = ensure_cjk_font(qapp)
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert families, "no font covers Chinese even after registering the bundled one"
    if registered is not None:  # no system font: the bundled one is the app's fallback
        assert registered == CJK_FONT_FAMILY
        assert CJK_FONT_FAMILY in qapp.font().families()
        assert glyph_families(qapp.font()) == [CJK_FONT_FAMILY]
    else:  # the system's fonts draw every character
        assert system_has_chinese_font()
        assert glyph_families(qapp.font())


@pytest.mark.parametrize("language, expected", [("zh_CN", "一级"), ("en", "Level 1")])
def test_language_switch(qapp: QApplication, language: str, expected: str) -> None:
    try:
        install_language(language)
        assert level_label(1) == expected
        # The core's own messages (e.g. a compensation outcome) follow the app's language.
        assert current_language() == language
        assert tr("comp.above_own", limit="200.00", role="desk") != tr(
            "comp.above_own", "en" if language == "zh_CN" else "zh_CN", limit="200.00",
            role="desk")
        assert state_label("accepted", language) == ("受理" if language == "zh_CN"
                                                     else state_label("accepted", "en"))
    finally:
        install_language("zh_CN")


def test_the_app_collects_cycles_on_the_gui_thread_only(qapp: QApplication) -> None:
    import gc

    from ui.app import make_application
    from ui.garbage import GuiThreadCollector

    try:
        app = make_application()
        assert app is qapp
        assert app.findChild(GuiThreadCollector) is not None
        assert not gc.isenabled()  # worker threads never run the collector
    finally:
        gc.enable()
        for collector in qapp.findChildren(GuiThreadCollector):
            collector.deleteLater()
