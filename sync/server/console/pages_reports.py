"""The console's reports: the chain's, a region's and a store's figures, the league of
stores, drill-down to the tickets, and the CSV and PDF for the monthly meeting.

``/console/reports?scope=*|r:<region>|s:<store>&period=week|month|last_month|custom``
(headquarters: any scope, the chain by default; a regional manager: their region and its
stores only, another region's or store's scope answers 404 as a ticket would). The
figures are ``chain_report.build`` (the desk's one computation); the league is sortable
by any figure or by its change (``sort``, ``dir``, ``by=change``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.errors import InvalidInput
from domain.reports.model import DRILL_KEYS, Drill, Period
from domain.reports.period import make_period, resolve_period
from sync.server import policy_store
from sync.server.console import centre_tickets, chain_drill, chain_report, i18n, masterdata
from sync.server.console import report_view as view
from sync.server.console.auth import PageError, Principal, page_principal
from sync.server.console.chain_report import LEAGUE_FIGURES, LeagueRow, Scope
from sync.server.console.render import DEFAULT_ZONE, render, request_language
from sync.server.console.report_days import GROUP, region_scope, store_scope
from sync.server.console.report_export import report_csv, report_pdf
from sync.server.console.ticket_view import Labels, excerpt
from sync.server.storage import Storage

VIEWERS = ("regional", "hq")
PERIODS = ("week", "month", "last_month", "custom")
BREAKDOWNS = ("by_category", "by_subcategory", "by_channel", "by_level")
# The exports: the writer and the media type of each file kind.
EXPORTS = {"csv": (report_csv, "text/csv; charset=utf-8"), "pdf": (report_pdf, "application/pdf")}


@dataclass(frozen=True)
class Choice:
    """One entry of the scope picker."""

    key: str
    label: str


def _scope(conn: Any, principal: Principal, raw: str | None) -> Scope:
    """The scope asked for, as this person may see it (404 for what they may not)."""
    if principal.role == "regional":
        raw = raw or region_scope(principal.region or "")
    raw = raw or GROUP
    if raw == GROUP:
        if principal.role == "regional":
            raise PageError(404, "reports.no_scope")
        return Scope(GROUP, "group", "", tuple(masterdata.list_stores(conn)))
    kind, _, code = raw.partition(":")
    if kind == "r":
        if principal.role == "regional" and code != principal.region:
            raise PageError(404, "reports.no_scope")
        stores = tuple(masterdata.list_stores(conn, code))
        if not stores and code not in {g.code for g in masterdata.list_regions(conn)}:
            raise PageError(404, "reports.no_scope")
        return Scope(region_scope(code), "region", code, stores)
    if kind == "s":
        store = masterdata.store(conn, code)
        if store is None or not principal.sees_store(conn, code):
            raise PageError(404, "reports.no_scope")
        return Scope(store_scope(code), "store", code, (store,))
    raise PageError(404, "reports.no_scope")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise PageError(400, "reports.bad_date", value=value or "") from None


def _period(params: Any, now: datetime) -> Period:
    kind = params.get("period") or "month"
    if kind not in PERIODS:
        raise PageError(400, "reports.bad_period", value=kind)
    zone = ZoneInfo(DEFAULT_ZONE)
    try:
        return resolve_period(kind, now, zone, first=_day(params.get("first")),
                              last=_day(params.get("last")))
    except InvalidInput as exc:
        raise PageError(400, "reports.bad_range", **{k: str(v) for k, v in exc.params.items()}
                        ) from None


def _choices(conn: Any, principal: Principal, lang: str) -> list[Choice]:
    regions = {g.code: (g.name_en if lang == "en" else g.name_zh)
               for g in masterdata.list_regions(conn)}
    own = principal.region if principal.role == "regional" else None
    out = [] if own else [Choice(GROUP, i18n.t("reports.scope.group", lang))]
    for code, name in sorted(regions.items()):
        if own is None or code == own:
            out.append(Choice(region_scope(code), f"{name} ({code})"))
    for store in masterdata.list_stores(conn, own):
        out.append(Choice(store_scope(store.code), f"· {store.name} ({store.code})"))
    return out


def _load(storage: Storage, principal: Principal, params: Any, lang: str
          ) -> tuple[chain_report.ChainReport, Any, dict[str, str]]:
    """The report a page or an export asks for, with its policy and the region names."""
    now = datetime.now(UTC)
    centre_tickets.catch_up(storage)
    with storage.engine.connect() as conn:
        scope = _scope(conn, principal, params.get("scope"))
        policy, _ = policy_store.current(conn)
        regions = {g.code: (g.name_en if lang == "en" else g.name_zh)
                   for g in masterdata.list_regions(conn)}
    chain = chain_report.build(storage, policy, scope, _period(params, now), now)
    return chain, policy, regions


def _league(chain: chain_report.ChainReport) -> tuple[LeagueRow, ...]:
    """The league as shown: a store's own report has none."""
    return chain.league if chain.scope.kind != "store" else ()


def router(storage: Storage) -> APIRouter:
    """The reports routes on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    @r.get("/console/reports")
    def index(request: Request) -> Response:
        principal = page_principal(request, storage, VIEWERS)
        lang = request_language(request)
        params = request.query_params
        chain, policy, regions = _load(storage, principal, params, lang)
        with storage.engine.connect() as conn:
            choices = _choices(conn, principal, lang)
        scope, period = chain.scope, chain.report.period
        labels = Labels(policy, lang)
        report = chain.report

        def drill_url(drill: Drill) -> str:
            return "/console/reports/tickets?" + view.drill_query(scope.key, drill)

        league: list[dict[str, Any]] = []
        sort = params.get("sort") or "tickets"
        if sort not in LEAGUE_FIGURES:
            sort = "tickets"
        descending = params.get("dir", "desc") != "asc"
        by_change = params.get("by") == "change"
        for row in chain_report.sort_league(_league(chain), sort, descending, by_change):
            league.append({"store": row.store, "cells": view.league_cells(row, lang),
                               "url": "/console/reports?" + urlencode(
                                   {**_keep(params), "scope": store_scope(row.store.code)})})
        base = {k: v for k, v in _keep(params).items() if k not in ("sort", "dir", "by")}
        league_links = {name: "/console/reports?" + urlencode({
            **base, "sort": name, "dir": "asc" if sort == name and descending and not by_change
            else "desc"}) for name in LEAGUE_FIGURES}
        change_links = {name: "/console/reports?" + urlencode({
            **base, "sort": name, "by": "change",
            "dir": "asc" if sort == name and descending and by_change else "desc"})
            for name in LEAGUE_FIGURES}
        breakdowns = [{
            "kind": kind, "title": i18n.t(f"reports.{kind}", lang),
            "rows": [{"label": view.breakdown_label(kind, c.key, labels, policy),
                      "count": c.count, "url": drill_url(c.drill),
                      "step": _step(c.count, report.tickets)}
                     for c in view.rows_of(report, kind)]} for kind in BREAKDOWNS]
        trend_max = max((p.count for p in report.trend), default=0)
        export = urlencode(_keep(params) | {"scope": scope.key})
        return render(
            request, principal, "reports/index.html", "reports.title",
            chain=chain, report=report, scope=scope,
            scope_title=view.scope_title(chain, lang, regions),
            choices=choices, periods=PERIODS, period=period,
            period_kind=params.get("period") or "month",
            headline=view.headline(report, lang, drill_url), breakdowns=breakdowns,
            compliance=[{"c": c, "label": labels.level(c.level), "rate": view.percent(c.rate),
                         "target": view.minutes_text(c.target_minutes, lang),
                         "url": drill_url(c.drill_missed)} for c in report.compliance],
            response={"mean": view.minutes_text(report.response.mean_minutes, lang),
                      "p90": view.minutes_text(report.response.p90_minutes, lang),
                      "n": report.response.responded},
            problems=[{"p": p, "label": labels.problem(p.category, p.subcategory),
                       "url": drill_url(p.drill)} for p in report.top_problems],
            repeats=[{"a": a, "label": (policy.subcategory_label(a.key, labels.english)
                                        if a.by == "subcategory" else a.label),
                      "url": drill_url(a.drill)} for a in report.repeat_alerts],
            kinds=[{"kind": labels.kind(k), "fen": fen, "n": n, "url": drill_url(Drill(
                period, (("compensation_kind", k), ("compensation_status", "granted"))))}
                   for k, fen, n in report.compensation.by_kind],
            staff=[{"s": s, "role": view.staff_role(s.role, lang), "url": drill_url(s.drill)}
                   for s in report.compensation.by_staff],
            overdue=[{"o": o, "label": labels.level(o.level),
                      "sub": policy.subcategory_label(o.subcategory, labels.english),
                      "overdue": view.minutes_text(o.minutes_overdue, lang)}
                     for o in report.overdue[:50]],
            overdue_url=drill_url(Drill(period, (("overdue_now", True),))),
            trend=[{"p": p, "url": drill_url(Drill(period, (("day", p.day.isoformat()),))),
                    "step": _step(p.count, trend_max)} for p in report.trend],
            league=league, league_header=view.league_header(lang), sort=sort,
            descending=descending, by_change=by_change, league_links=league_links,
            change_links=change_links, csv_url="/console/reports/export.csv?" + export,
            pdf_url="/console/reports/export.pdf?" + export,
            fcr=report.first_contact, zone=DEFAULT_ZONE,
        )

    @r.get("/console/reports/tickets")
    def tickets(request: Request) -> Response:
        principal = page_principal(request, storage, VIEWERS)
        lang = request_language(request)
        params = request.query_params
        now = datetime.now(UTC)
        first, last = _day(params.get("first")), _day(params.get("last"))
        if first is None or last is None or last < first or (last - first).days > 400:
            raise PageError(400, "reports.bad_range")
        filters: list[tuple[str, str | int | bool]] = []
        for key, value in params.items():
            if key.startswith("f_"):
                name = key[2:]
                if name not in DRILL_KEYS:
                    raise PageError(400, "reports.bad_filter", value=name)
                filters.append((name, value))
        centre_tickets.catch_up(storage)
        with storage.engine.connect() as conn:
            scope = _scope(conn, principal, params.get("scope"))
            policy, _ = policy_store.current(conn)
            drill = Drill(make_period("custom", first, last, ZoneInfo(DEFAULT_ZONE)),
                          tuple(filters))
            try:
                rows, total = chain_drill.tickets_behind(conn, scope, drill, now)
            except ValueError:
                raise PageError(400, "reports.bad_filter", value="") from None
            stores = {s.code: s for s in masterdata.list_stores(conn)}
        labels = Labels(policy, lang)
        shown = [{**row, "text": excerpt(str(row["text"]), 60),
                  "problem": labels.problem(row["category"], row["subcategory"]),
                  "level_label": labels.level(int(row["level"])),
                  "status_label": labels.status(row["status"]),
                  "store_name": stores[row["store"]].name if row["store"] in stores
                  else row["store"],
                  "zone": stores[row["store"]].time_zone if row["store"] in stores
                  else DEFAULT_ZONE} for row in rows]
        described = ", ".join(f"{i18n.word(f'reports.filter.{k}', lang, k)}={v}"
                              for k, v in filters) or i18n.t("reports.filter.none", lang)
        return render(request, principal, "reports/tickets.html", "reports.tickets_title",
                      rows=shown, total=total, first=first, last=last, described=described,
                      back="/console/reports?" + urlencode({"scope": scope.key,
                                                            "period": "custom",
                                                            "first": first.isoformat(),
                                                            "last": last.isoformat()}))

    def export(request: Request, ext: str) -> Response:
        principal = page_principal(request, storage, VIEWERS)
        lang = request_language(request)
        chain, policy, regions = _load(storage, principal, request.query_params, lang)
        write, media = EXPORTS[ext]
        return Response(write(chain, policy, lang, regions, _league(chain)), media_type=media,
                        headers={"Content-Disposition":
                                 f'attachment; filename="{_file_name(chain, ext)}"',
                                 "Cache-Control": "no-store"})

    @r.get("/console/reports/export.csv")
    def export_csv(request: Request) -> Response:
        return export(request, "csv")

    @r.get("/console/reports/export.pdf")
    def export_pdf(request: Request) -> Response:
        return export(request, "pdf")

    return r


def _step(part: int, whole: int) -> int:
    """*part* of *whole* in twentieths (the bars' CSS classes)."""
    return 0 if whole <= 0 else min(20, round(20 * part / whole))


def _keep(params: Any) -> dict[str, str]:
    """The query parameters a link keeps (scope, period and the league's order)."""
    return {k: v for k, v in params.items()
            if k in ("scope", "period", "first", "last", "sort", "dir", "by") and v}


def _file_name(chain: chain_report.ChainReport, ext: str) -> str:
    p = chain.report.period
    who = {"group": "chain", "region": chain.scope.code, "store": chain.scope.code}[
        chain.scope.kind]
    return f"kesu-report-{who}-{p.first_day.isoformat()}-{p.last_day.isoformat()}.{ext}"
