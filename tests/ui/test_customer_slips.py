"""What the thermal printer receives for a closing slip: the same paper whatever staff
wrote on the ticket (the ESC/POS raster of the slip, not only its PDF)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.printing import escpos
from desktop.receipts.issue import draw_receipt
from tests.desktop.receipts.closing_twins import closed_twin
from ui.printing.escpos_render import raster_job
from ui.printing.pdf_pages import load_pdf


def _escpos_bytes(pdf: bytes) -> bytes:
    document, buffer = load_pdf(pdf)
    try:
        return raster_job(document, "80mm")
    finally:
        document.close()
        buffer.close()


def test_escpos_closing_slip_carries_no_internal_notes(qtbot: QtBot, tmp_path: Path) -> None:
    twins = [closed_twin(tmp_path / name, internal=internal, rating=rating)
             for name, internal, rating in (("notes", True, 4), ("plain", False, 4),
                                            ("five", False, 5))]
    try:
        jobs = [_escpos_bytes(draw_receipt(t.desk, t.ticket, kind="closing",
                                           paper="80mm").pdf) for t in twins]
    finally:
        for twin in twins:
            twin.desk.close()
    decoded = escpos.decode(jobs[0])
    assert decoded.cut and len(decoded.rows) > 200  # a real slip reached the printer
    # Handling notes, the accountability and the supplier's fine change not one dot ...
    assert jobs[0] == jobs[1]
    # ... while what the customer is told (here the rating) does.
    assert jobs[1] != jobs[2]
