"""One desk write, ready to run on the writer thread and say what it changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from desktop.changes import NOTHING, Changes, recorded
from desktop.desk import Desk
from ui.context import AppContext

T = TypeVar("T")


@dataclass(frozen=True)
class Op(Generic[T]):
    """*job* on the writer's desk; the tickets it changed are read from the events it
    wrote, *also* names what else it changed (print jobs, policy, staff)."""

    job: Callable[[Desk], T]
    also: Changes = NOTHING

    def run(self, ctx: AppContext, on_done: Callable[[T], Any] | None = None,
            on_error: Callable[[BaseException], None] | None = None) -> int:
        """Queue the write; *on_done(value)* or *on_error(exc)* later on the GUI thread."""
        return ctx.executor.submit(recorded(self.job, self.also), on_done, on_error)
