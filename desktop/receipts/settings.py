"""What a desk configures about its receipts: the progress page's address and the paper
formats there are. Kept apart from drawing (reportlab), so the ``kesu`` commands that only
read or change settings start without loading it.
"""

from __future__ import annotations

from desktop.desk import Desk
from domain.errors import InvalidInput
from local_db import meta, sync_state
from local_db.connection import transaction

BASE_URL_KEY = "progress_base_url"
# The formats ``desktop.receipts.pdf.PAPERS`` draws: the 80 mm roll and A4.
PAPER_NAMES = ("80mm", "a4")


def check_paper(paper: str) -> None:
    """Refuse a paper format other than those of :data:`PAPER_NAMES`."""
    if paper not in PAPER_NAMES:
        raise InvalidInput("input.bad_choice", field="format", value=paper,
                           choices=", ".join(PAPER_NAMES))


def base_url_of(desk: Desk) -> str | None:
    """The progress page's base address: the one configured on this desk, else the central
    server the desk is enrolled with (which serves ``/p/NUMBER``), else none (no QR)."""
    configured = meta.get(desk.conn, BASE_URL_KEY)
    if configured:
        return configured
    server = meta.get(desk.conn, sync_state.SERVER)
    return server.rstrip("/") if server else None


def set_base_url(desk: Desk, url: str) -> None:
    """Configure the progress page's base address; must be http(s)."""
    if not url.startswith(("https://", "http://")):
        raise InvalidInput("receipt.bad_base_url", value=url[:100])
    with transaction(desk.conn):
        meta.put(desk.conn, BASE_URL_KEY, url.rstrip("/"))
