"""A throwaway PostgreSQL cluster for tests and benchmarks.

``PgCluster.start()`` runs ``initdb`` into a fresh temporary directory and starts the
server on a free loopback port with its unix socket in that directory, so it never meets
a system cluster; ``create_database()`` hands out databases; ``stop()`` deletes it all.
``initdb`` refuses to run as root, so as root the cluster's programs run as Debian's
``postgres`` user (``runuser``) in a directory given to that user.

No pytest here: ``bench/`` imports it too. :class:`PgUnavailable` says why there is no
cluster; the test fixtures turn it into a skip, or into a failure under
``KESU_REQUIRE_PG=1`` (set by ``.ci/run``).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

REQUIRE_ENV = "KESU_REQUIRE_PG"
SUPERUSER = "kesu"


class PgUnavailable(Exception):
    """No PostgreSQL can be started here (the message says why)."""


def pg_required() -> bool:
    """Whether the environment demands PostgreSQL tests (CI)."""
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: PATH first, then Debian's layout."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if candidates:
        return Path(candidates[-1]).parent
    raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
                        "/usr/lib/postgresql/*/bin; install Debian's `postgresql` package")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """One private PostgreSQL cluster in a temporary directory."""

    def __init__(self, *, fsync: bool = False, max_connections: int = 400) -> None:
        # fsync off makes the test suite fast; benchmarks keep it on to compare fairly
        # with SQLite's synchronous=FULL.
        self.bindir = find_bindir()
        self.fsync = fsync
        self.max_connections = max_connections
        self.port = 0
        self.root: Path | None = None
        self._run_as: list[str] = []
        self._databases = 0

    @property
    def datadir(self) -> Path:
        """The cluster's data directory."""
        assert self.root is not None
        return self.root / "data"

    def _cmd(self, name: str, *args: str) -> list[str]:
        return [*self._run_as, str(self.bindir / name), *args]

    def _prepare_user(self) -> None:
        if os.geteuid() != 0:
            return
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PgUnavailable("running as root and there is no `postgres` user to run "
                                "initdb as (Debian's postgresql package creates it)") from exc
        runuser = shutil.which("runuser")
        if runuser is None:
            raise PgUnavailable("running as root and `runuser` is missing")
        assert self.root is not None
        os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run_as = [runuser, "-u", "postgres", "--"]

    def start(self) -> None:
        """initdb and start the server; raises :class:`PgUnavailable` on failure."""
        # Directly under /tmp: the postgres user cannot traverse pytest's 0700 dirs.
        self.root = Path(tempfile.mkdtemp(prefix="kesu-pg-"))
        atexit.register(self.stop)
        try:
            self._prepare_user()
            self._run(self._cmd("initdb", "-D", str(self.datadir), "-U", SUPERUSER,
                                "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"))
            self._launch()
        except BaseException:
            self.stop()
            raise

    def _launch(self) -> None:
        assert self.root is not None
        durable = "on" if self.fsync else "off"
        options = (f"-c listen_addresses=127.0.0.1 -k {self.root} "
                   f"-c max_connections={self.max_connections} -c fsync={durable} "
                   f"-c synchronous_commit={durable} -c full_page_writes={durable}")
        last = ""
        for _attempt in range(5):  # the free port may be taken before we bind it
            self.port = _free_port()
            result = subprocess.run(
                self._cmd("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.datadir),
                          "-l", str(self.root / "server.log"),
                          "-o", f"-p {self.port} {options}"),
                capture_output=True, text=True)
            if result.returncode == 0:
                return
            last = result.stderr + result.stdout + self.log_tail()
        raise PgUnavailable(f"pg_ctl start failed: {last}")

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server log (for error messages)."""
        if self.root is None:
            return ""
        log = self.root / "server.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    @staticmethod
    def _run(cmd: list[str]) -> None:
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise PgUnavailable(f"{' '.join(cmd)} failed: {result.stderr or result.stdout}")

    def url(self, database: str) -> str:
        """SQLAlchemy URL of *database* over loopback TCP."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a fresh name unless given); return its URL."""
        self._databases += 1
        name = name or f"kesu_{self._databases}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop *name*, disconnecting whoever is still connected."""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def dump(self, database: str, to: Path) -> None:
        """``pg_dump`` *database* into the custom-format file *to* (consistent snapshot)."""
        self._run([str(self.bindir / "pg_dump"), "-Fc", "-f", str(to), "-h", "127.0.0.1",
                   "-p", str(self.port), "-U", SUPERUSER, database])

    def restore(self, database: str, from_: Path) -> None:
        """Replace *database* with the dump *from_* (nobody may be using it)."""
        self.drop_database(database)
        self._admin(f'CREATE DATABASE "{database}"')
        self._run([str(self.bindir / "pg_restore"), "-h", "127.0.0.1", "-p", str(self.port),
                   "-U", SUPERUSER, "-d", database, str(from_)])

    def restart(self) -> None:
        """Stop the server cleanly and start it again on the same port and options (its
        shared buffers empty; the benchmarks' cold runs)."""
        assert self.root is not None
        self._run(self._cmd("pg_ctl", "restart", "-w", "-t", "60", "-m", "fast",
                            "-D", str(self.datadir), "-l", str(self.root / "server.log")))

    def stop(self) -> None:
        """Stop the server (immediate: the data is thrown away) and delete the directory."""
        if self.root is None:
            return
        if (self.datadir / "postmaster.pid").exists():
            subprocess.run(self._cmd("pg_ctl", "stop", "-w", "-m", "immediate",
                                     "-D", str(self.datadir)),
                           capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
