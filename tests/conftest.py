"""Shared fixtures: fresh desk databases built from the real migrations and policy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.desk import Desk, init_desk
from desktop.staff import Staff, add_staff
from domain.clock import FixedClock

# Real server processes and enrolled desks, for every directory that syncs.
pytest_plugins = ("tests.sync.server_fixtures",)

# 10:00 in Shanghai on a Sunday: a normal morning at the desk.
START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)

PINS = {"c1": "1111", "d1": "2222", "d2": "2323", "m1": "9999", "m2": "9898"}
ROLES = {"c1": "cashier", "d1": "desk", "d2": "desk", "m1": "manager", "m2": "manager"}
NAMES = {"c1": "收银员小王", "d1": "服务台小李", "d2": "服务台小赵", "m1": "店长张伟",
         "m2": "值班店长刘芳"}


@pytest.fixture
def clock() -> FixedClock:
    """A clock that moves only when the test says so."""
    return FixedClock(START)


@pytest.fixture
def desk(tmp_path: Path, clock: FixedClock) -> Iterator[Desk]:
    """A freshly initialised desk database (store XT01, desk D2) with no staff."""
    d = init_desk(tmp_path / "kesu.db", store_code="XT01", desk_code="D2",
                  store_name="湘潭一店", clock=clock)
    yield d
    d.close()


@pytest.fixture
def staff(desk: Desk, clock: FixedClock) -> dict[str, Staff]:
    """One cashier, two desk clerks and two managers, PINs in ``PINS``."""
    return {
        sid: add_staff(desk.conn, desk.policy.staff, clock, staff_id=sid, name=NAMES[sid],
                       role=ROLES[sid], pin=PINS[sid])
        for sid in PINS
    }
