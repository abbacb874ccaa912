"""Policy documents: the limits, targets and keywords that headquarters can change.

Every number in ``domain.md`` ships as data in ``resources/policy/default.json``; the
code reads it from here and never hard-codes it. A bad document is rejected with the
JSON path of the first problem and the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import PolicyInvalid
from domain.event_schema import MAX_FEN, MAX_NAME_CHARS, MAX_TEXT_CHARS
from domain.privacy import PrivacyPolicy, parse_privacy

SUPPORTED_SCHEMA = 1
DEFAULT_MAX_AMOUNT_FEN = 10_000_000  # ¥100,000, as the shipped policy says
ROLES = ("cashier", "desk", "manager")


@dataclass(frozen=True)
class LevelTarget:
    """Response target of one level."""

    level: int
    respond_within_minutes: int
    colour: str


@dataclass(frozen=True)
class CompensationPolicy:
    """Frontline limits, caps and the food-safety rule, in integer fen."""

    role_limits_fen: dict[str, int]
    store_daily_cap_fen: int
    customer_max_grants: int
    customer_window_days: int
    kinds: tuple[str, ...]
    suggested_kind_by_level: dict[int, str]
    food_safety_multiplier: int
    food_safety_minimum_fen: int
    # The largest amount (paid or compensated) anyone may type: catches 1e9 and a
    # mistyped extra zero. Older documents lack it: DEFAULT_MAX_AMOUNT_FEN.
    max_amount_fen: int = 10_000_000  # DEFAULT_MAX_AMOUNT_FEN


@dataclass(frozen=True)
class StaffPolicy:
    """PIN rules and locking."""

    pin_min_length: int
    pin_max_length: int
    max_failed_pins: int
    lockout_minutes: int
    idle_lock_minutes: int


@dataclass(frozen=True)
class DuplicatePolicy:
    """When a new complaint is offered as a duplicate of an earlier one."""

    same_customer_window_hours: int
    text_similarity_threshold: float
    text_window_hours: int


@dataclass(frozen=True)
class EnrolmentPolicy:
    """How long an enrolment code made at the centre lives (older documents: 24 h)."""

    code_ttl_hours: int = 24


@dataclass(frozen=True)
class ReportPolicy:
    """Store-report settings. Older documents have no ``reports`` section: these defaults."""

    repeat_consecutive_days: int = 3
    top_problems: int = 3
    # The manager's start screen shows the repeat problems of the last N store days.
    attention_days: int = 7


@dataclass(frozen=True)
class FirstContactPolicy:
    """Which complaints may be closed at first contact (首问解决), skipping 整改 → 复核 → 奖惩.

    ``subcategories`` is ``None`` for every subcategory. Level 1 is never allowed,
    whatever a document lists (``domain.lifecycle.check_first_contact`` refuses it).
    Older documents have no ``first_contact`` section: levels 2 and 3, any subcategory.
    """

    levels: tuple[int, ...] = (2, 3)
    subcategories: tuple[str, ...] | None = None

    def allows(self, level: int, subcategory: str) -> bool:
        """Whether the document lets a ticket of *level* and *subcategory* be closed at
        first contact (the lifecycle still refuses level 1)."""
        return level in self.levels and (
            self.subcategories is None or subcategory in self.subcategories)


@dataclass(frozen=True)
class ApprovalsPolicy:
    """The approvals list: a request waiting longer than ``old_after_hours`` is marked
    old. Older documents have no ``approvals`` section: 24 hours."""

    old_after_hours: int = 24


@dataclass(frozen=True)
class Policy:
    """A validated policy document."""

    version: str
    timezone: ZoneInfo
    levels: dict[int, LevelTarget]
    escalation_ladder: tuple[str, ...]
    followup_within_hours: int
    channels: tuple[str, ...]
    member_tiers: tuple[str, ...]
    compensation: CompensationPolicy
    staff: StaffPolicy
    duplicates: DuplicatePolicy
    raw: dict[str, Any]
    reports: ReportPolicy = field(default_factory=ReportPolicy)
    enrolment: EnrolmentPolicy = field(default_factory=EnrolmentPolicy)
    privacy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    first_contact: FirstContactPolicy = field(default_factory=FirstContactPolicy)
    approvals: ApprovalsPolicy = field(default_factory=ApprovalsPolicy)

    def target(self, level: int) -> LevelTarget:
        """The response target of *level*."""
        return self.levels[level]

    def subcategories(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Subcategory → (its category, the departments it is routed to)."""
        index: dict[str, tuple[str, tuple[str, ...]]] = {}
        for cat, node in self.raw["triage"]["categories"].items():
            for sub, info in node["subcategories"].items():
                index[sub] = (cat, tuple(info["departments"]))
        return index


def _fail(path: str, reason: str) -> PolicyInvalid:
    return PolicyInvalid("policy.invalid", path=path, reason=reason)


def _get(doc: dict[str, Any], path: str, kind: type | tuple[type, ...]) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise _fail(path, "missing")
        node = node[part]
    # bool is an int subclass: a limit of `true` is a mistake, not 1 fen.
    if (isinstance(node, bool) and kind is not bool) or not isinstance(node, kind):
        raise _fail(path, f"expected {getattr(kind, '__name__', kind)}, got {type(node).__name__}")
    return node


def _positive_int(doc: dict[str, Any], path: str, allow_zero: bool = False) -> int:
    value: int = _get(doc, path, int)
    if value < 0 or (value == 0 and not allow_zero):
        raise _fail(path, "must be a positive integer")
    return value


def _report_policy(doc: dict[str, Any]) -> ReportPolicy:
    # Desks receive older policies by sync: a document without the section (or without
    # one of its keys) still parses, with the defaults.
    if "reports" not in doc:
        return ReportPolicy()
    _get(doc, "reports", dict)
    defaults = ReportPolicy()
    values = {
        key: _positive_int(doc, f"reports.{key}") if key in doc["reports"]
        else getattr(defaults, key)
        for key in ("repeat_consecutive_days", "top_problems", "attention_days")
    }
    if values["repeat_consecutive_days"] < 2:
        raise _fail("reports.repeat_consecutive_days", "must be at least 2")
    return ReportPolicy(**values)


def _enrolment_policy(doc: dict[str, Any]) -> EnrolmentPolicy:
    if "enrolment" not in doc:
        return EnrolmentPolicy()
    _get(doc, "enrolment", dict)
    if "code_ttl_hours" not in doc["enrolment"]:
        return EnrolmentPolicy()
    hours = _positive_int(doc, "enrolment.code_ttl_hours")
    if hours > 24 * 30:
        raise _fail("enrolment.code_ttl_hours", "at most 720 (30 days)")
    return EnrolmentPolicy(hours)


def _first_contact_policy(doc: dict[str, Any]) -> FirstContactPolicy:
    if "first_contact" not in doc:
        return FirstContactPolicy()
    _get(doc, "first_contact", dict)
    defaults = FirstContactPolicy()
    levels = defaults.levels
    if "levels" in doc["first_contact"]:
        raw = _get(doc, "first_contact.levels", list)
        if not all(isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= 3
                   for x in raw):
            raise _fail("first_contact.levels", "a list of levels 1, 2 or 3")
        levels = tuple(sorted(set(raw)))
    subs = defaults.subcategories
    if "subcategories" in doc["first_contact"]:
        raw = _get(doc, "first_contact.subcategories", list)
        known = {sub for node in _get(doc, "triage.categories", dict).values()
                 if isinstance(node, dict) for sub in node.get("subcategories", {})}
        for i, sub in enumerate(raw):
            if not isinstance(sub, str) or sub not in known:
                raise _fail(f"first_contact.subcategories[{i}]", f"unknown subcategory {sub!r}")
        subs = tuple(raw)
    return FirstContactPolicy(levels, subs)


def _approvals_policy(doc: dict[str, Any]) -> ApprovalsPolicy:
    if "approvals" not in doc:
        return ApprovalsPolicy()
    _get(doc, "approvals", dict)
    if "old_after_hours" not in doc["approvals"]:
        return ApprovalsPolicy()
    return ApprovalsPolicy(_positive_int(doc, "approvals.old_after_hours"))


def _max_amount(doc: dict[str, Any]) -> int:
    if "max_amount_fen" not in doc["compensation"]:
        return DEFAULT_MAX_AMOUNT_FEN
    value = _positive_int(doc, "compensation.max_amount_fen")
    if value > MAX_FEN:
        raise _fail("compensation.max_amount_fen", f"at most {MAX_FEN} (what an event may carry)")
    return value


# Intake limits may not exceed what an event may carry (domain.event_schema): a desk
# would save what the centre and every other desk refuse.
_INTAKE_BOUNDS = {"max_text_chars": MAX_TEXT_CHARS, "max_note_chars": MAX_TEXT_CHARS,
                  "max_name_chars": MAX_NAME_CHARS, "max_customers": 100_000}


def _check_intake(doc: dict[str, Any]) -> None:
    if "intake" not in doc:
        return
    _get(doc, "intake", dict)
    for key, bound in _INTAKE_BOUNDS.items():
        if key in doc["intake"] and _positive_int(doc, f"intake.{key}") > bound:
            raise _fail(f"intake.{key}", f"at most {bound}")


def parse_policy(doc: Any, source: str = "<policy>") -> Policy:
    """Validate a policy document (already parsed JSON) and return it typed."""
    if not isinstance(doc, dict):
        raise _fail("$", "the document must be a JSON object")
    schema = _get(doc, "schema", int)
    if schema != SUPPORTED_SCHEMA:
        raise _fail("schema", f"unsupported schema {schema}, this Kesu reads {SUPPORTED_SCHEMA}")
    version = _get(doc, "policy_version", str)
    if not version.strip():
        raise _fail("policy_version", "empty")
    tz_name = _get(doc, "timezone", str)
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail("timezone", f"unknown time zone {tz_name!r}") from None
    levels: dict[int, LevelTarget] = {}
    for key in ("1", "2", "3"):
        minutes = _positive_int(doc, f"levels.{key}.respond_within_minutes")
        colour = _get(doc, f"levels.{key}.colour", str)
        levels[int(key)] = LevelTarget(int(key), minutes, colour)
    if not levels[1].respond_within_minutes <= levels[2].respond_within_minutes <= levels[
        3
    ].respond_within_minutes:
        raise _fail("levels", "level 1 must be answered no later than level 2, and 2 than 3")
    ladder = _get(doc, "escalation_ladder", list)
    if len(ladder) < 2 or not all(isinstance(x, str) for x in ladder):
        raise _fail("escalation_ladder", "needs at least two role names")
    limits_raw = _get(doc, "compensation.role_limits_fen", dict)
    limits: dict[str, int] = {}
    for role in ROLES:
        limits[role] = _positive_int(doc, f"compensation.role_limits_fen.{role}")
    if not limits["cashier"] <= limits["desk"] <= limits["manager"]:
        raise _fail("compensation.role_limits_fen", "limits must rise cashier ≤ desk ≤ manager")
    del limits_raw
    kinds = _get(doc, "compensation.kinds", list)
    if not kinds or not all(isinstance(k, str) and k for k in kinds):
        raise _fail("compensation.kinds", "needs a non-empty list of kind names")
    suggested = _get(doc, "compensation.suggested_kind_by_level", dict)
    for lvl, kind in suggested.items():
        if kind not in kinds:
            raise _fail(f"compensation.suggested_kind_by_level.{lvl}", f"unknown kind {kind!r}")
    compensation = CompensationPolicy(
        role_limits_fen=limits,
        store_daily_cap_fen=_positive_int(doc, "compensation.store_daily_cap_fen"),
        customer_max_grants=_positive_int(doc, "compensation.customer_max_grants"),
        customer_window_days=_positive_int(doc, "compensation.customer_window_days"),
        kinds=tuple(kinds),
        suggested_kind_by_level={int(k): v for k, v in suggested.items()},
        food_safety_multiplier=_positive_int(doc, "compensation.food_safety_multiplier"),
        food_safety_minimum_fen=_positive_int(doc, "compensation.food_safety_minimum_fen"),
        max_amount_fen=_max_amount(doc),
    )
    staff = StaffPolicy(
        pin_min_length=_positive_int(doc, "staff.pin_min_length"),
        pin_max_length=_positive_int(doc, "staff.pin_max_length"),
        max_failed_pins=_positive_int(doc, "staff.max_failed_pins"),
        lockout_minutes=_positive_int(doc, "staff.lockout_minutes"),
        idle_lock_minutes=_positive_int(doc, "staff.idle_lock_minutes"),
    )
    threshold = _get(doc, "duplicates.text_similarity_threshold", (int, float))
    if not 0 < threshold <= 1:
        raise _fail("duplicates.text_similarity_threshold", "must be in (0, 1]")
    duplicates = DuplicatePolicy(
        same_customer_window_hours=_positive_int(doc, "duplicates.same_customer_window_hours"),
        text_similarity_threshold=float(threshold),
        text_window_hours=_positive_int(doc, "duplicates.text_window_hours"),
    )
    channels = _get(doc, "channels", dict)
    reports = _report_policy(doc)
    _check_intake(doc)
    tiers = _get(doc, "member_tiers", list)
    policy = Policy(
        version=version,
        timezone=tz,
        levels=levels,
        escalation_ladder=tuple(ladder),
        followup_within_hours=_positive_int(doc, "followup_within_hours"),
        channels=tuple(channels),
        member_tiers=tuple(tiers),
        compensation=compensation,
        staff=staff,
        duplicates=duplicates,
        raw=doc,
        reports=reports,
        enrolment=_enrolment_policy(doc),
        privacy=parse_privacy(doc, ROLES),
        first_contact=_first_contact_policy(doc),
        approvals=_approvals_policy(doc),
    )
    # Triage validates its own section (rules and model); its errors carry the same path
    # form. A model this Kesu cannot read is no error: the rules then work alone.
    from domain.triage import Triage, TriagePolicyError

    try:
        Triage.from_policy(doc)
    except TriagePolicyError as exc:
        raise _fail(exc.path, exc.reason) from None
    return policy


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate a policy file; the shipped default when *path* is ``None``."""
    if path is None:
        text = resources.files("resources").joinpath("policy", "default.json").read_text("utf-8")
        source = "resources/policy/default.json"
    else:
        source = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise PolicyInvalid("policy.unreadable", path=source, reason=str(exc)) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyInvalid(
            "policy.invalid", path=f"{source}:{exc.lineno}:{exc.colno}", reason=exc.msg
        ) from None
    try:
        return parse_policy(doc, source)
    except PolicyInvalid as exc:
        exc.params["file"] = source
        raise
