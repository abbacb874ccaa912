"""The report as JSON-ready data: money in integer fen, dates and times ISO-8601."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any

from domain.reports.model import Drill, Period, RepeatAlert, Report

FORMAT_VERSION = 1


def _drill(d: Drill) -> dict[str, Any]:
    return {"first_day": d.period.first_day.isoformat(),
            "last_day": d.period.last_day.isoformat(), "filters": d.as_dict()}


def _period(p: Period) -> dict[str, Any]:
    return {"kind": p.kind, "first_day": p.first_day.isoformat(),
            "last_day": p.last_day.isoformat(), "days": p.days,
            "start_utc": _value(p.start_utc), "end_utc": _value(p.end_utc),
            "timezone": p.timezone}


def _alert(a: RepeatAlert) -> dict[str, Any]:
    # A busy year has thousands of alerts: written out directly, field by field.
    return {"by": a.by, "key": a.key, "label": a.label, "first_day": a.first_day.isoformat(),
            "last_day": a.last_day.isoformat(), "days": a.days, "tickets": a.tickets,
            "drill": _drill(a.drill), "began_earlier": a.began_earlier}


def _value(v: Any) -> Any:
    # Dispatch on the exact type first (a year's report holds thousands of alerts, each
    # with a drill and its period); anything else takes the general path.
    kind = type(v)
    if kind is str or kind is int or kind is bool or v is None:
        return v
    if kind is date:
        return v.isoformat()
    if kind is Drill:
        return _drill(v)
    if kind is RepeatAlert and _ALERT_FIELDS_KNOWN:
        return _alert(v)
    if kind is tuple or kind is list:
        return [_value(x) for x in v]
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        return {name: _value(getattr(v, name)) for name in names}
    return _general(v)


def _general(v: Any) -> Any:
    if isinstance(v, Drill):
        return _drill(v)
    if isinstance(v, Period):
        return _period(v)
    if isinstance(v, datetime):
        return v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if is_dataclass(v) and not isinstance(v, type):
        if type(v) is not Period:
            _FIELD_NAMES[type(v)] = tuple(f.name for f in fields(v))
        return {f.name: _value(getattr(v, f.name)) for f in fields(v)}
    if isinstance(v, tuple | list):
        return [_value(x) for x in v]
    if isinstance(v, float):
        return round(v, 4)
    return v


# _alert spells every field of RepeatAlert; a field added later takes the general path.
_ALERT_FIELDS_KNOWN = tuple(f.name for f in fields(RepeatAlert)) == (
    "by", "key", "label", "first_day", "last_day", "days", "tickets", "drill",
    "began_earlier")
# Field names of the dataclasses met so far (Period has its own form).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def report_json(report: Report) -> dict[str, Any]:
    """Every figure of *report* as JSON-ready data (``json.dumps`` takes it as is)."""
    data: dict[str, Any] = {"format_version": FORMAT_VERSION}
    data.update(_value(report))
    comp = data["compensation"]
    comp["by_kind"] = [{"kind": k, "granted_fen": fen, "grants": n}
                       for k, fen, n in report.compensation.by_kind]
    return data
