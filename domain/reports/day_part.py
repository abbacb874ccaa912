"""The per-store-day partial of the store report (:class:`DayPart`), which the desk and the
centre both read their tickets into and the figures are computed over.

A day's partial is everything ``domain.reports.figures`` needs from the tickets created on
one store day that depends neither on *now* nor on the policy: sums by subcategory (and
category), channel and level, the due times of the tickets still unanswered (compared with
*now* when merged: overdue or pending), the sorted response times (exact nearest-rank
p90), voided and merged counts, product keys and names. The desk computes them from its
SQLite (``desktop.reports.day_cache``), the centre from its projection
(``sync.server.console.report_days``).
"""

from __future__ import annotations

import sys
from array import array
from base64 import b64decode, b64encode
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

# The sums of a group of counted tickets, in this order.
SUMS = ("tickets", "resolved", "reopened", "ever_closed", "rated", "rating_sum",
        "in_time", "late", "responded")
# Response times are stored little-endian, whatever the machine.
_SWAP = sys.byteorder != "little"


@dataclass
class DayPart:
    """What the report needs from the counted tickets of one store day.

    Product names are stored once per day (``names``, sorted) and referred to by index:
    the labels and the names by subcategory are mostly the same few dozen names.
    """

    sub: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # sub → cat → SUMS
    channel: dict[str, list[int]] = field(default_factory=dict)
    level: dict[int, list[int]] = field(default_factory=dict)
    level1: dict[str, int] = field(default_factory=dict)  # level-1 tickets by subcategory
    # (subcategory, category, channel, level, due_at) of tickets not yet answered
    unanswered: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    # response times (ms), sorted; stored as base64 of little-endian int64 (decoded in C)
    response_ms: array[int] = field(default_factory=lambda: array("q"))
    voided: int = 0
    merged: int = 0
    products: dict[str, int] = field(default_factory=dict)  # product key → tickets
    product_keys: list[str] = field(default_factory=list)  # sorted
    names: list[str] = field(default_factory=list)  # product names written, sorted
    # per product key, in sorted key order: its smallest name (index in names; -1: none)
    label_index: list[int] = field(default_factory=list)
    # subcategory → [index in names, tickets, index, tickets, ...] (flat: fewer objects)
    sub_names: dict[str, list[int]] = field(default_factory=dict)

    def label_of(self, key: str) -> str | None:
        """The smallest name written for product *key* that day (None: none, or not
        named that day); a lookup in the sorted keys, no dict built."""
        i = bisect_left(self.product_keys, key)
        if i == len(self.product_keys) or self.product_keys[i] != key:
            return None
        at = self.label_index[i]
        return self.names[at] if at >= 0 else None

    def add_names_of(self, subcategory: str, into: dict[str, int]) -> None:
        """Add the day's product names of *subcategory* (name → tickets) to *into*."""
        flat = self.sub_names.get(subcategory)
        if flat:
            names = self.names
            for i in range(0, len(flat), 2):
                name = names[flat[i]]
                into[name] = into.get(name, 0) + flat[i + 1]

    def response_total(self) -> int:
        """The day's response times added up (ms)."""
        return sum(self.response_ms)

    def sub_tickets(self) -> dict[str, int]:
        """Counted tickets by subcategory."""
        return {sub: sum(sums[0] for sums in cats.values()) for sub, cats in self.sub.items()}

    @classmethod
    def build(cls, part: DayPart, labels: Mapping[str, str],
              names: Mapping[str, Mapping[str, int]]) -> DayPart:
        """*part* with its products sorted and their *labels* (key → smallest name) and
        *names* (subcategory → name → tickets) stored by index."""
        table = sorted({*labels.values(), *(n for by in names.values() for n in by)})
        at = {name: i for i, name in enumerate(table)}
        part.product_keys = sorted(part.products)
        part.products = {k: part.products[k] for k in part.product_keys}
        part.names = table
        part.label_index = [at[labels[k]] if k in labels else -1 for k in part.product_keys]
        part.sub_names = {sub: [x for n, c in sorted(by.items()) for x in (at[n], c)]
                          for sub, by in sorted(names.items())}
        return part

    def to_json(self) -> str:
        """The partial as the cache stores it."""
        data: dict[str, Any] = {
            "s": self.sub, "c": self.channel, "l": {str(k): v for k, v in self.level.items()},
            "l1": self.level1, "u": self.unanswered, "r": _pack(self.response_ms),
            "v": self.voided, "m": self.merged, "pk": self.product_keys,
            "pc": [self.products[k] for k in self.product_keys], "nm": self.names,
            "pl": self.label_index, "n": self.sub_names}
        return orjson.dumps({k: v for k, v in data.items() if v}).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> DayPart:
        """A partial read back from the cache."""
        d = orjson.loads(text)
        keys = d.get("pk", [])
        return cls(sub=d.get("s", {}), channel=d.get("c", {}),
                   level={int(k): v for k, v in d.get("l", {}).items()},
                   level1=d.get("l1", {}),
                   unanswered=[(s, c, ch, int(lv), due) for s, c, ch, lv, due in d.get("u", ())],
                   response_ms=_unpack(d.get("r", "")), voided=d.get("v", 0), merged=d.get("m", 0),
                   products=dict(zip(keys, d.get("pc", ()), strict=True)), product_keys=keys,
                   names=d.get("nm", []), label_index=d.get("pl", []),
                   sub_names=d.get("n", {}))


def _pack(times: array[int]) -> str:
    if _SWAP:
        times = array("q", times)
        times.byteswap()
    return b64encode(times.tobytes()).decode("ascii")


def _unpack(text: str) -> array[int]:
    times = array("q")
    times.frombytes(b64decode(text))
    if _SWAP:
        times.byteswap()
    return times


def add_sums(target: dict[Any, list[int]], key: Any, sums: Sequence[int]) -> None:
    """Add *sums* (in :data:`SUMS` order) to *target*'s entry *key*."""
    have = target.get(key)
    target[key] = list(sums) if have is None else [a + b for a, b in zip(have, sums,
                                                                         strict=True)]
