"""The response-script library (话术库): HQ writes and publishes; usage per store (issue 17)."""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.storage import Storage


def router(storage: Storage) -> APIRouter:
    """The scripts pages (to be filled in)."""
    del storage
    return APIRouter()
