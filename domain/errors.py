"""The exceptions the core raises, one hierarchy, each with a translatable message.

``KesuError`` is the base. Every error names a message ``code`` (a key of the catalogues
in ``resources/messages/``) and the ``params`` to fill in, so the command line and the
app can say what went wrong in the user's language.
"""

from __future__ import annotations

from typing import Any


class KesuError(Exception):
    """Base of every error the Kesu core reports to a person."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params = params


class InvalidInput(KesuError):
    """The input is wrong (empty text, bad phone, negative amount...); nothing was saved."""


class NotFound(KesuError):
    """A ticket, staff member or compensation that does not exist."""


class TransitionRefused(KesuError):
    """The lifecycle does not allow this step from the ticket's state."""


class PermissionDenied(KesuError):
    """The acting staff member's role may not do this."""


class AuthenticationFailed(KesuError):
    """Wrong PIN, or the account is locked."""


class PolicyInvalid(KesuError):
    """A policy document failed validation; ``params`` has ``path`` and ``reason``."""
