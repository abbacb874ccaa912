"""Render each main screen of the app to PNG, in Chinese and in English, on the screens
stores have (1280×720 and 1366×768).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--sizes 1280x720,...]

Builds a fresh demo store (the same generator as ``kesu demo``), opens the real windows
offscreen with the bundled CJK font on a virtual screen of each size (one process per
size: Qt's offscreen platform takes its screens from a config file), drives them as staff
would (log in, type a complaint, open a ticket, ...) and saves
``<out>/<language>/<W>x<H>/<screen>.png``; the report PDF's pages go to
``<out>/<language>/``. The README shows these.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop.demo import DEMO_STAFF, build_demo  # noqa: E402
from desktop.desk import open_desk  # noqa: E402
from desktop.printing import print_queue, print_settings  # noqa: E402
from desktop.reports.figures import build_report  # noqa: E402
from desktop.reports.pdf import render_report_pdf  # noqa: E402
from desktop.staff import get_staff  # noqa: E402
from domain.clock import FixedClock, format_time  # noqa: E402
from domain.reports.period import resolve_period  # noqa: E402
from local_db.connection import connect, transaction  # noqa: E402
from ui.app import make_application  # noqa: E402
from ui.context import AppContext, open_context  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.quick_entry import QuickEntryWindow  # noqa: E402
from ui.translations import install_language  # noqa: E402

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 11:00 in the store


def settle(ms: int = 300, until: Callable[[], bool] | None = None) -> None:
    """Let timers, the writer thread and painting catch up."""
    loop = QEventLoop()
    deadline = time.perf_counter() + ms / 1000
    while time.perf_counter() < deadline or (until is not None and not until()):
        loop.processEvents()
        time.sleep(0.005)
        if time.perf_counter() > deadline + 10:
            break


def shot(widget: QWidget, path: Path) -> None:
    """Save what *widget* shows now."""
    settle(200)
    path.parent.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(path))
    print(path)


def login(ctx: AppContext, window: MainWindow, staff_id: str) -> None:
    """Log in through the login screen, as a person would."""
    pin = next(p for sid, _n, _r, p in DEMO_STAFF if sid == staff_id)
    window.login.staff_id.setText(staff_id)
    window.login.pin.setText(pin)
    window.login.submit.click()
    settle(300, until=lambda: ctx.session.staff is not None
           and ctx.session.staff.id == staff_id and not ctx.session.locked)


SIZES = "1280x720,1366x768"


def render(language: str, db: Path, root: Path, size: str) -> None:
    """Every screen in *language*, the windows at the size they open with on the screen."""
    install_language(language)
    out = root / language / size
    ctx = open_context(db, clock=FixedClock(NOW), language=language,
                       demo_staff=DEMO_STAFF, idle_lock_ms=0)
    window = MainWindow(ctx)  # sized to fit the (virtual) screen, as on the desk
    window.show()
    shot(window, out / "login.png")

    login(ctx, window, "d01")
    work = window.work
    assert work is not None
    work.tabs.setCurrentWidget(work.intake)
    work.intake.text.setPlainText("昨天在你们这买的酸奶，今天打开是酸臭的，孩子喝了两口就拉肚子了")
    phone = ctx.desk.conn.execute(
        "SELECT customer_phone FROM tickets GROUP BY customer_phone "
        "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    work.intake.phone.setText(phone)
    work.intake.amount.setText("12.50")
    settle(700)
    shot(window, out / "intake.png")

    work.intake.clear()
    busy = ctx.desk.conn.execute(
        "SELECT ticket_id FROM events GROUP BY ticket_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    work.open_ticket(busy)
    work.queue.select_ticket(busy)
    settle(400)
    shot(window, out / "ticket.png")

    # Printing: the preview dialog on that ticket, then the queue (prepare_printing).
    dialog = window.printing.open_dialog(busy, window)
    settle(500)
    shot(dialog, out / "print_dialog.png")
    dialog.close()
    queue = window.printing.show_queue()
    queue.resize(980, 300)
    settle(300)
    shot(queue, out / "print_queue.png")
    queue.close()

    window.lock()
    settle(200)
    shot(window, out / "lock.png")
    login(ctx, window, "m01")
    work.tabs.setCurrentWidget(work.approvals)
    settle(300)
    shot(window, out / "approvals.png")

    # The manager's dashboard (the start strip is on top): this month, a problem drilled.
    work.tabs.setCurrentWidget(work.reports)
    work.reports.set_period("month")
    settle(300, until=lambda: work.reports.report is not None
           and not work.reports.computing())
    if work.reports.sections.problems.lines:
        work.reports.sections.problems.activate_row(0)
        settle(300, until=lambda: bool(work.reports.drill.ticket_ids()))
    shot(window, out / "reports.png")
    shot(work.reports.sections, out / "reports_figures.png")

    ctx.session.login(get_staff(ctx.desk.conn, "c01"))
    quick = QuickEntryWindow(ctx)
    quick.show_and_focus()
    quick.pick_category(1)
    quick.note.setText("牛奶包装破了，漏了一地")
    settle(300)
    shot(quick, out / "quick_entry.png")
    quick.close()
    window.close()
    settle(100)
    ctx.close()


def prepare_product_alert(db: Path) -> None:
    """One open product alert as the centre's ``GET /v1/alerts`` would have brought it
    (the strip above the queue shows it to whoever is logged in)."""
    moment = format_time(NOW - timedelta(hours=2))
    with closing(connect(db)) as conn, transaction(conn):
        conn.execute(
            "INSERT INTO product_alerts (id, label, days, store_count, tickets, first_at, "
            "last_at, raised_at, status, closed_at, seq) "
            "VALUES (1, ?, 7, 3, 4, ?, ?, ?, 'open', NULL, 1)",
            ("鲜榨橙汁 1L（6907777000011）", format_time(NOW - timedelta(days=3)), moment,
             moment))


def prepare_printing(db: Path, folder: Path) -> None:
    """A desk printing to PDF files, with one receipt printed and one waiting on a
    thermal printer that is switched off, so the queue has something to show."""
    desk = open_desk(db, clock=FixedClock(NOW))
    try:
        print_settings.set_printer(desk, f"pdf:{folder}")
        clerk = get_staff(desk.conn, "d01")
        ticket = desk.conn.execute(
            "SELECT id FROM tickets ORDER BY created_at DESC LIMIT 1").fetchone()[0]
        done = print_queue.enqueue(desk, clerk, ticket, kind="complaint", paper="80mm",
                                   printer=f"pdf:{folder}")
        rendered = print_queue.render_job(desk, done.id)
        print_queue.start(desk, done.id)
        print_queue.complete(desk, done.id, clerk.id, rendered)
        off = print_queue.enqueue(desk, clerk, ticket, kind="complaint", paper="80mm",
                                  printer="escpos:tcp://192.0.2.10:9100")
        print_queue.start(desk, off.id)
        print_queue.fail(desk, off.id, "打印机 192.0.2.10:9100 无响应（已关机或断网）")
    finally:
        desk.close()


def report_pages(db: Path, out: Path, language: str) -> None:
    """The first pages of this month's report PDF, as the manager prints it."""
    from ui.printing.pdf_pages import load_pdf, render_page

    desk = open_desk(db, clock=FixedClock(NOW))
    try:
        period = resolve_period("month", NOW, desk.policy.timezone)
        report = build_report(desk.conn, desk.policy, period, NOW,
                              store_code=desk.store_code)
        pdf = render_report_pdf(report, language, policy=desk.policy)
    finally:
        desk.close()
    document, buffer = load_pdf(pdf)
    for page in range(min(2, document.pageCount())):
        path = out / language / f"report_pdf_{page + 1}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        render_page(document, page, dpi=108).save(str(path))  # 1.5 × the PDF's 72 dpi
        print(path)
    document.close()
    buffer.close()


def screen_config(size: str, folder: Path) -> Path:
    """A config file for Qt's offscreen platform: one screen of *size* (``WxH``)."""
    width, height = (int(x) for x in size.split("x"))
    path = folder / f"screen-{size}.json"
    path.write_text(json.dumps({"screens": [{
        "name": f"screen-{size}", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--languages", default="zh_CN,en")
    parser.add_argument("--sizes", default=SIZES, help="screens, e.g. 1280x720,1366x768")
    parser.add_argument("--size", help=argparse.SUPPRESS)  # one screen, in this process
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-report-pages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.size is None:
        # One process per screen size; the first also renders the report PDF's pages.
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "demo.db"
            build_demo(db, now=NOW)
            prepare_printing(db, Path(tmp) / "receipts")
            prepare_product_alert(db)
            for i, size in enumerate(args.sizes.split(",")):
                # Each size starts from the same store (the screens log in, print...).
                copy = Path(tmp) / f"demo-{size}.db"
                shutil.copy(db, copy)
                env = {**os.environ, "QT_QPA_PLATFORM":
                       f"offscreen:configfile={screen_config(size, Path(tmp))}"}
                command = [sys.executable, __file__, "--out", str(args.out), "--languages",
                           args.languages, "--size", size, "--db", str(copy)]
                if i > 0:
                    command.append("--no-report-pages")
                subprocess.run(command, env=env, check=True)
        return 0
    QApplication.setOrganizationName("KesuScreenshots")  # keep the user's settings apart
    app = make_application()
    QSettings().clear()
    for language in args.languages.split(","):
        render(language, args.db, args.out, args.size)
        if not args.no_report_pages:
            report_pages(args.db, args.out, language)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
