"""The main window as staff use it: log in, work, lock, switch staff, close."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.staff import Staff
from tests.ui.keyboard import type_text
from tests.ui.login_steps import log_in
from ui.context import AppContext
from ui.main_window import MainWindow


@pytest.fixture
def window(ctx: AppContext, qtbot: QtBot) -> Iterator[MainWindow]:
    w = MainWindow(ctx)

    def no_question(widget: MainWindow) -> None:
        widget.confirm_discard = lambda: True  # type: ignore[method-assign]

    qtbot.addWidget(w, before_close_func=no_question)  # no modal box at teardown
    w.show()
    qtbot.waitExposed(w)
    yield w


def test_desk_clerk_logs_in_and_records_a_complaint(
    ctx: AppContext, qtbot: QtBot, window: MainWindow,
) -> None:
    assert window.stack.currentWidget() is window.login
    log_in(qtbot, window, "d1")
    work = window.work
    assert work is not None and window.stack.currentWidget() is work
    assert not work.tabs.isTabVisible(work.tabs.indexOf(work.approvals))  # managers only
    assert "服务台小李" in window.status.staff_label.text()
    window.new_action.trigger()  # F2
    assert work.tabs.currentWidget() is work.intake
    type_text(qtbot, work.intake.text, "酸奶过期了，孩子喝了拉肚子")
    with qtbot.waitSignal(work.intake.saved, timeout=10_000) as saved:
        qtbot.keyClick(work.intake.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    ticket_id, number = saved.args
    row = ctx.desk.conn.execute("SELECT number, created_by, level FROM tickets WHERE id = ?",
                                (ticket_id,)).fetchone()
    assert (row["number"], row["created_by"], row["level"]) == (number, "d1", 1)
    qtbot.waitUntil(lambda: work.queue.selected_ticket() == ticket_id, timeout=5000)
    qtbot.waitUntil(lambda: any(a.ticket_id == ticket_id for a in work.alerts.alerts),
                    timeout=5000)  # level 1: the banner is up


def test_lock_and_staff_switch_keep_the_open_form(
    ctx: AppContext, qtbot: QtBot, window: MainWindow, staff: dict[str, Staff],
) -> None:
    log_in(qtbot, window, "d1")
    work = window.work
    assert work is not None
    window.new_action.trigger()  # F2: the cursor is in the complaint text
    type_text(qtbot, work.intake.text, "收银员多收了我五块钱")
    window.lock_action.trigger()  # Ctrl+L
    assert window.stack.currentWidget() is window.login
    assert window.login.staff_id.text() == "d1"
    log_in(qtbot, window, "d2")  # someone else takes over the desk
    assert ctx.session.staff == staff["d2"]
    assert window.stack.currentWidget() is work
    assert work.intake.text.toPlainText() == "收银员多收了我五块钱"
    assert QApplication.focusWidget() is work.intake.text  # the hands go back to the form
    with qtbot.waitSignal(work.intake.saved, timeout=10_000):
        qtbot.keyClick(work.intake.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    recorder = ctx.desk.conn.execute("SELECT created_by FROM tickets").fetchone()[0]
    assert recorder == "d2"  # the person at the desk when it was saved


def test_idle_lock_covers_the_work_and_keeps_it(
    ctx: AppContext, qtbot: QtBot, window: MainWindow,
) -> None:
    log_in(qtbot, window, "d1")
    work = window.work
    assert work is not None
    type_text(qtbot, work.intake.text, "停车场电梯坏了")
    ctx.session.idle_lock_ms = 200
    ctx.session.login(ctx.staff)  # restarts the idle timer with the new limit
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.login, timeout=5000)
    assert ctx.session.locked
    assert "服务台小李" in window.login._hint.text()
    ctx.session.idle_lock_ms = 0
    log_in(qtbot, window, "d1")
    assert work.intake.text.toPlainText() == "停车场电梯坏了"


def test_typing_keeps_the_desk_unlocked(
    ctx: AppContext, qtbot: QtBot, window: MainWindow,
) -> None:
    log_in(qtbot, window, "d1")
    work = window.work
    assert work is not None
    window.new_action.trigger()
    ctx.session.idle_lock_ms = 1000
    ctx.session.login(ctx.staff)
    for _ in range(15):  # 1.5 s of typing, longer than the idle limit, never idle
        qtbot.keyClick(work.intake.text, Qt.Key.Key_A)
        qtbot.wait(100)
    assert not ctx.session.locked
    qtbot.waitUntil(lambda: ctx.session.locked, timeout=5000)  # hands off: it locks


def test_manager_sees_approvals(ctx: AppContext, qtbot: QtBot, window: MainWindow) -> None:
    log_in(qtbot, window, "m1")
    work = window.work
    assert work is not None
    assert work.tabs.isTabVisible(work.tabs.indexOf(work.approvals))


def test_closing_with_an_unsaved_form_asks_first(
    ctx: AppContext, qtbot: QtBot, window: MainWindow,
) -> None:
    log_in(qtbot, window, "d1")
    work = window.work
    assert work is not None
    type_text(qtbot, work.intake.text, "会员积分没到账")

    def answer(button: QMessageBox.StandardButton) -> Callable[[], None]:
        def click() -> None:
            box = QApplication.activeModalWidget()
            assert isinstance(box, QMessageBox) and box.objectName() == "confirm_discard"
            box.button(button).click()
        return click

    QTimer.singleShot(50, answer(QMessageBox.StandardButton.Cancel))
    assert not window.close()
    assert window.isVisible()
    assert work.intake.text.toPlainText() == "会员积分没到账"
    QTimer.singleShot(50, answer(QMessageBox.StandardButton.Discard))
    assert window.close()


def test_quick_entry_opens_from_the_main_window(
    ctx: AppContext, qtbot: QtBot, window: MainWindow,
) -> None:
    window.quick_action.trigger()  # F3 before login does nothing
    assert window.quick is None
    log_in(qtbot, window, "c1")
    window.quick_action.trigger()
    assert window.quick is not None and window.quick.isVisible()
    window.lock_action.trigger()
    assert not window.quick.isVisible()  # a locked desk shows no entry window


# --- the real commands, as separate processes ------------------------------------------

def _kesu(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    kesu = Path(sys.executable).parent / "kesu"
    return subprocess.run([str(kesu), *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("command", ["app", "quick"])
def test_kesu_app_and_quick_start_and_show_a_window(tmp_path: Path, command: str) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KESU_EXIT_WHEN_READY": "1",
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    db = tmp_path / "kesu.db"
    assert _kesu("--db", str(db), "init", "--store", "XT01", "--desk", "D2",
                 env=env).returncode == 0
    done = _kesu("--db", str(db), command, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["ready_s"] > 0


def test_kesu_demo_builds_the_store_and_opens_the_app(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KESU_EXIT_WHEN_READY": "1",
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    # The form a newcomer types: --db after the command; the demo is that file.
    done = _kesu("demo", "--db", str(tmp_path / "kesu.db"), "--tickets", "40", env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    summary = json.loads(lines[0])
    assert summary["demo_db"] == str(tmp_path / "kesu.db")
    assert {s["role"] for s in summary["staff"]} == {"cashier", "desk", "manager"}
    assert "ready_s" in lines[-1]


def test_kesu_app_refuses_a_database_it_cannot_open(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KESU_EXIT_WHEN_READY": "1",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "KESU_LANG": "zh_CN"}
    missing = _kesu("--db", str(tmp_path / "nothing.db"), "app", env=env)
    assert missing.returncode == 1
    assert "kesu init" in missing.stderr
    newer = tmp_path / "newer.db"
    assert _kesu("--db", str(newer), "init", "--store", "XT01", "--desk", "D2",
                 env=env).returncode == 0
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
                 "VALUES ('kesu', 'm999_from_the_future', '2027-01-01')")
    conn.commit()
    conn.close()
    before = newer.read_bytes()
    refused = _kesu("--db", str(newer), "app", env=env)
    assert refused.returncode == 1
    assert "更新版本" in refused.stderr and "m999_from_the_future" in refused.stderr
    assert newer.read_bytes() == before  # refused, not touched


def test_a_second_kesu_quick_brings_up_the_running_window(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KESU_EXIT_WHEN_READY": "stay",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "TMPDIR": str(tmp_path)}
    db = tmp_path / "kesu.db"
    assert _kesu("--db", str(db), "init", "--store", "XT01", "--desk", "D2",
                 env=env).returncode == 0
    kesu = Path(sys.executable).parent / "kesu"
    first = subprocess.Popen([str(kesu), "--db", str(db), "quick"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert first.stdout is not None
        assert "ready_s" in first.stdout.readline()
        second = _kesu("--db", str(db), "quick", env=env)
        assert second.returncode == 0 and second.stdout == ""  # handed over, no window
        assert json.loads(first.stdout.readline()) == {"shown": True}
        assert first.poll() is None  # still the one window
    finally:
        first.terminate()
        first.wait(30)
