"""Merged months and kept results (``report_blocks``) on days made here: which days are
merged, that a block follows a changed mark, and that a day without one is never kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sync.server.console import report_blocks
from sync.server.console.report_days import Days


@pytest.fixture(autouse=True)
def _forget() -> None:
    report_blocks.clear()


def _days(first: date, last: date, version: int = 7) -> Days[int]:
    values, versions = {}, {}
    d = first
    while d <= last:
        values[d] = d.day
        versions[d] = version
        d += timedelta(days=1)
    return Days("db", "test", "*", values, versions)


class _Merges:
    """A merge that adds up and counts how often it ran."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self, values: list[int]) -> int:
        self.runs += 1
        return sum(values) * 1000


def test_whole_months_inside_are_merged_and_the_ends_left_loose() -> None:
    days = _days(date(2026, 1, 30), date(2026, 4, 2))
    merge = _Merges()
    out = report_blocks.covering(days, date(2026, 1, 30), date(2026, 4, 2), merge)
    feb = sum(range(1, 29)) * 1000
    mar = sum(range(1, 32)) * 1000
    assert out == [30, 31, feb, mar, 1, 2]
    assert merge.runs == 2
    # Leap February, a December into January, a range inside one month.
    leap = _days(date(2024, 2, 1), date(2024, 2, 29))
    assert report_blocks.covering(leap, date(2024, 2, 1), date(2024, 2, 29), merge) == [
        sum(range(1, 30)) * 1000]
    turn = _days(date(2025, 12, 1), date(2026, 1, 31))
    assert len(report_blocks.covering(turn, date(2025, 12, 1), date(2026, 1, 31), merge)) == 2
    inside = _days(date(2026, 5, 2), date(2026, 5, 31))
    assert report_blocks.covering(inside, date(2026, 5, 2), date(2026, 5, 31), merge) == list(
        range(2, 32))


def test_a_block_is_kept_while_its_days_marks_are() -> None:
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    merge = _Merges()
    days = _days(first, last)
    assert report_blocks.covering(days, first, last, merge) == [496000]
    assert report_blocks.covering(days, first, last, merge) == [496000]
    assert merge.runs == 1
    # One day computed again (a new mark and value): merged again.
    days.values[date(2026, 3, 9)] = 100
    days.versions[date(2026, 3, 9)] = 8
    assert report_blocks.covering(days, first, last, merge) == [(496 - 9 + 100) * 1000]
    assert merge.runs == 2
    # Another scope or database holding the same marks is a block of its own.
    other = Days("db2", "test", "*", dict(days.values), dict(days.versions))
    report_blocks.covering(other, first, last, merge)
    assert merge.runs == 3


def test_a_day_without_a_mark_is_never_kept() -> None:
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    merge = _Merges()
    days = _days(first, last)
    del days.versions[date(2026, 3, 20)]  # computed, not stored
    for _ in range(2):
        assert report_blocks.covering(days, first, last, merge) == [496000]
    assert merge.runs == 2
    assert report_blocks.stamp(days, first, last) is None
    assert report_blocks.stamp(days, first, date(2026, 3, 19)) == (7,) * 19


def test_kept_results_are_bounded() -> None:
    for n in range(report_blocks.KEPT + 10):
        report_blocks.kept(("k", n), (n,), lambda n=n: n)
    runs = []
    assert report_blocks.kept(("k", 0), (0,), lambda: runs.append(1) or -1) == -1
    assert runs == [1]
    assert report_blocks.kept(("k", report_blocks.KEPT + 9), (report_blocks.KEPT + 9,),
                              lambda: -1) == report_blocks.KEPT + 9


def test_league_days_merge_per_store() -> None:
    a = {"S1": ([1, 2], ["2026-03-01T01:00:00.000Z"]), "S2": ([5, 5], [])}
    b = {"S1": ([10, 20], ["2026-03-02T01:00:00.000Z"])}
    assert report_blocks.merge_league([a, b]) == {
        "S1": ([11, 22], ["2026-03-01T01:00:00.000Z", "2026-03-02T01:00:00.000Z"]),
        "S2": ([5, 5], [])}
    assert report_blocks.merge_league([]) == {}
