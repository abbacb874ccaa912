"""The centre's errors: one tree under :class:`domain.errors.KesuError`.

Each carries the machine-readable ``error`` code (also the KesuError ``code``) and an
English ``detail`` (KesuError's free text), which ``str()`` gives: the command line and
logs show it. A :class:`Refusal` also carries the HTTP ``status`` it is answered with:
the app answers every one as ``{"error", "detail", ...extra}`` (:class:`sync.protocol.ErrorBody`).
Nothing was written when one is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.errors import KesuError


class CentreError(KesuError):
    """Base of the centre's errors: ``error`` code and ``detail`` text."""

    def __init__(self, error: str, detail: str, **params: Any) -> None:
        super().__init__(error, **params)
        self.error, self.detail = error, detail

    def __str__(self) -> str:
        return self.detail


class Refusal(CentreError):
    """Answer the request with *status* and an error body; nothing was written."""

    def __init__(self, status: int, error: str, detail: str, **extra: Any) -> None:
        super().__init__(error, detail, **extra)
        self.status, self.extra = status, extra


class ActionRefused(Refusal):
    """A headquarters or channel request refused (:mod:`sync.server.hq`,
    :mod:`sync.server.channels`)."""


class EnrolRefusal(Refusal):
    """An enrolment refused. The code stays usable unless it was unknown, used or
    expired (:mod:`sync.server.enrolment`)."""


class Rejected(Refusal):
    """A pushed batch refused for a reason (chain, hash, store), answered 422 with the
    reason as the error code; nothing of the batch was written."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(422, reason, detail)
        self.reason = reason


class PolicyRejected(CentreError):
    """A policy document that cannot be published: invalid, or a version reused
    (``kesu-server policy publish``; a desk refusing a pulled policy is the desk's
    ``sync.errors.PolicyRefused``).

    For an invalid document ``path`` is the JSON path of the fault in the parser's form
    (``compensation.role_limits_fen.desk``; ``$`` for the whole document) and ``reason``
    what is wrong there, so a page can show them apart; both are None otherwise.
    """

    def __init__(self, error: str, detail: str, *, path: str | None = None,
                 reason: str | None = None) -> None:
        super().__init__(error, detail)
        self.path, self.reason = path, reason


class RetrainRefused(CentreError):
    """Nothing was published by a retraining: ``error`` names why, ``report`` holds
    the figures."""

    def __init__(self, error: str, detail: str, report: Mapping[str, Any]) -> None:
        super().__init__(error, detail)
        self.report = dict(report)


class Unreadable(CentreError):
    """A ticket whose events the centre holds but cannot fold, even without the events
    that fail the schema (stored before the centre checked every push)."""

    def __init__(self, detail: str) -> None:
        super().__init__("unreadable_ticket", detail)
