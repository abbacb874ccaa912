"""The chain's web console on kesu-server: pages for hotline agents, regional managers and
headquarters (server-rendered Jinja2 templates, a little vanilla JavaScript, every asset
served by the server itself).

Each part of the console is a module ``pages_<part>`` with ``router(storage)``; they are
all mounted by :func:`console_routers`.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.storage import Storage


def console_routers(storage: Storage) -> list[APIRouter]:
    """Every router of the console on *storage* (login first, then the pages)."""
    from sync.server.console import (
        pages_admin,
        pages_approvals,
        pages_desks,
        pages_escalations,
        pages_intake,
        pages_policy,
        pages_queue,
        pages_session,
    )

    return [module.router(storage) for module in (
        pages_session, pages_intake, pages_queue, pages_escalations, pages_approvals,
        pages_policy, pages_desks, pages_admin)]
