"""The report as JSON-ready data: money in integer fen, dates and times ISO-8601."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any

from desktop.reports.model import Drill, Period, Report

FORMAT_VERSION = 1


def _drill(d: Drill) -> dict[str, Any]:
    return {"first_day": d.period.first_day.isoformat(),
            "last_day": d.period.last_day.isoformat(), "filters": d.as_dict()}


def _period(p: Period) -> dict[str, Any]:
    return {"kind": p.kind, "first_day": p.first_day.isoformat(),
            "last_day": p.last_day.isoformat(), "days": p.days,
            "start_utc": _value(p.start_utc), "end_utc": _value(p.end_utc),
            "timezone": p.timezone}


def _value(v: Any) -> Any:
    if isinstance(v, Drill):
        return _drill(v)
    if isinstance(v, Period):
        return _period(v)
    if isinstance(v, datetime):
        return v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if is_dataclass(v) and not isinstance(v, type):
        return {f.name: _value(getattr(v, f.name)) for f in fields(v)}
    if isinstance(v, tuple | list):
        return [_value(x) for x in v]
    if isinstance(v, float):
        return round(v, 4)
    return v


def report_json(report: Report) -> dict[str, Any]:
    """Every figure of *report* as JSON-ready data (``json.dumps`` takes it as is)."""
    data: dict[str, Any] = {"format_version": FORMAT_VERSION}
    data.update(_value(report))
    comp = data["compensation"]
    comp["by_kind"] = [{"kind": k, "granted_fen": fen, "grants": n}
                       for k, fen, n in report.compensation.by_kind]
    return data
