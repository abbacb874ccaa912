"""The proof of issue 17's script library on the desk: headquarters publishes a script on a
real ``kesu-server``, the desk syncs, the server goes away, and the desk still shows the
script in the ticket view and the intake form; what staff do with it offline reaches the
centre at the next sync once the server is back, and counts once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from desktop import script_library
from desktop.cli import main as kesu
from desktop.desk import Desk, open_desk
from desktop.desk_sync.wiring import build_engine
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from sync.errors import NetworkError
from sync.server import script_library as centre_scripts
from sync.server.storage import Storage
from tests.desktop.test_script_library import script_doc
from tests.sync.helpers import ServerProcess
from tests.ui.keyboard import type_text
from tests.ui.test_scripts_view import child, pick, titles
from ui.app import pull_bridge, start_sync
from ui.context import AppContext
from ui.intake_panel import IntakePanel
from ui.ticket_panel import TicketPanel

PUBLISHED = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_a_script_published_at_hq_is_shown_on_a_desk_that_then_goes_offline(
        ctx: AppContext, desk: Desk, staff: dict[str, Staff], clock: FixedClock,
        private_server: ServerProcess, qtbot: QtBot, login: Callable[[str], Staff],
        wait_idle: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KESU_TOKEN_STORE", "file")  # never the OS keyring of the tester
    # The sync thread's own desk connection, as the app's runner opens one.
    syncing = open_desk(ctx.db_path, clock)
    engine = build_engine(syncing, ctx.db_path, server=private_server.url, timeout=5.0)
    try:
        engine.enrol(private_server.enrol_code(desk.store_code, desk.desk_code))
        storage = Storage(private_server.db_url)
        try:
            with storage.writing() as conn:
                centre_scripts.publish(conn, [
                    script_doc(),
                    script_doc(id="sorry", subcategory="*", levels=[], title="通用致歉",
                               legal_rule=None, offer_limit_fen=None)],
                    "hq:王总", PUBLISHED)
        finally:
            storage.close()
        ticket = create_ticket(syncing, staff["d1"], {"text": "买的牛奶过期了，喝了肚子疼"}).ticket

        login("d1")
        intake = IntakePanel(ctx)
        panel = TicketPanel(ctx)
        for widget in (intake, panel):
            qtbot.addWidget(widget)
            widget.resize(1000, 720)
            widget.show()
        panel.show_ticket(ticket.id)
        panel.tabs.setCurrentIndex(2)
        assert titles(panel, "ticketScripts_list") == []  # nothing pulled yet

        # The desk syncs; the pull reaches the windows as the app's sync bridge says it.
        bridge = pull_bridge(ctx)
        report = engine.sync_once()
        assert report.scripts_installed == 1 and report.scripts_error is None
        with qtbot.waitSignal(ctx.executor.changed, timeout=5000,
                              check_params_cb=lambda c: bool(c.scripts)):
            bridge.pulled.emit()
        assert titles(panel, "ticketScripts_list") == ["变质食品处理", "通用致歉"]

        # The centre goes away.
        private_server.stop()
        with pytest.raises(NetworkError):
            engine.sync_once()

        # The ticket view still shows the script, and staff use it offline.
        panel.show_ticket(ticket.id)
        assert titles(panel, "ticketScripts_list") == ["变质食品处理", "通用致歉"]
        pick(qtbot, panel, "ticketScripts_list", "变质食品处理")
        qtbot.mouseClick(child(panel, QPushButton, "ticketScripts_copy"),
                         Qt.MouseButton.LeftButton)
        assert child(panel, QLineEdit, "noteText").text().startswith("变质食品处理；先说")
        qtbot.mouseClick(child(panel, QPushButton, "ticketScripts_helpful"),
                         Qt.MouseButton.LeftButton)
        wait_idle()
        assert script_library.pending_count(ctx.desk.conn) == 2

        # A new complaint at the counter: the intake shows the script too.
        type_text(qtbot, intake.text, "酸奶过期了有异味")
        box: QGroupBox = child(intake, QGroupBox, "intake_scripts_box")
        qtbot.waitUntil(box.isVisible, timeout=5000)
        assert titles(intake, "intake_scripts_list")[0] == "变质食品处理"

        # The centre is back: the next round hands the uses over, once.
        private_server.start()
        report = engine.sync_once()
        assert report.scripts_error is None and report.scripts_installed is None
        assert engine.sync_once().scripts_error is None  # nothing left to send
        assert script_library.pending_count(ctx.desk.conn) == 0
        storage = Storage(private_server.db_url)
        try:
            with storage.engine.connect() as conn:
                counted = [(u.script_id, u.store, u.copied, u.helpful)
                           for u in centre_scripts.usage(conn)]
        finally:
            storage.close()
        assert counted == [("spoiled-food", desk.store_code, 1, 1)]
        intake.close()
        panel.close()
    finally:
        engine.close()
        syncing.close()


def test_the_app_shows_a_library_its_sync_thread_pulled(
        ctx: AppContext, desk: Desk, private_server: ServerProcess, qtbot: QtBot,
        login: Callable[[str], Staff], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KESU_TOKEN_STORE", "file")
    code = private_server.enrol_code(desk.store_code, desk.desk_code)
    assert kesu(["--db", str(ctx.db_path), "enrol", "--server", private_server.url,
                 "--code", code]) == 0
    capsys.readouterr()
    storage = Storage(private_server.db_url)
    try:
        with storage.writing() as conn:
            centre_scripts.publish(conn, [script_doc()], "hq:王总", PUBLISHED)
    finally:
        storage.close()
    login("d1")
    panel = TicketPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    panel.tabs.setCurrentIndex(2)
    search: QLineEdit = child(panel, QLineEdit, "ticketScripts_search")
    type_text(qtbot, search, "变")
    qtbot.waitUntil(lambda: "还没有话术库" in panel.scripts.caption.text(), timeout=5000)
    # No ticket event to pull: only the library's arrival makes the window refresh.
    runner = start_sync(ctx)
    assert runner is not None
    try:
        qtbot.waitUntil(lambda: titles(panel, "ticketScripts_list") == ["变质食品处理"],
                        timeout=20_000)
    finally:
        assert runner.stop()
    panel.close()
