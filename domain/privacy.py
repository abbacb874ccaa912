"""Where a customer's phone number shows in full, and where it is masked (138****5678).

Policy data (``privacy`` in the policy document): ``full_phone_roles`` are the roles that
may see a full number (the handling staff, who must call the customer back), and
``mask_phone_in`` the places that mask it even for them. What the customer takes home or
sees without logging in (the receipts and the progress page) is always masked: a document
that leaves them out is refused. Older documents have no section: the defaults below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import PolicyInvalid
from domain.phones import mask_phone

# Every place that shows a phone number. ``ticket_view``: the ticket panel of the app;
# ``queue``: the queue's customer column; ``customer_history``: the intake form's history
# of the customer; ``receipt``: every printed receipt; ``progress_page``: the customer's
# progress page on the central server.
SURFACES = ("ticket_view", "queue", "customer_history", "receipt", "progress_page")
CUSTOMER_FACING = frozenset({"receipt", "progress_page"})


@dataclass(frozen=True)
class PrivacyPolicy:
    """Who sees a full phone number, and where it is masked for everyone."""

    full_phone_roles: frozenset[str] = frozenset({"desk", "manager"})
    mask_phone_in: frozenset[str] = frozenset(
        {"queue", "customer_history", "receipt", "progress_page"})

    def shows_full_phone(self, surface: str, role: str | None) -> bool:
        """Whether *role* sees the full number on *surface* (unknown surfaces mask)."""
        return (surface in SURFACES and surface not in self.mask_phone_in
                and role is not None and role in self.full_phone_roles)

    def phone_text(self, phone: str | None, surface: str, role: str | None) -> str | None:
        """*phone* as *role* may see it on *surface*: in full, or masked."""
        if not phone:
            return None
        return phone if self.shows_full_phone(surface, role) else mask_phone(phone)


def _fail(path: str, reason: str) -> PolicyInvalid:
    return PolicyInvalid("policy.invalid", path=path, reason=reason)


def _names(doc: dict[str, Any], key: str, allowed: tuple[str, ...]) -> frozenset[str]:
    value = doc[key]
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise _fail(f"privacy.{key}", "expected a list of names")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise _fail(f"privacy.{key}", f"unknown {', '.join(unknown)}; known: "
                                      f"{', '.join(allowed)}")
    return frozenset(value)


def parse_privacy(doc: dict[str, Any], roles: tuple[str, ...]) -> PrivacyPolicy:
    """The ``privacy`` section of a policy document (the defaults when it is absent)."""
    section = doc.get("privacy")
    if section is None:
        return PrivacyPolicy()
    if not isinstance(section, dict):
        raise _fail("privacy", f"expected dict, got {type(section).__name__}")
    defaults = PrivacyPolicy()
    full = (_names(section, "full_phone_roles", roles) if "full_phone_roles" in section
            else defaults.full_phone_roles)
    masked = (_names(section, "mask_phone_in", SURFACES) if "mask_phone_in" in section
              else defaults.mask_phone_in)
    missing = sorted(CUSTOMER_FACING - masked)
    if missing:
        raise _fail("privacy.mask_phone_in",
                    f"what the customer sees is always masked: add {', '.join(missing)}")
    return PrivacyPolicy(full, masked)
