"""``kesu init``, ``kesu staff``, ``kesu policy``: setting a desk up."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.commands.common import desk_of
from desktop.desk import init_desk, install_policy
from desktop.i18n import tr
from desktop.staff import add_staff, list_staff


def register(sub: Any) -> None:
    """Add the set-up subcommands to *sub*."""
    p = sub.add_parser("init", help=tr("cli.init_help"))
    p.add_argument("--store", required=True)
    p.add_argument("--desk", required=True)
    p.add_argument("--store-name", default="")
    p.add_argument("--policy", default=None)
    p.set_defaults(handler=cmd_init)

    staff = sub.add_parser("staff", help=tr("cli.staff_help")).add_subparsers(
        dest="staff_command", required=True)
    p = staff.add_parser("add")
    p.add_argument("--id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["cashier", "desk", "manager"])
    p.add_argument("--pin", required=True)
    p.set_defaults(handler=cmd_staff_add)
    p = staff.add_parser("list")
    p.set_defaults(handler=cmd_staff_list)

    policy = sub.add_parser("policy", help=tr("cli.policy_help")).add_subparsers(
        dest="policy_command", required=True)
    p = policy.add_parser("show")
    p.set_defaults(handler=cmd_policy_show)
    p = policy.add_parser("load")
    p.add_argument("file")
    p.set_defaults(handler=cmd_policy_load)


def cmd_init(args: argparse.Namespace) -> int:
    desk = init_desk(args.db, store_code=args.store, desk_code=args.desk,
                     store_name=args.store_name, policy_path=args.policy)
    args.emit({"db": str(args.db), "store": desk.store_code, "desk": desk.desk_code,
               "store_name": desk.store_name, "device_id": desk.device_id,
               "policy_version": desk.policy.version})
    desk.close()
    return 0


def cmd_staff_add(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    staff = add_staff(desk.conn, desk.policy.staff, desk.clock, staff_id=args.id,
                      name=args.name, role=args.role, pin=args.pin)
    args.emit(staff.as_dict())
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    args.emit([s.as_dict() for s in list_staff(desk.conn)])
    return 0


def cmd_policy_show(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    p = desk.policy
    args.emit({"policy_version": p.version, "timezone": str(p.timezone),
               "levels": {k: v.respond_within_minutes for k, v in p.levels.items()},
               "role_limits_fen": p.compensation.role_limits_fen,
               "store_daily_cap_fen": p.compensation.store_daily_cap_fen})
    return 0


def cmd_policy_load(args: argparse.Namespace) -> int:
    desk = desk_of(args)
    policy = install_policy(desk, args.file)
    args.emit({"policy_version": policy.version})
    return 0
