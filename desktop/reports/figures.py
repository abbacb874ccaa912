"""The desk's store report (``build_report``), computed once for all outputs.

The figures are ``domain.reports.figures.assemble`` over the store's per-day partials,
the one computation the centre's reports call too. Speed (``bench/report_speed.py``):
the partials are read from the desk's day cache (``desktop.reports.day_cache``), dropped
by day when events touch that day's tickets, so a year of a busy store (200,000 tickets)
is, once warm, ~730 small rows merged; beside them, small direct queries on the
compensation ledger, the overdue tickets and the first-contact closes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from desktop.reports.day_cache import LONG_SHARE, cycle_collection_paused, day_parts
from desktop.reports.first_contact import first_contact_counts
from desktop.reports.ledger import compensation_summary, granted_total
from desktop.reports.overdue import overdue_tickets
from desktop.ticket_queue import staff_names
from domain.policy import Policy
from domain.reports.figures import assemble, first_contact_figure, first_day
from domain.reports.model import Period, Report
from domain.reports.period import previous_period


def build_report(conn: sqlite3.Connection, policy: Policy, period: Period, now: datetime, *,
                 store_code: str, names: Mapping[str, str] | None = None) -> Report:
    """Every figure of the store over *period*, as seen at *now*.

    Writes the report's day cache when it can (``day_cache.day_parts``); the figures are
    the same with a cold cache, a warm one, or none.
    """
    with cycle_collection_paused():
        report = _build(conn, policy, period, now, store_code,
                        staff_names(conn) if names is None else names)
    return replace(report, first_contact=first_contact_figure(
        report, first_contact_counts(conn, report.period),
        first_contact_counts(conn, report.previous_period)))


def _build(conn: sqlite3.Connection, policy: Policy, period: Period, now: datetime,
           store_code: str, names: Mapping[str, str]) -> Report:
    parts = day_parts(conn, period.timezone, first_day(period), period.last_day,
                      long_share=LONG_SHARE)
    return assemble(parts, policy, period, now, store_code=store_code,
                    compensation=compensation_summary(conn, policy, period, names),
                    previous_compensation_fen=granted_total(conn, previous_period(period)),
                    overdue=overdue_tickets(conn, now, names=names))
