"""Object names on widgets: tests and screenshots find widgets by name, never by their text
(which changes with the language)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

T = TypeVar("T", bound=QObject)


def named(obj: T, name: str) -> T:
    """*obj* with its objectName set to *name*."""
    obj.setObjectName(name)
    return obj
