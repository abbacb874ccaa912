"""Printing to a driverless ESC/POS printer on the network, through the real spooler.

A loopback listener plays the printer's raw port 9100: what it receives is decoded back
into a picture and read with zxing-cpp, as a scanner would read the paper.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.printing import escpos, print_queue, print_settings
from desktop.receipts.settings import set_base_url
from desktop.staff import Staff
from desktop.tickets import create_ticket
from tests.desktop.printing.test_escpos import Listener, bound_socket
from tests.ui.printing.test_printing import BASE, printed_events, printing, quick_save
from ui.context import AppContext
from ui.printing.app_printing import Printing
from ui.printing.print_dialog import PrintDialog

__all__ = ["printing"]  # the fixture, shared with test_printing


def paper_of(data: bytes, path: Path) -> Image.Image:
    """The printed paper: the raster the printer received, as a grey image (black on white)."""
    decoded = escpos.decode(data)
    assert decoded.cut and decoded.width_bytes == escpos.WIDTH_DOTS // 8
    dots = Image.frombytes("1", (escpos.WIDTH_DOTS, len(decoded.rows)),
                           b"".join(decoded.rows), "raw", "1;I")  # 1 = black
    picture = dots.convert("L")
    picture.save(path)
    return picture


def test_quick_entry_prints_on_a_network_escpos_printer(
        ctx: AppContext, qtbot: QtBot, printing: Printing, login: Callable[[str], Staff],
        tmp_path: Path, wait_idle: Callable[[], None]) -> None:
    set_base_url(ctx.desk, BASE)
    printer = Listener()
    try:
        print_settings.set_printer(ctx.desk, f"escpos:tcp://127.0.0.1:{printer.port}")
        login("c1")
        wait_idle()
        with qtbot.waitSignal(printing.spooler.job_printed, timeout=20_000):
            ticket_id, number = quick_save(ctx, qtbot, printing, "多收了五块钱")
        wait_idle()
        assert printer.done.wait(10)
    finally:
        printer.close()
    [job] = print_queue.jobs(ctx.desk.conn)
    assert (job.ticket_id, job.status, job.attempts) == (ticket_id, "printed", 1)
    assert len(printed_events(ctx)) == 1
    [data] = printer.received
    paper = paper_of(data, tmp_path / "paper.png")
    # 72 mm at 203 dpi, as long as the PDF page (a few hundred dots at least)
    assert paper.size[0] == 576 and paper.size[1] > 800
    codes = {r.format.name: r.text for r in zxingcpp.read_barcodes(paper)}
    assert codes.get("Code128") == number
    assert codes.get("QRCode", "").startswith(f"{BASE}/p/{number}")
    # the store and title are on the paper: the top fifth is ink on white, not blank
    # and not black (a wrong threshold or an inverted bit would be one or the other)
    top = paper.crop((0, 0, 576, paper.size[1] // 5))
    assert 2 < top.histogram()[0] * 100 / (576 * top.size[1]) < 30


def test_a_printer_not_listening_fails_visibly_then_retry_prints_once(
        ctx: AppContext, qtbot: QtBot, printing: Printing, login: Callable[[str], Staff],
        staff: dict[str, Staff], wait_idle: Callable[[], None]) -> None:
    port_holder = bound_socket()  # the printer's port, nobody listening yet
    port = port_holder.getsockname()[1]
    print_settings.set_printer(ctx.desk, f"escpos:tcp://127.0.0.1:{port}")
    login("d1")
    ticket = create_ticket(ctx.desk, staff["d1"], {"text": "收银员态度不好"}).ticket
    with qtbot.waitSignal(printing.spooler.job_failed, timeout=20_000) as failed:
        assert printing.print_after_save(ticket.id)
    wait_idle()
    [job] = print_queue.jobs(ctx.desk.conn)
    assert (job.status, job.attempts) == ("failed", 1)
    assert failed.args[1] == job.last_error == (
        f"ESC/POS 打印机 127.0.0.1:{port} 拒绝连接：请确认已开机并已联网，然后重试")
    assert printed_events(ctx) == []
    panel = printing.show_queue()
    qtbot.addWidget(panel)
    panel.select_job(job.id)
    error_cell = panel.table.item(0, 7)
    assert error_cell is not None and error_cell.text() == job.last_error
    assert panel.retry_button.isEnabled()

    printer = Listener(port_holder)  # the printer is switched on
    try:
        with qtbot.waitSignal(printing.spooler.job_printed, timeout=20_000):
            qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
        wait_idle()
        assert printer.done.wait(10)
    finally:
        printer.close()
    job = print_queue.get_job(ctx.desk.conn, job.id)
    assert (job.status, job.attempts, job.last_error) == ("printed", 2, None)
    assert len(printed_events(ctx)) == 1
    assert len(printer.received) == 1 and escpos.decode(printer.received[0]).cut


def test_a4_on_an_escpos_printer_is_a_clear_error(
        ctx: AppContext, qtbot: QtBot, printing: Printing, login: Callable[[str], Staff],
        staff: dict[str, Staff], tmp_path: Path, wait_idle: Callable[[], None]) -> None:
    out = tmp_path / "capture.bin"
    print_settings.set_printer(ctx.desk, f"escpos:{out}")
    print_settings.set_paper(ctx.desk, "a4")
    login("d1")
    ticket = create_ticket(ctx.desk, staff["d1"], {"text": "收银员态度不好"}).ticket
    with qtbot.waitSignal(printing.spooler.job_failed, timeout=20_000) as failed:
        assert printing.print_after_save(ticket.id)
    wait_idle()
    assert failed.args[1] == "ESC/POS 热敏打印机只能打印 80 mm 小票，不能打印 a4"
    assert not out.exists() and printed_events(ctx) == []


def test_a_device_or_file_target_gets_the_raster(
        ctx: AppContext, qtbot: QtBot, printing: Printing, login: Callable[[str], Staff],
        staff: dict[str, Staff], tmp_path: Path, wait_idle: Callable[[], None]) -> None:
    out = tmp_path / "lp0.bin"
    print_settings.set_printer(ctx.desk, f"escpos:{out}")
    login("d1")
    ticket = create_ticket(ctx.desk, staff["d1"], {"text": "收银员态度不好"}).ticket
    with qtbot.waitSignal(printing.spooler.job_printed, timeout=20_000):
        assert printing.print_after_save(ticket.id)
    wait_idle()
    assert printing.spooler.last_output == out
    codes = {r.format.name: r.text
             for r in zxingcpp.read_barcodes(paper_of(out.read_bytes(), tmp_path / "p.png"))}
    assert codes.get("Code128") == ticket.number


def test_print_dialog_offers_the_configured_escpos_printer(
        ctx: AppContext, qtbot: QtBot, login: Callable[[str], Staff],
        staff: dict[str, Staff]) -> None:
    target = "escpos:tcp://192.168.1.50:9100"
    print_settings.set_printer(ctx.desk, target)
    login("d1")
    ticket = create_ticket(ctx.desk, staff["d1"], {"text": "收银员态度不好"}).ticket
    dialog = PrintDialog(ctx, ticket.id)
    qtbot.addWidget(dialog)
    assert dialog.current_printer() == target
    assert "192.168.1.50:9100" in dialog.printer.currentText()
