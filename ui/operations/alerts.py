"""Alert writes: escalation steps that fell due, and acknowledging an alert."""

from __future__ import annotations

from typing import Any

from desktop.alerts import acknowledge as acknowledge_alert
from desktop.staff import Staff
from desktop.ticket_actions import escalate_due
from ui.operations.op import Op


def escalate() -> Op[list[dict[str, Any]]]:
    """Record every escalation step that has fallen due."""
    return Op(escalate_due)


def acknowledge(staff: Staff, ticket_id: str, key: str) -> Op[None]:
    """*staff* saw alert *key* of the ticket."""
    return Op(lambda d: acknowledge_alert(d, staff, ticket_id, key))
