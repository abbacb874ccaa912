"""Time from process start to an interactive main window, whole process, as staff see it.

Runs ``kesu app`` (the installed entry point) on a demo store of 300 tickets with
``KESU_EXIT_WHEN_READY=1``: the app prints when its window is shown and the event loop
runs, then quits. The clock starts before the process is spawned, so Python start-up and
every import count. Offscreen platform. Prints one JSON object. Target: under 1.5 s.
Also the cashier's shortcut with ``kesu quick`` already running: a second process hands
over to the running window, which shows (target 150 ms for the quick-entry window).

    .venv/bin/python bench/ui_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import _support

from desktop.demo import build_demo

TARGET_S = 1.5


def demo_db() -> Path:
    """A demo store built once (the demo's own generator, fixed seed and date)."""
    path = _support.CACHE / "ui_startup_demo.db"
    if not path.exists():
        _support.CACHE.mkdir(parents=True, exist_ok=True)
        build_demo(path, now=datetime(2026, 11, 22, 2, 0, tzinfo=UTC))
    return path


def one_run(db: Path, command: str) -> float:
    """Seconds from spawn to the window's ready line."""
    kesu = Path(sys.executable).parent / "kesu"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KESU_EXIT_WHEN_READY": "1",
           "KESU_LANG": "zh_CN"}
    started = time.perf_counter()
    proc = subprocess.Popen([str(kesu), "--db", str(db), command], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "ready_s" in line:
            elapsed = time.perf_counter() - started
            break
    else:
        raise SystemExit(f"kesu {command} exited without becoming ready")
    proc.wait(30)
    return elapsed


def handover_runs(db: Path, runs: int) -> list[float]:
    """Seconds from spawning a second ``kesu quick`` (the cashier's keyboard shortcut) to
    the running window having shown itself."""
    kesu = Path(sys.executable).parent / "kesu"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KESU_EXIT_WHEN_READY": "stay",
           "KESU_LANG": "zh_CN"}
    first = subprocess.Popen([str(kesu), "--db", str(db), "quick"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert first.stdout is not None
    try:
        if "ready_s" not in first.stdout.readline():
            raise SystemExit("kesu quick did not start")
        times = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            subprocess.run([str(kesu), "--db", str(db), "quick"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            if "shown" not in first.stdout.readline():
                raise SystemExit("the running window did not show")
            times.append(time.perf_counter() - started)
        return sorted(times[1:])  # the first warms the file cache
    finally:
        first.terminate()
        first.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    db = demo_db()
    result: dict[str, object] = {"bench": "ui_startup", "target_s": TARGET_S,
                                 "runs": args.runs}
    for command in ("app", "quick"):
        one_run(db, command)  # warm the OS file cache, as a desk PC that ran it before
        times = sorted(one_run(db, command) for _ in range(args.runs))
        result[command] = {
            "p50_s": round(statistics.median(times), 3),
            "max_s": round(times[-1], 3),
            "min_s": round(times[0], 3),
            "ratio_to_target": round(statistics.median(times) / TARGET_S, 3),
        }
    times = handover_runs(db, args.runs)
    result["quick_handover"] = {
        "p50_s": round(statistics.median(times), 3), "max_s": round(times[-1], 3),
        "target_s": 0.15, "ratio_to_target": round(statistics.median(times) / 0.15, 3),
    }
    _support.emit(result)


if __name__ == "__main__":
    main()
