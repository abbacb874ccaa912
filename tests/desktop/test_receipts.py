"""Receipt PDFs read back: embedded CJK subset, text, paper size, QR and Code128, reprints.

The QR code is checked the way a phone sees it: the PDF page is rendered to an image
(Qt's PDF renderer, offscreen) and decoded with zxing-cpp.
"""

from __future__ import annotations

import io
import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pypdf
import pytest
import zxingcpp
from PIL import Image

from desktop import ticket_actions as handling
from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.i18n import tr
from desktop.receipts.closing import CLOSING_FIELDS
from desktop.receipts.content import complaint_receipt, progress_url
from desktop.receipts.issue import EVENT_TYPE, issue_receipt
from desktop.receipts.layout import NO_LINE_START
from desktop.receipts.pdf import render_pdf
from desktop.receipts.settings import set_base_url
from desktop.staff import Staff
from desktop.tickets import create_ticket, verify_code_of
from domain.clock import FixedClock
from domain.errors import InvalidInput, NotFound
from domain.fold import TicketState
from local_db import store
from tests.desktop.cli_runner import run_kesu
from tests.desktop.closing_twins import INTERNAL, closed_twin
from tests.desktop.pdf_reading import fonts

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BASE = "https://kesu.example.cn"
TEXT = "酸奶过期了，孩子喝了拉肚子。（很严重！）价格12.50元，ABC超市的服务太差了。"
ROLL_WIDTH_PT = 80 / 25.4 * 72
MM_PT = 72 / 25.4  # points per millimetre


@pytest.fixture
def ticket(desk: Desk, staff: dict[str, Staff]) -> TicketState:
    set_base_url(desk, BASE + "/")
    return create_ticket(desk, staff["d1"], {
        "text": TEXT, "customer": {"phone": "13812345678"}, "amount_paid": "12.50",
    }).ticket


def text_lines(path: Path) -> list[str]:
    reader = pypdf.PdfReader(path)
    text = "\n".join(p.extract_text(extraction_mode="layout") for p in reader.pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def decode(path: Path, qapp: Any, tmp_path: Path) -> dict[str, str]:
    """Render page 1 at 200 dpi and read every barcode on it: format → text."""
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    document.load(str(path))
    size = document.pagePointSize(0)
    scale = 200 / 72
    image = document.render(0, QSize(int(size.width() * scale), int(size.height() * scale)))
    png = tmp_path / (path.stem + ".png")
    assert image.save(str(png))
    document.close()
    # The render is transparent where nothing is drawn: put it on paper first.
    rgba = Image.open(png).convert("RGBA")
    page = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("L")
    return {r.format.name: r.text for r in zxingcpp.read_barcodes(page)}


def test_complaint_receipt_on_the_roll(desk: Desk, staff: dict[str, Staff],
                                       ticket: TicketState, tmp_path: Path, qapp: Any) -> None:
    out = tmp_path / "r.pdf"
    issued = issue_receipt(desk, staff["d1"], ticket.number, kind="complaint", paper="80mm",
                           out=out)
    reader = pypdf.PdfReader(out)
    assert issued.pages == len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(ROLL_WIDTH_PT, abs=0.01)
    cjk = [f for f in fonts(reader) if "DroidSansFallback" in f["name"]]
    assert cjk and all(f["file2"] for f in cjk)
    assert all(re.match(r"^/[A-Z]{6}\+", f["name"]) for f in cjk)  # a subset, not the 4 MB
    assert out.stat().st_size < 200_000
    lines = text_lines(out)
    text = "\n".join(lines)
    for expected in ("湘潭一店", "受理回执", ticket.number, "商品 / 变质过期",
                     "2026-11-22 10:00", "1 小时内", "服务台小李", "138****5678", "酸奶过期了"):
        assert expected in text, expected
    assert "13812345678" not in text and "补打" not in text
    assert [line for line in lines if line[0] in NO_LINE_START] == []
    code = verify_code_of(desk, ticket.id)
    assert code is not None
    codes = decode(out, qapp, tmp_path)
    assert codes["QRCode"] == f"{BASE}/p/{ticket.number}?code={code}"
    assert codes["Code128"] == ticket.number


def test_a4_receipt(desk: Desk, staff: dict[str, Staff], ticket: TicketState,
                    tmp_path: Path, qapp: Any) -> None:
    out = tmp_path / "a4.pdf"
    issue_receipt(desk, staff["d1"], ticket.number, kind="complaint", paper="a4", out=out)
    box = pypdf.PdfReader(out).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((595.2756, 841.8898))
    assert ticket.number in "\n".join(text_lines(out))
    assert decode(out, qapp, tmp_path)["QRCode"].startswith(f"{BASE}/p/{ticket.number}?code=")


def test_every_print_is_an_event_and_a_second_one_is_a_reprint(
        desk: Desk, staff: dict[str, Staff], ticket: TicketState, clock: FixedClock,
        tmp_path: Path) -> None:
    first = issue_receipt(desk, staff["d1"], ticket.number, kind="complaint", paper="80mm")
    clock.advance(minutes=30)
    again = issue_receipt(desk, staff["d2"], ticket.number, kind="complaint", paper="a4",
                          out=tmp_path / "again.pdf")
    assert (first.reprint, first.copy_no) == (False, 1)
    assert (again.reprint, again.copy_no) == (True, 2)
    assert "补打 2026-11-22 10:30" in "\n".join(text_lines(tmp_path / "again.pdf")).replace(
        "【", "").replace("】", "")
    compensate(desk, staff["d1"], ticket.number, amount="20", kind="gift")
    voucher = issue_receipt(desk, staff["d1"], ticket.number, kind="compensation",
                            paper="80mm")
    assert voucher.reprint is False  # another kind is a first print
    rows = desk.conn.execute(
        "SELECT actor, payload FROM events WHERE ticket_id = ? AND type = ? ORDER BY rowid",
        (ticket.id, EVENT_TYPE)).fetchall()
    assert [(r[0], json.loads(r[1])) for r in rows] == [
        ("d1", {"kind": "complaint", "format": "80mm", "reprint": False, "copy_no": 1}),
        ("d2", {"kind": "complaint", "format": "a4", "reprint": True, "copy_no": 2}),
        ("d1", {"kind": "compensation", "format": "80mm", "reprint": False, "copy_no": 1}),
    ]
    assert store.check(desk.conn) == []  # the projection folds the new event type


def test_compensation_voucher(desk: Desk, staff: dict[str, Staff], ticket: TicketState,
                              tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        issue_receipt(desk, staff["d1"], ticket.number, kind="compensation", paper="80mm")
    first = compensate(desk, staff["d1"], ticket.number, amount="50", kind="cash")
    compensate(desk, staff["d1"], ticket.number, amount="600", kind="refund",
               approver_id="m1", approver_pin="9999")
    out = tmp_path / "v.pdf"
    issue_receipt(desk, staff["d1"], ticket.number, kind="compensation", paper="80mm", out=out)
    text = "\n".join(text_lines(out))
    for expected in ("补偿凭证", "退款", "¥600.00", "店长张伟", desk.policy.version,
                     "顾客签名", ticket.number):
        assert expected in text, expected
    older = tmp_path / "older.pdf"
    issue_receipt(desk, staff["d1"], ticket.number, kind="compensation", paper="80mm",
                  compensation_id=first.compensation.id, out=older)
    older_text = "\n".join(text_lines(older))
    assert "现金补偿" in older_text and "¥50.00" in older_text


def test_closing_slip_only_when_closed(desk: Desk, staff: dict[str, Staff],
                                       ticket: TicketState, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        issue_receipt(desk, staff["d1"], ticket.number, kind="closing", paper="80mm")
    handling.advance(desk, staff["d1"], ticket.number, "rectifying")
    handling.advance(desk, staff["d1"], ticket.number, "reviewing")
    handling.advance(desk, staff["m1"], ticket.number, "accountability")
    handling.advance(desk, staff["m1"], ticket.number, "closed", note="已退款并下架同批次酸奶",
                     accountability={"outcome": "none"})
    handling.rate(desk, staff["d1"], ticket.number, 5)
    out = tmp_path / "c.pdf"
    issue_receipt(desk, staff["d1"], ticket.number, kind="closing", paper="80mm", out=out)
    text = "\n".join(text_lines(out))
    for expected in ("完结单", "已处理完结", "5 / 5", ticket.number, "2026-11-22 10:00"):
        assert expected in text, expected
    # The handling note and the accountability are for staff, not the customer.
    assert "已退款并下架同批次酸奶" not in text and "无需奖惩" not in text


@pytest.mark.parametrize("paper", ["80mm", "a4"])
def test_closing_slip_shows_nothing_staff_wrote(tmp_path: Path, paper: str) -> None:
    with_notes = closed_twin(tmp_path / "notes", internal=True)
    without = closed_twin(tmp_path / "plain", internal=False)
    try:
        printed = []
        for twin in (with_notes, without):
            out = tmp_path / f"slip{len(printed)}.pdf"
            issued = issue_receipt(twin.desk, twin.staff["d1"], twin.ticket.number,
                                   kind="closing", paper=paper, out=out)
            printed.append(out)
            # Only allow-listed fields are on it, whatever the paper.
            allowed = {tr(key, "zh_CN") for key in CLOSING_FIELDS}
            assert {f.label for f in issued.receipt.fields} <= allowed
        text = "\n".join(text_lines(printed[0]))
        compact = text.replace(" ", "")
        for word in INTERNAL:
            assert word not in compact, word
        # What the customer is told: the complaint, what they received, and that it is done.
        for expected in ("完结单", with_notes.ticket.number, "收银差错", "退款¥5.00元",
                         "已处理完结", "4/5", "感谢您的反馈"):
            assert expected in compact, expected
        assert "我们会尽快处理" not in compact  # the intake receipt's promise, not a closing
        # An allow-list: the paper is the same byte for byte whatever staff wrote.
        assert printed[0].read_bytes() == printed[1].read_bytes()
    finally:
        with_notes.desk.close()
        without.desk.close()


def test_the_closing_slip_changes_with_what_the_customer_is_told(tmp_path: Path) -> None:
    # The byte-for-byte comparison above could not fail if the slip ignored the ticket.
    four = closed_twin(tmp_path / "four", internal=False, rating=4)
    five = closed_twin(tmp_path / "five", internal=False, rating=5)
    try:
        pdfs = [issue_receipt(t.desk, t.staff["d1"], t.ticket.number, kind="closing",
                              paper="80mm").pdf for t in (four, five)]
        assert pdfs[0] != pdfs[1]
    finally:
        four.desk.close()
        five.desk.close()


def test_compensation_voucher_writes_the_amount_in_capitals(
        desk: Desk, staff: dict[str, Staff], ticket: TicketState, tmp_path: Path) -> None:
    compensate(desk, staff["d1"], ticket.number, amount="123.45", kind="refund")
    for paper in ("80mm", "a4"):
        out = tmp_path / f"v-{paper}.pdf"
        issue_receipt(desk, staff["d1"], ticket.number, kind="compensation", paper=paper,
                      out=out)
        text = "\n".join(text_lines(out)).replace(" ", "").replace("：", "")
        assert "¥123.45" in text
        assert "金额大写人民币壹佰贰拾叁元肆角伍分" in text.splitlines()


def test_hostile_complaint_text_is_summarised(desk: Desk, staff: dict[str, Staff],
                                              ticket: TicketState, tmp_path: Path) -> None:
    hostile = "'); DROP TABLE tickets; -- 😀🧾 " + "很长的投诉，" * 200_000  # > 1 MB
    assert len(hostile.encode()) > 1_000_000
    receipt = complaint_receipt(desk, replace(ticket, text=hostile), base_url=BASE)
    pdf, pages = render_pdf(receipt, "80mm")
    out = tmp_path / "hostile.pdf"
    out.write_bytes(pdf)
    reader = pypdf.PdfReader(out)
    assert pages == 1 and float(reader.pages[0].mediabox.height) < 600
    text = "\n".join(text_lines(out))
    assert "DROP TABLE tickets" in text and "…" in text and "😀" not in text
    assert desk.conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
    saved = create_ticket(desk, staff["d1"], {"text": "'); DROP TABLE x; -- 😀 酸奶坏了"}).ticket
    issue_receipt(desk, staff["d1"], saved.number, kind="complaint", paper="80mm",
                  out=tmp_path / "sql.pdf")
    assert "DROP TABLE x" in "\n".join(text_lines(tmp_path / "sql.pdf"))


def test_the_roll_grows_with_the_content(desk: Desk, ticket: TicketState) -> None:
    short = complaint_receipt(desk, replace(ticket, text="坏了"), base_url=BASE)
    long = complaint_receipt(desk, replace(ticket, text=TEXT * 3), base_url=None)
    with_qr = render_pdf(short, "80mm")[0]
    heights = [float(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox.height)
               for pdf in (with_qr, render_pdf(replace(short, qr_url=None), "80mm")[0],
                           render_pdf(replace(long, qr_url=None), "80mm")[0])]
    assert heights[0] > heights[1] < heights[2]


def test_progress_url_quotes_the_number() -> None:
    assert progress_url("https://x.cn/", "XT01-D2-1", "012345") == (
        "https://x.cn/p/XT01-D2-1?code=012345")


def test_cli_receipt(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    assert run_kesu(db, "init", "--store", "XT01", "--desk", "D2",
                    "--store-name", "湘潭一店").code == 0
    assert run_kesu(db, "staff", "add", "--id", "d01", "--name", "李娜", "--role", "desk",
                    "--pin", "2222").code == 0
    added = run_kesu(db, "ticket", "add", "--actor", "d01",
                     stdin='{"text":"酸奶过期了","customer":{"phone":"13812345678"}}')
    number = added.json()["number"]
    bad = run_kesu(db, "config", "set", "progress_base_url", "kesu.example.cn")
    assert bad.code == 2 and "进度页地址无效" in bad.err
    assert run_kesu(db, "config", "set", "progress_base_url", BASE).json() == {
        "progress_base_url": BASE}
    out = tmp_path / "r.pdf"
    result = run_kesu(db, "receipt", number, "--kind", "complaint", "--format", "80mm",
                      "--out", str(out), "--actor", "d01")
    assert result.code == 0, result.err
    body = result.json()
    assert {k: body[k] for k in ("path", "kind", "format", "reprint", "pages")} == {
        "path": str(out), "kind": "complaint", "format": "80mm", "reprint": False, "pages": 1}
    assert body["qr"].startswith(f"{BASE}/p/{number}?code=")
    assert number in "\n".join(text_lines(out))
    again = run_kesu(db, "receipt", number, "--kind", "complaint", "--format", "a4",
                     "--out", str(out), "--actor", "d01")
    assert again.json()["reprint"] is True
    closing = run_kesu(db, "receipt", number, "--kind", "closing", "--out", str(out),
                       "--actor", "d01")
    assert closing.code == 2 and "完结后才能打印完结单" in closing.err
    missing = run_kesu(db, "receipt", number, "--kind", "complaint",
                       "--out", str(tmp_path / "no" / "dir.pdf"), "--actor", "d01")
    assert missing.code == 2 and "无法写入回执文件" in missing.err
    shown = run_kesu(db, "ticket", "show", number, "--json").json()
    printed = [e["payload"]["copy_no"] for e in shown["timeline"] if e["type"] == EVENT_TYPE]
    assert printed == [1, 2]  # the failed write recorded nothing


def test_progress_address_falls_back_to_the_enrolled_server(desk: Desk) -> None:
    from desktop.receipts.settings import base_url_of, set_base_url
    from local_db import meta, sync_state
    from local_db.connection import transaction

    assert base_url_of(desk) is None  # a desk with neither: receipts carry no QR code
    with transaction(desk.conn):
        meta.put(desk.conn, sync_state.SERVER, "https://kesu.example.cn/")
    assert base_url_of(desk) == "https://kesu.example.cn"
    set_base_url(desk, "https://jindu.example.cn/")
    assert base_url_of(desk) == "https://jindu.example.cn"  # the configured one wins


def text_positions(path: Path) -> list[tuple[str, float, float]]:
    """Every piece of text on page 1 with the x and y where it starts (points)."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            found.append((text.strip(), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    pypdf.PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return found


def first_at(found: list[tuple[str, float, float]], text: str) -> tuple[float, float]:
    """Where the first piece of text starting with *text* is drawn."""
    return next((x, y) for t, x, y in found if t.startswith(text))


@pytest.mark.parametrize("kind", ["complaint", "compensation"])
def test_a4_receipt_is_an_a4_document(desk: Desk, staff: dict[str, Staff],
                                      ticket: TicketState, tmp_path: Path, qapp: Any,
                                      kind: str) -> None:
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    if kind == "compensation":
        compensate(desk, staff["d1"], ticket.number, amount="20", kind="gift")
    out = tmp_path / "a4.pdf"
    issue_receipt(desk, staff["d1"], ticket.number, kind=kind, paper="a4", out=out)
    page = pypdf.PdfReader(out).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (width, height) == pytest.approx((595.2756, 841.8898))
    margin = 20 * MM_PT
    found = text_positions(out)
    # A header across the page: the store at the left margin, the title at the right.
    store_x, store_y = first_at(found, "湘潭一店")
    title_x, title_y = first_at(found, "受理回执" if kind == "complaint" else "补偿凭证")
    assert store_x == pytest.approx(margin, abs=1)
    assert title_x > width * 0.7 and title_y == pytest.approx(store_y, abs=0.5)
    # A table: every label starts in one column, every value in another, on its row.
    labels = ["服务台", "工单号"] + (["受理时间", "问题类别", "经办人", "联系电话"]
                                     if kind == "complaint" else
                                     ["补偿方式", "补偿金额", "金额大写", "发放人"])
    label_at = [first_at(found, label) for label in labels]
    assert len({round(x, 1) for x, _ in label_at}) == 1
    assert label_at[0][0] == pytest.approx(margin, abs=4 * MM_PT)
    values = ["XT01-D2", ticket.number] + (
        ["2026-11-22 10:00", "商品", "服务台小李", "138****5678"] if kind == "complaint"
        else ["赠品", "¥20.00", "人民币贰拾元整", "服务台小李"])
    columns = set()
    for value, (_, label_y) in zip(values, label_at, strict=True):
        columns.add(round(next(x for t, x, y in found if t.startswith(value)
                               and y == pytest.approx(label_y, abs=0.5)), 1))
    [value_x] = columns
    assert value_x - label_at[0][0] > 25 * MM_PT  # a column of its own
    # The Code128 and its number sit at the right of the page.
    assert max(x for t, x, _ in found if t == ticket.number) > width / 2
    # The table is ruled from margin to margin: its right border is a long dark line.
    document = QPdfDocument()
    document.load(str(out))
    dpi = 100
    image = document.render(0, QSize(round(width * dpi / 72), round(height * dpi / 72)))
    document.close()
    right = round((width - margin) * dpi / 72)
    dark_rows = max(
        sum(1 for y in range(image.height()) if image.pixelColor(x, y).alpha() > 128
            and image.pixelColor(x, y).lightness() < 100)
        for x in range(right - 2, right + 3))
    assert dark_rows > 40 * dpi / 25.4  # at least 40 mm of table border

