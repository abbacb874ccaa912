"""What makes a ticket "closed at first contact" for first-contact resolution (FCR).

A status change whose payload says ``first_contact`` (受理 → 完结 at the first contact,
``domain.actions.handling``). The desk spells the same test in SQL for its partial index
(``desktop.reports.first_contact``); the centre applies this one to a ticket's events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def closed_at_first_contact(status_payload: Mapping[str, Any]) -> bool:
    """Whether a ``status_changed`` payload closes the ticket at first contact."""
    return status_payload.get("first_contact") is True
