"""The exceptions Kesu raises, one tree, each with a translatable message.

Every error names a message ``code`` (a key of the catalogues in
``resources/messages/``) and the ``params`` to fill in, so the command line and the app
can say what went wrong in the user's language; ``detail`` is free text beside the
code (a path, SQLite's or the server's words), empty where there is none.

The tree, with the layer each branch lives in::

    KesuError                      domain.errors: the code is given where it is raised
    ├── InvalidInput               (desktop: KeyringUnavailable; domain.triage: CaseError)
    ├── NotFound
    ├── TransitionRefused
    ├── PermissionDenied
    ├── AuthenticationFailed
    ├── PolicyInvalid
    ├── EscPosError                desktop.printing.escpos
    ├── StoreError                 local_db.errors: one code per class, store.*
    │   ├── SchemaTooNewError, NotInitialisedError, StorageFullError, IntegrityError,
    │   └── InvalidEventError, NotADatabaseError, ReadOnlyOutdatedError
    └── SyncError                  sync.errors: the wire's kinds, one code per class, sync.*
        ├── Unauthorized, UpdateRequired
        ├── ServerRejected
        │   └── EnrolRefused       (its code names the reason: sync.enrol.<reason>)
        ├── NetworkError
        │   └── ServerError, BadResponse
        └── PolicyRefused, LocalFailure   desktop.desk_sync.errors: the desk's side of a round

A handler of ``KesuError`` catches storage and sync failures too: where those need
words of their own (``detail``) or another exit, catch them first.
"""

from __future__ import annotations

from typing import Any


class KesuError(Exception):
    """Base of every error Kesu reports to a person."""

    code: str  # the message key; StoreError and SyncError name one per class
    params: dict[str, Any]  # the message's fields
    detail: str = ""  # free text beside the code (a path, SQLite's or the server's words)

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params = params

    def _init_with_detail(self, detail: str, params: dict[str, Any]) -> None:
        """The initialiser of the branches whose class names the code (StoreError,
        SyncError): the message is *detail* alone, or the code when there is none, as
        logs and the desk's last sync error show it."""
        Exception.__init__(self, detail or self.code)
        self.detail = detail
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
