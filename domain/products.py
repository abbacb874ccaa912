"""Products across tickets: the one product key, and the cross-store alert rule.

The product key is the SKU when a ticket has one, else its product name lower-cased
(ASCII letters only) without spaces, so "Milk 1L" and "milk1l" are one product. The desk's
reports compute the same key in SQL (``desktop.reports.repeats.PRODUCT_KEY_SQL``);
:func:`product_key` is exactly what SQLite evaluates for it (SQLite's ``lower()`` only
lowers A–Z, ``replace`` and ``trim`` touch the ASCII space only), which
``tests/domain/test_products.py`` checks on many inputs.

:func:`alert_window` is the rule "a product complained about in N or more distinct
stores within M days" (N and M from the policy's ``alerts`` section), as a pure function
of the mentions, so the centre's incremental computation and the tests share it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

_ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})


def product_key(sku: str | None, name: str | None) -> str | None:
    """``sku:<sku>`` when *sku* is non-empty, else ``name:`` and *name* with A–Z
    lower-cased and spaces removed; None when neither (a name of only spaces is none)."""
    if sku:
        return "sku:" + sku
    if name is not None and name.strip(" ") != "":
        return "name:" + name.replace(" ", "").translate(_ASCII_LOWER)
    return None


@dataclass(frozen=True)
class Mention:
    """One ticket's complaint about a product in a store, at its creation time (UTC)."""

    store: str
    ticket_id: str
    created_at: datetime


@dataclass(frozen=True)
class AlertWindow:
    """The first window in which a product reached the threshold."""

    first: datetime  # the earliest mention in the window
    last: datetime  # the mention that made the N-th store
    stores: tuple[str, ...]  # distinct stores in the window, sorted
    tickets: int  # mentions in the window


def alert_window(mentions: Iterable[Mention], stores: int, days: int) -> AlertWindow | None:
    """The earliest window of *days* days in which *stores* or more distinct stores have a
    mention; None when there is none.

    "Within M days" means: the latest and the earliest mention of the window are less
    than M × 24 hours apart (mentions exactly M days apart are not within M days). One
    store's several mentions count as one store. Sorted by creation time, a sliding
    window: O(n log n) for the n mentions given (the caller gives only the mentions of
    one product near the new one).
    """
    span = timedelta(days=days)
    ordered = sorted(mentions, key=lambda m: (m.created_at, m.ticket_id))
    in_window: Counter[str] = Counter()
    start = 0
    for end, mention in enumerate(ordered):
        in_window[mention.store] += 1
        while mention.created_at - ordered[start].created_at >= span:
            gone = ordered[start].store
            in_window[gone] -= 1
            if not in_window[gone]:
                del in_window[gone]
            start += 1
        if len(in_window) >= stores:
            return AlertWindow(first=ordered[start].created_at, last=mention.created_at,
                               stores=tuple(sorted(in_window)), tickets=end - start + 1)
    return None
