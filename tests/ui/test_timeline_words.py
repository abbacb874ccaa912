"""Every event kind of the log reads as words on the timeline, in Chinese and in English;
every state has a word in both; never a raw name such as ``receipt_printed``."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from desktop import alerts, compensation
from desktop import ticket_actions as handling
from desktop.desk import Desk
from desktop.receipts.issue import issue_receipt
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from domain.event_schema import PAYLOADS
from domain.lifecycle import STATES
from local_db import eventlog
from local_db.store import record_event
from tests.conftest import PINS
from ui import labels
from ui.context import AppContext
from ui.ticket_panel import TicketPanel
from ui.translations import install_language

EVENT_KINDS = sorted(set().union(*(set(kinds) for kinds in PAYLOADS.values())))
CJK = re.compile("[\u4e00-\u9fff]")


def _every_kind(desk: Desk, staff: dict[str, Staff], clock: FixedClock) -> list[str]:
    """Real tickets that, between them, carry every event kind the schema knows."""
    d1, m1 = staff["d1"], staff["m1"]
    main = create_ticket(desk, d1, {"text": "酸奶过期了，孩子喝了拉肚子",
                                    "customer": {"phone": "13812345678"}}).ticket
    alerts.acknowledge(desk, d1, main.id, "level_1")
    handling.assign(desk, d1, main.id, d1)
    handling.correct_triage(desk, d1, main.id, category="product", subcategory="spoiled",
                            level=1, reason="确认是变质")
    clock.advance(minutes=130)
    handling.escalate_due(desk)
    alerts.acknowledge(desk, d1, main.id, "escalated:1")
    handling.contact_customer(desk, d1, main.id, "phone", "已致电顾客")
    handling.add_note(desk, d1, main.id, "已下架同批次")
    compensation.compensate(desk, d1, main.id, amount="50", kind="cash")
    pending = compensation.compensate(desk, d1, main.id, amount="800", kind="cash")
    compensation.compensate(desk, m1, main.id, amount="20", kind="gift",
                            approver_id="d2", approver_pin=PINS["d2"])  # refused
    line = desk.conn.execute("SELECT id FROM compensations WHERE status = "
                             "'pending_approval'").fetchone()[0]
    assert pending is not None
    compensation.decide_pending(desk, m1, line, approve=True, note="同意")
    issue_receipt(desk, d1, main.id, kind="complaint", paper="80mm")
    issue_receipt(desk, d1, main.id, kind="complaint", paper="a4")  # a reprint
    handling.advance(desk, d1, main.id, "rectifying")
    record_event(desk.conn, ticket_id=main.id, type="conflict_resolved",
                 payload={"status": "rectifying", "note": "以本台为准"}, actor="m1",
                 occurred_at=desk.now(), policy_version=desk.policy.version)
    handling.advance(desk, d1, main.id, "reviewing")
    handling.advance(desk, m1, main.id, "accountability")
    handling.advance(desk, m1, main.id, "closed", accountability={"outcome": "none"})
    handling.rate(desk, d1, main.id, 4, "还行")
    dup = create_ticket(desk, d1, {"text": "收银员多收了我五块钱"}).ticket
    handling.merge(desk, d1, dup.id, main.number, "重复登记")
    wrong = create_ticket(desk, d1, {"text": "请问几点关门"}).ticket
    handling.void(desk, m1, wrong.id, "录错")
    ids = [main.id, dup.id, wrong.id]
    seen = {e.type for tid in ids for e in eventlog.events_for_ticket(desk.conn, tid)}
    assert seen == set(EVENT_KINDS), set(EVENT_KINDS) - seen  # a new kind: add it here
    return ids


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_event_kind_reads_as_words(
        ctx: AppContext, qtbot: QtBot, desk: Desk, staff: dict[str, Staff],
        clock: FixedClock, login: Callable[[str], Staff], language: str) -> None:
    ids = _every_kind(desk, staff, clock)
    ctx.language = install_language(language)
    login("d1")
    panel = TicketPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    for tid in ids:
        panel.show_ticket(tid)
        lines = [panel.timeline.item(i).text() for i in range(panel.timeline.count())]
        events = eventlog.events_for_ticket(desk.conn, tid)
        assert len(lines) == len(events)
        for line, event in zip(lines, events, strict=True):
            for kind in EVENT_KINDS:
                assert kind not in line, (kind, line)
            assert "_" not in line, line  # no code of any kind (alert keys, receipt kinds)
            assert f"  {labels.event_label(event.type)}  " in f"{line}  ", line
    words = {kind: labels.event_label(kind) for kind in EVENT_KINDS}
    assert all(word and word != kind for kind, word in words.items())
    assert len(set(words.values())) == len(words)  # each kind its own words
    if language == "zh_CN":
        assert all(CJK.search(word) for word in words.values())
    else:
        assert not any(CJK.search(word) for word in words.values())


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_state_has_a_word(ctx: AppContext, language: str) -> None:
    install_language(language)
    words = {state: labels.state_label(state, language) for state in STATES}
    assert len(set(words.values())) == len(STATES)
    for state, word in words.items():
        assert word != state  # not the code: 受理 / Accepted
        if language == "zh_CN":
            assert CJK.search(word)
        else:
            assert word[0].isupper() and not CJK.search(word)
