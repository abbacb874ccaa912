"""``kesu enrol`` and ``kesu sync``: the real command in a subprocess, a real server."""

from __future__ import annotations

import copy
import json
import os
import signal
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.policy import load_policy
from sync.server import policy_store
from sync.server.storage import Storage
from tests.desktop.cli_runner import ROOT, Result, kesu_cmd, kesu_env, setup_desk
from tests.desktop.file_keyring import FILE_ENV
from tests.sync.helpers import ServerProcess, free_port

FAIL_BACKEND = "keyring.backends.fail.Keyring"
FILE_BACKEND = "tests.desktop.file_keyring.FileKeyring"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One ``kesu-server`` on SQLite for this module."""
    proc = ServerProcess(tmp_path_factory.mktemp("server") / "server.db")
    proc.start()
    yield proc
    proc.kill()


_stores = iter(range(1, 1000))


@pytest.fixture
def store_code() -> str:
    """A store code of this test alone on the shared server."""
    return f"CL{next(_stores):02d}"


def kesu(db: Path, *args: str, backend: str = FAIL_BACKEND, lang: str = "zh_CN",
         extra_env: dict[str, str] | None = None, stdin: str = "") -> Result:
    env = kesu_env(db, lang)
    env.pop("KESU_TOKEN_STORE", None)
    env["PYTHON_KEYRING_BACKEND"] = backend
    env.update(extra_env or {})
    proc = subprocess.run([*kesu_cmd(), *args], input=stdin.encode(), capture_output=True,
                          env=env, cwd=ROOT, timeout=120)
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def _desk(tmp_path: Path, store: str) -> Path:
    db = tmp_path / "desk.db"
    setup_desk(db)
    # setup_desk makes store XT01; give each test its own store on the shared server.
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'store_code'", (store,))
    conn.close()
    return db


def _ticket(db: Path, text: str = "酸奶过期了，孩子喝了拉肚子") -> dict[str, Any]:
    r = kesu(db, "ticket", "add", "--actor", "d1", stdin=json.dumps({"text": text}))
    assert r.code == 0, r.err
    return dict(r.json())


def _enrol(db: Path, server: ServerProcess, store: str, **kw: Any) -> Result:
    code = server.enrol_code(store, "D2")
    return kesu(db, "enrol", "--server", server.url, "--code", code, **kw)


def _meta(db: Path, key: str) -> str | None:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def _events(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT event_id, hash FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


def test_enrol_sync_and_status_without_a_keyring(tmp_path: Path, server: ServerProcess,
                                                  store_code: str) -> None:
    db = _desk(tmp_path, store_code)
    _ticket(db)
    enrolled = _enrol(db, server, store_code)
    assert enrolled.code == 0, enrolled.err
    assert enrolled.json()["token_store"] == "file"
    # Told once, in Chinese by default, where the token went.
    assert enrolled.err.count("钥匙串") >= 1 and enrolled.err.count("kesu:") == 1
    token_file = Path(f"{db}.token")
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert _meta(db, "sync_token") is None and _meta(db, "sync_server") == server.url

    once = kesu(db, "sync", "once")
    assert once.code == 0, once.err
    report = once.json()
    assert report["pushed"] == report["offered"] == len(_events(db))
    status = kesu(db, "sync", "status").json()
    assert status["enrolled"] is True and status["server"] == server.url
    assert (status["pending"], status["acked"]) == (0, len(_events(db)))
    assert status["cursor"] > 0 and status["epoch"] and status["last_success"]
    assert status["last_error"] is None and status["dead_letters"] == 0
    assert status["update_required"] is False and status["token_store"] == "file"
    assert status["policy_version"] == load_policy().version
    assert status["script_uses_waiting"] == 0 and status["scripts_version"] >= 0
    assert kesu(db, "sync", "dead-letters").json() == []


def test_the_keyring_holds_the_token_and_an_old_database_token_moves_there(
    tmp_path: Path, server: ServerProcess, store_code: str,
) -> None:
    db = _desk(tmp_path, store_code)
    ring = tmp_path / "keyring.json"
    env = {FILE_ENV: str(ring)}
    enrolled = _enrol(db, server, store_code, backend=FILE_BACKEND, extra_env=env)
    assert enrolled.code == 0, enrolled.err
    assert enrolled.json()["token_store"] == "keyring" and enrolled.err == ""
    assert not Path(f"{db}.token").exists()
    device = _meta(db, "device_id")
    token = json.loads(ring.read_text())["kesu"][device]
    # An older Kesu kept the token in the database: the next command moves it out.
    ring.unlink()
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('sync_token', ?)", (token,))
    conn.close()
    once = kesu(db, "sync", "once", backend=FILE_BACKEND, extra_env=env)
    assert once.code == 0, once.err
    assert _meta(db, "sync_token") is None
    assert json.loads(ring.read_text())["kesu"][device] == token


def test_a_refused_token_says_enrol_again_and_keeps_everything(
    tmp_path: Path, server: ServerProcess, store_code: str,
) -> None:
    db = _desk(tmp_path, store_code)
    assert _enrol(db, server, store_code).code == 0
    _ticket(db)
    token_file = Path(f"{db}.token")
    data = json.loads(token_file.read_text())
    token_file.write_text(json.dumps({**data, "token": "revoked"}))
    before = _events(db)
    r = kesu(db, "sync", "once", lang="en")
    assert r.code == 3 and "enrol again" in r.err
    assert _events(db) == before and token_file.exists()
    status = kesu(db, "sync", "status").json()
    assert status["enrol_again"] is True and status["pending"] == len(before)
    # Enrolling again with a new code carries on where it stopped.
    assert _enrol(db, server, store_code).code == 0
    assert kesu(db, "sync", "once").json()["pushed"] == len(before)
    assert kesu(db, "sync", "status").json()["enrol_again"] is False


def test_unreachable_server_and_not_enrolled(tmp_path: Path, store_code: str) -> None:
    db = _desk(tmp_path, store_code)
    r = kesu(db, "sync", "once", lang="en")
    assert r.code == 2 and "not enrolled" in r.err
    r = kesu(db, "enrol", "--server", f"http://127.0.0.1:{free_port()}", "--code", "123456")
    assert r.code == 1 and "连不上" in r.err
    assert kesu(db, "sync", "status").json()["enrolled"] is False


def test_a_published_policy_reaches_the_desk(tmp_path: Path, server: ServerProcess,
                                             store_code: str) -> None:
    db = _desk(tmp_path, store_code)
    assert _enrol(db, server, store_code).code == 0
    document = copy.deepcopy(load_policy().raw)
    document["policy_version"] = f"2027.{store_code}"
    document["levels"]["1"]["respond_within_minutes"] = 45
    storage = Storage(server.db_url)
    try:
        policy_store.publish(storage, document)
    finally:
        storage.close()
    once = kesu(db, "sync", "once")
    assert once.code == 0, once.err
    assert once.json()["policy_installed"] == f"2027.{store_code}"
    shown = kesu(db, "policy", "show").json()
    assert shown["policy_version"] == f"2027.{store_code}" and shown["levels"]["1"] == 45
    assert kesu(db, "sync", "status").json()["policy_version"] == f"2027.{store_code}"


def test_sync_run_loops_until_sigterm(tmp_path: Path, server: ServerProcess,
                                      store_code: str) -> None:
    db = _desk(tmp_path, store_code)
    assert _enrol(db, server, store_code).code == 0
    env = kesu_env(db, "en")
    env["PYTHON_KEYRING_BACKEND"] = FAIL_BACKEND
    proc = subprocess.Popen([*kesu_cmd(), "sync", "run", "--interval", "3600"], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["event"] == "round" and first["report"]["offered"] == 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_a_pulled_event_set_aside_is_said_with_its_own_exit_code(
    tmp_path: Path, server: ServerProcess, store_code: str,
) -> None:
    """Issue 13: a number clash stopped sync for good with "server unreachable"'s exit 1
    and no last_error; now the round goes through and says so (exit 2)."""
    from domain.ids import uuid7
    from tests.sync.trust_helpers import foreign_chain, plant

    db = _desk(tmp_path, store_code)
    assert _enrol(db, server, store_code).code == 0
    mine = _ticket(db)
    assert kesu(db, "sync", "once").code == 0
    conn = sqlite3.connect(db)
    payload = json.loads(conn.execute("SELECT payload FROM events WHERE type = "
                                      "'ticket_created'").fetchone()[0])
    conn.close()
    twin = f"old-twin-{uuid7()[-12:]}"
    plant(server, store_code, twin,
          *foreign_chain(twin, uuid7(), ("ticket_created", {**payload, "text": "同号"})))
    once = kesu(db, "sync", "once", lang="en")
    assert once.code == 2 and "set aside" in once.err and "number_taken" in once.err, once.err
    assert once.json()["set_aside"] == 1 and "Traceback" not in once.err
    status = kesu(db, "sync", "status").json()
    assert status["set_aside"] == 1 and "sync.set_aside" in status["last_error"]
    (pulled,) = [d for d in kesu(db, "sync", "dead-letters").json() if d["kind"] == "pulled"]
    assert pulled["reason"] == "number_taken" and pulled["device_id"] == twin
    checked = kesu(db, "check").json()
    assert checked["ok"] is True and checked["set_aside"] == 1
    assert kesu(db, "sync", "once").code == 0  # nothing new: an ordinary round
    assert kesu(db, "ticket", "show", mine["number"], "--json").code == 0
