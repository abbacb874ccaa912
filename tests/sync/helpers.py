"""A real ``kesu-server serve`` process on loopback, and desks to sync with it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from desktop.desk import Desk, init_desk
from desktop.desk_sync.engine import SyncEngine
from desktop.staff import Staff, add_staff
from domain.clock import FixedClock
from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server import enrolment
from sync.server.console import masterdata
from sync.server.storage import Storage, normalise_url
from tests.sync.postgres import PgCluster


def _server_command() -> list[str]:
    script = Path(sys.executable).with_name("kesu-server")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "sync.server.cli"]


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_store(storage: Storage, store: str, region: str = "TEST") -> None:
    """List *store* (and *region*) in the master data of *storage*, if not yet there."""
    with storage.engine.connect() as conn:
        known = masterdata.store(conn, store)
        region_known = any(r.code == region for r in masterdata.list_regions(conn))
    if known is None:
        if not region_known:
            masterdata.save_region(storage, region, f"测试区域 {region}", f"Test {region}")
        masterdata.save_store(storage, store, f"测试门店 {store}", region)


class ServerProcess:
    """``kesu-server serve`` on a SQLite file or a PostgreSQL database; start, stop,
    SIGKILL, restart.

    *db* is a SQLite file, or the URL of a PostgreSQL database of *cluster* (needed
    for :meth:`backup` and :meth:`restore`). Several processes may share one URL.
    """

    def __init__(self, db: Path | str, *, bench: bool = False,
                 cluster: PgCluster | None = None) -> None:
        if isinstance(db, Path):
            self.db_path: Path | None = db
            self.db_url = f"sqlite:///{db}"
        else:
            self.db_path = None
            self.db_url = db
        self.cluster = cluster
        self.bench = bench
        # More `serve` options and environment (e.g. --webhook), set before start().
        self.extra_args: list[str] = []
        self.extra_env: dict[str, str] = {}
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, fault: str | None = None, timeout: float = 20.0) -> None:
        """Start the process and wait until it answers HTTP."""
        env = dict(os.environ)
        env.pop("KESU_SERVER_FAULT", None)
        if fault:
            env["KESU_SERVER_FAULT"] = fault
        cmd = [*_server_command(), "serve", "--db", self.db_url, "--host", "127.0.0.1",
               "--port", str(self.port)]
        if self.bench:
            cmd.append("--bench")
        cmd.extend(self.extra_args)
        env.update(self.extra_env)
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"kesu-server exited: {err}")
            try:
                httpx.get(f"{self.url}/v1/status", timeout=0.5)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("kesu-server did not answer in time")

    def stop(self) -> None:
        """Terminate politely (SIGTERM), then SIGKILL if it lingers."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.stop()

    def wait_dead(self, timeout: float = 10.0) -> int | None:
        """Wait for the process to end by itself (fault hook); return its status."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        finally:
            self.stop()

    def cli(self, *args: str) -> Any:
        """Run another ``kesu-server`` sub-command on the same database; parse its JSON."""
        out = subprocess.run([*_server_command(), *args, "--db", self.db_url],
                             check=True, capture_output=True, text=True)
        return json.loads(out.stdout)

    def enrol_code(self, store: str, desk: str, via_cli: bool = False) -> str:
        """A one-time enrolment code (from ``kesu-server enrol`` when *via_cli*).

        In-process by default: the CLI costs half a second of imports per call.
        """
        self.add_store(store)
        if via_cli:
            return str(self.cli("enrol", "--store", store, "--desk", desk)["code"])
        storage = Storage(self.db_url)
        try:
            return enrolment.create_code(storage, store, desk)[0]
        finally:
            storage.close()

    def add_store(self, store: str, region: str = "TEST") -> None:
        """List *store* (in *region*) in the centre's master data, as a chain does before
        it enrols a desk or takes a channel ticket for the store."""
        storage = Storage(self.db_url)
        try:
            add_store(storage, store, region)
        finally:
            storage.close()

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgres``."""
        return "sqlite" if self.db_path is not None else "postgres"

    def _pg_database(self) -> tuple[PgCluster, str]:
        assert self.cluster is not None, "a PostgreSQL server needs its cluster to back up"
        name = sa.engine.make_url(normalise_url(self.db_url)).database
        assert name is not None
        return self.cluster, name

    def drop_database(self) -> None:
        """Delete a PostgreSQL database (after the test; SQLite files go with tmp_path)."""
        if self.db_path is None and self.cluster is not None:
            cluster, name = self._pg_database()
            cluster.drop_database(name)

    def backup(self, to: Path) -> None:
        """Consistent copy of the server database (SQLite online backup, pg_dump)."""
        if self.db_path is None:
            cluster, name = self._pg_database()
            cluster.dump(name, to)
            return
        src = sqlite3.connect(self.db_path)
        dst = sqlite3.connect(to)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()

    def restore(self, from_: Path) -> None:
        """Replace the (stopped) server's database with an older copy."""
        assert self.proc is None
        if self.db_path is None:
            cluster, name = self._pg_database()
            cluster.restore(name, from_)
            return
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(from_, self.db_path)

    def server_events(self, *stores: str) -> list[tuple[str, int, str]]:
        """(event_id, server_seq, store) of the events the server holds (of *stores*)."""
        engine = sa.create_engine(normalise_url(self.db_url), poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                rows = [(str(r[0]), int(r[1]), str(r[2])) for r in conn.exec_driver_sql(
                    "SELECT event_id, server_seq, store FROM events ORDER BY server_seq")]
        finally:
            engine.dispose()
        return [r for r in rows if not stores or r[2] in stores]


def headers(token: str | None = None, protocol: int = PROTOCOL_VERSION) -> dict[str, str]:
    """Request headers of a raw protocol call."""
    h = {PROTOCOL_HEADER: str(protocol)}
    if token:
        h["Authorization"] = f"Bearer {token}"
    return h


class DeskNode:
    """One desk: its database, a staff member, its sync engine."""

    def __init__(self, path: Path, store: str, desk: str, clock: FixedClock,
                 server: ServerProcess) -> None:
        self.desk: Desk = init_desk(path, store_code=store, desk_code=desk,
                                    store_name=store, clock=clock)
        self.clerk: Staff = add_staff(self.desk.conn, self.desk.policy.staff, clock,
                                      staff_id="d1", name="服务台小李", role="desk",
                                      pin="2222")
        self.manager: Staff = add_staff(self.desk.conn, self.desk.policy.staff, clock,
                                        staff_id="m1", name="店长张伟", role="manager",
                                        pin="9999")
        self.clock = clock
        self.server = server
        self.engine = SyncEngine(self.desk.conn, server.url, clock=clock, timeout=10.0)

    @classmethod
    def reopen(cls, path: Path, clock: FixedClock, server: ServerProcess,
               url: str | None = None) -> DeskNode:
        """An existing desk database (e.g. after its process was killed), syncing with
        *url* (the server's by default). Added for the fault tests (h4)."""
        from desktop.desk import open_desk
        from desktop.staff import get_staff

        node = cls.__new__(cls)
        node.desk = open_desk(path, clock=clock)
        node.clerk = get_staff(node.desk.conn, "d1")
        node.manager = get_staff(node.desk.conn, "m1")
        node.clock = clock
        node.server = server
        node.engine = SyncEngine(node.desk.conn, url or server.url, clock=clock, timeout=10.0)
        return node

    @property
    def conn(self) -> sqlite3.Connection:
        """The desk database."""
        return self.desk.conn

    def enrol(self) -> None:
        """Enrol with a fresh one-time code."""
        self.engine.enrol(self.server.enrol_code(self.desk.store_code, self.desk.desk_code))

    def close(self) -> None:
        """Close engine and database."""
        self.engine.close()
        self.desk.close()

    def event_set(self) -> set[tuple[str, str, int | None]]:
        """(event_id, hash, server_seq) of every event on the desk."""
        return {(r[0], r[1], r[2]) for r in self.conn.execute(
            "SELECT event_id, hash, server_seq FROM events")}

    def projections(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Ticket rows (without the local rid) and ledger rows, in id order."""
        cols = [r[1] for r in self.conn.execute("PRAGMA table_info(tickets)") if r[1] != "rid"]
        tickets = [tuple(r) for r in self.conn.execute(
            f"SELECT {', '.join(cols)} FROM tickets ORDER BY id")]
        comps = [tuple(r) for r in self.conn.execute("SELECT * FROM compensations ORDER BY id")]
        return tickets, comps
