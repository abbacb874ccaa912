"""``kesu-server demo``: the demo chain is built through the real intake, its printed
logins open the console, and each role sees its part of the chain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sync.server.console import centre_tickets, masterdata
from sync.server.storage import Storage


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("kesu-server")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sync.server.cli"]


def test_demo_builds_a_chain_and_prints_working_logins(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    out = subprocess.run([*_cli(), "demo", "--db", db, "--no-serve"], capture_output=True,
                         text=True, check=True, timeout=120)
    printed = json.loads(out.stdout)
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
        assert tuple(count) == (12, 8, 4)
    finally:
        storage.close()
