"""A desk process for SIGKILL tests: edit tickets and run sync rounds until killed.

    python -m tests.fault.sync_child DB URL --rounds N [--edit] [--start-ms MS]

Opens the desk database at DB (made by the test, enrolled, staff d1 present) and, round
after round, optionally records a ticket (printing ``saved <ticket_id>`` only after the
commit) and runs ``SyncEngine.sync_once`` against URL (printing ``synced`` or
``failed <error>``). Every line is flushed at once so the test knows what was committed
before it pulled the trigger.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from desktop.desk import open_desk
from desktop.desk_sync.engine import SyncEngine
from desktop.staff import get_staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from sync.errors import SyncError

TEXTS = (
    "昨天买的酸奶打开就是臭的，已经变质了",
    "收银员态度很差，问她问题不理人还翻白眼",
    "停车场没有灯，晚上很黑",
    "买的面包发霉了，要求退款",
)


def main(argv: list[str] | None = None) -> int:
    """Run the rounds; exit 0 when all are done (the test usually kills us first)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("url")
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--edit", action="store_true")
    parser.add_argument("--start-ms", type=int, default=0)
    args = parser.parse_args(argv)
    start = (datetime.fromtimestamp(args.start_ms / 1000, UTC) if args.start_ms
             else datetime.now(UTC))
    clock = FixedClock(start)
    desk = open_desk(args.db, clock=clock)
    clerk = get_staff(desk.conn, "d1")
    engine = SyncEngine(desk.conn, args.url, clock=clock, timeout=30.0)
    print("ready", flush=True)
    for i in range(args.rounds):
        clock.advance(seconds=3)
        if args.edit:
            created = create_ticket(desk, clerk, {"text": f"{TEXTS[i % len(TEXTS)]} #{i}"})
            print(f"saved {created.ticket.id}", flush=True)
        try:
            engine.sync_once()
            print("synced", flush=True)
        except SyncError as exc:
            print(f"failed {type(exc).__name__}", flush=True)
    engine.close()
    desk.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
