"""Policy documents: the limits, targets and keywords that headquarters can change.

Every number in ``domain.md`` ships as data in ``resources/policy/default.json``; the
code reads it from here and never hard-codes it. A bad document is rejected with the
JSON path of the first problem and the reason.

A document is parsed once (:func:`parse_policy`) into frozen, typed sections, its triage
engine included; readers take figures and names from those sections, never from the
document itself, so each default is written once, here, and an older document that
lacks a section reads the same everywhere (``tests/domain/test_policy.py`` refuses a
``.raw`` read outside this module).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import PolicyInvalid
from domain.event_schema import MAX_FEN, MAX_NAME_CHARS, MAX_TEXT_CHARS
from domain.privacy import PrivacyPolicy, parse_privacy
from domain.triage import Triage, TriagePolicyError
from domain.triage.rules import TIERS

SUPPORTED_SCHEMA = 1
DEFAULT_MAX_AMOUNT_FEN = 10_000_000  # ¥100,000, as the shipped policy says
DEFAULT_REGIONAL_LIMIT_FEN = 300_000  # ¥3,000: domain.md, "The chain's centre"
ROLES = ("cashier", "desk", "manager")


@dataclass(frozen=True)
class Label:
    """A name the document gives in the app's two languages (either may be missing)."""

    zh: str | None = None
    en: str | None = None

    def get(self, english: bool) -> str | None:
        """The English or the Chinese name; None when the document gives none."""
        return self.en if english else self.zh


NO_LABEL = Label()


@dataclass(frozen=True)
class LevelTarget:
    """Response target of one level, its names and who is told of a new ticket of it."""

    level: int
    respond_within_minutes: int
    colour: str
    label: Label = NO_LABEL
    notify_at_creation: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicySubcategory:
    """One subcategory as the document defines it: names, routing and triage words."""

    code: str
    category: str
    label: Label
    departments: tuple[str, ...]
    # Triage word tier (domain.triage.rules.TIERS) → the words as the document writes them.
    words: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class PolicyCategory:
    """One category and its subcategories, in the document's order."""

    code: str
    label: Label
    subcategories: Mapping[str, PolicySubcategory]


@dataclass(frozen=True)
class IntakeLimits:
    """How much staff may type into a complaint. Older documents lack some: these."""

    max_text_chars: int = 5000
    max_name_chars: int = 50
    max_note_chars: int = 5000
    max_customers: int = 500


@dataclass(frozen=True)
class QuickEntryPolicy:
    """The cashier's quick entry. ``default_kind`` is the compensation kind it offers:
    the document's ``quick_entry.default_kind`` when that is a known kind, else the first
    kind (refund in the shipped policy)."""

    default_kind: str


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
    max_amount_fen: int = DEFAULT_MAX_AMOUNT_FEN
    # Above the store manager's limit a request goes to the region's manager up to this
    # amount, above it to headquarters. Older documents lack it: the domain's default.
    regional_limit_fen: int = DEFAULT_REGIONAL_LIMIT_FEN


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
class ConsolePolicy:
    """The centre's web console: an account locks for ``lockout_minutes`` after
    ``max_failed_logins`` wrong passwords in a row; a session lasts ``session_hours``.
    Older documents have no ``console`` section: 5, 15 and 12."""

    max_failed_logins: int = 5
    lockout_minutes: int = 15
    session_hours: int = 12


@dataclass(frozen=True)
class AlertsPolicy:
    """Cross-store product alerts (the centre): a product complained about in
    ``product_stores`` or more distinct stores within ``product_days`` days raises an
    alert. Older documents have no ``alerts`` section: 3 stores, 7 days."""

    product_stores: int = 3
    product_days: int = 7


@dataclass(frozen=True)
class Policy:
    """A validated policy document, parsed once into typed sections.

    ``raw`` is the document itself, for storing, publishing and editing a copy
    (:meth:`as_json`, :meth:`document`); nothing outside this module reads figures from
    it, so every default lives here once.
    """

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
    quick_entry: QuickEntryPolicy
    # The document's triage engine, built while validating it (so once per document).
    triage: Triage = field(compare=False, repr=False)
    raw: dict[str, Any] = field(repr=False)
    intake: IntakeLimits = field(default_factory=IntakeLimits)
    categories: Mapping[str, PolicyCategory] = field(default_factory=dict)
    channel_labels: Mapping[str, Label] = field(default_factory=dict)
    # Triage word tier → its weight (``triage.weights``).
    tier_weights: Mapping[str, float] = field(default_factory=dict)
    reports: ReportPolicy = field(default_factory=ReportPolicy)
    enrolment: EnrolmentPolicy = field(default_factory=EnrolmentPolicy)
    privacy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    first_contact: FirstContactPolicy = field(default_factory=FirstContactPolicy)
    approvals: ApprovalsPolicy = field(default_factory=ApprovalsPolicy)
    console: ConsolePolicy = field(default_factory=ConsolePolicy)
    alerts: AlertsPolicy = field(default_factory=AlertsPolicy)

    def target(self, level: int) -> LevelTarget:
        """The response target of *level*."""
        return self.levels[level]

    def subcategories(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Subcategory → (its category, the departments it is routed to)."""
        return {sub.code: (cat.code, sub.departments)
                for cat in self.categories.values() for sub in cat.subcategories.values()}

    def subcategory(self, code: str) -> PolicySubcategory | None:
        """The document's subcategory *code* (names are unique across categories)."""
        for cat in self.categories.values():
            if code in cat.subcategories:
                return cat.subcategories[code]
        return None

    def category_label(self, category: str, english: bool) -> str:
        """商品, 服务 … (the code when the document names it not)."""
        node = self.categories.get(category)
        return (node.label.get(english) if node else None) or category

    def subcategory_label(self, subcategory: str, english: bool) -> str:
        """质量问题, 变质过期 … (the code when the document names it not)."""
        node = self.subcategory(subcategory)
        return (node.label.get(english) if node else None) or subcategory

    def problem_label(self, category: str, subcategory: str, english: bool) -> str:
        """"商品 / 变质过期": the subcategory is looked up within *category*, so a ticket
        whose pair no longer fits the document shows the subcategory's code."""
        node = self.categories.get(category)
        sub = node.subcategories.get(subcategory) if node else None
        return (f"{self.category_label(category, english)} / "
                f"{(sub.label.get(english) if sub else None) or subcategory}")

    def channel_name(self, channel: str, english: bool) -> str | None:
        """服务台, 收款台, 400电话 …; None when the document names *channel* not."""
        return self.channel_labels.get(channel, NO_LABEL).get(english)

    def channel_label(self, channel: str, english: bool) -> str:
        """服务台, 收款台, 400电话 … (the code when the document names it not)."""
        return self.channel_name(channel, english) or channel

    def level_name(self, level: int, english: bool) -> str | None:
        """一级 / Level 1 as the document names *level*; None when it does not (each
        reader words its own fallback)."""
        target = self.levels.get(level)
        return target.label.get(english) if target else None

    def figure(self, path: str) -> int:
        """The number at the document path *path* ("intake.max_text_chars"), with the
        default filled in when the document leaves it out."""
        section, name = path.split(".")
        value = getattr(getattr(self, section), name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise KeyError(path)
        return value

    def as_json(self) -> str:
        """The document as JSON text, for storing (non-ASCII kept as written)."""
        return json.dumps(self.raw, ensure_ascii=False)

    def document(self) -> dict[str, Any]:
        """A deep copy of the document, to edit into a new one."""
        return copy.deepcopy(self.raw)


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


def _console_policy(doc: dict[str, Any]) -> ConsolePolicy:
    if "console" not in doc:
        return ConsolePolicy()
    _get(doc, "console", dict)
    default = ConsolePolicy()
    values = {}
    for name in ("max_failed_logins", "lockout_minutes", "session_hours"):
        values[name] = (_positive_int(doc, f"console.{name}") if name in doc["console"]
                        else getattr(default, name))
    return ConsolePolicy(**values)


def _approvals_policy(doc: dict[str, Any]) -> ApprovalsPolicy:
    if "approvals" not in doc:
        return ApprovalsPolicy()
    _get(doc, "approvals", dict)
    if "old_after_hours" not in doc["approvals"]:
        return ApprovalsPolicy()
    return ApprovalsPolicy(_positive_int(doc, "approvals.old_after_hours"))


def _alerts_policy(doc: dict[str, Any]) -> AlertsPolicy:
    if "alerts" not in doc:
        return AlertsPolicy()
    _get(doc, "alerts", dict)
    default = AlertsPolicy()
    values = {}
    for name in ("product_stores", "product_days"):
        values[name] = (_positive_int(doc, f"alerts.{name}") if name in doc["alerts"]
                        else getattr(default, name))
    # One store is no pattern across stores; a window past a year reads everything.
    if values["product_stores"] < 2:
        raise _fail("alerts.product_stores", "must be at least 2")
    if values["product_days"] > 366:
        raise _fail("alerts.product_days", "at most 366")
    return AlertsPolicy(**values)


def _max_amount(doc: dict[str, Any]) -> int:
    if "max_amount_fen" not in doc["compensation"]:
        return DEFAULT_MAX_AMOUNT_FEN
    value = _positive_int(doc, "compensation.max_amount_fen")
    if value > MAX_FEN:
        raise _fail("compensation.max_amount_fen", f"at most {MAX_FEN} (what an event may carry)")
    return value


def _regional_limit(doc: dict[str, Any], manager_fen: int, max_fen: int) -> int:
    if "regional_limit_fen" not in doc["compensation"]:
        return max(DEFAULT_REGIONAL_LIMIT_FEN, manager_fen)
    value = _positive_int(doc, "compensation.regional_limit_fen")
    if value < manager_fen:
        raise _fail("compensation.regional_limit_fen",
                    "must be at least the store manager's limit")
    if value > max_fen:
        raise _fail("compensation.regional_limit_fen", "at most compensation.max_amount_fen")
    return value


# Intake limits may not exceed what an event may carry (domain.event_schema): a desk
# would save what the centre and every other desk refuse.
_INTAKE_BOUNDS = {"max_text_chars": MAX_TEXT_CHARS, "max_note_chars": MAX_TEXT_CHARS,
                  "max_name_chars": MAX_NAME_CHARS, "max_customers": 100_000}


def _intake_limits(doc: dict[str, Any]) -> IntakeLimits:
    if "intake" not in doc:
        return IntakeLimits()
    _get(doc, "intake", dict)
    values: dict[str, int] = {}
    for key, bound in _INTAKE_BOUNDS.items():
        if key in doc["intake"]:
            values[key] = _positive_int(doc, f"intake.{key}")
            if values[key] > bound:
                raise _fail(f"intake.{key}", f"at most {bound}")
    return IntakeLimits(**values)


def _label(node: object) -> Label:
    # Names are shown, never checked: a document without one shows the code instead.
    if not isinstance(node, dict):
        return NO_LABEL
    zh, en = node.get("label_zh"), node.get("label_en")
    return Label(str(zh) if zh else None, str(en) if en else None)


def _channel_labels(channels: dict[str, Any]) -> dict[str, Label]:
    # A channel's names are a [Chinese, English] pair; anything else names it not.
    return {code: Label(str(pair[0]) or None, str(pair[1]) or None)
            for code, pair in channels.items()
            if isinstance(pair, list | tuple) and len(pair) == 2}


def _notify_at_creation(node: dict[str, Any]) -> tuple[str, ...]:
    value = node.get("notify_at_creation")
    return tuple(str(x) for x in value) if isinstance(value, list) else ()


def _quick_entry(doc: dict[str, Any], kinds: tuple[str, ...]) -> QuickEntryPolicy:
    section = doc.get("quick_entry")
    wanted = section.get("default_kind") if isinstance(section, dict) else None
    return QuickEntryPolicy(wanted if wanted in kinds else kinds[0])


def _categories(doc: dict[str, Any]) -> dict[str, PolicyCategory]:
    # Only after triage validated the section: its shape is known good here.
    out: dict[str, PolicyCategory] = {}
    for cat, node in doc["triage"]["categories"].items():
        subs = {
            sub: PolicySubcategory(
                code=sub, category=cat, label=_label(info),
                departments=tuple(info["departments"]),
                words={tier: tuple(info.get(tier) or ()) for tier in TIERS})
            for sub, info in node["subcategories"].items()
        }
        out[cat] = PolicyCategory(cat, _label(node), subs)
    return out


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
        node = doc["levels"][key]
        levels[int(key)] = LevelTarget(int(key), minutes, colour, _label(node),
                                       _notify_at_creation(node))
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
        regional_limit_fen=_regional_limit(doc, limits["manager"], _max_amount(doc)),
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
    intake = _intake_limits(doc)
    tiers = _get(doc, "member_tiers", list)
    enrolment = _enrolment_policy(doc)
    privacy = parse_privacy(doc, ROLES)
    first_contact = _first_contact_policy(doc)
    approvals = _approvals_policy(doc)
    console = _console_policy(doc)
    alerts = _alerts_policy(doc)
    # Triage validates its own section (rules and model) last; its errors carry the same
    # path form. A model this Kesu cannot read is no error: the rules then work alone.
    try:
        triage = Triage.from_policy(doc)
    except TriagePolicyError as exc:
        raise _fail(exc.path, exc.reason) from None
    weights = doc["triage"]["weights"]
    return Policy(
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
        quick_entry=_quick_entry(doc, compensation.kinds),
        triage=triage,
        raw=doc,
        intake=intake,
        categories=_categories(doc),
        channel_labels=_channel_labels(channels),
        tier_weights={tier: float(weights[tier]) for tier in TIERS},
        reports=reports,
        enrolment=enrolment,
        privacy=privacy,
        first_contact=first_contact,
        approvals=approvals,
        console=console,
        alerts=alerts,
    )


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
