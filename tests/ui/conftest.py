"""Fixtures for the Qt windows: a real desk file, a real writer thread, offscreen widgets."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.desk import Desk
from desktop.staff import Staff
from domain.clock import FixedClock
from tests.conftest import PINS
from ui.context import AppContext, open_context
from ui.translations import install_language


@pytest.fixture(autouse=True)
def keep_the_core_language() -> Iterator[None]:
    """Installing a UI language sets ``KESU_LANG`` for the core; undo it after each test."""
    before = os.environ.get("KESU_LANG")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("KESU_LANG", None)
        else:
            os.environ["KESU_LANG"] = before


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread() -> Iterator[None]:
    """As the app does (ui/garbage.py): no cycle collection in the writer or sync threads
    while a test runs; collect here, on the GUI thread, when it ends."""
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@pytest.fixture
def ctx(desk: Desk, staff: dict[str, Staff], clock: FixedClock,
        qapp: object) -> Iterator[AppContext]:
    """The app's context on the ``desk`` fixture's file (staff c1, d1, d2, m1, m2 exist),
    in Chinese, nobody logged in yet. The idle lock is off unless a test sets it."""
    install_language("zh_CN")
    context = open_context(_path(desk), clock=clock, idle_lock_ms=0)
    yield context
    context.close()


def _path(desk: Desk) -> Path:
    row = desk.conn.execute("PRAGMA database_list").fetchone()
    return Path(row["file"])


@pytest.fixture
def login(ctx: AppContext, staff: dict[str, Staff]) -> Callable[[str], Staff]:
    """``login("d1")`` makes that staff member the one acting (as after a PIN check)."""

    def do(staff_id: str) -> Staff:
        ctx.session.login(staff[staff_id])
        return staff[staff_id]

    return do


@pytest.fixture
def wait_idle(ctx: AppContext, qtbot: QtBot) -> Callable[[], None]:
    """Wait until the writer and reader threads have finished and delivered every job."""

    def do() -> None:
        qtbot.waitUntil(lambda: not ctx.executor.busy() and not ctx.reader.busy(),
                        timeout=10_000)

    return do


__all__ = ["PINS"]
