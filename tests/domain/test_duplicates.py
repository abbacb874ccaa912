"""The one duplicate rule of desk and centre: window edges, the threshold, the
subcategory, voided and merged tickets, the caps and the order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.clock import format_time
from domain.duplicates import (
    MAX_OFFERED,
    MAX_TEXT_CANDIDATES,
    Earlier,
    customer_since,
    likely_duplicates,
    text_since,
)
from domain.policy import DuplicatePolicy
from domain.similarity import text_similarity

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
POLICY = DuplicatePolicy(same_customer_window_hours=72, text_similarity_threshold=0.8,
                         text_window_hours=48)
TEXT = "三楼女厕所的洗手池堵了，水漫到地上，很滑"
ALIKE = "三楼女厕所洗手池堵了，水漫到地上很滑！"
OTHER = "会员积分上个月的没有到账"
PHONE = "13900001111"


def _row(n: int, *, hours_ago: float, text: str = OTHER, phone: str | None = None,
         subcategory: str = "facility", status: str = "new") -> Earlier:
    return Earlier(ticket_id=f"t{n:04d}", number=f"N{n:04d}", text=text,
                   subcategory=subcategory,
                   created_at=format_time(NOW - timedelta(hours=hours_ago)),
                   phone=phone, status=status)


def _find(rows: list[Earlier], *, text: str = TEXT, phone: str | None = PHONE,
          subcategory: str | None = "facility",
          policy: DuplicatePolicy = POLICY) -> list[tuple[str, str]]:
    return [(d.ticket.number, d.reason) for d in likely_duplicates(
        rows, policy, now=NOW, text=text, subcategory=subcategory, phone=phone)]


def test_the_windows_are_the_policys_hours_before_now() -> None:
    assert customer_since(POLICY, NOW) == format_time(NOW - timedelta(hours=72))
    assert text_since(POLICY, NOW) == format_time(NOW - timedelta(hours=48))


def test_same_customer_window_edge_is_inside_a_millisecond_more_is_out() -> None:
    edge = _row(1, hours_ago=72, phone=PHONE)
    past = _row(2, hours_ago=72 + 1 / 3_600_000, phone=PHONE)
    assert _find([edge, past]) == [("N0001", "same_customer")]


def test_text_window_edge_is_inside_a_millisecond_more_is_out() -> None:
    edge = _row(1, hours_ago=48, text=ALIKE)
    past = _row(2, hours_ago=48 + 1 / 3_600_000, text=ALIKE)
    assert _find([edge, past], phone=None) == [("N0001", "similar_text")]


def test_the_threshold_itself_is_a_duplicate_just_above_it_is_not() -> None:
    score = text_similarity(TEXT, ALIKE)
    row = _row(1, hours_ago=1, text=ALIKE)
    at = DuplicatePolicy(72, score, 48)
    above = DuplicatePolicy(72, min(1.0, score + 1e-9), 48)
    assert _find([row], phone=None, policy=at) == [("N0001", "similar_text")]
    assert _find([row], phone=None, policy=above) == []


def test_same_customer_with_another_subcategory_is_not_a_duplicate() -> None:
    other_problem = _row(1, hours_ago=1, phone=PHONE, subcategory="points")
    same_problem = _row(2, hours_ago=2, phone=PHONE)
    assert _find([other_problem, same_problem]) == [("N0002", "same_customer")]
    # A near-identical text of another subcategory is not offered either.
    assert _find([_row(3, hours_ago=1, text=ALIKE, subcategory="points")]) == []
    # Without a triage (subcategory None) every subcategory is compared.
    assert _find([other_problem], subcategory=None) == [("N0001", "same_customer")]


def test_same_customer_needs_a_phone_and_beats_similar_text() -> None:
    mine = _row(1, hours_ago=60, text=TEXT, phone=PHONE)  # outside the text window
    assert _find([mine], phone=None) == []
    assert _find([mine], phone="") == []
    both = _row(2, hours_ago=1, text=TEXT, phone=PHONE)
    alike = _row(3, hours_ago=1, text=ALIKE, phone="13700000000")
    assert _find([alike, both, mine]) == [("N0002", "same_customer"),
                                          ("N0001", "same_customer"),
                                          ("N0003", "similar_text")]


def test_voided_merged_and_repeated_rows() -> None:
    voided = _row(1, hours_ago=1, phone=PHONE, status="voided")
    merged = _row(2, hours_ago=1, text=TEXT, status="merged")
    closed = _row(3, hours_ago=1, text=TEXT, status="closed")
    # A caller's two reads may both return a ticket: it is offered once.
    assert _find([voided, merged, closed, closed]) == [("N0003", "similar_text")]


def test_only_the_newest_text_candidates_are_compared() -> None:
    newest = [_row(n, hours_ago=1 + n / 1000) for n in range(MAX_TEXT_CANDIDATES)]
    beyond = _row(MAX_TEXT_CANDIDATES, hours_ago=40, text=TEXT)
    assert _find([beyond, *newest], phone=None) == []
    assert _find([beyond, *newest[1:]], phone=None) == [(beyond.number, "similar_text")]
    # The same customer is not subject to the text cap.
    mine = _row(9999, hours_ago=40, phone=PHONE)
    assert _find([mine, *newest]) == [("N9999", "same_customer")]


@pytest.mark.parametrize("reason", ["same_customer", "similar_text"])
def test_at_most_max_offered_newest_first_on_ties(reason: str) -> None:
    phone = PHONE if reason == "same_customer" else "13700000000"
    rows = [_row(n, hours_ago=n, text=TEXT, phone=phone) for n in range(1, 25)]
    found = _find(list(reversed(rows)))
    assert found == [(f"N{n:04d}", reason) for n in range(1, MAX_OFFERED + 1)]


def test_the_more_alike_comes_first() -> None:
    exact = _row(1, hours_ago=5, text=TEXT)
    alike = _row(2, hours_ago=1, text=ALIKE)
    assert _find([alike, exact], phone=None) == [("N0001", "similar_text"),
                                                 ("N0002", "similar_text")]
