"""The chain's queue and a ticket page in a real browser: a regional manager filters the
queue, watches a countdown tick, opens a ticket, adds a note by keyboard, and finds
another region's ticket not found."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from sync.server import hq
from sync.server.console.i18n import t
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess
from tests.sync.server.console.conftest import Account, Offsite, Place, log_in
from tests.sync.server.console.test_queue_pages import FOOD, RUDE, make_ticket


def test_a_regional_manager_works_the_queue(page: Page, server: ServerProcess,
                                            make_account: Callable[..., Account],
                                            make_store: Callable[..., Place],
                                            console_storage: Storage,
                                            offsite: Offsite) -> None:
    mine, theirs = make_store(), make_store(name="广州一店")
    wanted = make_ticket(console_storage, mine.store, FOOD, channel="qr")
    make_ticket(console_storage, mine.store, RUDE, channel="hotline")
    elsewhere = make_ticket(console_storage, theirs.store, RUDE)
    manager = make_account("regional", region=mine.region)
    log_in(page, server, manager, next_path="/console/queue")
    assert page.url == f"{server.url}/console/queue"

    # Filter by store and channel through the form.
    page.get_by_test_id("queue-store").select_option(mine.store)
    page.get_by_test_id("queue-channel").select_option("qr")
    with page.expect_navigation():
        page.get_by_test_id("queue-apply").click()
    assert "channel=qr" in page.url and f"store={mine.store}" in page.url
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-number", wanted.number)

    # The countdown is live: its text changes from one second to the next.
    countdown = rows.first.get_by_test_id("queue-countdown")
    expect(countdown).to_contain_text(t("queue.left", "zh", t=""))
    before = countdown.inner_text()
    page.wait_for_timeout(1300)
    assert countdown.inner_text() != before

    # Open the ticket and add a note with the keyboard only.
    with page.expect_navigation():
        rows.first.get_by_test_id("queue-open").click()
    expect(page.get_by_test_id("ticket-title")).to_contain_text(wanted.number)
    page.get_by_test_id("ticket-note-text").focus()
    page.keyboard.type("已电话联系顾客，今天下午上门")
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("ticket-note-submit")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket-message")).to_have_text(t("ticket.note.saved", "zh"))
    last = page.get_by_test_id("timeline-line").last
    expect(last).to_contain_text("已电话联系顾客，今天下午上门")
    expect(last).to_contain_text(f"{t('ticket.actor.regional', 'zh')} · {manager.display_name}")
    events = hq.show_ticket(console_storage, wanted.ticket_id).events
    assert (events[-1]["type"], events[-1]["actor"]) == (
        "note_added", f"regional:{manager.display_name}")

    # Another region's ticket: not found, as an unknown one.
    answer = page.goto(f"{server.url}/console/tickets/{elsewhere.ticket_id}")
    assert answer is not None and answer.status == 404
    expect(page.get_by_test_id("error-message")).to_have_text(t("ticket.not_found", "zh"))
    assert offsite.urls == []
