"""Product alerts and watch terms across stores (issue 17)."""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.storage import Storage


def router(storage: Storage) -> APIRouter:
    """The alerts pages (to be filled in)."""
    del storage
    return APIRouter()
