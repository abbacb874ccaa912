"""Hybrid logical clock: orders events across desks whose wall clocks disagree.

A timestamp is ``(wall_ms, counter)``, written as a fixed-width string so that string
order equals clock order in SQL. Ties between devices are broken by device id.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class HLC:
    """One hybrid-logical-clock reading."""

    wall_ms: int
    counter: int

    def encode(self) -> str:
        """Fixed-width text form, sortable as a string."""
        return f"{self.wall_ms:015d}.{self.counter:05d}"

    @classmethod
    def decode(cls, text: str) -> HLC:
        """Parse :meth:`encode` output."""
        wall, _, counter = text.partition(".")
        return cls(int(wall), int(counter))


ZERO = HLC(0, 0)


def tick(last: HLC, now_ms: int) -> HLC:
    """The clock value for a local event, given the last value issued and the wall clock.

    Never goes backwards even when the wall clock does.
    """
    if now_ms > last.wall_ms:
        return HLC(now_ms, 0)
    return HLC(last.wall_ms, last.counter + 1)


def receive(last: HLC, remote: HLC, now_ms: int) -> HLC:
    """The clock value after seeing a remote event stamped *remote*."""
    wall = max(last.wall_ms, remote.wall_ms, now_ms)
    if wall == last.wall_ms == remote.wall_ms:
        return HLC(wall, max(last.counter, remote.counter) + 1)
    if wall == last.wall_ms:
        return HLC(wall, last.counter + 1)
    if wall == remote.wall_ms:
        return HLC(wall, remote.counter + 1)
    return HLC(wall, 0)
