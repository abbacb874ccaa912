"""What a store report holds: plain, frozen data, the same for JSON, CSV, PDF and the dashboard.

The figures are computed once (``desktop.reports.figures.build_report``) and every output
reads them from here, so the dashboard, ``kesu report`` and the weekly PDF never disagree.

Definitions (the tests compute each one independently from these words):

- **Counted tickets**: tickets created within the period (``created_at`` in
  ``[start_utc, end_utc)``), except voided ones (entered in error) and merged ones
  (duplicates of another ticket). Voided and merged are reported as their own counts.
- **Response compliance** of a level: of the counted tickets of that level whose response
  is decided (responded, or due and not responded), the share responded by ``due_at``.
  Tickets still inside their target with no response are *pending* and left out.
- **First-response time**: ``first_response_at - created_at`` in minutes over responded
  counted tickets; p90 is the nearest-rank 90th percentile (the ceil(0.9·n)-th smallest).
- **Resolution rate**: counted tickets now closed or rated, over counted tickets.
- **Reopen rate**: counted tickets reopened at least once, over counted tickets that were
  ever closed (now closed/rated, or reopened).
- **Satisfaction**: mean rating (1–5) of the rated counted tickets, and how many.
- **Compensation**: ledger lines whose store day lies in the period; totals of *granted*
  lines, by kind and by the staff member who granted them (compared with the limit of
  that member's role); pending and refused lines are counted apart; the daily cap use is
  the granted total of each store day against the policy's cap.
- **Top problems**: the subcategories with the most counted tickets (ties: more level-1
  tickets first, then the subcategory code).
- **Overdue list**: tickets overdue *now* (``response_clock.OVERDUE_SQL``), whatever
  their creation date: it is a to-do list, not a history.
- **Repeat-problem alert**: the same subcategory, or the same product (SKU, else the
  normalised product name), complained about on N or more consecutive store days
  (N = policy ``reports.repeat_consecutive_days``, default 3), for runs ending within
  the period (days after the period are not looked at). A run may start before the
  period, but is traced back at most ``repeats.LOOKBACK_DAYS`` (31) days before its
  first day: a run reaching that limit has ``began_earlier`` set, and its ``first_day``
  and ``days`` (and tickets) mean "at least". A product's label is the smallest name
  written for it (in the full report: on the run's days), else the SKU. One function
  (``repeat_problems.alerts_of``) finds them for the report and for the manager's start
  screen, which shows those of the last ``reports.attention_days`` (7) store days and
  names those days.
- **Daily trend**: counted tickets per store day of the period, every day present.
- **Comparison**: the headline figures of the previous period
  (``period.previous_period``): this week against the same weekdays of last week, this
  month against the same days of last month, last month against the whole month before,
  other periods against the same number of days just before them.
- **First-contact resolution (FCR)**: counted tickets closed at first contact (a
  ``status_changed`` with ``first_contact``: 受理 → 完结 without 整改 → 复核 → 奖惩) and
  not reopened since, over counted tickets; those reopened afterwards are counted apart
  (``reopened``). Compared with the previous period (``desktop.reports.first_contact``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# Keys a Drill may hold; each narrows the tickets behind a figure (drill.tickets_behind).
DRILL_KEYS = (
    "category", "subcategory", "channel", "level", "day",  # day = store day, ISO date
    "responded_in_time",   # True / False (False = missed or overdue unresponded)
    "resolved", "reopened", "rated",  # True
    "product",             # product key as in RepeatAlert.key
    "compensation_kind", "compensation_staff", "compensation_status",
    "overdue_now",         # True: the overdue list
    "first_contact",       # True: closed at first contact and not reopened since
)


def rate(part: int, whole: int) -> float | None:
    """*part* of *whole* as a fraction; ``None`` when there is nothing to divide by (a
    rate of no tickets is no rate, not 0 %)."""
    return None if whole == 0 else part / whole

@dataclass(frozen=True)
class Period:
    """A span of whole store days, inclusive, and its UTC bounds (end exclusive)."""

    kind: str  # "today" | "week" | "month" | "last_month" | "custom" | "recent"
    first_day: date
    last_day: date
    start_utc: datetime
    end_utc: datetime
    timezone: str

    @property
    def days(self) -> int:
        """Number of store days in the period."""
        return (self.last_day - self.first_day).days + 1


@dataclass(frozen=True)
class Drill:
    """Which tickets stand behind a figure: the period plus filters from DRILL_KEYS."""

    period: Period
    filters: tuple[tuple[str, str | int | bool], ...] = ()

    def as_dict(self) -> dict[str, str | int | bool]:
        """The filters as a dict."""
        return dict(self.filters)


@dataclass(frozen=True)
class Count:
    """One bar of a breakdown: a code (category, channel, level...) and its count."""

    key: str
    count: int
    drill: Drill


@dataclass(frozen=True)
class LevelCompliance:
    """Response-target compliance of one level."""

    level: int
    target_minutes: int
    decided: int        # responded + overdue-unresponded
    in_time: int
    missed: int
    pending: int        # not responded, target not yet passed
    rate: float | None  # in_time / decided, None when nothing decided
    drill_missed: Drill


@dataclass(frozen=True)
class ResponseTimes:
    """First-response time in minutes over responded counted tickets."""

    responded: int
    mean_minutes: float | None
    p90_minutes: float | None


@dataclass(frozen=True)
class StaffCompensation:
    """Granted compensation of one staff member in the period."""

    staff_id: str
    name: str
    role: str
    limit_fen: int | None  # the per-grant limit of the role; None for roles with none
    granted_fen: int
    grants: int
    largest_fen: int
    above_limit: int       # grants above the role's limit (approved by someone else)
    drill: Drill


@dataclass(frozen=True)
class DayCap:
    """Granted compensation of one store day against the store's daily cap."""

    day: date
    granted_fen: int
    cap_fen: int


@dataclass(frozen=True)
class CompensationSummary:
    """The compensation ledger of the period."""

    granted_fen: int
    granted: int
    pending: int
    pending_fen: int
    refused: int
    by_kind: tuple[tuple[str, int, int], ...]  # (kind, total fen, grants), largest first
    by_staff: tuple[StaffCompensation, ...]
    daily_cap: tuple[DayCap, ...]               # every day of the period
    cap_fen: int
    busiest_day: DayCap | None


@dataclass(frozen=True)
class Problem:
    """One of the top problems: a subcategory and what stands out in it."""

    category: str
    subcategory: str
    count: int
    level1: int
    top_product: str | None  # most named product, if any
    drill: Drill


@dataclass(frozen=True)
class OverdueTicket:
    """A ticket overdue now."""

    ticket_id: str
    number: str
    level: int
    subcategory: str
    created_at: str
    due_at: str
    minutes_overdue: int
    handler: str | None


@dataclass(frozen=True)
class RepeatAlert:
    """The same problem on consecutive store days."""

    by: str          # "subcategory" | "product"
    key: str         # the subcategory code, or the product key
    label: str       # what people read (subcategory code or product name as written)
    first_day: date
    last_day: date
    days: int
    tickets: int
    drill: Drill
    # The run reaches the look-back limit: it may have begun earlier (first_day, days
    # and tickets are then "at least").
    began_earlier: bool = False


@dataclass(frozen=True)
class DayPoint:
    """Counted tickets of one store day."""

    day: date
    count: int
    level1: int


@dataclass(frozen=True)
class Headline:
    """The figures compared between periods."""

    tickets: int
    compliance_rate: float | None
    mean_response_minutes: float | None
    resolution_rate: float | None
    reopen_rate: float | None
    satisfaction: float | None
    compensation_fen: int


# Whether a rise of each Headline figure is good (True), bad (False) or neither (None);
# the PDF and the dashboard colour the change against the previous period by it. Fewer
# complaints is better; compensation granted is neither (it follows the problems).
HIGHER_IS_BETTER: dict[str, bool | None] = {
    "tickets": False,
    "compliance_rate": True,
    "mean_response_minutes": False,
    "resolution_rate": True,
    "reopen_rate": False,
    "satisfaction": True,
    "compensation_fen": None,
}


@dataclass(frozen=True)
class FirstContact:
    """First-contact resolution (FCR) of the period, and of the previous one."""

    resolved: int          # counted tickets closed at first contact, not reopened since
    tickets: int           # counted tickets
    rate: float | None     # resolved / tickets, None without tickets
    reopened: int          # closed at first contact, reopened afterwards (not resolved)
    previous_resolved: int
    previous_tickets: int
    previous_rate: float | None
    drill: Drill


@dataclass(frozen=True)
class Report:
    """Every figure of a store over a period."""

    store_code: str
    period: Period
    generated_at: datetime
    policy_version: str
    tickets: int
    voided: int
    merged: int
    by_category: tuple[Count, ...]
    by_subcategory: tuple[Count, ...]
    by_channel: tuple[Count, ...]
    by_level: tuple[Count, ...]
    compliance: tuple[LevelCompliance, ...]
    response: ResponseTimes
    resolved: int
    resolution_rate: float | None
    reopened: int
    ever_closed: int
    reopen_rate: float | None
    rated: int
    satisfaction: float | None
    compensation: CompensationSummary
    top_problems: tuple[Problem, ...]
    overdue: tuple[OverdueTicket, ...]
    repeat_alerts: tuple[RepeatAlert, ...]
    trend: tuple[DayPoint, ...]
    headline: Headline
    previous: Headline
    previous_period: Period
    notes: tuple[str, ...] = field(default=())
    first_contact: FirstContact | None = None
