"""``kesu enrol`` and ``kesu sync once|status|dead-letters|run``: the desk side of sync.

Sync failures are translated here (the core's exit codes): a network failure exits 1,
"update required", a refusal by the server (an enrolment code for another store or
desk included) or a failure on this desk 2, a refused device token 3 with the advice to
enrol again. A round that went through but set pulled events aside (they cannot be
applied here: a number another ticket holds...) also exits 2, after its report, so a
person looks at ``kesu sync dead-letters``. None of them deletes or changes a local
event.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from desktop import script_library
from desktop.commands.common import desk_of
from desktop.desk import Desk
from desktop.i18n import tr
from local_db import sync_state
from sync.errors import EnrolRefused, NetworkError, ServerRejected, SyncError, Unauthorized

if TYPE_CHECKING:
    from desktop.desk_sync.engine import SyncEngine
    from desktop.desk_sync.runner import RunnerEvent

# httpx, keyring and the engine are imported by the sync commands only: every other
# `kesu` command starts faster without them.

EXIT_NETWORK = 1
EXIT_REFUSED = 2
EXIT_ENROL_AGAIN = 3


def register(sub: Any) -> None:
    """Add ``enrol`` and ``sync`` to *sub*."""
    p = sub.add_parser("enrol", help=tr("cli.enrol_help"))
    p.add_argument("--server", required=True, help="http(s)://host:port")
    p.add_argument("--code", required=True)
    p.set_defaults(handler=cmd_enrol)

    sync = sub.add_parser("sync", help=tr("cli.sync_help")).add_subparsers(
        dest="sync_command", required=True)
    p = sync.add_parser("once")
    p.set_defaults(handler=cmd_sync_once)
    p = sync.add_parser("status")
    p.set_defaults(handler=cmd_sync_status)
    p = sync.add_parser("dead-letters")
    p.add_argument("--all", action="store_true", help="include resolved ones")
    p.set_defaults(handler=cmd_dead_letters)
    p = sync.add_parser("run")
    p.add_argument("--interval", type=float, default=60.0)
    p.set_defaults(handler=cmd_sync_run)


def _stderr(message: str) -> None:
    sys.stderr.write(f"kesu: {message}\n")
    sys.stderr.flush()


def _failed(exc: SyncError) -> int:
    """Say what went wrong in the user's language; return the exit code."""
    detail = exc.detail or str(exc)
    params: dict[str, str] = {}
    if isinstance(exc, EnrolRefused):
        params = dict(exc.params)
    elif isinstance(exc, ServerRejected):
        detail = f"{exc.reason}: {detail}"
    _stderr(tr(exc.code, detail=detail, **params))
    if isinstance(exc, Unauthorized):
        return EXIT_ENROL_AGAIN
    if isinstance(exc, NetworkError):
        return EXIT_NETWORK
    return EXIT_REFUSED


def cmd_enrol(args: argparse.Namespace) -> int:
    from desktop.desk_sync.wiring import build_engine

    desk = desk_of(args)
    try:
        with build_engine(desk, args.db, server=args.server.rstrip("/"),
                          notice=_stderr) as engine:
            result = engine.enrol(args.code)
            args.emit({**result, "server": engine.base_url,
                       "token_store": _token_store(engine)})
    except SyncError as exc:
        return _failed(exc)
    finally:
        desk.close()
    return 0


def cmd_sync_once(args: argparse.Namespace) -> int:
    from desktop.desk_sync.wiring import build_engine

    desk = desk_of(args)
    try:
        with build_engine(desk, args.db, notice=_stderr) as engine:
            report = engine.sync_once()
            args.emit({**asdict(report), "status": _status(desk, engine.status())})
            if report.set_aside:
                # The round went through, but a person must look at what it set aside.
                reasons = sorted({e.reason for e in sync_state.set_aside_events(desk.conn)})
                _stderr(tr("sync.set_aside", count=report.set_aside,
                           detail=", ".join(reasons)))
                return EXIT_REFUSED
    except SyncError as exc:
        return _failed(exc)
    finally:
        desk.close()
    return 0


def _token_store(engine: SyncEngine) -> str:
    from desktop.credentials import CredentialStore

    tokens = engine.tokens
    return tokens.kind if isinstance(tokens, CredentialStore) else "database"


def _status(desk: Desk, status: dict[str, Any]) -> dict[str, Any]:
    status["policy_version"] = desk.policy.version
    # The response-script library held offline, and its uses waiting for the centre.
    status["scripts_version"] = script_library.version(desk.conn)
    status["script_uses_waiting"] = script_library.pending_count(desk.conn)
    return status


def cmd_sync_status(args: argparse.Namespace) -> int:
    from desktop.desk_sync.wiring import build_engine

    desk = desk_of(args)
    try:
        with build_engine(desk, args.db, notice=_stderr, require_server=False) as engine:
            status = _status(desk, engine.status())
            status["token_store"] = _token_store(engine)
            args.emit(status)
    finally:
        desk.close()
    return 0


def cmd_dead_letters(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    try:
        # Own batches the server refused, then pulled events this desk set aside.
        args.emit([{"kind": "pushed", **d.as_dict()} for d in
                   sync_state.dead_letters(desk.conn, include_resolved=args.all)]
                  + [e.as_dict() for e in sync_state.set_aside_events(desk.conn)])
    finally:
        desk.close()
    return 0


def cmd_sync_run(args: argparse.Namespace) -> int:
    """Sync in the foreground until SIGINT or SIGTERM; one JSON line per round/failure."""
    from desktop.desk_sync.runner import ROUND, SyncRunner
    from desktop.desk_sync.wiring import build_engine, engine_factory

    desk = desk_of(args)
    try:
        # Checks enrolment (and moves an old token out of the database) before looping.
        build_engine(desk, args.db, notice=_stderr).close()
    finally:
        desk.close()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    lock = threading.Lock()

    def show(event: RunnerEvent) -> None:
        line: dict[str, Any] = {"event": event.kind}
        if event.kind == ROUND and event.report is not None:
            line["report"] = asdict(event.report)
        if event.error is not None:
            code = getattr(event.error, "code", type(event.error).__name__)
            line["error"] = code
            line["message"] = (tr(code, detail=str(event.error))
                               if isinstance(event.error, SyncError) else str(event.error))
        if event.retry_in is not None:
            line["retry_in"] = round(event.retry_in, 1)
        with lock:
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            sys.stdout.flush()

    runner = SyncRunner(engine_factory(args.db, notice=_stderr), on_event=show,
                        interval=max(1.0, args.interval))
    runner.start()
    while not done.wait(0.5):
        if not runner.running:
            break
    runner.stop(timeout=10.0)
    return 0
