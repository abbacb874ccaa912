"""The print dialog by keyboard: Enter in a dropdown never prints; without a printer the
desk is told the receipt becomes a PDF file, and where it went."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from desktop.printing import print_queue, print_settings
from desktop.staff import Staff
from desktop.tickets import create_ticket
from ui.context import AppContext
from ui.printing.app_printing import Printing
from ui.printing.print_dialog import PrintDialog


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default PDF folder (~/Kesu/receipts) lands in the test's directory."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def dialog(ctx: AppContext, qtbot: QtBot, login: Callable[[str], Staff],
           staff: dict[str, Staff], home: Path) -> Iterator[PrintDialog]:
    login("d1")
    ticket = create_ticket(ctx.desk, staff["d1"], {"text": "收银员态度不好"}).ticket
    widget = PrintDialog(ctx, ticket.id)
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitActive(widget)
    yield widget


def jobs(ctx: AppContext) -> int:
    return int(ctx.desk.conn.execute("SELECT count(*) FROM print_jobs").fetchone()[0])


# An open dropdown list grabs the keyboard; the offscreen platform says it cannot.
@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard", extend=True)
@pytest.mark.parametrize("name", ["print_kind", "print_paper", "print_printer"])
def test_enter_in_a_dropdown_never_prints(
    ctx: AppContext, qtbot: QtBot, dialog: PrintDialog, name: str,
    wait_idle: Callable[[], None],
) -> None:
    combo = dialog.findChild(QComboBox, name)
    assert combo is not None
    combo.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is combo)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        combo.setFocus()
        qtbot.keyClick(combo, key)
        wait_idle()
        assert dialog.isVisible() and jobs(ctx) == 0, "Enter in a dropdown printed"
        assert QApplication.focusWidget() is not combo  # on to the next field
    # With the list open, Enter picks the item and still does not print.
    combo.setFocus()
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible())
    wait_idle()
    assert dialog.isVisible() and jobs(ctx) == 0
    # Ctrl+P and the button still print.
    with qtbot.waitSignal(dialog.queued, timeout=10_000):
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert jobs(ctx) == 1


def test_without_a_printer_the_dialog_says_the_receipt_becomes_a_pdf_and_where(
    ctx: AppContext, qtbot: QtBot, dialog: PrintDialog, home: Path,
) -> None:
    assert print_settings.read(ctx.desk.conn).printer is None
    pdf = dialog.printer.findData(print_settings.pdf_target(
        print_settings.default_pdf_folder()))
    dialog.printer.setCurrentIndex(pdf)
    assert dialog.pdf_notice.isVisible()
    text = dialog.pdf_notice.text()
    assert "打印机" in text and str(home / "Kesu" / "receipts") in text
    system = [i for i in range(dialog.printer.count()) if i != pdf]
    if system:  # a real printer chosen: nothing to say
        dialog.printer.setCurrentIndex(system[0])
        assert not dialog.pdf_notice.isVisible()


def test_a_receipt_printed_to_a_pdf_file_says_where_it_went(
    ctx: AppContext, qtbot: QtBot, login: Callable[[str], Staff],
    staff: dict[str, Staff], home: Path, wait_idle: Callable[[], None],
) -> None:
    login("d1")
    ticket = create_ticket(ctx.desk, staff["d1"], {"text": "收银员态度不好"}).ticket
    printing = Printing(ctx)
    qtbot.addWidget(printing.indicator)
    printing.start()
    try:
        wait_idle()
        folder = home / "receipts"
        print_settings.set_printer(ctx.desk, print_settings.pdf_target(folder))
        with qtbot.waitSignal(printing.notice, timeout=20_000) as told:
            assert printing.print_after_save(ticket.id, ticket.number)
        wait_idle()
        files = list(folder.glob("*.pdf"))
        assert len(files) == 1 and str(files[0]) in told.args[0]
        assert print_queue.next_waiting(ctx.desk.conn) is None
    finally:
        printing.stop()
