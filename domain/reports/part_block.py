"""The partials of a run of store days merged into one (:class:`PartBlock`): what the
period's sums need from them, added up once.

A year's report adds up 366 day partials for every sum it shows. A reader that keeps
merged blocks (the centre keeps a calendar month's, while its days are unchanged) hands
``figures.assemble`` a dozen blocks and the loose days at the ends instead, and the sums
come out the same: every figure read from blocks is a plain sum over days. What is not a
sum (the p90 of the response times, the daily trend, the runs of repeat problems) is
still read from the days themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from domain.reports.day_part import DayPart, add_sums


class Summable(Protocol):
    """What the period's sums read from a day's partial or from a block of days."""

    @property
    def sub(self) -> dict[str, dict[str, list[int]]]: ...
    @property
    def channel(self) -> dict[str, list[int]]: ...
    @property
    def level(self) -> dict[int, list[int]]: ...
    @property
    def level1(self) -> dict[str, int]: ...
    @property
    def unanswered(self) -> list[tuple[str, str, str, int, str]]: ...
    @property
    def voided(self) -> int: ...
    @property
    def merged(self) -> int: ...

    def response_total(self) -> int:
        """The response times added up (ms)."""
        ...

    def add_names_of(self, subcategory: str, into: dict[str, int]) -> None:
        """Add the product names written under *subcategory* (name → tickets)."""
        ...


@dataclass
class PartBlock:
    """Several days' partials merged: their sums, unanswered tickets, voided and merged
    counts, total response time and product names by subcategory."""

    sub: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    channel: dict[str, list[int]] = field(default_factory=dict)
    level: dict[int, list[int]] = field(default_factory=dict)
    level1: dict[str, int] = field(default_factory=dict)
    unanswered: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    voided: int = 0
    merged: int = 0
    response_ms: int = 0
    names: dict[str, dict[str, int]] = field(default_factory=dict)  # sub → name → tickets

    @classmethod
    def of(cls, parts: Sequence[DayPart]) -> PartBlock:
        """*parts* merged."""
        block = cls()
        for part in parts:
            for sub, cats in part.sub.items():
                into = block.sub.setdefault(sub, {})
                for cat, sums in cats.items():
                    add_sums(into, cat, sums)
            for channel, sums in part.channel.items():
                add_sums(block.channel, channel, sums)
            for level, sums in part.level.items():
                add_sums(block.level, level, sums)
            for sub, n in part.level1.items():
                block.level1[sub] = block.level1.get(sub, 0) + n
            block.unanswered.extend(part.unanswered)
            block.voided += part.voided
            block.merged += part.merged
            block.response_ms += part.response_total()
            for sub in part.sub_names:
                part.add_names_of(sub, block.names.setdefault(sub, {}))
        return block

    def response_total(self) -> int:
        """The response times added up (ms)."""
        return self.response_ms

    def add_names_of(self, subcategory: str, into: dict[str, int]) -> None:
        """Add the block's product names of *subcategory* (name → tickets) to *into*."""
        for name, n in self.names.get(subcategory, {}).items():
            into[name] = into.get(name, 0) + n
