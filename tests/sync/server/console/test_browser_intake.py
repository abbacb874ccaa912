"""An agent's intake in a real browser reaching a real desk: the store found by typing,
the suggestion shown while typing, the ticket recorded once, and the store's desk
pulling it by sync."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.conftest import Account, Offsite, Place, log_in

TEXT = "昨天买的卤味吃完全家拉肚子，孩子去了医院"


def test_an_agents_intake_reaches_the_desk(
        page: Page, server: ServerProcess, make_desk: Callable[..., DeskNode],
        make_account: Callable[..., Account], make_store: Callable[..., Place],
        offsite: Offsite) -> None:
    place = make_store()
    node = make_desk("A", "D1", server, enrol=False)
    server.add_store(node.desk.store_code, place.region)
    node.enrol()
    log_in(page, server, make_account("agent", name="李娜"), next_path="/console/intake")
    store = page.get_by_test_id("intake-store")
    store.focus()
    page.keyboard.type(node.desk.store_code)
    page.get_by_test_id("intake-text").focus()
    page.keyboard.type(TEXT)
    page.get_by_test_id("intake-phone").fill("13912345678")
    suggestion = page.get_by_test_id("intake-suggestion").locator("p[data-level]")
    expect(suggestion).to_have_attribute("data-level", "1")
    page.get_by_test_id("intake-submit").click()
    made = page.get_by_test_id("intake-made")
    expect(made).to_be_visible()
    number = re.search(r"单号 ([A-Z0-9-]+)", made.inner_text())
    assert number, made.inner_text()
    node.engine.sync_once()
    rows = [tuple(r) for r in node.desk.conn.execute("SELECT number, text FROM tickets")]
    assert rows == [(number.group(1), TEXT)]
    assert offsite.urls == []
