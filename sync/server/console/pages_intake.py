"""The console's intake pages (to be built)."""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.storage import Storage


def router(storage: Storage) -> APIRouter:
    """The intake routes on *storage*."""
    del storage
    return APIRouter(tags=["console"], include_in_schema=False)
