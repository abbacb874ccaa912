"""The customer's history and similar resolved tickets, compared with hand-built ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop import history
from desktop import ticket_actions as handling
from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.history import (
    Accountability,
    CustomerHistory,
    GrantedCompensation,
    PastTicket,
    customer_history,
    similar_resolved,
)
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from domain.errors import InvalidInput
from domain.similarity import text_similarity

SAMPLES = Path("/work/shared/samples/complaints.jsonl")
PHONE = "13812345678"


def _samples() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLES.read_text("utf-8").splitlines() if line]


def _sample(subcategory: str, n: int = 0) -> str:
    texts = [s["text"] for s in _samples() if s["subcategory"] == subcategory]
    return str(texts[n])


def _close(desk: Desk, staff: dict[str, Staff], ref: str, *, note: str | None = None,
           accountability: dict[str, str] | None = None) -> None:
    handling.advance(desk, staff["d1"], ref, "rectifying")
    handling.advance(desk, staff["d1"], ref, "reviewing")
    handling.advance(desk, staff["m1"], ref, "accountability")
    handling.advance(desk, staff["m1"], ref, "closed", note=note,
                     accountability=accountability or {"outcome": "none"})


def test_customer_history_lists_earlier_tickets_newest_first_with_totals(
    desk: Desk, staff: dict[str, Staff], clock: FixedClock
) -> None:
    first = create_ticket(desk, staff["d1"], {"text": _sample("quality"),
                                              "customer": {"phone": PHONE}}).ticket
    compensate(desk, staff["d1"], first.id, amount="30", kind="coupon")
    _close(desk, staff, first.id)
    handling.rate(desk, staff["d1"], first.id, 4)
    clock.advance(minutes=60 * 24 * 40)  # the first grant falls out of the 30-day window
    second = create_ticket(desk, staff["d1"], {"text": _sample("spoiled"),
                                               "customer": {"phone": PHONE}}).ticket
    compensate(desk, staff["d1"], second.id, amount="12.50", kind="refund")
    clock.advance(minutes=5)
    voided = create_ticket(desk, staff["d1"], {"text": "录错了", "customer": {"phone": PHONE}})
    handling.void(desk, staff["m1"], voided.ticket.id, "录入错误")
    create_ticket(desk, staff["d1"], {"text": "别人的投诉", "customer": {"phone": "13900000000"}})

    history = customer_history(desk, "+86 138-1234-5678")

    second_now = desk.conn.execute(
        "SELECT status, level, category, subcategory FROM tickets WHERE id = ?", (second.id,)
    ).fetchone()
    expected = CustomerHistory(
        phone=PHONE,
        tickets=(
            PastTicket(second.id, second.number, second.created_at, second_now["status"],
                       second_now["category"], second_now["subcategory"],
                       second_now["level"], None, 1250),
            PastTicket(first.id, first.number, first.created_at, "rated", first.category,
                       first.subcategory, first.level, 4, 3000),
        ),
        count=2, open_count=1, granted_fen_window=1250, grants_in_window=1, window_days=30,
    )
    assert history == expected
    assert customer_history(desk, PHONE, limit=1).tickets == expected.tickets[:1]
    assert customer_history(desk, PHONE, limit=1).count == 2


def test_customer_history_of_a_new_customer_and_of_a_bad_phone(
    desk: Desk, staff: dict[str, Staff]
) -> None:
    empty = customer_history(desk, "13700000000")
    assert (empty.tickets, empty.count, empty.open_count, empty.granted_fen_window) == (
        (), 0, 0, 0)
    with pytest.raises(InvalidInput):
        customer_history(desk, "12345")


def test_similar_resolved_shows_how_each_was_resolved(
    desk: Desk, staff: dict[str, Staff], clock: FixedClock
) -> None:
    text = _sample("spoiled")
    old = create_ticket(desk, staff["d1"], {"text": text + "要求退款"}).ticket
    compensate(desk, staff["d1"], old.id, amount="20", kind="refund")
    handling.add_note(desk, staff["d1"], old.id, "已联系供应商下架同批次")
    _close(desk, staff, old.id, note="已退款并致歉，同批次商品下架",
           accountability={"outcome": "penalty", "subject": "生鲜部", "note": "未及时巡检"})
    handling.rate(desk, staff["d1"], old.id, 5, "处理很快")
    # Still open: not offered as "resolved".
    create_ticket(desk, staff["d1"], {"text": text})
    # Resolved, but another subcategory.
    other = create_ticket(desk, staff["d1"], {"text": _sample("attitude")}).ticket
    _close(desk, staff, other.id, note="已批评教育")
    clock.advance(minutes=30)

    found = similar_resolved(desk, text, old.subcategory)

    assert [r.number for r in found] == [old.number]
    hit = found[0]
    assert hit.resolution == "已退款并致歉，同批次商品下架"
    assert hit.accountability == Accountability("penalty", "生鲜部", "未及时巡检")
    assert hit.compensations == (GrantedCompensation("refund", 2000),)
    assert (hit.rating, hit.rating_comment, hit.status) == (5, "处理很快", "rated")
    assert 0.5 < hit.similarity <= 1.0


def test_similar_resolved_falls_back_to_the_last_note_and_ranks_by_similarity(
    desk: Desk, staff: dict[str, Staff]
) -> None:
    text = _sample("quality")
    close_one = create_ticket(desk, staff["d1"], {"text": text}).ticket
    handling.contact_customer(desk, staff["d1"], close_one.id, "phone", "已约顾客来店换货")
    _close(desk, staff, close_one.id)
    far = create_ticket(desk, staff["d1"], {"text": text[: len(text) // 2] + "别的事情"}).ticket
    _close(desk, staff, far.id)
    assert close_one.subcategory == far.subcategory

    found = similar_resolved(desk, text, close_one.subcategory, min_similarity=0.0)

    assert [r.number for r in found] == [close_one.number, far.number]
    assert found[0].resolution == "已约顾客来店换货"
    assert found[0].accountability == Accountability("none", "", "")
    assert found[0].compensations == ()
    assert similar_resolved(desk, "", close_one.subcategory) == []
    assert similar_resolved(desk, text, close_one.subcategory, limit=1)[0].number == (
        close_one.number)


def test_reopened_then_closed_again_reports_the_last_closing(
    desk: Desk, staff: dict[str, Staff]
) -> None:
    text = _sample("mismatch")
    t = create_ticket(desk, staff["d1"], {"text": text}).ticket
    _close(desk, staff, t.id, note="第一次处理：解释说明")
    handling.reopen(desk, staff["d1"], t.id, "顾客不满意")
    handling.advance(desk, staff["d1"], t.id, "reviewing")
    handling.advance(desk, staff["m1"], t.id, "accountability")
    handling.advance(desk, staff["m1"], t.id, "closed", note="补足差价并道歉",
                     accountability={"outcome": "none"})
    [hit] = similar_resolved(desk, text, t.subcategory)
    assert hit.resolution == "补足差价并道歉"


def test_similar_resolved_compares_a_bounded_set_on_a_big_subcategory(
    desk: Desk, staff: dict[str, Staff], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many resolved tickets of one subcategory: only a bounded set is compared, and an
    older exact match beyond the newest ones is still found through the search index."""
    text = _sample("spoiled")
    t = create_ticket(desk, staff["d1"], {"text": text}).ticket
    _close(desk, staff, t.id, note="退款")
    # Clone the projection row cheaply (no events needed for the candidate query).
    row = dict(desk.conn.execute("SELECT * FROM tickets WHERE id = ?", (t.id,)).fetchone())
    del row["rid"]
    cols = ",".join(row)
    marks = ",".join("?" * len(row))
    others = [s["text"] for s in _samples() if s["subcategory"] == "spoiled"][1:]
    rows = []
    for i in range(3_000):
        row["id"], row["number"] = f"clone-{i}", f"CLONE-{i:06d}"
        row["text"] = f"第{i}号：{others[i % len(others)]}"
        rows.append(tuple(row.values()))
    with desk.conn:
        desk.conn.executemany(f"INSERT INTO tickets ({cols}) VALUES ({marks})", rows)
    compared: list[str] = []

    def counting(a: str, b: str) -> float:
        compared.append(b)
        return text_similarity(a, b)

    monkeypatch.setattr(history, "text_similarity", counting)
    found = similar_resolved(desk, text, t.subcategory)
    assert found[0].number == t.number
    assert len(compared) <= history.MAX_RECENT_CANDIDATES + 2 * history.MAX_SEARCH_CANDIDATES
