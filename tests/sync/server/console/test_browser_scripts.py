"""The script library in a real browser, by keyboard: headquarters writes a script (a
refused amount keeps what was typed), publishes the draft, and a desk's
``GET /v1/scripts`` returns the script."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from domain.scripts import parse_library
from sync.server.console.i18n import t
from tests.sync.helpers import ServerProcess, headers
from tests.sync.server.console.conftest import Account, Offsite, log_in

MakeAccount = Callable[..., Account]


def _desk_token(server: ServerProcess) -> str:
    store = "B" + secrets.token_hex(3).upper()
    code = server.enrol_code(store, "D1")
    answer = httpx.post(f"{server.url}/v1/enrol", headers=headers(), timeout=10,
                        json={"protocol": 1, "code": code, "device_id": f"d-{uuid.uuid4()}"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def _tab_type(page: Page, text: str) -> None:
    page.keyboard.press("Tab")
    page.keyboard.type(text)


def test_headquarters_writes_a_script_by_keyboard_and_a_desk_pulls_it(
        page: Page, server: ServerProcess, make_account: MakeAccount,
        offsite: Offsite) -> None:
    hq = make_account("hq")
    script_id = f"lost-card-{secrets.token_hex(2)}"
    log_in(page, server, hq, next_path="/console/scripts/draft")
    expect(page.get_by_test_id("nav-scripts")).to_have_attribute("aria-current", "page")
    page.get_by_test_id("scripts-add").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.get_by_test_id("field-id").focus()
    page.keyboard.type(script_id)
    page.keyboard.press("Tab")  # the subcategory: 会员权益, picked by keyboard
    expect(page.get_by_test_id("field-subcategory")).to_be_focused()
    page.get_by_test_id("field-subcategory").select_option("membership")
    page.keyboard.press("Tab")  # level 1 is left out
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # level 2
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # level 3
    _tab_type(page, "会员卡积分丢失")
    _tab_type(page, "Lost membership points")
    _tab_type(page, "非常抱歉，我马上帮您查询积分记录。")
    _tab_type(page, "")
    _tab_type(page, "核对会员号和最近的消费记录")
    _tab_type(page, "")
    _tab_type(page, "补回积分")
    _tab_type(page, "")
    _tab_type(page, "12,5")  # the amount, with a decimal comma: refused
    with page.expect_navigation():
        page.keyboard.press("Enter")
    error = page.get_by_test_id("scripts-error")
    expect(error).to_have_attribute("data-field", "offer_limit")
    expect(error).to_contain_text("可给金额上限（元）")
    expect(error).to_contain_text("会员卡积分丢失")
    expect(page.get_by_test_id("field-title-zh")).to_have_value("会员卡积分丢失")
    expect(page.get_by_test_id("field-check-zh")).to_have_value("核对会员号和最近的消费记录")
    expect(page.get_by_test_id("field-level-2")).to_be_checked()
    expect(page.get_by_test_id("field-level-1")).not_to_be_checked()
    expect(page.get_by_test_id("field-offer_limit")).to_have_value("12,5")
    page.get_by_test_id("field-offer_limit").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("12.50")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("scripts-saved")).to_contain_text(script_id)
    change = page.locator(f'[data-testid="scripts-change"][data-id="{script_id}"]')
    expect(change).to_have_attribute("data-kind", "added")

    page.once("dialog", lambda dialog: dialog.accept())  # "publish as version N?"
    page.get_by_test_id("scripts-publish").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    notice = page.get_by_test_id("scripts-published")
    expect(notice).to_be_visible()
    version = int(page.get_by_test_id("scripts-library").get_attribute("data-version") or 0)
    expect(notice).to_have_text(t("scripts.published", "zh", version=version))
    expect(page.locator(f'[data-testid="script"][data-id="{script_id}"]')).to_contain_text(
        "会员卡积分丢失")
    publication = page.locator(f'[data-testid="scripts-publication"][data-version="{version}"]')
    expect(publication).to_contain_text(f"hq:{hq.display_name}")

    pulled = httpx.get(f"{server.url}/v1/scripts", headers=headers(_desk_token(server)),
                       timeout=10)
    library = parse_library(pulled.json())
    assert library.version == version and pulled.headers["ETag"] == f'"v{version}"'
    script = library.get(script_id)
    assert script is not None
    assert (script.subcategory, script.levels, script.offer_limit_fen) == ("membership",
                                                                          (2, 3), 1250)
    assert script.title.en == "Lost membership points"
    assert script.say_first.zh == "非常抱歉，我马上帮您查询积分记录。"
    assert offsite.urls == []
