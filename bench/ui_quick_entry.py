"""Quick-entry window: time to open it, to re-show it, and from Enter to "saved".

In-process, on the offscreen platform unless ``QT_QPA_PLATFORM`` says otherwise, on a
fresh desk file with a cashier logged in (the state at a checkout):

a. construct + show until the window is exposed and the note has keyboard focus: the
   first (cold: first widgets of the process, fonts, styles) and p50/p99 of repeats;
b. ``show_and_focus()`` of a built, hidden window until exposed with focus in the note
   (the offscreen platform never re-activates a hidden window, so the window's own focus
   child is checked there);
c. Enter in the note until the ``saved`` signal (triage, save with the correction and the
   commit on the writer thread, result back to the GUI thread).

Prints one JSON object; ``target_ms`` and ``ratio_to_target`` refer to the cold open.

    .venv/bin/python bench/ui_quick_entry.py [--repeats 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import _support

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import (
    QEventLoop,
    QMessageLogContext,
    Qt,
    QtMsgType,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from shiboken6 import Shiboken

from desktop.desk import init_desk
from desktop.staff import add_staff
from ui.context import AppContext, open_context
from ui.fonts import ensure_cjk_font
from ui.quick_entry import QuickEntryWindow
from ui.translations import install_language

TARGET_MS = 150
NOTES = ("多收了五块钱", "酸奶发霉了", "收银员态度很差", "价签和小票对不上", "排队太久没人管",
         "塑料袋收费没说", "找错钱了", "会员积分没有加上")


def _wait(loop: QEventLoop, done: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there in time")
        loop.processEvents()


def _at_least(items: list[str], count: int) -> bool:
    return len(items) >= count


def _quiet(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    # The offscreen platform says it cannot raise windows, once per show: noise here.
    if "This plugin does not support" not in message:
        sys.stderr.write(message + "\n")


def _ready(window: QuickEntryWindow, app_focus: bool) -> bool:
    handle = window.windowHandle()
    if handle is None or not handle.isExposed():
        return False
    if app_focus:
        return QApplication.focusWidget() is window.note
    return window.focusWidget() is window.note


def _open(loop: QEventLoop, ctx: AppContext) -> tuple[float, QuickEntryWindow]:
    start = time.perf_counter()
    window = QuickEntryWindow(ctx)
    window.show_and_focus()
    _wait(loop, lambda: _ready(window, app_focus=True))
    return (time.perf_counter() - start) * 1000, window


def _dispose(loop: QEventLoop, window: QuickEntryWindow) -> None:
    window.hide()
    loop.processEvents()
    Shiboken.delete(window)


def _stats(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(values), 2),
            "p99_ms": round(_support.percentile(values, 0.99), 2),
            "max_ms": round(max(values), 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()

    qInstallMessageHandler(_quiet)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    loop = QEventLoop()
    ensure_cjk_font(app)  # both happen at app start, before any quick entry
    install_language("zh_CN")
    tmp = Path(tempfile.mkdtemp(prefix="kesu-bench-quick-"))
    desk = init_desk(tmp / "kesu.db", store_code="XT01", desk_code="D2",
                     store_name="湘潭一店")
    cashier = add_staff(desk.conn, desk.policy.staff, desk.clock, staff_id="c1",
                        name="收银员小王", role="cashier", pin="1111")
    desk.close()
    ctx = open_context(tmp / "kesu.db", idle_lock_ms=0)
    ctx.session.login(cashier)
    try:
        # a. open: the first one is cold, then fresh windows each time.
        cold, window = _open(loop, ctx)
        _dispose(loop, window)
        opens = []
        for _ in range(args.repeats):
            ms, window = _open(loop, ctx)
            opens.append(ms)
            _dispose(loop, window)

        # b. re-show a built, hidden window.
        window = QuickEntryWindow(ctx)
        window.show_and_focus()
        _wait(loop, lambda: _ready(window, app_focus=True))
        reshows = []
        for _ in range(args.repeats):
            window.hide()
            loop.processEvents()
            start = time.perf_counter()
            window.show_and_focus()
            _wait(loop, lambda: _ready(window, app_focus=False))
            reshows.append((time.perf_counter() - start) * 1000)

        # c. Enter → saved.
        saved: list[str] = []
        window.saved.connect(lambda _id, number: saved.append(number))
        to_saved = []
        for i in range(args.repeats):
            window.pick_category(1 + i % len(window.category_buttons))
            window.note.setText(NOTES[i % len(NOTES)])
            start = time.perf_counter()
            QTest.keyClick(window.note, Qt.Key.Key_Return)
            _wait(loop, partial(_at_least, saved, i + 1))
            to_saved.append((time.perf_counter() - start) * 1000)
        _dispose(loop, window)
    finally:
        ctx.close()

    _support.emit({
        "figure": "quick_entry_window",
        "platform": QGuiApplication.platformName(),
        "qt": qVersion(),
        "repeats": args.repeats,
        "target_ms": TARGET_MS,
        "open_cold_ms": round(cold, 2),
        "ratio_to_target": round(cold / TARGET_MS, 3),
        "open": _stats(opens),
        "reshow": _stats(reshows),
        "enter_to_saved": _stats(to_saved),
        "tickets_saved": len(saved),
    })


if __name__ == "__main__":
    main()
