"""The status line: who, which policy, and sync as the desk knows it locally."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from desktop.staff import Staff
from desktop.tickets import create_ticket
from local_db import meta, sync_state
from local_db.connection import transaction
from ui.context import AppContext
from ui.status_line import StatusLine


def test_offline_desk_then_enrolled_with_events_waiting(
    ctx: AppContext, qtbot: QtBot, staff: dict[str, Staff], login: Callable[[str], Staff],
) -> None:
    line = StatusLine(ctx)
    qtbot.addWidget(line)
    assert line.staff_label.text() == "未登录"
    assert "未接入" in line.sync_label.text()
    assert ctx.desk.policy.version in line.policy_label.text()
    login("d1")
    assert "服务台小李" in line.staff_label.text()
    create_ticket(ctx.desk, staff["d1"], {"text": "牛奶过期了"})
    with transaction(ctx.desk.conn):
        meta.put(ctx.desk.conn, sync_state.SERVER, "https://kesu.example.cn")
        meta.put(ctx.desk.conn, sync_state.LAST_ERROR, "服务器无法连接")
    line.refresh()
    pending = sync_state.pending_count(ctx.desk.conn)
    assert pending > 0
    text = line.sync_label.text()
    assert f"待上传 {pending} 条" in text and "从未" in text and "服务器无法连接" in text
