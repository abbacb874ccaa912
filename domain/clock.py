"""Time sources, injected so tests and the escalation logic never read the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time, timezone-aware in UTC."""

    def now(self) -> datetime:
        """The current moment."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current moment, UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told to; for tests and demos."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The set moment."""
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new moment."""
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to *moment*."""
        self._now = moment.astimezone(UTC)


def parse_time(text: str) -> datetime:
    """Parse a stored UTC time (``2026-11-22T08:00:00.000Z``)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def wall_clock_text(moment: datetime | str, zone: tzinfo, fmt: str) -> str:
    """A stored UTC time (or a moment) as wall-clock text in *zone* (the store's)."""
    at = parse_time(moment) if isinstance(moment, str) else moment
    return at.astimezone(zone).strftime(fmt)


def format_time(moment: datetime) -> str:
    """UTC ISO-8601 text with milliseconds, the form every stored time uses."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
