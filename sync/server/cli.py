"""``kesu-server``: run the reference sync server, issue enrolment codes, new epochs.

    kesu-server serve --db sqlite:///server.db --host 127.0.0.1 --port 8765 [--bench]
    kesu-server enrol --db sqlite:///server.db --store XT01 --desk D1 [--expires-in-hours 24]
    kesu-server token list --db sqlite:///server.db [--store XT01]
    kesu-server token revoke --db sqlite:///server.db --device ID | --hq NAME | --id ID |
                             --store XT01 [--desk D1]
    kesu-server new-epoch --db sqlite:///server.db   # after restoring a backup
    kesu-server hq-token --db sqlite:///server.db --name 王总   # a headquarters token
    kesu-server policy publish --db sqlite:///server.db policy.json
    kesu-server policy list --db sqlite:///server.db
    kesu-server notify status --db sqlite:///server.db   # webhook outbox counts, failures
    kesu-server triage corrections --db sqlite:///server.db   # staff corrections received
    kesu-server triage retrain --db sqlite:///server.db [--dry-run]   # learn from them
    kesu-server assortment import --db sqlite:///server.db FILE.csv   # stores' product lists
    kesu-server assortment clear --db sqlite:///server.db STORE   # the store gets every alert
    kesu-server region|store|user ...   # the console's master data and accounts
                                        # (sync.server.console.commands)

Output is JSON on stdout; a refusal prints ``{"error", "detail"}`` on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.server.storage import Storage


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kesu-server", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--db", required=True, help="SQLAlchemy URL, e.g. sqlite:///server.db")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--bench", action="store_true", help="enable POST /v1/_echo")
    serve.add_argument("--webhook", default=os.environ.get("KESU_WEBHOOK_URL") or None,
                       help="WeCom group-robot URL for notifications (env KESU_WEBHOOK_URL)")
    serve.add_argument("--forwarded-allow-ips", default=None, metavar="IPS",
                       help="comma-separated addresses of reverse proxies whose "
                            "X-Forwarded-For is trusted (default: none, not even loopback)")
    demo = sub.add_parser("demo", help="build a demo chain, print its logins, serve it")
    demo.add_argument("--db", default=None,
                      help="SQLAlchemy URL (default: a new SQLite file in a temp folder)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8765)
    demo.add_argument("--no-serve", action="store_true", help="build and print only")
    enrol = sub.add_parser("enrol", help="print a one-time enrolment code as JSON")
    enrol.add_argument("--db", required=True)
    enrol.add_argument("--store", required=True)
    enrol.add_argument("--desk", required=True)
    enrol.add_argument("--expires-in-hours", type=float, default=None,
                       help="how long the code lives (default: the policy's "
                            "enrolment.code_ttl_hours, 24)")
    token = sub.add_parser("token", help="list or revoke device and headquarters tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    token_list = token_sub.add_parser("list", help="tokens and enrolment codes, as JSON")
    token_list.add_argument("--db", required=True)
    token_list.add_argument("--store", default=None)
    revoke = token_sub.add_parser("revoke", help="revoke tokens (and expire pending codes)")
    revoke.add_argument("--db", required=True)
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", dest="token_id", help="an id from `token list`")
    which.add_argument("--device", help="every live token of this device id")
    which.add_argument("--hq", dest="hq_name", help="every live HQ token of this name")
    which.add_argument("--store", help="every live token and pending code of the store")
    revoke.add_argument("--desk", default=None, help="with --store: one desk only")
    epoch = sub.add_parser("new-epoch", help="give a restored database a new epoch")
    epoch.add_argument("--db", required=True)
    hq = sub.add_parser("hq-token", help="print a new headquarters token as JSON")
    hq.add_argument("--db", required=True)
    hq.add_argument("--name", required=True, help="who uses it (shown as hq:NAME on events)")
    policy = sub.add_parser("policy", help="publish or list policy documents")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    publish = policy_sub.add_parser("publish", help="validate and publish a policy file")
    publish.add_argument("--db", required=True)
    publish.add_argument("file", help="a policy JSON document")
    listing = policy_sub.add_parser("list", help="print the published versions")
    listing.add_argument("--db", required=True)
    notify = sub.add_parser("notify", help="the notification outbox")
    notify_sub = notify.add_subparsers(dest="notify_command", required=True)
    notify_status = notify_sub.add_parser(
        "status", help="counts by state and the last failures, as JSON")
    notify_status.add_argument("--db", required=True)
    triage = sub.add_parser("triage", help="learn from the stores' triage corrections")
    triage_sub = triage.add_subparsers(dest="triage_command", required=True)
    fixes = triage_sub.add_parser("corrections", help="the corrections received, as JSON")
    fixes.add_argument("--db", required=True)
    retrain = triage_sub.add_parser(
        "retrain", help="train a model from the corpus and the corrections; publish it as "
                        "a new policy version unless it scores worse on the held-out split")
    retrain.add_argument("--db", required=True)
    retrain.add_argument("--dry-run", action="store_true", help="report, publish nothing")
    retrain.add_argument("--policy-version", default=None,
                         help="the new policy's version (default: the current one + model)")
    retrain.add_argument("--correction-weight", type=float, default=None,
                         help="how much one correction counts against one corpus line (3)")
    assortment = sub.add_parser("assortment",
                                help="which products each store sells (for product alerts)")
    assortment_sub = assortment.add_subparsers(dest="assortment_command", required=True)
    a_import = assortment_sub.add_parser(
        "import", help="give each store named in a CSV (store, sku, name) exactly its list")
    a_import.add_argument("--db", required=True)
    a_import.add_argument("file")
    a_clear = assortment_sub.add_parser("clear", help="take a store's list away")
    a_clear.add_argument("--db", required=True)
    a_clear.add_argument("store")
    from sync.server.console import commands as console_commands

    console_commands.add_parsers(sub)
    return parser


def _refuse(error: str, detail: str, **extra: str) -> int:
    json.dump({"error": error, "detail": detail, **extra}, sys.stderr, ensure_ascii=False)
    sys.stderr.write("\n")
    return 2


def _policy(storage: Storage, args: argparse.Namespace) -> dict[str, Any]:
    from dataclasses import asdict

    from sync.server import policy_store
    from sync.server.errors import PolicyRejected

    if args.policy_command == "list":
        return {"policies": [asdict(p) for p in policy_store.list_published(storage)]}
    try:
        document = json.loads(Path(args.file).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise PolicyRejected("unreadable", f"{args.file}: {exc}") from None
    return asdict(policy_store.publish(storage, document))


def _triage(storage: Storage, args: argparse.Namespace) -> dict[str, Any]:
    from sync.server import triage_retrain

    if args.triage_command == "corrections":
        fixed = triage_retrain.corrections(storage)
        return {"corrections": [
            {"store": c.store, "ticket_id": c.ticket_id, "actor": c.actor,
             "text": c.case.text, "category": c.case.category,
             "subcategory": c.case.subcategory, "level": c.case.level} for c in fixed]}
    return triage_retrain.retrain(storage, publish=not args.dry_run,
                                  policy_version=args.policy_version,
                                  correction_weight=args.correction_weight)


def _assortment(storage: Storage, args: argparse.Namespace) -> dict[str, Any]:
    from sync.server import assortment
    from sync.server.console.commands import cli_actor

    if args.assortment_command == "clear":
        return {"store": args.store, "cleared": assortment.clear(storage, args.store,
                                                                 cli_actor())}
    path = Path(args.file)
    try:
        with path.open("rb") as handle:
            data = handle.read(assortment.MAX_BYTES + 1)  # more than that is refused
    except OSError as exc:
        raise ValueError(f"{args.file}: {exc.strerror or exc}") from None
    counts = assortment.replace(storage, assortment.parse_csv(data), cli_actor())
    return {"stores": counts}


def _enrol(storage: Storage, args: argparse.Namespace) -> dict[str, Any]:
    from sync.server import enrolment, policy_store

    hours = args.expires_in_hours
    if hours is None:
        with storage.engine.connect() as conn:
            hours = policy_store.current(conn)[0].enrolment.code_ttl_hours
    code, expires = enrolment.create_code(storage, args.store, args.desk, ttl_hours=hours)
    return {"code": code, "store": args.store, "desk": args.desk, "expires_at": expires}


def _token(storage: Storage, args: argparse.Namespace) -> dict[str, Any]:
    from sync.server import enrolment

    if args.token_command == "list":
        return enrolment.list_tokens(storage, args.store).as_dict()
    return {"revoked": enrolment.revoke(storage, token_id=args.token_id, device=args.device,
                                        hq_name=args.hq_name, store=args.store,
                                        desk=args.desk)}


def _demo(args: argparse.Namespace) -> int:
    """Build the demo chain, print the address and logins as JSON, then serve it."""
    import tempfile

    from sync.server.console import demo
    from sync.server.storage import Storage

    db = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='kesu-demo-')}/demo.db"
    storage = Storage(db)
    try:
        logins = demo.build(storage)
    finally:
        storage.close()
    json.dump({"url": f"http://{args.host}:{args.port}/console", "db": db, "logins": logins},
              sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()
    if args.no_serve:
        return 0
    return main(["serve", "--db", db, "--host", args.host, "--port", str(args.port)])


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``kesu-server``; returns the exit status."""
    args = _parser().parse_args(argv)
    # Imported here so `kesu-server --help` stays fast.
    from sync.server.storage import Storage

    if args.command == "demo":
        return _demo(args)
    if args.command == "serve":
        import uvicorn

        from sync.server import faults
        from sync.server.app import create_app

        # faults.from_env: the fault tests' SIGKILL hooks, only when they set the variable.
        app = faults.from_env(create_app(args.db, bench=args.bench, webhook=args.webhook))
        proxies = [ip.strip() for ip in (args.forwarded_allow_ips or "").split(",")
                   if ip.strip()]
        # Keep-alive well beyond httpx's 5 s pool expiry: with uvicorn's default (also
        # 5 s) a desk reusing a connection just as the server closes it gets a reset.
        # X-Forwarded-For only from the proxies named: uvicorn would trust loopback by
        # default, and a client rotating the header would dodge the progress page's
        # per-client guess limit.
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                    access_log=False, timeout_keep_alive=75,
                    proxy_headers=bool(proxies), forwarded_allow_ips=proxies or [])
        return 0
    from sync.server.console import commands as console_commands
    from sync.server.errors import ActionRefused, PolicyRejected, RetrainRefused

    storage = Storage(args.db)
    try:
        if args.command == "enrol":
            out: dict[str, Any] = _enrol(storage, args)
        elif args.command == "token":
            out = _token(storage, args)
        elif args.command == "hq-token":
            out = {"token": storage.create_hq_token(args.name), "name": args.name}
        elif args.command == "policy":
            out = _policy(storage, args)
        elif args.command == "triage":
            out = _triage(storage, args)
        elif args.command == "assortment":
            out = _assortment(storage, args)
        elif args.command in console_commands.COMMANDS:
            out = console_commands.run(storage, args)
        elif args.command == "notify":
            from sync.server import notify

            out = notify.status(storage)
        else:
            out = {"epoch": storage.new_epoch()}
    except PolicyRejected as exc:
        # An invalid document names the fault's JSON path and reason apart too.
        where = {} if exc.path is None else {"path": exc.path, "reason": str(exc.reason)}
        return _refuse(exc.error, exc.detail, **where)
    except RetrainRefused as exc:  # the figures are the point: show them with the refusal
        json.dump({"error": exc.error, "detail": exc.detail, **exc.report}, sys.stderr,
                  ensure_ascii=False)
        sys.stderr.write("\n")
        return 2
    except ActionRefused as exc:
        # An assortment file's refusal names its line and column apart too.
        return _refuse(exc.error, exc.detail, **{k: str(v) for k, v in exc.extra.items()})
    except ValueError as exc:
        return _refuse("refused", str(exc))
    finally:
        storage.close()
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
