"""The ``kesu`` command at its edges (issue 13, findings 6, 7, 10, 11 and 12): money
typed wrongly, text in another encoding, a reader that goes away, absurd JSON,
read-only, full, empty and foreign files, argparse in Chinese, private files."""

from __future__ import annotations

import json
import os
import resource
import shlex
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.desktop.cli_runner import ROOT, Result, kesu_cmd, kesu_env, run_kesu, setup_desk


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "desk.db"
    setup_desk(path)
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    shutil.copyfile(template, path)
    return path


def _raw(db: Path, *args: str | bytes, stdin: bytes = b"", lang: str = "zh_CN",
         preexec: Callable[[], None] | None = None) -> Result:
    proc = subprocess.run([*kesu_cmd(), *args], input=stdin, capture_output=True,
                          env=kesu_env(db, lang), cwd=ROOT, timeout=120,
                          preexec_fn=preexec)
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                  proc.stderr.decode("utf-8", "replace"))


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def _ticket(db: Path, **extra: object) -> Result:
    return run_kesu(db, "ticket", "add", "--actor", "d1",
                    stdin=json.dumps({"text": "收银员多收了我十块钱", **extra},
                                     ensure_ascii=False))


def test_amounts_are_read_as_people_write_them(db: Path) -> None:
    """Finding 6: 4,99 granted 499.00, 12,5 gave 125.00, 1e9 was accepted."""
    number = _ticket(db).json()["number"]
    for typed in ("4,99", "12,5"):
        r = run_kesu(db, "compensate", number, "--actor", "d1", "--amount", typed,
                     "--kind", "coupon")
        assert r.code == 2 and "小数请用小数点" in r.err and typed in r.err, r.err
    r = run_kesu(db, "compensate", number, "--actor", "d1", "--amount", "1e9",
                 "--kind", "cash", lang="en")
    assert r.code == 2 and "12.50" in r.err and "exponent" in r.err, r.err
    assert _count(db, "compensations") == 0
    granted = run_kesu(db, "compensate", number, "--actor", "d1", "--amount", "１２．５",
                       "--kind", "coupon")
    assert granted.code == 0 and granted.json()["amount_fen"] == 1250
    for paid in ("1e9", 1e9, "100001"):
        r = _ticket(db, amount_paid=paid)
        assert r.code == 2, (paid, r.out)
    assert "实付金额过大" in r.err and "金额金额" not in r.err and "¥100,000.00" in r.err
    assert _ticket(db, amount_paid="¥12.5").json()["amount_paid"] == "12.50"


def test_text_in_another_encoding_is_refused_and_nothing_saved(db: Path) -> None:
    """Finding 7: GBK on stdin was saved as replacement characters, exit 0."""
    before = _count(db, "events")
    gbk = json.dumps({"text": "酸奶过期了，孩子喝了拉肚子"}, ensure_ascii=False).encode("gbk")
    r = _raw(db, "ticket", "add", "--actor", "d1", stdin=gbk)
    assert r.code == 2 and "UTF-8" in r.err and "GBK" in r.err, r.err
    r = _raw(db, "ticket", "add", "--actor", "d1", stdin=gbk, lang="en")
    assert r.code == 2 and "not UTF-8" in r.err
    bom = "\ufeff" + json.dumps({"text": "请问几点关门"}, ensure_ascii=False)
    assert _raw(db, "ticket", "add", "--actor", "d1", stdin=bom.encode()).code == 0
    number = json.loads(run_kesu(db, "ticket", "list", "--json").out)[0]["number"]
    r = _raw(db, "ticket", "note", number, "--actor", "d1", "--text", "顾客很生气".encode("gbk"))
    assert r.code == 2 and "--text" in r.err, r.err
    assert _count(db, "events") == before + 1


def test_a_reader_going_away_after_the_save_is_success(db: Path) -> None:
    """Finding 10: the ticket was saved, then exit 1 with a BrokenPipe traceback, so a
    caller that retried made a duplicate."""
    env = kesu_env(db)
    cmd = " ".join(kesu_cmd())
    script = (f"echo '{{\"text\":\"酸奶过期了\"}}' | {cmd} ticket add --actor d1 | head -c0; "
              "echo \"exit=${PIPESTATUS[1]}\"")
    proc = subprocess.run(["bash", "-c", script], capture_output=True, env=env, cwd=ROOT,
                          timeout=120, text=True)
    assert "exit=0" in proc.stdout, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "Broken" not in proc.stderr, proc.stderr
    assert _count(db, "tickets") == 1


def test_absurd_json_is_a_clear_error(db: Path) -> None:
    """Finding 11: 100k-deep JSON on stdin was a RecursionError traceback."""
    deep = "[" * 100_000 + "]" * 100_000
    r = run_kesu(db, "ticket", "add", "--actor", "d1", stdin=deep)
    assert r.code == 2 and "嵌套层数过多" in r.err and "Traceback" not in r.err
    r = run_kesu(db, "triage", stdin=deep + "\n" + '{"text": "服务态度差"}\n')
    assert r.code == 2 and "Traceback" not in r.err
    lines = [json.loads(x) for x in r.out.splitlines()]
    assert "error" in lines[0] and lines[1]["category"]
    assert _count(db, "tickets") == 0


def _read_only(db: Path, *args: str, stdin: bytes = b"") -> Result:
    """Run kesu on *db* with its directory read-only. As root, file modes do not stop
    writes: the directory is bind-mounted read-only in a mount namespace of its own."""
    if os.geteuid() != 0:
        return _raw(db, *args, stdin=stdin)
    folder = shlex.quote(str(db.parent))
    command = " ".join(shlex.quote(a) for a in (*kesu_cmd(), *args))
    script = (f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} "
              f"&& exec {command}")
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], input=stdin,
                          capture_output=True, env=kesu_env(db), cwd=ROOT, timeout=120)
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                  proc.stderr.decode("utf-8", "replace"))


def test_a_read_only_database_can_still_be_read(db: Path, tmp_path: Path) -> None:
    """Finding 11: on a read-only database even `ticket list` and `check` failed."""
    assert _ticket(db).code == 0
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    ro = shelf / "desk.db"
    shutil.copyfile(db, ro)
    ro.chmod(0o444)
    shelf.chmod(0o555)
    try:
        listed = _read_only(ro, "ticket", "list", "--json")
        assert listed.code == 0, listed.err
        assert len(json.loads(listed.out)) == 1
        checked = _read_only(ro, "check")
        assert checked.code == 0 and json.loads(checked.out)["ok"] is True, checked.err
        added = _read_only(ro, "ticket", "add", "--actor", "d1",
                           stdin='{"text":"停车场没有灯"}'.encode())
        assert added.code == 1 and "只读" in added.err and "Traceback" not in added.err, \
            added.err
    finally:
        shelf.chmod(0o755)
        ro.chmod(0o600)
    assert _count(ro, "tickets") == 1


def test_a_nearly_full_disk_still_reads(db: Path) -> None:
    """Finding 11: with ~24 KB free, reads failed with "disk I/O error". A file-size
    limit below SQLite's 32 KiB shared-memory file makes the same failure."""
    assert _ticket(db).code == 0
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    def full() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (24 * 1024, 24 * 1024))

    listed = _raw(db, "ticket", "list", "--json", preexec=full)
    assert listed.code == 0 and len(json.loads(listed.out)) == 1, listed.err
    added = _raw(db, "ticket", "add", "--actor", "d1", stdin='{"text":"停车场没有灯"}'.encode(),
                 preexec=full)
    assert added.code == 1 and "Traceback" not in added.err
    assert "磁盘" in added.err, added.err
    assert _count(db, "tickets") == 1


def test_empty_and_foreign_files_are_left_alone(tmp_path: Path) -> None:
    """Finding 11: `ticket list` on an empty file wrote a schema into it; "file is not
    a database" was not translated."""
    empty = tmp_path / "empty.db"
    empty.touch()
    r = run_kesu(empty, "ticket", "list")
    assert r.code == 1 and "kesu init" in r.err and empty.stat().st_size == 0
    foreign = tmp_path / "notes.db"
    foreign.write_text("这不是数据库\n" * 10, "utf-8")
    before = foreign.read_bytes()
    for args in (("ticket", "list"), ("check",), ("init", "--store", "XT01", "--desk", "D1")):
        r = run_kesu(foreign, *args)
        assert r.code == 1 and "不是 Kesu 数据库" in r.err, (args, r.err)
    assert foreign.read_bytes() == before
    r = run_kesu(foreign, "ticket", "list", lang="en")
    assert "not a Kesu database" in r.err


def test_argument_errors_speak_the_users_language(db: Path) -> None:
    """Finding 11: argparse errors were English in Chinese mode."""
    r = run_kesu(db, "ticket", "add")
    assert r.code == 2 and "用法" in r.err and "缺少必填参数" in r.err and "--actor" in r.err
    r = run_kesu(db, "ticket", "list", "--level", "7")
    assert r.code == 2 and "无效的选项" in r.err, r.err
    r = run_kesu(db, "ticket", "add", lang="en")
    assert "usage:" in r.err and "the following arguments are required" in r.err


def test_the_desk_database_is_private(tmp_path: Path) -> None:
    """Finding 12: desk database files were created 0644."""
    path = tmp_path / "new.db"
    assert run_kesu(path, "init", "--store", "XT01", "--desk", "D1").code == 0
    assert run_kesu(path, "staff", "add", "--id", "d1", "--name", "小李", "--role", "desk",
                    "--pin", "2222").code == 0
    for suffix in ("", "-wal", "-shm"):
        file = Path(f"{path}{suffix}")
        if file.exists():
            assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, file
