"""The store report as an A4 PDF for the weekly meeting (reportlab platypus, Chinese).

Reads a finished :class:`~domain.reports.model.Report` and lays it out: the headline
figures against the previous period, the repeat-problem alerts (highlighted), the top
problems, the counts, response compliance, the daily trend, compensation against the
limits and the daily cap, and the overdue list (its header repeated on every page).
Every page is numbered "第 1 页 / 共 N 页". Labels come from the core catalogues
(``report.pdf.*``) and the policy (categories, channels, levels); the text is drawn in
the receipts' font runs so the bundled CJK font is embedded as a subset.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from desktop.i18n import catalogue, tr
from desktop.receipts.fonts import cjk_font
from desktop.reports.charts import (
    Bar,
    TrendDay,
    horizontal_bars,
    level_colour,
    measure,
    trend_chart,
)
from desktop.reports.durations import duration_text
from desktop.reports.pdf_flow import (
    BAD,
    GOOD,
    INK,
    NEUTRAL,
    MixedText,
    draw_runs,
    numbered_canvas,
    percent,
)
from domain.clock import wall_clock_text
from domain.money import yuan_text as yuan
from domain.policy import Policy, load_policy
from domain.reports.model import HIGHER_IS_BETTER, Headline, Report

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
BODY, SMALL, CELL = 9.5, 8.0, 8.5
HEADER_FILL = colors.HexColor("#f1f3f4")
ALERT_FILL = colors.HexColor("#fce8e6")
ALERT_EDGE = colors.HexColor("#d93025")
WARN_FILL = colors.HexColor("#fef7e0")
RULE = colors.HexColor("#dadce0")
LEVEL_TEXT = {"yellow": INK}  # dark text on the yellow level chip, white on the others
CAP_ROWS = 10  # a long period lists only its busiest compensation days
# A busy store's year has thousands of product runs: the meeting reads the longest; the
# CSV and JSON exports list them all.
ALERTS_SHOWN = 15


@cache
def _default_policy() -> Policy:
    return load_policy()


class _Words:
    """The domain words of one language: catalogue messages and policy labels."""

    def __init__(self, language: str, policy: Policy) -> None:
        self.language = language
        self.policy = policy
        self._english = language == "en"
        self.category_of = {sub: cat for sub, (cat, _) in policy.subcategories().items()}

    def t(self, key: str, **params: Any) -> str:
        """A ``report.pdf.*`` message."""
        return tr(f"report.pdf.{key}", self.language, **params)

    def category(self, code: str) -> str:
        return self.policy.category_label(code, self._english)

    def subcategory(self, code: str) -> str:
        return self.policy.subcategory_label(code, self._english)

    def problem(self, subcategory: str) -> str:
        """商品 / 变质过期."""
        category = self.category_of.get(subcategory)
        if category is None:
            return self.subcategory(subcategory)
        return f"{self.category(category)} / {self.subcategory(subcategory)}"

    def channel(self, code: str) -> str:
        return self.policy.channel_label(code, self._english)

    def level(self, level: int) -> str:
        return self.policy.level_name(level, self._english) or self.t("level", level=level)

    def level_colour(self, level: int) -> str:
        target = self.policy.levels.get(level)
        return target.colour if target else "blue"

    def kind(self, kind: str) -> str:
        return tr(f"receipt.kind.{kind}", self.language)

    def role(self, role: str) -> str:
        return tr(f"role.{role}", self.language)

    def duration(self, minutes: float | None) -> str:
        """42 分钟 · 3 小时 5 分 · 2 天 4 小时."""
        return duration_text(minutes, self.language)

    def store_time(self, moment: datetime | str, zone: ZoneInfo) -> str:
        return wall_clock_text(moment, zone, "%Y-%m-%d %H:%M")


def _cell(value: str | Flowable, align: str = "left", *, bold: bool = False,
          colour: Color = INK, size: float = CELL) -> Flowable:
    if isinstance(value, Flowable):
        return value
    return MixedText(value, size, align=align, bold=bold, colour=colour)


def _table(header: Sequence[str], rows: Sequence[Sequence[str | Flowable]],
           widths: Sequence[float], aligns: str, *, style: Sequence[tuple[Any, ...]] = (),
           repeat_header: bool = True) -> Table:
    """A table of MixedText cells: *aligns* has one letter per column (l, r, c)."""
    names = {"l": "left", "r": "right", "c": "centre"}
    data: list[list[Flowable]] = [
        [_cell(h, names[a], bold=True) for h, a in zip(header, aligns, strict=True)]]
    data += [[_cell(v, names[a]) for v, a in zip(row, aligns, strict=True)] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1 if repeat_header else 0)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, NEUTRAL),
        *style,
    ]))
    return table


def _natural(value: str | Flowable, size: float = CELL) -> float:
    """The width of a cell's text on one line, padding included."""
    text = value.text if isinstance(value, MixedText) else value
    return measure(size)(text) + 8 + 1 if isinstance(text, str) else 0.0


def _fit_widths(header: Sequence[str], rows: Sequence[Sequence[str | Flowable]],
                flexible: Sequence[int]) -> list[float]:
    """Column widths for a list whose columns differ by language and data: the others as
    wide as their widest cell (numbers, times: they must not wrap), the *flexible* ones
    sharing the rest in proportion to their own widest cell."""
    # A long name must not squeeze the rest: no fixed column beyond a fifth of the page.
    natural = [min(max([_natural(h, CELL)] + [_natural(r[i]) for r in rows]), WIDTH * 0.22)
               for i, h in enumerate(header)]
    fixed = sum(n for i, n in enumerate(natural) if i not in flexible)
    room = max(WIDTH - fixed, 0.0)
    wanted = sum(natural[i] for i in flexible) or 1.0
    if wanted <= room:  # everything fits: the spare room goes to the flexible columns
        return [n + (room - wanted) * n / wanted if i in flexible else n
                for i, n in enumerate(natural)]
    return [room * n / wanted if i in flexible else n for i, n in enumerate(natural)]


def _heading(text: str) -> Flowable:
    return MixedText(text, 13, bold=True)


def _section(title: str, *first: Flowable, keep: bool = True) -> list[Flowable]:
    """A heading that never ends a page: it keeps its first flowables with it (*keep*), or,
    before a long table that will split anyway, asks for room for a few of its rows."""
    if keep:
        return [CondPageBreak(40 * mm), Spacer(1, 5 * mm),
                KeepTogether([_heading(title), Spacer(1, 2 * mm), *first])]
    return [CondPageBreak(50 * mm), Spacer(1, 5 * mm), _heading(title), Spacer(1, 2 * mm),
            *first]


def _note(text: str, colour: Color = NEUTRAL, size: float = SMALL) -> Flowable:
    return MixedText(text, size, colour=colour)


def _boxed(text: str, fill: Color, edge: Color, size: float = BODY) -> Table:
    """A highlighted one-cell box with a coloured left edge."""
    box = Table([[MixedText(text, size)]], colWidths=[WIDTH])
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), fill),
        ("LINEBEFORE", (0, 0), (0, -1), 3, edge),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return box


def _share(count: int, total: int) -> str:
    return percent(count / total) if total else "—"


# --- the headline and its comparison ------------------------------------------------

def _change(w: _Words, now: float | None, before: float | None, *, points: bool,
            figure: str) -> Flowable:
    """The change against the previous period: arrow, ±%, coloured good/bad.

    Rates change in percentage points (a share of a share misleads); amounts and counts
    in per cent of the previous value.
    """
    if now is None or before is None:
        return MixedText("—", CELL, align="right", colour=NEUTRAL)
    diff = now - before
    if points:
        text = w.t("points", value=f"{diff * 100:+.1f}")
        flat = abs(diff * 100) < 0.05
    elif before == 0:
        text, flat = (w.t("new") if now else w.t("flat")), now == 0
    else:
        text = f"{diff / before * 100:+.1f}%"
        flat = abs(diff / before * 100) < 0.05
    if flat:
        return MixedText(w.t("flat"), CELL, align="right", colour=NEUTRAL)
    rising = diff > 0
    better = HIGHER_IS_BETTER[figure]
    colour = NEUTRAL if better is None else (GOOD if rising == better else BAD)
    return MixedText(text, CELL, align="right", colour=colour, mark="up" if rising else "down")


def _satisfaction_change(w: _Words, now: float | None, before: float | None) -> Flowable:
    if now is None or before is None:
        return MixedText("—", CELL, align="right", colour=NEUTRAL)
    diff = now - before
    if abs(diff) < 0.005:
        return MixedText(w.t("flat"), CELL, align="right", colour=NEUTRAL)
    good = (diff > 0) == HIGHER_IS_BETTER["satisfaction"]
    return MixedText(f"{diff:+.2f}", CELL, align="right", colour=GOOD if good else BAD,
                     mark="up" if diff > 0 else "down")


def _headline(w: _Words, r: Report) -> list[Flowable]:
    now, before = r.headline, r.previous

    def sat(h: Headline) -> str:
        return f"{h.satisfaction:.2f}" if h.satisfaction is not None else "—"

    rows: list[list[str | Flowable]] = [
        [w.t("tickets"), str(now.tickets), str(before.tickets),
         _change(w, now.tickets, before.tickets, points=False, figure="tickets")],
        [w.t("compliance"), percent(now.compliance_rate), percent(before.compliance_rate),
         _change(w, now.compliance_rate, before.compliance_rate, points=True,
                 figure="compliance_rate")],
        [w.t("mean_response"), w.duration(now.mean_response_minutes),
         w.duration(before.mean_response_minutes),
         _change(w, now.mean_response_minutes, before.mean_response_minutes, points=False,
                 figure="mean_response_minutes")],
        [w.t("resolution_rate"), percent(now.resolution_rate), percent(before.resolution_rate),
         _change(w, now.resolution_rate, before.resolution_rate, points=True,
                 figure="resolution_rate")],
        [w.t("reopen_rate"), percent(now.reopen_rate), percent(before.reopen_rate),
         _change(w, now.reopen_rate, before.reopen_rate, points=True, figure="reopen_rate")],
        [w.t("satisfaction"), sat(now), sat(before),
         _satisfaction_change(w, now.satisfaction, before.satisfaction)],
        [w.t("compensation_total"), yuan(now.compensation_fen), yuan(before.compensation_fen),
         _change(w, now.compensation_fen, before.compensation_fen, points=False,
                 figure="compensation_fen")],
    ]
    prev = r.previous_period
    header = [w.t("figure"), w.t("this_period"),
              w.t("previous_period", first=prev.first_day.isoformat(),
                  last=prev.last_day.isoformat()),
              w.t("change")]
    table = _table(header, rows, [WIDTH * 0.28, WIDTH * 0.2, WIDTH * 0.3, WIDTH * 0.22], "lrrr")
    out: list[Flowable] = _section(w.t("section.headline"), table)
    out.append(Spacer(1, 1.5 * mm))
    out.append(_note(w.t("not_counted", voided=r.voided, merged=r.merged)))
    return out


# --- alerts and top problems --------------------------------------------------------

def _alerts(w: _Words, r: Report) -> list[Flowable]:
    if not r.repeat_alerts:
        return _section(w.t("section.alerts"), _note(w.t("no_alerts"), size=BODY))
    boxes: list[Flowable] = []
    for a in r.repeat_alerts[:ALERTS_SHOWN]:
        what = (w.t("alert.subcategory", label=w.problem(a.key)) if a.by == "subcategory"
                else w.t("alert.product", label=a.label))
        text = w.t("alert.line_earlier" if a.began_earlier else "alert.line", what=what,
                   days=a.days, first=a.first_day.isoformat(), last=a.last_day.isoformat(),
                   tickets=a.tickets)
        boxes += [_boxed(text, ALERT_FILL, ALERT_EDGE), Spacer(1, 1.5 * mm)]
    hidden = len(r.repeat_alerts) - ALERTS_SHOWN
    if hidden > 0:
        boxes.append(_note(w.t("alerts_more", count=hidden, shown=ALERTS_SHOWN)))
    return _section(w.t("section.alerts"), *boxes)


def _top_problems(w: _Words, r: Report) -> list[Flowable]:
    rows: list[list[str | Flowable]] = [
        [str(i), w.problem(p.subcategory), str(p.count), _share(p.count, r.tickets),
         str(p.level1), p.top_product or "—"]
        for i, p in enumerate(r.top_problems, start=1)]
    header = [w.t("rank"), w.t("problem"), w.t("count"), w.t("share"), w.t("level1_count"),
              w.t("top_product")]
    table = _table(header, rows, [WIDTH * f for f in (0.08, 0.3, 0.1, 0.11, 0.11, 0.3)],
                   "clrrrl")
    return _section(w.t("section.top"), table)


# --- counts ---------------------------------------------------------------------------

def _counts(w: _Words, r: Report) -> list[Flowable]:
    half = (WIDTH - 6 * mm) / 2
    bars = [Bar(w.category(c.key), c.count, f"{c.count}  {_share(c.count, r.tickets)}")
            for c in r.by_category]
    chart = horizontal_bars(bars, half, label_width=56)
    levels = _table([w.t("level_col"), w.t("count"), w.t("share")],
                    [[_chip_text(w, c.key_int), str(c.count), _share(c.count, r.tickets)]
                     for c in _level_counts(r)],
                    [half * 0.46, half * 0.27, half * 0.27], "lrr",
                    style=_level_chips(w, [c.key_int for c in _level_counts(r)], col=0))
    channels = _table([w.t("channel"), w.t("count"), w.t("share")],
                      [[w.channel(c.key), str(c.count), _share(c.count, r.tickets)]
                       for c in r.by_channel],
                      [half * 0.46, half * 0.27, half * 0.27], "lrr")
    side = Table([[chart, [levels, Spacer(1, 3 * mm), channels]]], colWidths=[half + 6 * mm,
                                                                                half])
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    subs = _table([w.t("category"), w.t("subcategory"), w.t("count"), w.t("share")],
                  [[w.category(w.category_of.get(c.key, "")), w.subcategory(c.key),
                    str(c.count), _share(c.count, r.tickets)] for c in r.by_subcategory],
                  [WIDTH * f for f in (0.25, 0.35, 0.2, 0.2)], "llrr")
    out = _section(w.t("section.counts"), MixedText(w.t("by_category"), BODY, bold=True),
                   Spacer(1, 1 * mm), side)
    out += [Spacer(1, 4 * mm), KeepTogether([MixedText(w.t("by_subcategory"), BODY, bold=True),
                                             Spacer(1, 1 * mm), subs])]
    return out


class _LevelCount:
    def __init__(self, key_int: int, count: int) -> None:
        self.key_int = key_int
        self.count = count


def _level_counts(r: Report) -> list[_LevelCount]:
    return [_LevelCount(int(c.key), c.count) for c in r.by_level]


def _level_chips(w: _Words, levels: Sequence[int], col: int) -> list[tuple[Any, ...]]:
    """Table styles colouring the level cells of column *col* (rows after the header)."""
    styles: list[tuple[Any, ...]] = []
    for row, level in enumerate(levels, start=1):
        styles.append(("BACKGROUND", (col, row), (col, row),
                       level_colour(w.level_colour(level))))
    return styles


def _chip_text(w: _Words, level: int, align: str = "left") -> MixedText:
    colour = LEVEL_TEXT.get(w.level_colour(level), colors.white)
    return MixedText(w.level(level), CELL, colour=colour, align=align)


# --- response, resolution, satisfaction -------------------------------------------------

def _response(w: _Words, r: Report) -> list[Flowable]:
    levels = [c.level for c in r.compliance]
    rows: list[list[str | Flowable]] = [
        [_chip_text(w, c.level), w.duration(c.target_minutes), str(c.decided), str(c.in_time),
         str(c.missed), str(c.pending), percent(c.rate)] for c in r.compliance]
    table = _table([w.t("level_col"), w.t("target"), w.t("decided"), w.t("in_time"),
                    w.t("missed"), w.t("pending"), w.t("compliance_short")],
                   rows, [WIDTH * f for f in (0.14, 0.16, 0.14, 0.14, 0.14, 0.14, 0.14)],
                   "lrrrrrr", style=_level_chips(w, levels, col=0))
    chart = horizontal_bars(
        [Bar(w.level(c.level), (c.rate or 0) * 100, percent(c.rate),
             level_colour(w.level_colour(c.level))) for c in r.compliance],
        WIDTH * 0.75, value_max=100, axis_format="%d%%", label_width=60)
    resp = r.response
    facts: list[list[str | Flowable]] = [
        [w.t("mean_response"), w.duration(resp.mean_minutes),
         w.t("over_responded", count=resp.responded)],
        [w.t("p90_response"), w.duration(resp.p90_minutes), w.t("p90_hint")],
        [w.t("resolution_rate"), percent(r.resolution_rate),
         w.t("ratio", part=r.resolved, whole=r.tickets)],
        [w.t("reopen_rate"), percent(r.reopen_rate),
         w.t("ratio_closed", part=r.reopened, whole=r.ever_closed)],
        [w.t("satisfaction"), f"{r.satisfaction:.2f} / 5" if r.satisfaction is not None
         else "—", w.t("rated", count=r.rated)],
    ]
    fcr = r.first_contact
    if fcr is not None:
        facts.insert(4, [w.t("fcr_rate"), percent(fcr.rate), w.t(
            "fcr_basis", part=fcr.resolved, whole=fcr.tickets, reopened=fcr.reopened,
            previous=percent(fcr.previous_rate))])
    facts_table = _table([w.t("figure"), w.t("value"), w.t("basis")], facts,
                         [WIDTH * 0.3, WIDTH * 0.2, WIDTH * 0.5], "lrl",
                         style=[("LEFTPADDING", (2, 0), (2, -1), 14)])
    out = _section(w.t("section.response"), table, Spacer(1, 2 * mm), chart)
    out += [Spacer(1, 3 * mm), facts_table]
    return out


def _trend(w: _Words, r: Report) -> list[Flowable]:
    weekdays = [w.t(f"weekday.{i}") for i in range(7)]
    long = len(r.trend) > 62  # drawn as lines: all levels and level 1
    chart = trend_chart([TrendDay(p.day, p.count, p.level1) for p in r.trend], WIDTH,
                        level1_label=w.level(1),
                        other_label=w.t("all_levels" if long else "other_levels"),
                        weekday_names=weekdays,
                        month_names=[w.t(f"month.{m}") for m in range(1, 13)])
    busiest = max(r.trend, key=lambda p: (p.count, p.day), default=None)
    out = _section(w.t("section.trend"), chart)
    if busiest is not None and busiest.count:
        out.append(_note(w.t("busiest_day", day=busiest.day.isoformat(), count=busiest.count,
                             mean=f"{r.tickets / max(1, len(r.trend)):.1f}")))
    return out


# --- compensation -----------------------------------------------------------------------

def _compensation(w: _Words, r: Report) -> list[Flowable]:
    comp = r.compensation
    summary = w.t("comp_summary", granted=yuan(comp.granted_fen), grants=comp.granted,
                  pending=comp.pending, pending_amount=yuan(comp.pending_fen),
                  refused=comp.refused)
    if not (comp.granted or comp.pending or comp.refused):
        return _section(w.t("section.compensation"), _note(w.t("no_compensation"), size=BODY))
    kinds = _table([w.t("kind"), w.t("grants"), w.t("amount"), w.t("share")],
                   [[w.kind(kind), str(n), yuan(fen), _share(fen, comp.granted_fen)]
                    for kind, fen, n in comp.by_kind],
                   [WIDTH * f for f in (0.34, 0.2, 0.26, 0.2)], "lrrr")
    staff_rows: list[list[str | Flowable]] = []
    over: list[tuple[Any, ...]] = []
    for i, s in enumerate(comp.by_staff, start=1):
        staff_rows.append([s.name, w.role(s.role),
                           yuan(s.limit_fen) if s.limit_fen is not None else "—",
                           str(s.grants), yuan(s.granted_fen), yuan(s.largest_fen),
                           str(s.above_limit)])
        if s.above_limit:
            over.append(("BACKGROUND", (0, i), (-1, i), WARN_FILL))
    staff = _table([w.t("staff"), w.t("role"), w.t("limit"), w.t("grants"), w.t("amount"),
                    w.t("largest"), w.t("above_limit")], staff_rows,
                   [WIDTH * f for f in (0.16, 0.13, 0.15, 0.1, 0.17, 0.15, 0.14)], "llrrrrr",
                   style=over)
    out = _section(w.t("section.compensation"), MixedText(summary, BODY), Spacer(1, 2 * mm),
                   MixedText(w.t("by_kind"), BODY, bold=True), Spacer(1, 1 * mm), kinds)
    out += [Spacer(1, 4 * mm),
            KeepTogether([MixedText(w.t("by_staff"), BODY, bold=True), Spacer(1, 1 * mm),
                          staff, Spacer(1, 1 * mm), _note(w.t("above_limit_hint"))])]
    out += [Spacer(1, 4 * mm), *_daily_cap(w, r)]
    return out


def _daily_cap(w: _Words, r: Report) -> list[Flowable]:
    comp = r.compensation
    days = list(comp.daily_cap)
    title = w.t("daily_cap", cap=yuan(comp.cap_fen))
    if len(days) > 14:
        days = sorted(days, key=lambda d: (-d.granted_fen, d.day))[:CAP_ROWS]
        days = [d for d in days if d.granted_fen] or days[:1]
        title = w.t("daily_cap_busiest", cap=yuan(comp.cap_fen), rows=len(days))
    rows: list[list[str | Flowable]] = []
    style: list[tuple[Any, ...]] = []
    for i, d in enumerate(days, start=1):
        use = d.granted_fen / d.cap_fen if d.cap_fen else None
        rows.append([d.day.isoformat(), yuan(d.granted_fen), yuan(d.cap_fen), percent(use)])
        if use is not None and use >= 1:
            style.append(("BACKGROUND", (0, i), (-1, i), ALERT_FILL))
        elif use is not None and use >= 0.8:
            style.append(("BACKGROUND", (0, i), (-1, i), WARN_FILL))
    table = _table([w.t("day"), w.t("granted"), w.t("cap"), w.t("cap_use")], rows,
                   [WIDTH * f for f in (0.3, 0.25, 0.25, 0.2)], "lrrr", style=style)
    return [KeepTogether([MixedText(title, BODY, bold=True), Spacer(1, 1 * mm), table])]


# --- overdue ----------------------------------------------------------------------------

def _overdue(w: _Words, r: Report, zone: ZoneInfo) -> list[Flowable]:
    title = w.t("section.overdue", count=len(r.overdue),
                at=w.store_time(r.generated_at, zone))
    if not r.overdue:
        return _section(title, _note(w.t("no_overdue"), size=BODY))
    rows: list[list[str | Flowable]] = []
    levels = []
    for o in r.overdue:
        levels.append(o.level)
        rows.append([o.number, _chip_text(w, o.level, "centre"), w.problem(o.subcategory),
                     w.store_time(o.created_at, zone), w.store_time(o.due_at, zone),
                     w.duration(o.minutes_overdue), o.handler or w.t("unassigned")])
    header = [w.t("number"), w.t("level_col"), w.t("problem"), w.t("created"), w.t("due"),
              w.t("overdue_by"), w.t("handler")]
    table = _table(header, rows, _fit_widths(header, rows, flexible=(2,)), "lclllrl",
                   style=_level_chips(w, levels, col=1))
    return _section(title, table, keep=False)


# --- the document -------------------------------------------------------------------

def _title_text(w: _Words, r: Report) -> str:
    kind = {"today": "today", "week": "week", "month": "month", "last_month": "month"
            }.get(r.period.kind, "custom")  # last month's report is a monthly report
    return w.t(f"title.{kind}", store=r.store_code)


def _title(w: _Words, r: Report, zone: ZoneInfo) -> list[Flowable]:
    p = r.period
    return [
        MixedText(_title_text(w, r), 20, bold=True),
        Spacer(1, 2 * mm),
        MixedText(w.t("period", first=p.first_day.isoformat(), last=p.last_day.isoformat(),
                      days=p.days, zone=p.timezone), BODY),
        MixedText(w.t("generated", at=w.store_time(r.generated_at, zone),
                      version=r.policy_version), BODY, colour=NEUTRAL),
    ]


def _story(w: _Words, r: Report, zone: ZoneInfo) -> list[Flowable]:
    story = _title(w, r, zone)
    story += _headline(w, r)
    if r.tickets == 0:
        story += [Spacer(1, 4 * mm), _boxed(w.t("empty"), HEADER_FILL, NEUTRAL, 12)]
    story += _alerts(w, r)
    if r.tickets:
        story += _top_problems(w, r)
        story += _counts(w, r)
        story += _response(w, r)
        story += _trend(w, r)
    story += _compensation(w, r)
    story += _overdue(w, r, zone)
    if r.notes:
        # A note is a message code when the catalogue knows it, else text as written.
        known = catalogue(w.language)
        notes = [_note(tr(n, w.language) if n in known else n) for n in r.notes]
        story += _section(w.t("section.notes"), *notes)
    return story


def render_report_pdf(report: Report, language: str = "zh_CN", *,
                      policy: Policy | None = None) -> bytes:
    """The report as A4 portrait PDF bytes in *language* (``zh_CN`` or ``en``).

    *policy* names the categories, channels and levels (the store's own policy; the
    shipped default when not given).
    """
    cjk_font()
    w = _Words(language, policy or _default_policy())
    zone = ZoneInfo(report.period.timezone)
    footer_left = w.t("footer", store=report.store_code,
                      first=report.period.first_day.isoformat(),
                      last=report.period.last_day.isoformat())

    def decorate(c: Canvas, number: int, total: int) -> None:
        c.saveState()
        c.setFillColor(NEUTRAL)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(MARGIN, MARGIN - 3 * mm, A4[0] - MARGIN, MARGIN - 3 * mm)
        baseline = MARGIN - 7 * mm
        draw_runs(c, MARGIN, baseline, footer_left, SMALL)
        page = w.t("page", page=number, pages=total)
        draw_runs(c, A4[0] - MARGIN - measure(SMALL)(page), baseline, page, SMALL)
        c.restoreState()

    out = io.BytesIO()
    # invariant: no creation date or random id, so the same report gives the same bytes.
    doc = BaseDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=MARGIN, bottomMargin=MARGIN, title=_title_text(w, report),
                          author=report.store_code, invariant=True, pageCompression=1)
    # No frame padding: tables, charts and text all line up on the margins.
    frame = Frame(MARGIN, MARGIN, WIDTH, A4[1] - 2 * MARGIN, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", frames=[frame])])
    doc.build(_story(w, report, zone), canvasmaker=numbered_canvas(decorate))
    return out.getvalue()
