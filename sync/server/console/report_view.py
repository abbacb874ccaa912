"""The chain's report as people read it: every figure's words, value, previous value and
change in one language, shared by the page, the CSV and the PDF (so the three say the
same thing the same way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from domain.money import format_yuan
from domain.policy import Policy
from domain.reports.model import HIGHER_IS_BETTER, Drill, Headline, Report
from sync.server.console import i18n
from sync.server.console.chain_report import LEAGUE_FIGURES, ChainReport, LeagueRow
from sync.server.console.ticket_view import Labels

# The headline's figures in the order they are shown.
HEADLINE = ("tickets", "compliance_rate", "mean_response_minutes", "resolution_rate",
            "reopen_rate", "satisfaction", "compensation_fen")
_BETTER = {**HIGHER_IS_BETTER, "first_contact_rate": True, "overdue_now": False}


def percent(value: float | None) -> str:
    """0.875 → "87.5%"; — for none."""
    return "—" if value is None else f"{value * 100:.1f}%"


def minutes_text(value: float | None, lang: str) -> str:
    """A duration in minutes in the largest units that read naturally."""
    if value is None:
        return "—"
    whole = int(value + 0.5)
    if whole < 60:
        return i18n.t("reports.minutes", lang, n=whole)
    hours, mins = divmod(whole, 60)
    if hours < 24:
        return (i18n.t("reports.hours", lang, h=hours) if mins == 0
                else i18n.t("reports.hours_minutes", lang, h=hours, m=mins))
    days, hours = divmod(hours, 24)
    return (i18n.t("reports.whole_days", lang, d=days) if hours == 0
            else i18n.t("reports.days_hours", lang, d=days, h=hours))


def value_text(name: str, value: float | int | None, lang: str) -> str:
    """A figure's value as shown."""
    if value is None:
        return "—"
    if name.endswith("_rate"):
        return percent(float(value))
    if name == "mean_response_minutes":
        return minutes_text(float(value), lang)
    if name == "satisfaction":
        return f"{float(value):.2f}"
    if name == "compensation_fen":
        return "¥" + format_yuan(int(value))
    return str(value)


def change_text(name: str, now: float | int | None, before: float | int | None,
                lang: str) -> tuple[str, str]:
    """(the change in words, its tone: "good", "bad" or "") of a figure."""
    if now is None or before is None:
        return "—", ""
    delta = float(now) - float(before)
    if delta == 0:
        return i18n.t("reports.unchanged", lang), ""
    sign = "+" if delta > 0 else "−"
    if name.endswith("_rate"):
        text = f"{sign}{abs(delta) * 100:.1f} " + i18n.t("reports.points", lang)
    elif name == "mean_response_minutes":
        text = sign + minutes_text(abs(delta), lang)
    elif name == "satisfaction":
        text = f"{sign}{abs(delta):.2f}"
    elif name == "compensation_fen":
        text = f"{sign}¥{format_yuan(int(abs(delta)))}"
    else:
        text = f"{sign}{abs(delta):g}"
    better = _BETTER.get(name)
    tone = "" if better is None else ("good" if (delta > 0) == better else "bad")
    return text, tone


@dataclass(frozen=True)
class Figure:
    """One headline figure as shown."""

    name: str
    label: str
    value: str
    previous: str
    change: str
    tone: str
    drill: str | None = None


def headline(report: Report, lang: str, drill_url: Any) -> list[Figure]:
    """The headline figures of *report* against its previous period."""
    out = []
    now: Headline = report.headline
    before: Headline = report.previous
    for name in HEADLINE:
        a, b = getattr(now, name), getattr(before, name)
        change, tone = change_text(name, a, b, lang)
        drill = drill_url(Drill(report.period)) if name == "tickets" else None
        out.append(Figure(name, i18n.t(f"reports.figure.{name}", lang), value_text(name, a, lang),
                          value_text(name, b, lang), change, tone, drill))
    fc = report.first_contact
    if fc is not None:
        change, tone = change_text("first_contact_rate", fc.rate, fc.previous_rate, lang)
        out.append(Figure("first_contact_rate", i18n.t("reports.figure.first_contact_rate", lang),
                          percent(fc.rate), percent(fc.previous_rate), change, tone,
                          drill_url(fc.drill)))
    return out


def breakdown_label(kind: str, key: str, labels: Labels, policy: Policy) -> str:
    """The words of a breakdown's key (a category, subcategory, channel or level code)."""
    if kind == "by_category":
        return policy.category_label(key, labels.english)
    if kind == "by_subcategory":
        return policy.subcategory_label(key, labels.english)
    if kind == "by_channel":
        return labels.channel(key)
    return labels.level(int(key))


def league_header(lang: str) -> list[tuple[str, str]]:
    """(figure, its column heading) of the league table."""
    return [(name, i18n.t(f"reports.figure.{name}", lang)) for name in LEAGUE_FIGURES]


def league_cells(row: LeagueRow, lang: str) -> list[dict[str, str]]:
    """A league row's cells: value, change and tone per figure."""
    cells = []
    for name in LEAGUE_FIGURES:
        now, before = row.figure(name), row.figure(name, previous=True)
        change, tone = change_text(name, now, before, lang) if before is not None else ("", "")
        cells.append({"name": name, "value": value_text(name, now, lang), "change": change,
                      "tone": tone})
    return cells


def drill_query(scope_key: str, drill: Drill) -> str:
    """The query string of the drill-down page for *drill* in a scope."""
    params: dict[str, str] = {"scope": scope_key, "first": drill.period.first_day.isoformat(),
                              "last": drill.period.last_day.isoformat()}
    for key, value in drill.filters:
        params[f"f_{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return urlencode(params)


def scope_title(chain: ChainReport, lang: str, region_names: dict[str, str]) -> str:
    """The chain, 华东区 (EAST) or 上海一店 (SH01)."""
    scope = chain.scope
    if scope.kind == "group":
        return i18n.t("reports.scope.group", lang)
    if scope.kind == "region":
        return f"{region_names.get(scope.code, scope.code)} ({scope.code})"
    store = scope.stores[0] if scope.stores else None
    return f"{store.name} ({scope.code})" if store else scope.code


def staff_role(role: str, lang: str) -> str:
    """收银员 / Cashier …"""
    return i18n.word(f"reports.role.{role}", lang, role)


def rows_of(report: Report, kind: str) -> Sequence[Any]:
    """One of the report's breakdowns by name."""
    value: Sequence[Any] = getattr(report, kind)
    return value
