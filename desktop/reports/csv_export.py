"""The report as CSV for spreadsheets: one section per figure, each with a header row.

Headings come from the message catalogues (``report.csv.*``) in the chosen language;
codes (category, channel...) stay codes so sheets can filter on them. The command line
writes it as UTF-8 with a byte-order mark so Excel opens Chinese correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from desktop.i18n import tr
from domain.money import format_yuan
from domain.reports.model import Report

BOM = "\ufeff"


def _rate(v: float | None) -> str:
    return "" if v is None else f"{v:.4f}"


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.1f}"


def _yuan(fen: int) -> str:
    return format_yuan(fen)  # integer arithmetic: money is never a float


def report_csv(report: Report, language: str) -> str:
    """*report* as CSV text (without the BOM; the writer adds it)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")

    def t(code: str) -> str:
        return tr(f"report.csv.{code}", language)

    def section(code: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        w.writerow([t(code)])
        w.writerow([t(h) for h in header])
        w.writerows(rows)
        w.writerow([])

    p = report.period
    h, prev = report.headline, report.previous
    section("summary", ("figure", "value", "previous"), [
        [t("store"), report.store_code, ""],
        [t("period"), f"{p.first_day.isoformat()}..{p.last_day.isoformat()}",
         f"{report.previous_period.first_day.isoformat()}.."
         f"{report.previous_period.last_day.isoformat()}"],
        [t("tickets"), h.tickets, prev.tickets],
        [t("voided"), report.voided, ""],
        [t("merged"), report.merged, ""],
        [t("compliance_rate"), _rate(h.compliance_rate), _rate(prev.compliance_rate)],
        [t("mean_response"), _num(h.mean_response_minutes), _num(prev.mean_response_minutes)],
        [t("p90_response"), _num(report.response.p90_minutes), ""],
        [t("resolution_rate"), _rate(h.resolution_rate), _rate(prev.resolution_rate)],
        *([[t("first_contact_rate"), _rate(report.first_contact.rate),
            _rate(report.first_contact.previous_rate)]] if report.first_contact else []),
        [t("reopen_rate"), _rate(h.reopen_rate), _rate(prev.reopen_rate)],
        [t("satisfaction"), _num(h.satisfaction), _num(prev.satisfaction)],
        [t("rated"), report.rated, ""],
        [t("compensation_yuan"), _yuan(h.compensation_fen), _yuan(prev.compensation_fen)],
    ])
    for code, counts in (("by_category", report.by_category),
                         ("by_subcategory", report.by_subcategory),
                         ("by_channel", report.by_channel), ("by_level", report.by_level)):
        section(code, ("key", "count"), [[c.key, c.count] for c in counts])
    section("compliance", ("level", "target_minutes", "decided", "in_time", "missed",
                           "pending", "rate"),
            [[c.level, c.target_minutes, c.decided, c.in_time, c.missed, c.pending,
              _rate(c.rate)] for c in report.compliance])
    comp = report.compensation
    section("compensation_by_kind", ("kind", "yuan", "grants"),
            [[k, _yuan(fen), n] for k, fen, n in comp.by_kind])
    section("compensation_by_staff", ("staff", "name", "role", "limit_yuan", "yuan", "grants",
                                      "largest_yuan", "above_limit"),
            [[s.staff_id, s.name, s.role, "" if s.limit_fen is None else _yuan(s.limit_fen),
              _yuan(s.granted_fen), s.grants, _yuan(s.largest_fen), s.above_limit]
             for s in comp.by_staff])
    section("compensation_daily", ("day", "yuan", "cap_yuan"),
            [[d.day.isoformat(), _yuan(d.granted_fen), _yuan(d.cap_fen)]
             for d in comp.daily_cap])
    section("compensation_status", ("granted", "pending_requests", "pending_yuan", "refused"),
            [[comp.granted, comp.pending, _yuan(comp.pending_fen), comp.refused]])
    section("top_problems", ("category", "subcategory", "count", "level1", "top_product"),
            [[x.category, x.subcategory, x.count, x.level1, x.top_product or ""]
             for x in report.top_problems])
    # began_earlier 1: the run reached the look-back limit (first day and days: at least).
    section("repeat_alerts", ("by", "key", "label", "first_day", "last_day", "days", "count",
                              "began_earlier"),
            [[a.by, a.key, a.label, a.first_day.isoformat(), a.last_day.isoformat(), a.days,
              a.tickets, int(a.began_earlier)] for a in report.repeat_alerts])
    section("overdue", ("number", "level", "subcategory", "created_at", "due_at",
                        "minutes_overdue", "handler"),
            [[o.number, o.level, o.subcategory, o.created_at, o.due_at, o.minutes_overdue,
              o.handler or ""] for o in report.overdue])
    section("trend", ("day", "count", "level1"),
            [[d.day.isoformat(), d.count, d.level1] for d in report.trend])
    return out.getvalue()
