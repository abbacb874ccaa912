"""``kesu-server`` commands for the console's master data and accounts.

    kesu-server region add --db URL --code EAST --name 华东 [--name-en "East China"]
    kesu-server store add --db URL --code XT01 --name 湘潭一店 --region EAST [--tz Asia/Shanghai]
    kesu-server store list --db URL
    kesu-server user add --db URL --username wang --name 王总 --role hq [--region EAST]
                         [--password-stdin | --generate-password]
    kesu-server user list --db URL
    kesu-server user password --db URL --username wang [--password-stdin | --generate-password]
    kesu-server user disable|enable --db URL --username wang
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from dataclasses import asdict
from typing import Any

from sync.server.storage import Storage


def add_parsers(sub: Any) -> None:
    """Add the ``region``, ``store`` and ``user`` commands to *sub* (argparse)."""
    region = sub.add_parser("region", help="the chain's regions")
    region_sub = region.add_subparsers(dest="region_command", required=True)
    radd = region_sub.add_parser("add", help="add or rename a region")
    radd.add_argument("--db", required=True)
    radd.add_argument("--code", required=True)
    radd.add_argument("--name", required=True, help="Chinese name")
    radd.add_argument("--name-en", default="")
    region_sub.add_parser("list", help="every region").add_argument("--db", required=True)

    store = sub.add_parser("store", help="the chain's stores")
    store_sub = store.add_subparsers(dest="store_command", required=True)
    sadd = store_sub.add_parser("add", help="add a store or change it")
    sadd.add_argument("--db", required=True)
    sadd.add_argument("--code", required=True)
    sadd.add_argument("--name", required=True)
    sadd.add_argument("--region", required=True)
    sadd.add_argument("--tz", default="Asia/Shanghai", help="IANA time zone")
    store_sub.add_parser("list", help="every store").add_argument("--db", required=True)

    user = sub.add_parser("user", help="console accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    uadd = user_sub.add_parser("add", help="create an account")
    uadd.add_argument("--db", required=True)
    uadd.add_argument("--username", required=True)
    uadd.add_argument("--name", required=True, help="shown on events, e.g. 王总")
    uadd.add_argument("--role", required=True, choices=("agent", "regional", "hq"))
    uadd.add_argument("--region", default=None, help="a regional manager's region")
    _password_args(uadd)
    user_sub.add_parser("list", help="every account").add_argument("--db", required=True)
    upw = user_sub.add_parser("password", help="set a new password (unlocks the account)")
    upw.add_argument("--db", required=True)
    upw.add_argument("--username", required=True)
    _password_args(upw)
    for verb in ("disable", "enable"):
        p = user_sub.add_parser(verb, help=f"{verb} an account")
        p.add_argument("--db", required=True)
        p.add_argument("--username", required=True)


def _password_args(parser: argparse.ArgumentParser) -> None:
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    how.add_argument("--generate-password", action="store_true",
                     help="make a random password and print it once")


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    if args.generate_password:
        return secrets.token_urlsafe(12), True
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    if not sys.stdin.isatty():
        raise ValueError("give --password-stdin or --generate-password")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the passwords differ")
    return first, False


COMMANDS = ("region", "store", "user")


def cli_actor() -> str:
    """Who the audit says made a change from the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def run(storage: Storage, args: argparse.Namespace) -> dict[str, Any]:
    """Carry out a ``region``, ``store`` or ``user`` command; its JSON answer."""
    from sync.server.console import accounts, masterdata

    actor = cli_actor()

    if args.command == "region":
        if args.region_command == "add":
            return asdict(masterdata.save_region(storage, args.code, args.name, args.name_en,
                                                   actor=actor))
        with storage.engine.connect() as conn:
            return {"regions": [asdict(r) for r in masterdata.list_regions(conn)]}
    if args.command == "store":
        if args.store_command == "add":
            return asdict(masterdata.save_store(storage, args.code, args.name, args.region,
                                                args.tz, actor=actor))
        with storage.engine.connect() as conn:
            return {"stores": [asdict(s) for s in masterdata.list_stores(conn)]}
    if args.user_command == "add":
        password, generated = _password(args)
        user = accounts.add_user(storage, args.username, args.name, args.role, password,
                                 args.region, actor=actor)
        out = asdict(user)
        if generated:
            out["password"] = password
        return out
    if args.user_command == "list":
        with storage.engine.connect() as conn:
            return {"users": [asdict(u) for u in accounts.list_users(conn)]}
    if args.user_command == "password":
        password, generated = _password(args)
        accounts.set_password(storage, args.username, password, actor=actor)
        return {"username": args.username, **({"password": password} if generated else {})}
    accounts.set_disabled(storage, args.username, args.user_command == "disable", actor=actor)
    return {"username": args.username, "disabled": args.user_command == "disable"}
