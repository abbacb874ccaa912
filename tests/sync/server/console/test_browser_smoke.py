"""The browser fixtures themselves: Debian's Chromium opens a page of a real
``kesu-server``, runs its scripts, and every request off the loopback is refused."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.sync.helpers import ServerProcess
from tests.sync.server.console.conftest import Offsite


def test_docs_page_opens_in_chromium(page: Page, server: ServerProcess,
                                     offsite: Offsite) -> None:
    answer = page.goto(f"{server.url}/docs")
    assert answer is not None and answer.status == 200
    assert "kesu-server" in page.title()
    # The page's own script runs and reaches the server (same origin).
    title = page.evaluate("fetch('/openapi.json').then(r => r.json()).then(d => d.info.title)")
    assert title == "kesu-server"
    # FastAPI's Swagger UI asks a CDN for its scripts: the guard refused and recorded that,
    # which proves a console page that did the same would be caught.
    assert offsite.urls and all("127.0.0.1" not in url for url in offsite.urls)

