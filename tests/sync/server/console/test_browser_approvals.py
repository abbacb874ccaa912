"""An approval in a real browser reaching a real desk: headquarters approves a ¥5,000
request by keyboard; a regional manager decides a ¥2,000 one of their region (a refusal
without a reason is said, then done with one). The desk syncs and holds the decision."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from desktop.compensation import compensate
from desktop.tickets import create_ticket
from local_db import projection
from sync.server.console.i18n import t
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.conftest import Account, Offsite, Place, log_in

MakeDesk = Callable[..., DeskNode]


def _desk_request(node: DeskNode, yuan: str) -> tuple[str, str]:
    """A complaint at the desk with a request of *yuan* above the manager's limit, synced."""
    node.clock.advance(seconds=5)
    tid = create_ticket(node.desk, node.clerk, {
        "text": "冰箱送到家就不制冷，食物全坏了，要求赔偿"}).ticket.id
    out = compensate(node.desk, node.manager, tid, amount=yuan, kind="cash")
    assert (out.compensation.status, out.compensation.approval_level) == (
        "pending_approval", "hq")
    node.engine.sync_once()
    return tid, out.compensation.id


def _desk_in(make_desk: MakeDesk, server: ServerProcess, place: Place) -> DeskNode:
    node = make_desk("A", "D1", server, enrol=False)
    server.add_store(node.desk.store_code, place.region)
    node.enrol()
    return node


def test_an_hq_approval_reaches_the_desk(
        page: Page, server: ServerProcess, make_desk: MakeDesk,
        make_account: Callable[..., Account], make_store: Callable[..., Place],
        offsite: Offsite) -> None:
    node = _desk_in(make_desk, server, make_store())
    tid, cid = _desk_request(node, "5000")  # above ¥3,000: headquarters decides
    hq = make_account("hq", name="王总")
    log_in(page, server, hq, next_path="/console/approvals")
    assert page.url == f"{server.url}/console/approvals"
    row = page.locator(f'[data-testid="approval-row"][data-compensation="{cid}"]')
    expect(row).to_be_visible()
    expect(row.get_by_test_id("approval-amount")).to_contain_text("¥5000.00")
    expect(row.get_by_test_id("approval-amount")).to_contain_text(
        t("approvals.decider.hq", "zh"))
    expect(row.get_by_test_id("approval-text")).to_contain_text("冰箱送到家就不制冷")
    expect(row.get_by_test_id("approval-ticket")).to_have_attribute(
        "href", f"/console/tickets/{tid}")
    # By keyboard: the reason, Tab to "approve", Enter.
    row.get_by_test_id("approval-reason").focus()
    page.keyboard.type("食品损失属实，总部同意全额赔偿")
    page.keyboard.press("Tab")
    expect(row.get_by_test_id("approval-approve")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("approvals-message")).to_have_text(
        t("approvals.done.approved", "zh"))
    expect(page.locator(f'[data-compensation="{cid}"]')).to_have_count(0)

    node.engine.sync_once()
    line = projection.read_compensation(node.conn, cid)
    assert line is not None
    assert (line.status, line.approved_by, line.reason) == (
        "granted", "hq:王总", "comp.approved_by_hq")
    assert offsite.urls == []


def test_a_regional_manager_refuses_with_a_reason_and_the_desk_gets_it(
        page: Page, server: ServerProcess, make_desk: MakeDesk,
        make_account: Callable[..., Account], make_store: Callable[..., Place],
        offsite: Offsite) -> None:
    place = make_store()
    node = _desk_in(make_desk, server, place)
    _, cid = _desk_request(node, "2000")  # within ¥3,000: the region's manager decides
    regional = make_account("regional", region=place.region, name="张敏")
    log_in(page, server, regional, next_path="/console/approvals")
    row = page.locator(f'[data-testid="approval-row"][data-compensation="{cid}"]')
    expect(row).to_be_visible()
    expect(row.get_by_test_id("approval-store")).to_contain_text("华中区")
    # Refusing without a reason: said, nothing decided, the row still there.
    with page.expect_navigation():
        row.get_by_test_id("approval-refuse").click()
    expect(page.get_by_test_id("approvals-message")).to_have_text(
        t("approvals.error.reason_required", "zh"))
    row = page.locator(f'[data-testid="approval-row"][data-compensation="{cid}"]')
    expect(row.get_by_test_id("approval-reason")).to_be_focused()
    page.keyboard.type("顾客已在门店接受换货，无需现金赔偿")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(row.get_by_test_id("approval-refuse")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("approvals-message")).to_have_text(
        t("approvals.done.refused", "zh"))

    node.engine.sync_once()
    line = projection.read_compensation(node.conn, cid)
    assert line is not None
    assert (line.status, line.approved_by, line.reason) == (
        "refused", "regional:张敏", "comp.refused_by_regional")
    assert offsite.urls == []
