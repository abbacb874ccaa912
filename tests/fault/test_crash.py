"""Kill ``kesu ticket add`` with SIGKILL at random moments: nothing saved is lost or doubled."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.desktop.cli_runner import ROOT, kesu_cmd, kesu_env, run_kesu, setup_desk

ATTEMPTS = 40


def test_sigkill_during_ticket_add_never_loses_or_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    setup_desk(db)
    rng = random.Random(20261122)
    saved: list[str] = []  # markers of tickets whose "saved" output the staff saw
    attempted: list[str] = []
    # Measure how long a normal save takes so the kills spread over the whole run.
    t0 = time.monotonic()
    assert run_kesu(db, "ticket", "add", "--actor", "d1",
                    stdin=json.dumps({"text": "基准 warm-up 超市鸡蛋是坏的"})).code == 0
    span = time.monotonic() - t0
    for i in range(ATTEMPTS):
        marker = f"KILL{i:03d}"
        attempted.append(marker)
        text = f"{marker} 买的面包发霉了，要求退款 #{i}"
        proc = subprocess.Popen(
            [*kesu_cmd(), "ticket", "add", "--actor", "d1"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=kesu_env(db), cwd=ROOT,
        )
        assert proc.stdin is not None
        proc.stdin.write(json.dumps({"text": text}, ensure_ascii=False).encode())
        proc.stdin.close()
        if i % 4 == 3:
            proc.wait(timeout=120)  # some saves run to the end, as most do at a desk
        else:
            time.sleep(rng.uniform(0.1, 1.3) * span)
            proc.send_signal(signal.SIGKILL)
        proc.stdin = None  # already closed; communicate() must not flush it
        out, _ = proc.communicate()
        if proc.returncode == 0 and out.strip():
            saved.append(marker)
    conn = sqlite3.connect(db)
    counts = {m: conn.execute("SELECT count(*) FROM tickets WHERE text LIKE ?",
                              (f"{m} %",)).fetchone()[0] for m in attempted}
    events = {m: conn.execute("SELECT count(*) FROM events WHERE type = 'ticket_created' "
                              "AND payload LIKE ?", (f'%"{m} %',)).fetchone()[0]
              for m in attempted}
    conn.close()
    assert all(counts[m] == 1 for m in saved), "a ticket the staff saw saved is missing"
    assert all(c <= 1 for c in counts.values()), "a ticket was saved twice"
    assert counts == events, "a projection row without its event or the reverse"
    check = run_kesu(db, "check")
    assert check.code == 0, check.out
    # The kills must really have interrupted some saves, or the test proves nothing.
    assert saved and sum(counts.values()) < ATTEMPTS
