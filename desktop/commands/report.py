"""``kesu report [--period today|week|month] [--from DATE --to DATE] --format json|csv|pdf
[--out FILE]``: the store report, the same figures as the dashboard and the weekly PDF."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from desktop.atomic_file import write_atomically
from desktop.commands.common import desk_of
from desktop.i18n import current_language, tr
from desktop.reports.csv_export import BOM, report_csv
from desktop.reports.figures import build_report
from desktop.reports.json_export import report_json
from domain.errors import InvalidInput, KesuError
from domain.reports.period import resolve_period

FORMATS = ("json", "csv", "pdf")


def register(sub: Any) -> None:
    """Add ``report`` to *sub*."""
    p = sub.add_parser("report", help=tr("report.cli.help"))
    p.add_argument("--period", choices=("today", "week", "month", "last_month"),
                   default=None)
    p.add_argument("--from", dest="first", default=None, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", default=None, metavar="YYYY-MM-DD")
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="json")
    p.add_argument("--out", type=Path, default=None)
    p.set_defaults(handler=cmd_report)


def _date(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("report.cli.bad_date", field=name, value=text[:40]) from None


def cmd_report(args: argparse.Namespace) -> int:
    """Build the report of the chosen period and write it in the chosen format."""
    first, last = _date(args.first, "from"), _date(args.last, "to")
    if (first is None) != (last is None):
        raise InvalidInput("report.cli.period_missing")
    if first is not None and args.period is not None:
        raise InvalidInput("report.cli.period_both")
    if args.fmt == "pdf" and args.out is None:
        raise InvalidInput("report.cli.out_required")
    desk = desk_of(args)
    try:
        kind = "custom" if first is not None else (args.period or "week")
        now = desk.now()
        period = resolve_period(kind, now, desk.policy.timezone, first=first, last=last)
        report = build_report(desk.conn, desk.policy, period, now, store_code=desk.store_code)
    finally:
        desk.close()
    language = current_language()
    if args.fmt == "json":
        data = json.dumps(report_json(report), ensure_ascii=False).encode("utf-8")
        if args.out is None:
            sys.stdout.write(data.decode("utf-8") + "\n")
            sys.stdout.flush()
            return 0
    elif args.fmt == "csv":
        text = report_csv(report, language)
        if args.out is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return 0
        data = (BOM + text).encode("utf-8")
    else:
        from desktop.reports.pdf import render_report_pdf

        data = render_report_pdf(report, language)
    assert args.out is not None
    try:
        write_atomically(args.out, data)
    except OSError as exc:
        raise KesuError("report.cli.write_failed", path=str(args.out),
                        detail=exc.strerror or str(exc)) from None
    args.emit({"path": str(args.out), "format": args.fmt, "tickets": report.tickets,
               "first_day": period.first_day.isoformat(),
               "last_day": period.last_day.isoformat()})
    return 0
