"""``kesu triage`` (grade JSON lines) and ``kesu triage eval FILE`` (score labelled ones)."""

from __future__ import annotations

import argparse
import sqlite3
from typing import Any

from desktop.commands.common import desk_of, parse_json, read_stdin_text
from desktop.i18n import tr
from domain.errors import InvalidInput, KesuError
from domain.intake import parse_intake
from domain.policy import Policy, load_policy
from domain.triage import ComplaintInput
from domain.triage.evaluation import check_labels, evaluate, read_cases
from local_db.errors import StoreError


def register(sub: Any) -> None:
    """Add ``triage`` and ``triage eval`` to *sub*."""
    p = sub.add_parser("triage", help=tr("cli.triage_help"))
    p.set_defaults(handler=cmd_triage)
    commands = p.add_subparsers(dest="triage_command")
    e = commands.add_parser("eval", help=tr("cli.triage_eval_help"))
    e.add_argument("file", help="JSON lines: text, channel, member_tier, customers, "
                                "category, subcategory, level")
    e.add_argument("--policy", default=None,
                   help="a policy file to score instead of this desk's (before publishing)")
    e.set_defaults(handler=cmd_triage_eval)


def _policy(args: argparse.Namespace) -> Policy:
    """The desk's policy; the shipped one when there is no desk (triage needs none)."""
    if getattr(args, "policy", None):
        return load_policy(args.policy)
    try:
        return desk_of(args).policy
    except (StoreError, sqlite3.Error):
        return load_policy()


def cmd_triage(args: argparse.Namespace) -> int:
    """One JSON line in, one JSON line out; a bad line gets an error object, not a crash."""
    policy = _policy(args)
    engine = policy.triage
    status = 0
    for lineno, line in enumerate(read_stdin_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = parse_json(line, lineno)
            form = parse_intake(data, policy)
            result = engine.triage(ComplaintInput(form.text, form.channel, form.member_tier,
                                                  form.customers))
            args.emit(result.as_dict())
        except KesuError as exc:
            status = 2
            args.emit({"line": lineno, "error": tr(exc.code, **exc.params)})
    return status


def cmd_triage_eval(args: argparse.Namespace) -> int:
    """Score the policy's triage on a labelled file; one JSON object of figures.

    Category, subcategory and level accuracy, level-1 recall and precision, per-flag
    recall, the confusion of subcategories and the missed level-1 texts.
    """
    policy = _policy(args)
    engine = policy.triage
    try:
        cases = read_cases(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("triage.eval_unreadable", path=args.file,
                           reason=getattr(exc, "strerror", None) or str(exc)) from None
    if not cases:
        raise InvalidInput("triage.eval_empty", path=args.file)
    check_labels(cases, {sub: cat for sub, (cat, _) in policy.subcategories().items()})
    figures = evaluate(engine, cases)
    args.emit({"file": args.file, "policy_version": policy.version,
               "model": engine.model.version if engine.model else None, **figures})
    return 0
