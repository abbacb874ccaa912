"""The alerts page in Chromium: headquarters adds a watch term (a refused form keeps what
was typed), sees a product alert raised by three real desks, and closes it; uploads a
stores' assortment file through the form (a refused one first) and removes a list."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Dialog, Page, expect

from desktop.tickets import create_ticket
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.conftest import Account, Offsite, Place, log_in


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


def test_headquarters_uploads_an_assortment_file(
        page: Page, server: ServerProcess, make_account: Callable[..., Account],
        make_store: Callable[..., Place], offsite: Offsite, tmp_path: Path) -> None:
    place = make_store()
    other = make_store(region=place.region, name="湘潭二店")
    hq = make_account("hq")
    log_in(page, server, hq, next_path="/console/alerts")
    row = page.locator(f'[data-testid="assortment-row"][data-store="{place.store}"]')
    expect(row.get_by_test_id("assortment-count")).to_have_text("无清单：接收全部预警")

    # A file naming a store the centre does not know: refused, the reason shown.
    bad = tmp_path / "错误.csv"
    bad.write_text(f"门店,商品编码,商品名称\n{place.store},,鲜奶\nNOPE9,,鲜奶\n", "utf-8-sig")
    page.get_by_label("CSV 文件").set_input_files(bad)
    page.get_by_test_id("assortment-submit").click()
    expect(page.get_by_test_id("alerts-message")).to_contain_text(
        "第 3 行的门店 NOPE9 不在主数据中")
    expect(row.get_by_test_id("assortment-count")).to_have_text("无清单：接收全部预警")

    # The file as Chinese Excel saves it (GB18030): each store's count shown.
    good = tmp_path / "清单.csv"
    good.write_bytes((f"门店,商品编码,商品名称\r\n{place.store},6907777000011,鲜榨橙汁 1L\r\n"
                      f"{place.store},,卤味拼盘\r\n{other.store},,卤味拼盘\r\n"
                      ).encode("gb18030"))
    page.get_by_label("CSV 文件").set_input_files(good)
    page.get_by_test_id("assortment-submit").click()
    expect(page.get_by_test_id("alerts-message")).to_contain_text("已更新商品清单")
    expect(row.get_by_test_id("assortment-count")).to_have_text("2 种商品")
    expect(row).to_contain_text(f"由 {hq.display_name} 上传")
    expect(page.locator(f'[data-testid="assortment-row"][data-store="{other.store}"]')
           .get_by_test_id("assortment-count")).to_have_text("1 种商品")

    # Removing a list asks first.
    page.on("dialog", lambda dialog: dialog.accept())
    row.get_by_test_id("assortment-clear").click()
    expect(page.get_by_test_id("alerts-message")).to_contain_text(
        f"已删除门店 {place.store} 的商品清单")
    expect(row.get_by_test_id("assortment-count")).to_have_text("无清单：接收全部预警")
    assert offsite.urls == []
