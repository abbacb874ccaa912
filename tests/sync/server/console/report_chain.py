"""A chain made through real desks for the reports' tests: four stores in two regions, the
desk report tests' generator (one seed per store) plus closes at first contact, pushed by
the real sync engine to a server of its own (one store listed in Asia/Urumqi)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from desktop import ticket_actions
from desktop.staff import add_staff, get_staff
from domain.clock import FixedClock
from domain.errors import KesuError
from domain.reports.period import make_period
from sync.server.console import centre_tickets, masterdata
from sync.server.storage import Storage
from tests.desktop.reports import test_figures as gen
from tests.sync.helpers import DeskNode, ServerProcess, add_store

SHANGHAI = ZoneInfo("Asia/Shanghai")
URUMQI = ZoneInfo("Asia/Urumqi")
# store code suffix, region, zone listed at the centre, generator seed
STORES = (("A", "EAST", "Asia/Shanghai", 6), ("B", "EAST", "Asia/Shanghai", 7),
          ("C", "WEST", "Asia/Shanghai", 8), ("D", "WEST", "Asia/Urumqi", 9))
PERIOD = make_period("custom", gen.FIRST, gen.LAST, SHANGHAI)


@dataclass
class Chain:
    """The chain at the centre and its desks."""

    server: ServerProcess
    storage: Storage
    desks: dict[str, DeskNode]
    zones: dict[str, ZoneInfo]
    regions: dict[str, str]


def _new_server(backend: str, where: Path, request: pytest.FixtureRequest) -> ServerProcess:
    if backend == "sqlite":
        return ServerProcess(where / "server.db")
    cluster = request.getfixturevalue("pg_cluster")
    return ServerProcess(cluster.create_database(), cluster=cluster)


def build_chain(backend: str, tmp_path_factory: pytest.TempPathFactory,
          request: pytest.FixtureRequest) -> Iterator[Chain]:
    """Four stores' histories made at their desks and pushed to a server of their own
    (the ``report_chain`` fixture)."""
    where = tmp_path_factory.mktemp("chain")
    server = _new_server(backend, where, request)
    server.start()
    storage = Storage(server.db_url)
    desks: dict[str, DeskNode] = {}
    zones: dict[str, ZoneInfo] = {}
    regions: dict[str, str] = {}
    try:
        for suffix, region, zone, seed in STORES:
            code = f"CR{suffix}"
            add_store(storage, code, region)
            if zone != "Asia/Shanghai":
                masterdata.save_store(storage, code, f"测试门店 {code}", region, zone)
            clock = FixedClock(gen._local(gen.HISTORY_START, 7))
            node = DeskNode(where / f"{code}.db", code, "D1", clock, server)
            for sid, role in gen.STAFF.items():
                if sid not in ("d1", "m1"):
                    add_staff(node.conn, node.desk.policy.staff, clock, staff_id=sid,
                              name=f"员工{sid}", role=role, pin=gen.PINS[sid])
            staff = {sid: get_staff(node.conn, sid) for sid in gen.STAFF}
            gen._generate(node.desk, clock, staff, seed=seed)
            _first_contact_closes(node, staff)
            node.enrol()
            node.engine.sync_once()
            desks[code] = node
            zones[code] = ZoneInfo(zone)
            regions[code] = region
        centre_tickets.catch_up(storage)
        yield Chain(server, storage, desks, zones, regions)
    finally:
        for node in desks.values():
            node.close()
        storage.close()
        server.kill()
        server.drop_database()


def _first_contact_closes(node: DeskNode, staff: dict[str, Any]) -> None:
    """Some open tickets answered and closed at first contact at NOW, one reopened."""
    closed = []
    for (number,) in node.conn.execute(
            "SELECT number FROM tickets WHERE status = 'accepted' ORDER BY created_at"
            ).fetchall()[::3]:
        try:
            ticket_actions.resolve_first_contact(node.desk, staff["d1"], number, "当场答复")
        except KesuError:
            continue  # not allowed for its level or subcategory
        closed.append(number)
    if closed:
        ticket_actions.reopen(node.desk, staff["d2"], closed[0], "顾客又来了")


