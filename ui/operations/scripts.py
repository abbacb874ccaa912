"""Script library writes: a use of a script (copied into a note, marked helpful)."""

from __future__ import annotations

from desktop import script_library
from desktop.changes import Changes
from domain.scripts import Script
from ui.operations.op import Op


def record_use(kind: str, script: Script, ticket_id: str | None) -> Op[bool]:
    """Staff copied *script* into a note or marked it helpful (for the centre's usage
    figures; helpful once per script and ticket)."""
    return Op(lambda d: script_library.record_use(d, kind, script, ticket_id),
              also=Changes(scripts=True))
