"""The reports page in a real browser on the chain made through real desks: headquarters
chooses a region and a period by keyboard, sorts the league, opens a store and drills
from a figure to its tickets; a regional manager is offered their region only. Nothing
is loaded from off the machine."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import Page, expect

from sync.server.console import accounts
from tests.sync.server.console.conftest import Account, Offsite, log_in
from tests.sync.server.console.helpers import PASSWORD
from tests.sync.server.console.report_chain import Chain

_serial = itertools.count(1)


def _account(chain: Chain, role: str, region: str | None) -> Account:
    name = f"b{role[:3]}{next(_serial)}"
    accounts.add_user(chain.storage, name, "王总" if role == "hq" else "张敏", role,
                      PASSWORD, region)
    return Account(name, PASSWORD, "王总", role, region)


def test_headquarters_reads_a_region_sorts_and_drills(page: Page, report_chain: Chain,
                                                      offsite: Offsite) -> None:
    hq = _account(report_chain, "hq", None)
    log_in(page, report_chain.server, hq, next_path="/console/reports")
    expect(page.get_by_test_id("nav-reports")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("reports-scope")).to_have_text("全部门店")

    # The EAST region and the first week of November, by keyboard.
    page.get_by_test_id("reports-scope-select").focus()
    page.get_by_test_id("reports-scope-select").select_option("r:EAST")
    page.keyboard.press("Tab")
    page.get_by_test_id("reports-period").select_option("custom")
    # Chromium's date fields take typed digits segment by segment in the locale's own
    # order; the dates are filled, then the keyboard goes on from the last one.
    page.get_by_label("开始日期").fill("2026-11-01")
    page.get_by_label("结束日期").fill("2026-11-07")
    page.get_by_label("结束日期").focus()
    page.keyboard.press("Tab")  # to 查看
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("reports-scope")).to_contain_text("EAST")
    assert "first=2026-11-01" in page.url and "last=2026-11-07" in page.url
    rows = page.get_by_test_id("reports-league-row")
    expect(rows).to_have_count(2)

    # The league comes most complaints first; the heading sorts it fewest first.
    with page.expect_navigation():
        page.locator('[data-testid="reports-sort"][data-name="tickets"]').click()
    counts = [int(re.sub(r"\D.*", "", rows.nth(i).locator('td[data-name="tickets"]')
                         .inner_text().strip())) for i in range(rows.count())]
    assert counts == sorted(counts)

    # A store's own report, then from its first subcategory to the tickets.
    with page.expect_navigation():
        rows.first.get_by_role("link").first.click()
    expect(page.get_by_test_id("reports-league")).to_have_count(0)
    link = page.locator('[data-testid="reports-breakdown"][data-kind="by_subcategory"] a').first
    count = int(link.inner_text())
    with page.expect_navigation():
        link.click()
    expect(page.get_by_test_id("drill-row")).to_have_count(count)
    expect(page.get_by_test_id("drill-summary")).to_contain_text(f"共 {count} 单")
    assert offsite.urls == []


def test_a_regional_manager_is_offered_their_region_only(page: Page, report_chain: Chain,
                                                         offsite: Offsite) -> None:
    manager = _account(report_chain, "regional", "WEST")
    log_in(page, report_chain.server, manager, next_path="/console/reports")
    expect(page.get_by_test_id("reports-scope")).to_contain_text("WEST")
    values = page.get_by_test_id("reports-scope-select").locator("option").evaluate_all(
        "options => options.map(o => o.value)")
    assert values[0] == "r:WEST" and "*" not in values and "r:EAST" not in values
    assert {"s:CRC", "s:CRD"} <= set(values) and "s:CRA" not in values
    assert offsite.urls == []
