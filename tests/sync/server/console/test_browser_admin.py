"""The admin page in a real browser, by keyboard: headquarters adds a region, a store in
it and that region's manager, who then logs in and sees the new store; a refused store
keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from sync.server.console import masterdata
from sync.server.console.i18n import t
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess
from tests.sync.server.console.conftest import Account, Offsite, log_in, new_context

MakeAccount = Callable[..., Account]


def _type_into(page: Page, testid: str, text: str) -> None:
    """Focus a form's first field and type (the rest of the form is reached by Tab)."""
    page.get_by_test_id(testid).focus()
    page.keyboard.type(text)


def test_headquarters_adds_a_store_and_its_manager_by_keyboard(
        page: Page, browser: Browser, server: ServerProcess, make_account: MakeAccount,
        console_storage: Storage, offsite: Offsite) -> None:
    hq = make_account("hq")
    log_in(page, server, hq, next_path="/console/admin")
    expect(page.get_by_test_id("nav-admin")).to_have_attribute("aria-current", "page")
    tag = hq.username[-5:]
    region, store, manager = f"K{tag}", f"T{tag}", f"mgr{tag}"

    # The region: code, Tab, Chinese name, Tab, English name, Enter.
    _type_into(page, "admin-region-code", region)
    page.keyboard.press("Tab")
    page.keyboard.type("华中区")
    page.keyboard.press("Tab")
    page.keyboard.type("Central China")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("admin-message")).to_have_text(
        t("admin.done.region", "zh", subject=region))

    # A store with a time zone that is no IANA name: refused, what was typed kept.
    _type_into(page, "admin-store-code", store.lower())
    page.keyboard.press("Tab")
    page.keyboard.type("长沙五一广场店")
    page.keyboard.press("Tab")
    page.get_by_test_id("admin-store-region").select_option(region)
    page.get_by_test_id("admin-store-zone").fill("")
    page.get_by_test_id("admin-store-zone").focus()
    page.keyboard.type("Asia/Changsha")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("admin-store-error")).to_have_text(
        t("admin.error.bad_time_zone", "zh"))
    expect(page.get_by_test_id("admin-store-name")).to_have_value("长沙五一广场店")
    page.get_by_test_id("admin-store-zone").fill("")
    page.get_by_test_id("admin-store-zone").focus()
    page.keyboard.type("Asia/Shanghai")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("admin-message")).to_have_text(
        t("admin.done.store", "zh", subject=store))
    expect(page.locator(f'[data-testid="admin-store"][data-store="{store}"]')).to_contain_text(
        "长沙五一广场店")

    # The region's manager, with a generated password shown once.
    _type_into(page, "admin-user-username", manager)
    page.keyboard.press("Tab")
    page.keyboard.type("周敏")
    page.get_by_test_id("admin-user-role").select_option("regional")
    page.get_by_test_id("admin-user-region").select_option(region)
    page.get_by_test_id("admin-user-password").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    password = page.get_by_test_id("admin-password-value").inner_text()
    row = page.locator(f'[data-testid="admin-user"][data-username="{manager}"]')
    expect(row).to_contain_text("周敏")
    expect(row).to_contain_text("华中区")
    history = page.get_by_test_id("admin-history-row").first
    expect(history).to_contain_text(f"hq:{hq.display_name}")

    with console_storage.engine.connect() as conn:
        assert masterdata.store(conn, store) == masterdata.Store(
            store, "长沙五一广场店", region, "Asia/Shanghai")

    # The new manager logs in and sees the new store (and only their region's).
    context = new_context(browser, offsite)
    try:
        theirs = context.new_page()
        log_in(theirs, server, Account(manager, password, "周敏", "regional", region),
               next_path="/console/desks")
        expect(theirs.get_by_test_id("who")).to_contain_text("周敏")
        cards = theirs.get_by_test_id("desks-store")
        expect(cards).to_have_count(1)
        expect(cards.first).to_have_attribute("data-store", store)
        theirs.goto(f"{server.url}/console/admin")
        expect(theirs.get_by_role("heading", level=1)).to_have_text(
            t("base.forbidden.title", "zh"))
        expect(theirs.get_by_test_id("admin-users")).to_have_count(0)
    finally:
        context.close()
    assert offsite.urls == []
