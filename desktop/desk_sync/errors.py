"""The failures of the desk's side of a sync round, beside the wire's in ``sync.errors``.

They subclass :class:`~sync.errors.SyncError`, so whoever reports a round's failure
catches them with the wire's; they live here because no server ever answers them: the
desk refuses a policy, or something breaks on the desk while it syncs.
"""

from __future__ import annotations

from sync.errors import SyncError


class PolicyRefused(SyncError):
    """A pulled policy document failed the desk's validation; the old policy stays."""

    code = "sync.policy_refused"


class LocalFailure(SyncError):
    """Something failed on this desk while syncing (a bug, a damaged database); recorded
    as the last error; no local event was changed."""

    code = "sync.local_failure"


class ScriptsRefused(SyncError):
    """A pulled script library failed the desk's validation; the old library stays."""

    code = "sync.scripts_refused"
