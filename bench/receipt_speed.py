"""Time to make one 80 mm complaint receipt PDF, against a bare reportlab canvas.

"Make" = read the ticket, build the receipt's content, lay it out (Chinese line breaking,
QR code, Code128) and draw the PDF to bytes with the CJK font subset-embedded. The
baseline is a reportlab canvas of the same page with one line of Chinese text in the
same font, also to bytes. The two run interleaved; the first receipt (font loading) is
reported apart. ``issue`` adds recording the print as an event. Prints one JSON object.

    .venv/bin/python bench/receipt_speed.py [--runs 100]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import _support
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop.desk import init_desk
from desktop.receipts.fonts import CJK_FONT, cjk_font
from desktop.receipts.issue import build_receipt, issue_receipt
from desktop.receipts.pdf import render_pdf
from desktop.receipts.settings import base_url_of, set_base_url
from desktop.staff import add_staff
from desktop.tickets import create_ticket, get_ticket
from domain.clock import FixedClock

TEXT = "昨天买的鲜牛奶今天打开是酸的，孩子喝了拉肚子（很严重！），价格12.50元，要求退货并赔偿。"


def _bare_canvas() -> bytes:
    out = io.BytesIO()
    c = Canvas(out, pagesize=(80 * mm, 120 * mm), invariant=True, pageCompression=1)
    c.setFont(CJK_FONT, 9)
    c.drawString(4 * mm, 100 * mm, "受理回执：酸奶过期了，孩子喝了拉肚子")
    c.showPage()
    c.save()
    return out.getvalue()


def _ms(seconds: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(seconds) * 1000, 3),
            "p99": round(_support.percentile(seconds, 0.99) * 1000, 3),
            "mean": round(statistics.fmean(seconds) * 1000, 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(datetime(2026, 11, 22, 2, 0, tzinfo=UTC))
        desk = init_desk(Path(tmp) / "kesu.db", store_code="XT01", desk_code="D2",
                         store_name="湘潭一店", clock=clock)
        staff = add_staff(desk.conn, desk.policy.staff, clock, staff_id="d1",
                          name="服务台小李", role="desk", pin="2222")
        set_base_url(desk, "https://kesu.example.cn")
        # A ticket per receipt: each has its own progress address, so no run is helped
        # by the QR cache that a reprint of the same ticket would hit.
        numbers = [create_ticket(desk, staff, {
            "text": TEXT, "customer": {"phone": f"1381234{i:04d}"}}).ticket.number
            for i in range(args.runs + 1)]
        number = numbers[0]

        def make(ref: str) -> bytes:
            ticket = get_ticket(desk, ref)
            receipt = build_receipt(desk, ticket, "complaint", base_url=base_url_of(desk))
            return render_pdf(receipt, "80mm")[0]

        start = time.perf_counter()
        cjk_font()
        first_pdf = make(number)
        first = time.perf_counter() - start
        receipts: list[float] = []
        bare: list[float] = []
        for ref in numbers[1:]:
            t0 = time.perf_counter()
            make(ref)
            t1 = time.perf_counter()
            _bare_canvas()
            t2 = time.perf_counter()
            receipts.append(t1 - t0)
            bare.append(t2 - t1)
        reprints: list[float] = []
        for _ in range(min(args.runs, 30)):
            t0 = time.perf_counter()
            make(number)
            reprints.append(time.perf_counter() - t0)
        issued: list[float] = []
        for _ in range(min(args.runs, 30)):
            t0 = time.perf_counter()
            issue_receipt(desk, staff, numbers[len(issued) + 1], kind="complaint",
                          paper="80mm")
            issued.append(time.perf_counter() - t0)
        desk.close()
    receipt_ms = _ms(receipts)
    bare_ms = _ms(bare)
    _support.emit({
        "bench": "receipt_speed",
        "runs": args.runs,
        "first_receipt_ms": round(first * 1000, 3),
        "receipt_80mm_ms": receipt_ms,
        "bare_canvas_one_line_ms": bare_ms,
        "ratio_p50": round(receipt_ms["p50"] / bare_ms["p50"], 2),
        "same_ticket_again_ms": _ms(reprints),
        "issue_with_event_ms": _ms(issued),
        "pdf_bytes": len(first_pdf),
        "target_p50_ms": 30,
        "meets_target": receipt_ms["p50"] < 30 and receipt_ms["p99"] < 30,
    })


if __name__ == "__main__":
    main()
