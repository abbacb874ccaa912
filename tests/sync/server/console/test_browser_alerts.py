"""The alerts page in Chromium: headquarters adds a watch term (a refused form keeps what
was typed), sees a product alert raised by three real desks, and closes it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Dialog, Page, expect

from desktop.tickets import create_ticket
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.conftest import Account, Offsite, log_in


def test_headquarters_adds_a_term_and_closes_an_alert(
        page: Page, server: ServerProcess, make_account: Callable[..., Account],
        make_desk: Callable[..., DeskNode], offsite: Offsite) -> None:
    nodes = [make_desk(s, "D1") for s in "ABC"]
    nodes[0].clock.set(datetime.now(UTC) - timedelta(days=1))
    product = f"香芋面包 {uuid.uuid4().hex[:6]}"
    for node in nodes:
        create_ticket(node.desk, node.clerk, {"text": "面包发霉", "product": {"name": product}})
        node.clock.advance(minutes=30)
        node.engine.sync_once()
    hq = make_account("hq")
    log_in(page, server, hq, next_path="/console/alerts")
    assert page.url == f"{server.url}/console/alerts"

    # A term with a threshold that is no number: refused, the term kept.
    word = "怪味" + uuid.uuid4().hex[:4].upper()
    page.get_by_label("关注词（如 怪味）").fill(word)
    page.get_by_label("每日阈值").fill("三")
    page.get_by_test_id("term-add-submit").click()
    expect(page.get_by_test_id("alerts-message")).to_contain_text("每日阈值须为 1 到")
    expect(page.get_by_test_id("term-add-term")).to_have_value(word)
    page.get_by_test_id("term-add-threshold").fill("3")
    page.get_by_test_id("term-add-threshold").press("Enter")
    expect(page.get_by_test_id("alerts-message")).to_contain_text(f"已开始关注：{word}")
    row = page.locator(f'[data-testid="term-row"][data-term="{word}"]')
    expect(row).to_have_attribute("data-active", "yes")
    expect(row.get_by_test_id("term-day")).to_have_count(14)

    # The product alert three stores raised; closing asks first, then names the person.
    alert = page.locator('[data-testid="alert-row"][data-status="open"]',
                         has_text=product)
    expect(alert).to_contain_text("3 家门店 · 3 单")
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    alert.get_by_test_id("alert-close").click()
    expect(page.get_by_test_id("alerts-message")).to_contain_text(f"已标记为已处理：{product}")
    assert asked and product in asked[0]
    closed = page.locator('[data-testid="alert-row"][data-status="closed"]', has_text=product)
    expect(closed.get_by_test_id("alert-closed-by")).to_contain_text(
        f"{hq.display_name} 标记已处理")
    expect(page.locator('[data-testid="alert-row"][data-status="open"]',
                        has_text=product)).to_have_count(0)
    assert offsite.urls == []
