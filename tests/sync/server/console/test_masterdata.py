"""Regions, stores and accounts at the centre, through the real CLI and storage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from sync.server import enrolment
from sync.server.console import accounts, masterdata
from sync.server.errors import ActionRefused
from sync.server.storage import Storage
from sync.server.tables import metadata

CLI = [sys.executable, "-m", "sync.server.cli"]


def _cli(db: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args, "--db", db], input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_cli_region_store_user_then_enrol(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert _cli(db, "region", "add", "--code", "EAST", "--name", "华东",
                "--name-en", "East").returncode == 0
    unknown_region = _cli(db, "store", "add", "--code", "XT01", "--name", "湘潭一店",
                          "--region", "WEST")
    assert unknown_region.returncode == 2 and "unknown_region" in unknown_region.stderr
    bad_tz = _cli(db, "store", "add", "--code", "XT01", "--name", "湘潭一店",
                  "--region", "EAST", "--tz", "Mars/Olympus")
    assert bad_tz.returncode == 2 and "bad_time_zone" in bad_tz.stderr
    # A desk cannot enrol before its store is listed.
    early = _cli(db, "enrol", "--store", "XT01", "--desk", "D1")
    assert early.returncode == 2 and "unknown_store" in early.stderr
    assert _cli(db, "store", "add", "--code", "XT01", "--name", "湘潭一店",
                "--region", "EAST").returncode == 0
    assert _cli(db, "enrol", "--store", "XT01", "--desk", "D1").returncode == 0
    weak = _cli(db, "user", "add", "--username", "wang", "--name", "王总", "--role", "hq",
                "--password-stdin", stdin="123\n")
    assert weak.returncode == 2 and "weak_password" in weak.stderr
    made = _cli(db, "user", "add", "--username", "wang", "--name", "王总", "--role", "hq",
                "--generate-password")
    assert made.returncode == 0, made.stderr
    password = json.loads(made.stdout)["password"]
    no_region = _cli(db, "user", "add", "--username", "zhang", "--name", "张敏",
                     "--role", "regional", "--generate-password")
    assert no_region.returncode == 2 and "region_required" in no_region.stderr
    storage = Storage(db)
    try:
        assert accounts.login(storage, "wang", password).user.role == "hq"
        with storage.engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT password FROM users")).scalar_one()
        assert password not in stored and stored.startswith("scrypt$")
    finally:
        storage.close()


def test_codes_and_names_are_checked(tmp_path: Path) -> None:
    storage = Storage(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        for code in ("", "east", "TOO-LONG-X", "A B", "'; DROP TABLE stores; --"):
            with pytest.raises(ActionRefused):
                masterdata.save_region(storage, code, "华东", "")
        with pytest.raises(ActionRefused):
            masterdata.save_region(storage, "EAST", "", "")
        with pytest.raises(ActionRefused):
            masterdata.save_region(storage, "EAST", "x" * 65, "")
        masterdata.save_region(storage, "EAST", " 华东 ", "")
        with storage.engine.connect() as conn:
            assert masterdata.list_regions(conn)[0].name("en") == "华东"
        with pytest.raises(ActionRefused):
            enrolment.create_code(storage, "XT09", "D1")
    finally:
        storage.close()


def test_a_database_from_before_the_console_gets_its_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    Storage(url).close()
    console_tables = ("regions", "stores", "users", "console_sessions", "centre_tickets",
                      "centre_compensations")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for name in reversed(console_tables):
            conn.exec_driver_sql(f"DROP TABLE {name}")
        conn.exec_driver_sql("DELETE FROM server_meta WHERE key = 'projected_through'")
    engine.dispose()
    storage = Storage(url)
    try:
        names = set(sa.inspect(storage.engine).get_table_names())
        assert set(console_tables) <= names
        assert set(metadata.tables) <= names
    finally:
        storage.close()
