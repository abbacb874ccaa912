"""Customer receipts (受理回执, 补偿凭证, 完结单) as PDFs for the 80 mm roll and A4.

``layout`` breaks Chinese lines, ``content`` says what each receipt holds, ``pdf`` draws
it with reportlab, ``issue`` records each print as an event on the ticket.
"""

from __future__ import annotations

from desktop.receipts.content import KINDS, Receipt
from desktop.receipts.issue import IssuedReceipt, issue_receipt
from desktop.receipts.pdf import PAPERS, render_pdf

__all__ = ["KINDS", "PAPERS", "IssuedReceipt", "Receipt", "issue_receipt", "render_pdf"]
