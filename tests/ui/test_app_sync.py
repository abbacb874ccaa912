"""The app syncs in the background with a real ``kesu-server`` and says so on its status
line; the GUI thread never talks to the network."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.cli import main as kesu
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from tests.sync.helpers import ServerProcess
from ui.app import start_sync
from ui.context import AppContext
from ui.status_line import StatusLine


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "server.db")
    proc.start()
    yield proc
    proc.stop()


def test_a_saved_complaint_reaches_the_server_and_the_status_line_says_so(
    desk: Desk, ctx: AppContext, server: ServerProcess, qtbot: QtBot,
    staff: dict[str, Staff], login: Callable[[str], Staff],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KESU_TOKEN_STORE", "file")
    db = str(ctx.db_path)
    code = server.enrol_code(desk.store_code, desk.desk_code)
    assert kesu(["--db", db, "enrol", "--server", server.url, "--code", code]) == 0
    capsys.readouterr()
    login("d1")
    line = StatusLine(ctx)
    qtbot.addWidget(line)
    runner = start_sync(ctx)
    assert runner is not None
    try:
        number = []
        ctx.executor.submit(
            lambda d: create_ticket(d, staff["d1"], {"text": "酸奶过期了"}).ticket.number,
            on_done=number.append)
        qtbot.waitUntil(lambda: bool(number), timeout=10_000)

        def synced() -> bool:
            line.refresh()
            return "待上传 0 条" in line.sync_label.text() and "从未" not in \
                line.sync_label.text()

        qtbot.waitUntil(synced, timeout=20_000)  # nudged by the save, ~1 s debounce
        on_server = {eid for eid, _seq, _store in server.server_events(desk.store_code)}
        on_desk = {r[0] for r in ctx.desk.conn.execute("SELECT event_id FROM events")}
        assert on_desk and on_desk <= on_server
    finally:
        assert runner.stop()
