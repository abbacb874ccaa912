"""How report figures read on screen: shares, minutes, money and the change against the
previous period, in the current language.

Kept apart from the widgets so every tile, table and tooltip says a figure the same way.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

from domain.money import yuan_text

DASH = "—"
yuan = yuan_text  # the dashboard writes money as the PDF and CSV do: ¥1,234.50
# The colour of a change: better is green, worse is red, whatever the direction.
BETTER_COLOUR = "#137333"
WORSE_COLOUR = "#c5221f"
SAME_COLOUR = "#5f6368"


def percent(rate: float | None) -> str:
    """``0.853`` → ``"85.3%"``; nothing decided → a dash."""
    return DASH if rate is None else f"{rate * 100:.1f}%"


def rating(value: float | None) -> str:
    """Mean satisfaction on the 1–5 scale."""
    return DASH if value is None else f"{value:.2f}"


def day_span(first: date, last: date, *, began_earlier: bool = False,
             with_year: bool = True) -> str:
    """2026-11-16 – 11-22, or a single day; "… 2026-10-22 – 11-22" when the span may
    have begun before *first*; without the year (11-16 – 11-22) where room is short."""
    start = first.strftime("%Y-%m-%d" if with_year else "%m-%d")
    text = start if first == last else f"{start} – {last.strftime('%m-%d')}"
    return f"… {text}" if began_earlier else text


def _weekday(day: date) -> str:
    names = (QCoreApplication.translate("reports", "Mon"),
             QCoreApplication.translate("reports", "Tue"),
             QCoreApplication.translate("reports", "Wed"),
             QCoreApplication.translate("reports", "Thu"),
             QCoreApplication.translate("reports", "Fri"),
             QCoreApplication.translate("reports", "Sat"),
             QCoreApplication.translate("reports", "Sun"))
    return names[day.weekday()]


def dated(day: date) -> str:
    """2026-11-16 (Mon): a day with its weekday, so "this week" reads at a glance."""
    return QCoreApplication.translate("reports", "{date} ({weekday})").format(
        date=day.isoformat(), weekday=_weekday(day))


def weekday_span(first: date, last: date) -> str:
    """2026-11-16 (Mon) – 2026-11-22 (Sun), or one dated day."""
    return dated(first) if first == last else f"{dated(first)} – {dated(last)}"


def period_bounds(first: date, last: date, timezone: str) -> str:
    """Where a period starts and ends: from 00:00 of *first* to 24:00 of *last*, store
    time, with the zone and its UTC offset (the figures count store days)."""
    offset = datetime.combine(first, time(0), ZoneInfo(timezone)).strftime("%z")
    return QCoreApplication.translate(
        "reports", "{first} 00:00 to {last} 24:00, store time ({zone}, UTC{offset})").format(
            first=dated(first), last=dated(last), zone=timezone,
            offset=f"{offset[:3]}:{offset[3:]}")


def change(current: float | None, previous: float | None, *, kind: str,
           higher_is_better: bool | None) -> tuple[str, str]:
    """The change of a figure against the previous period and the colour to show it in.

    *kind* is ``count``, ``rate`` (a share: change in percentage points), ``minutes``,
    ``rating`` or ``fen``. *higher_is_better* None means the direction is neither good
    nor bad (the number of tickets can rise with sales).
    """
    if current is None or previous is None:
        return (QCoreApplication.translate("reports", "previous period: {value}").format(
            value=DASH), SAME_COLOUR)
    delta = current - previous
    # What is shown is rounded: a change that rounds to nothing is no change.
    precision = {"rate": 0.0005, "minutes": 0.5, "rating": 0.005}.get(kind, 0.5)
    if abs(delta) < precision:
        delta = 0
    if kind == "rate":
        text = QCoreApplication.translate("reports", "{delta} pts").format(
            delta=f"{delta * 100:+.1f}")
    elif kind == "minutes":
        text = QCoreApplication.translate("reports", "{delta} min").format(
            delta=f"{delta:+.0f}")
    elif kind == "rating":
        text = f"{delta:+.2f}"
    elif kind == "fen":
        text = ("+" if delta >= 0 else "-") + yuan(abs(int(delta)))
    else:
        text = f"{int(delta):+d}"
    if delta == 0:
        return QCoreApplication.translate("reports", "= same as previous"), SAME_COLOUR
    arrow = "▲" if delta > 0 else "▼"
    label = QCoreApplication.translate("reports", "{arrow} {delta} vs previous").format(
        arrow=arrow, delta=text)
    if higher_is_better is None:
        return label, SAME_COLOUR
    better = (delta > 0) == higher_is_better
    return label, BETTER_COLOUR if better else WORSE_COLOUR
