"""Exceptions raised by the local store, a branch of :class:`~domain.errors.KesuError`.

``StoreError`` is the base; callers catch it to report storage problems in the user's
language. Each class names its message ``code``; ``params`` and ``detail`` (SQLite's
words, a path) fill it in.
"""

from __future__ import annotations

from typing import Any

from domain.errors import KesuError


class StoreError(KesuError):
    """Base class of every error the local store raises."""

    code = "store.error"

    def __init__(self, detail: str = "", **params: Any) -> None:
        self._init_with_detail(detail, params)


class SchemaTooNewError(StoreError):
    """The database was written by a newer Kesu; we refuse to touch it."""

    code = "store.schema_too_new"


class NotInitialisedError(StoreError):
    """The database has no store and desk yet (``kesu init`` was not run)."""

    code = "store.not_initialised"


class StorageFullError(StoreError):
    """SQLite could not write: the disk is full or the file is read-only."""

    code = "store.disk_full"


class IntegrityError(StoreError):
    """A write would break an invariant of the event log."""

    code = "store.integrity"


class InvalidEventError(StoreError):
    """An event whose payload does not fit ``domain.event_schema``; nothing was saved."""

    code = "store.invalid_event"


class NotADatabaseError(StoreError):
    """The file is not a SQLite database (the wrong file, or a damaged one); untouched."""

    code = "store.not_a_database"


class ReadOnlyOutdatedError(StoreError):
    """A database this Kesu can only read needs a migration first."""

    code = "store.read_only_outdated"
