"""How long something took, as the reports say it: 42 分钟 · 3 小时 5 分 · 2 天 4 小时.

One wording for the PDF and the dashboard, so the same p90 never reads 46 minutes in one
and 47 in the other.
"""

from __future__ import annotations

from desktop.i18n import tr


def duration_text(minutes: float | None, language: str) -> str:
    """*minutes* in the largest units that read naturally; ``—`` when there is none.
    Rounded half up: 47.5 minutes reads as 48."""
    if minutes is None:
        return "—"
    whole = int(minutes + 0.5)
    if whole < 60:
        return tr("report.duration.minutes", language, minutes=whole)
    hours, mins = divmod(whole, 60)
    if hours < 24:
        return (tr("report.duration.hours", language, hours=hours) if mins == 0
                else tr("report.duration.hours_minutes", language, hours=hours, minutes=mins))
    days, hours = divmod(hours, 24)
    return (tr("report.duration.days", language, days=days) if hours == 0
            else tr("report.duration.days_hours", language, days=days, hours=hours))
