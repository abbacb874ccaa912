"""What a write changed, so that each view refreshes only what it shows (Anki's OpChanges).

A GUI operation runs its desk write through :func:`recorded`, which returns the write's
value together with a :class:`Changes`: the tickets whose events it wrote (read from the
event log, so a group raise, a merge or an escalation names every ticket it touched),
whether compensations changed, and what the operation declares besides (print jobs,
policy, staff, the script library). A sync pull says what it changed the same way
(:func:`changes_since`). Listeners look at the value and skip refreshes that cannot
matter to them, which keeps focus and selection where staff left them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Generic, TypeVar

from desktop.desk import Desk
from domain.fold import COMPENSATION_EVENTS

T = TypeVar("T")

# The event a new ticket starts with (the queue may gain a row).
_CREATED = "ticket_created"


@dataclass(frozen=True)
class Changes:
    """What one write changed. ``everything`` stands for a write that did not say."""

    tickets: frozenset[str] = frozenset()  # ids of tickets that got events
    ticket_added: bool = False
    compensations: bool = False
    print_jobs: bool = False
    policy: bool = False
    staff: bool = False
    sync_state: bool = False  # events wait for the centre now (the sync line, the runner)
    scripts: bool = False  # the script library (a pull) or its recorded uses
    everything: bool = False

    def __or__(self, other: Changes) -> Changes:
        """Both changes together."""
        # Every field is a set or a flag: | unites the one and ors the other.
        return Changes(**{f.name: getattr(self, f.name) | getattr(other, f.name)
                          for f in fields(self)})

    def names_ticket(self, ticket_id: str | None) -> bool:
        """*ticket_id* may look different now."""
        return ticket_id is not None and (self.everything or ticket_id in self.tickets)

    @property
    def any_ticket(self) -> bool:
        """Some ticket may look different now (lists of tickets re-read)."""
        return self.everything or bool(self.tickets)

    @property
    def any_compensation(self) -> bool:
        """Some compensation line may have changed."""
        return self.everything or self.compensations

    @property
    def any_print_job(self) -> bool:
        """The print queue may have changed."""
        return self.everything or self.print_jobs

    @property
    def any_policy(self) -> bool:
        """The policy may have changed."""
        return self.everything or self.policy

    @property
    def any_staff(self) -> bool:
        """Staff (names, roles) may have changed."""
        return self.everything or self.staff

    @property
    def any_scripts(self) -> bool:
        """The script library, or which scripts were marked helpful, may have changed."""
        return self.everything or self.scripts

    @property
    def any_sync_state(self) -> bool:
        """What waits for the centre may have changed."""
        return self.everything or self.sync_state


NOTHING = Changes()
EVERYTHING = Changes(everything=True)


@dataclass(frozen=True)
class Changed(Generic[T]):
    """A write's value and what it changed (the executor hands *value* to the caller)."""

    value: T
    changes: Changes


def event_mark(conn: sqlite3.Connection) -> int:
    """The last event this desk holds (the log's local order), to compare with later."""
    row = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()
    return int(row[0])


def changes_since(conn: sqlite3.Connection, mark: int) -> tuple[Changes, int]:
    """What the events written after *mark* changed, and the new mark."""
    rows = conn.execute("SELECT seq, ticket_id, type FROM events WHERE seq > ?",
                        (mark,)).fetchall()
    if not rows:
        return NOTHING, mark
    types = {str(r[2]) for r in rows}
    changes = Changes(
        tickets=frozenset(str(r[1]) for r in rows),
        ticket_added=_CREATED in types,
        compensations=not types.isdisjoint(COMPENSATION_EVENTS),
        sync_state=True,
    )
    return changes, max(int(r[0]) for r in rows)


def recorded(job: Callable[[Desk], T], also: Changes = NOTHING) -> Callable[[Desk], Changed[T]]:
    """*job* as a write that reports its changes: the events it wrote, plus *also*."""
    def run(desk: Desk) -> Changed[T]:
        mark = event_mark(desk.conn)
        value = job(desk)
        written, _ = changes_since(desk.conn, mark)
        return Changed(value, written | also)
    return run
