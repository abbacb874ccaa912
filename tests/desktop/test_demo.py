"""The demo store that ``make run`` opens is consistent and covers every state."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop import cli
from desktop.demo import DEMO_STAFF, build_demo
from desktop.desk import open_desk
from desktop.staff import authenticate
from local_db import store


def test_demo_store_is_consistent_and_varied(tmp_path: Path) -> None:
    now = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    summary = build_demo(tmp_path / "demo.db", tickets=80, now=now)
    desk = open_desk(summary.path)
    try:
        assert store.check(desk.conn) == []
        statuses = {r[0] for r in desk.conn.execute("SELECT DISTINCT status FROM tickets")}
        assert {"accepted", "rectifying", "rated"} <= statuses
        levels = {r[0] for r in desk.conn.execute("SELECT DISTINCT level FROM tickets")}
        assert levels == {1, 2, 3}
        for sid, _name, role, pin in DEMO_STAFF:
            assert authenticate(desk.conn, desk.policy.staff, desk.clock, sid, pin).role == role
    finally:
        desk.close()


@pytest.mark.parametrize("order", ["db_after_demo", "db_before_demo"])
def test_kesu_demo_builds_its_store_at_the_db_path_given(tmp_path: Path, order: str,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    # A newcomer types ``kesu demo --db PATH``; the demo database is PATH itself.
    monkeypatch.delenv("KESU_DB", raising=False)
    path = tmp_path / "try" / "my-demo.db"
    path.parent.mkdir()
    opened: list[Path] = []

    def open_app(db: Path, demo_staff: object = ()) -> int:
        opened.append(db)
        return 0

    args = (["demo", "--db", str(path)] if order == "db_after_demo"
            else ["--db", str(path), "demo"])
    assert cli.main([*args, "--tickets", "10"], open_app=open_app) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["demo_db"] == str(path)
    assert opened == [path]  # the window opens on the same file
    assert sorted(p.name for p in path.parent.iterdir() if p.suffix == ".db") == [
        "my-demo.db"]
    desk = open_desk(path)
    try:
        assert desk.conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 10
    finally:
        desk.close()
    # A second run replaces the demo (it is marked as one).
    assert cli.main(["demo", "--db", str(path), "--tickets", "12", "--no-app"]) == 0


def test_kesu_demo_never_replaces_a_real_desk_database(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    real = tmp_path / "kesu.db"
    assert cli.main(["--db", str(real), "init", "--store", "XT01", "--desk", "D2"]) == 0
    before = real.read_bytes()
    capsys.readouterr()
    assert cli.main(["demo", "--db", str(real), "--no-app", "--tickets", "10"]) == 2
    assert str(real) in capsys.readouterr().err
    assert real.read_bytes() == before
    # Without --db the demo goes beside the desk's database (KESU_DB), never over it.
    monkeypatch.setenv("KESU_DB", str(real))
    assert cli.main(["demo", "--no-app", "--tickets", "10"]) == 0
    assert json.loads(capsys.readouterr().out)["demo_db"] == str(tmp_path / "kesu-demo.db")
    assert real.read_bytes() == before


def test_every_command_takes_db_after_its_name(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "kesu.db"
    assert cli.main(["init", "--store", "XT01", "--desk", "D2", "--db", str(db)]) == 0
    assert cli.main(["ticket", "list", "--json", "--db", str(db)]) == 0
    assert cli.main(["staff", "list", "--db", str(db)]) == 0
    assert db.exists() and not (tmp_path / "kesu-demo.db").exists()
