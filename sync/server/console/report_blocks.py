"""What the reports compute over many cached days, kept in the process while those days
are unchanged: calendar months of days merged into one block, and other results over a
period's days (the staff with the largest grants).

A report of a year adds up 366 days of every figure; with the months merged it adds up a
dozen blocks and the loose days at the ends. A block is keyed by its days' marks
(``report_days.Days.versions``): when the projection empties a day and it is computed
again, its mark changes and its month is merged again on the next report, alone. A day
with no mark (computed but not stored) is never kept in a block.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from sync.server.console.report_days import Days, LeagueDay

V = TypeVar("V")
B = TypeVar("B")
T = TypeVar("T")

KEPT = 4000  # results kept (a month of one kind and scope is one)
_KEPT: OrderedDict[Hashable, tuple[tuple[int, ...], Any]] = OrderedDict()
_LOCK = threading.Lock()


def stamp(days: Days[Any], first: date, last: date) -> tuple[int, ...] | None:
    """The marks of *days* from *first* through *last* (None when one has none)."""
    out = []
    d = first
    while d <= last:
        version = days.versions.get(d)
        if version is None:
            return None
        out.append(version)
        d += timedelta(days=1)
    return tuple(out)


def kept(key: Hashable, marks: tuple[int, ...] | None, compute: Callable[[], T]) -> T:
    """What *compute* returns, kept under *key* while *marks* are the same (computed
    each time when *marks* is None)."""
    if marks is None:
        return compute()
    with _LOCK:
        held = _KEPT.get(key)
        if held is not None and held[0] == marks:
            _KEPT.move_to_end(key)
            return held[1]  # type: ignore[no-any-return]
    value = compute()
    with _LOCK:
        _KEPT[key] = (marks, value)
        _KEPT.move_to_end(key)
        while len(_KEPT) > KEPT:
            _KEPT.popitem(last=False)
    return value


def _month_end(d: date) -> date:
    following = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def covering(days: Days[V], first: date, last: date, merge: Callable[[list[V]], B]
             ) -> list[V | B]:
    """The days *first* .. *last* of *days* as merged blocks, one per calendar month
    lying wholly inside, and the loose days at the ends: their sums are the days'."""
    out: list[V | B] = []
    d = first
    while d <= last:
        end = _month_end(d)
        if d.day == 1 and end <= last:
            month = [d + timedelta(days=i) for i in range((end - d).days + 1)]
            values = [days.values[x] for x in month]
            out.append(kept((days.db, days.kind, days.scope, d), stamp(days, d, end),
                            lambda values=values: merge(values)))  # type: ignore[misc]
            d = end + timedelta(days=1)
        else:
            out.append(days.values[d])
            d += timedelta(days=1)
    return out


def merge_league(days: Sequence[LeagueDay]) -> LeagueDay:
    """Several days' league sums merged: per store, the sums added up and the unanswered
    tickets' due times together."""
    rows: dict[str, list[list[int]]] = {}
    dues: dict[str, list[str]] = {}
    for day in days:
        for store, (values, unanswered) in day.items():
            rows.setdefault(store, []).append(values)
            if unanswered:
                dues.setdefault(store, []).extend(unanswered)
    return {store: (list(map(sum, zip(*daily, strict=True))), dues.get(store, []))
            for store, daily in rows.items()}


def clear() -> None:
    """Forget every kept result (the bench's cold runs)."""
    with _LOCK:
        _KEPT.clear()
