"""``kesu-server demo``: the demo chain is built through the real intake and real desks,
its printed logins open the console, and each role sees its part of the chain: the
approvals waiting for them on either side of the regional limit, and escalated and
overdue tickets days old."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from domain.clock import format_time
from sync.server.console import centre_tickets, masterdata, queue
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("kesu-server")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sync.server.cli"]


def _demo(tmp_path: Path) -> tuple[str, dict[str, Any]]:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    out = subprocess.run([*_cli(), "demo", "--db", db, "--no-serve"], capture_output=True,
                         text=True, check=True, timeout=120)
    return db, json.loads(out.stdout)


def _log_in(server: ServerProcess, printed: dict[str, Any], username: str) -> httpx.Client:
    password = next(x["password"] for x in printed["logins"] if x["username"] == username)
    client = httpx.Client(base_url=server.url, timeout=10, cookies={"kesu_lang": "zh"})
    answer = client.post("/console/login", data={"username": username, "password": password})
    assert answer.status_code == 303, answer.text
    return client


def _rungs(html: str) -> dict[str, dict[int, tuple[int, int]]]:
    """The escalations page: per region, per rung, (count, overdue tickets shown)."""
    found: dict[str, dict[int, tuple[int, int]]] = {}
    for section in html.split('data-testid="escalations-region"')[1:]:
        region = re.search(r'data-region="([^"]*)"', section)
        assert region is not None
        rungs = found.setdefault(region.group(1), {})
        for rung in section.split('data-testid="escalations-rung"')[1:]:
            head = re.search(r'data-step="(\d+)" data-count="(\d+)"', rung)
            assert head is not None
            rungs[int(head.group(1))] = (int(head.group(2)), rung.count('data-overdue="yes"'))
    return found


def test_demo_builds_a_chain_and_prints_working_logins(tmp_path: Path) -> None:
    db, printed = _demo(tmp_path)
    assert printed["db"] == db
    roles = sorted(login["role"] for login in printed["logins"])
    assert roles == ["agent", "hq", "regional", "regional"]
    storage = Storage(db)
    try:
        from sync.server.console import accounts

        for login in printed["logins"]:
            assert accounts.login(storage, login["username"], login["password"]).user.role \
                == login["role"]
        centre_tickets.catch_up(storage)
        with storage.engine.connect() as conn:
            stores = masterdata.list_stores(conn)
            zones = {s.time_zone for s in stores}
            count = conn.exec_driver_sql("SELECT count(*), count(DISTINCT store), "
                                         "count(DISTINCT channel) FROM centre_tickets").one()
        assert len(stores) == 8 and "Asia/Urumqi" in zones
        # The 12 channel complaints of 8 stores and 4 channels, and 16 from 4 store desks.
        assert tuple(count) == (28, 8, 5)
        # One juice complained about in three stores: a product alert; two of them today
        # with the watched term 发酸 (threshold 1): a watch alert.
        with storage.engine.connect() as conn:
            alerts = conn.exec_driver_sql(
                "SELECT product_key, status FROM product_alerts").all()
            watched = conn.exec_driver_sql("SELECT count(*) FROM watch_alerts").scalar()
        assert [tuple(a) for a in alerts] == [("sku:6907777000011", "open")]
        assert watched == 1
        # Two stores have a list: SH02 sells the juice and receives its alert, UR01's
        # desk does not; a store without a list receives it.
        from sync.server import assortment
        from sync.server.routes_alerts import changes_since

        with storage.engine.connect() as conn:
            sizes = {row.code: row.products for row in assortment.lists(conn)}
        assert (sizes["SH02"], sizes["UR01"], sizes["SH01"], sizes["XA01"]) == (3, 3, None, None)
        received = {store: [a["status"] for a in changes_since(storage, 0, 200, store)["alerts"]]
                    for store in ("SH02", "UR01", "XA01")}
        assert received == {"SH02": ["open"], "UR01": [], "XA01": ["open"]}
        # The starter script library is published, and the desk stores used it.
        from sync.server import script_library

        with storage.engine.connect() as conn:
            library = script_library.current(conn)
            used = {u.store for u in script_library.usage(conn)}
        assert library.version == 1 and library.get("food-safety-illness") is not None
        assert used == {"SH01", "HZ01", "GZ01", "UR01"}
    finally:
        storage.close()


def test_the_demo_chain_is_living(tmp_path: Path) -> None:
    """Requests wait at the centre for the region's manager and for headquarters (read
    through the console as each of them), tickets sit on every rung above the handler's,
    some overdue, and the tickets' ages span days."""
    _db, printed = _demo(tmp_path)
    server = ServerProcess(tmp_path / "demo.db")
    server.start()
    try:
        with closing(_log_in(server, printed, "zhangmin")) as east, \
                closing(_log_in(server, printed, "wang")) as head:
            mine = east.get("/console/api/approvals").json()
            limits = mine["limits"]
            assert limits == {"manager_fen": 100000, "regional_fen": 300000}
            assert sorted(a["amount_fen"] for a in mine["approvals"]) == [150000, 280000]
            assert {(a["region"], a["decider"]) for a in mine["approvals"]} \
                == {("EAST", "regional")}
            page = east.get("/console/approvals")
            assert page.status_code == 200
            rows = {p.split('"', 1)[0] for p in page.text.split('data-compensation="')[1:]}
            assert rows == {a["compensation_id"] for a in mine["approvals"]}
            assert "¥1500.00" in page.text and "¥4500.00" not in page.text
            hq = head.get("/console/api/approvals").json()["approvals"]
            assert sorted(a["amount_fen"] for a in hq) == [450000, 880000]
            assert {a["decider"] for a in hq} == {"hq"}
            every = head.get("/console/api/approvals?scope=all").json()["approvals"]
            within = sorted((a["region"], a["amount_fen"]) for a in every
                            if a["amount_fen"] <= limits["regional_fen"])
            assert within == [("EAST", 150000), ("EAST", 280000), ("SOUTH", 180000),
                              ("WEST", 220000)]
            hq_page = head.get("/console/approvals")
            assert "¥8800.00" in hq_page.text and "¥2800.00" not in hq_page.text

            chain = _rungs(head.get("/console/escalations").text)
            assert set(chain) == {"EAST", "SOUTH", "WEST"}
            assert {step for rungs in chain.values() for step, (n, _) in rungs.items() if n} \
                == {1, 2, 3}
            assert sum(o for rungs in chain.values() for _, o in rungs.values()) >= 3
            region = _rungs(east.get("/console/escalations").text)
            assert set(region) == {"EAST"}
            assert all(region["EAST"][step][0] >= 1 for step in (1, 2, 3))
            assert region["EAST"][3][1] >= 1  # the overdue complaint at the ladder's top
    finally:
        server.stop()
    storage = Storage(server.db_url)
    try:
        centre_tickets.catch_up(storage)
        now = datetime.now(UTC)
        with storage.engine.connect() as conn:
            late = queue.read_page(conn, queue.Filters(overdue=True), None, now).rows
            oldest = conn.exec_driver_sql("SELECT min(created_at) FROM centre_tickets").scalar()
        assert len(late) >= 3 and all(queue.is_overdue(r, now) for r in late)
        assert str(oldest) <= format_time(now - timedelta(days=5))
    finally:
        storage.close()
