"""The words and colours the windows show for domain values, in the current language.

States, roles and error messages come from the core's catalogues (the command line says
the same words); categories and channels come from the policy (labels in both languages);
the rest are UI strings translated with Qt's tools.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from desktop.i18n import tr as core_tr
from domain.clock import wall_clock_text
from domain.errors import KesuError
from domain.policy import Policy
from local_db.errors import StoreError

# Level colours: red, yellow, blue (domain.md), as background and readable foreground.
LEVEL_COLOURS = {1: "#d93025", 2: "#f9ab00", 3: "#1a73e8"}
LEVEL_TEXT_COLOURS = {1: "#ffffff", 2: "#202124", 3: "#ffffff"}
OVERDUE_BACKGROUND = "#fce8e6"


def state_label(status: str, language: str) -> str:
    """受理, 整改 … for a ticket status (English: Accepted, Rectifying …).

    The core's English words are written for the middle of a sentence ("is accepted and
    cannot move"); a status on its own, as in a column or a badge, starts with a capital.
    """
    word = core_tr(f"state.{status}", language)
    return word[:1].upper() + word[1:] if language == "en" else word


def role_label(role: str, language: str) -> str:
    """收银员, 服务台, 店长."""
    return core_tr(f"role.{role}", language)


def level_label(level: int) -> str:
    """一级 / Level 1."""
    return {
        1: QCoreApplication.translate("labels", "Level 1"),
        2: QCoreApplication.translate("labels", "Level 2"),
        3: QCoreApplication.translate("labels", "Level 3"),
    }.get(level, str(level))


def channel_label(policy: Policy, channel: str, language: str) -> str:
    """服务台, 收款台, 400电话 … from the policy."""
    return policy.channel_label(channel, language == "en")


def category_label(policy: Policy, category: str, language: str) -> str:
    """商品, 服务 … from the policy."""
    return policy.category_label(category, language == "en")


def subcategory_label(policy: Policy, subcategory: str, language: str) -> str:
    """质量问题, 变质过期 … from the policy."""
    return policy.subcategory_label(subcategory, language == "en")


def compensation_kind_label(kind: str) -> str:
    """退款, 换货, 赠品 … for a compensation kind."""
    return {
        "refund": QCoreApplication.translate("labels", "Refund"),
        "exchange": QCoreApplication.translate("labels", "Exchange"),
        "gift": QCoreApplication.translate("labels", "Gift"),
        "coupon": QCoreApplication.translate("labels", "Coupon"),
        "cash": QCoreApplication.translate("labels", "Cash"),
        "service_card": QCoreApplication.translate("labels", "Service card"),
        "category_coupon": QCoreApplication.translate("labels", "Category coupon"),
    }.get(kind, kind)


def contact_method_label(method: str) -> str:
    """电话, 当面 … for a contact method."""
    return {
        "phone": QCoreApplication.translate("labels", "Phone"),
        "in_person": QCoreApplication.translate("labels", "In person"),
        "sms": QCoreApplication.translate("labels", "SMS"),
        "wechat": QCoreApplication.translate("labels", "WeChat"),
        "other": QCoreApplication.translate("labels", "Other"),
    }.get(method, method)


def event_label(event_type: str) -> str:
    """What a timeline line says happened."""
    return {
        "ticket_created": QCoreApplication.translate("labels", "Complaint recorded"),
        "triaged": QCoreApplication.translate("labels", "Graded"),
        "assigned": QCoreApplication.translate("labels", "Assigned"),
        "status_changed": QCoreApplication.translate("labels", "Status changed"),
        "note_added": QCoreApplication.translate("labels", "Note"),
        "customer_contacted": QCoreApplication.translate("labels", "Customer contacted"),
        "compensation_requested": QCoreApplication.translate("labels", "Compensation requested"),
        "compensation_granted": QCoreApplication.translate("labels", "Compensation granted"),
        "compensation_decided": QCoreApplication.translate("labels", "Compensation decided"),
        "compensation_refused": QCoreApplication.translate("labels", "Compensation refused"),
        "escalated": QCoreApplication.translate("labels", "Escalated"),
        "rated": QCoreApplication.translate("labels", "Rated"),
        "merged": QCoreApplication.translate("labels", "Merged"),
        "voided": QCoreApplication.translate("labels", "Voided"),
        "notification_raised": QCoreApplication.translate("labels", "Notification"),
        "conflict_resolved": QCoreApplication.translate("labels", "Conflict settled"),
        "alert_acknowledged": QCoreApplication.translate("labels", "Alert acknowledged"),
        "receipt_printed": QCoreApplication.translate("labels", "Receipt printed"),
    }.get(event_type) or QCoreApplication.translate("labels", "Other change")


def error_message(exc: BaseException, language: str) -> str:
    """What went wrong, in the user's language, for any error a job can raise."""
    if isinstance(exc, StoreError):  # a KesuError too: asked first, for its detail
        return core_tr(exc.code, language, **exc.params, detail=exc.detail)
    if isinstance(exc, KesuError):
        return core_tr(exc.code, language, **exc.params)
    if isinstance(exc, sqlite3.DatabaseError):
        return core_tr("store.sqlite", language, detail=str(exc))
    return QCoreApplication.translate("labels", "Unexpected error: %1").replace(
        "%1", f"{type(exc).__name__}: {exc}"
    )


def local_time(moment: datetime | str | None, policy: Policy, fmt: str = "%m-%d %H:%M") -> str:
    """A stored UTC time shown in the store's time zone."""
    if moment is None or moment == "":
        return ""
    return wall_clock_text(moment, policy.timezone, fmt)


def flag_label(flag: str) -> str:
    """食品安全, 人身伤害, 群体投诉 … for a triage risk flag."""
    return {
        "food_safety": QCoreApplication.translate("labels", "Food safety"),
        "injury": QCoreApplication.translate("labels", "Injury"),
        "group": QCoreApplication.translate("labels", "Group complaint"),
        "escalation_risk": QCoreApplication.translate("labels", "Escalation risk"),
        "vip": QCoreApplication.translate("labels", "VIP customer"),
    }.get(flag, flag)


def tier_label(tier: str) -> str:
    """非会员, 银卡, 金卡 … for a member tier."""
    return {
        "none": QCoreApplication.translate("labels", "Not a member"),
        "silver": QCoreApplication.translate("labels", "Silver"),
        "gold": QCoreApplication.translate("labels", "Gold"),
        "platinum": QCoreApplication.translate("labels", "Platinum"),
        "diamond": QCoreApplication.translate("labels", "Diamond"),
    }.get(tier, tier)


def outcome_label(outcome: str) -> str:
    """奖励 / 处罚 / 不奖不罚 for an accountability outcome."""
    return {
        "reward": QCoreApplication.translate("labels", "Reward"),
        "penalty": QCoreApplication.translate("labels", "Penalty"),
        "none": QCoreApplication.translate("labels", "No reward or penalty"),
    }.get(outcome, outcome)


def escalation_label(rung: str) -> str:
    """店长, 区域经理 … for a rung of the escalation ladder (or who is notified)."""
    return {
        "handler": QCoreApplication.translate("labels", "Handler"),
        "store_manager": QCoreApplication.translate("labels", "Store manager"),
        "regional_manager": QCoreApplication.translate("labels", "Regional manager"),
        "general_manager": QCoreApplication.translate("labels", "General manager"),
        "department_head": QCoreApplication.translate("labels", "Department head"),
    }.get(rung, rung)


def compensation_status_label(status: str) -> str:
    """已发放 / 待审批 / 已拒绝."""
    return {
        "granted": QCoreApplication.translate("labels", "Granted"),
        "pending_approval": QCoreApplication.translate("labels", "Waiting for approval"),
        "refused": QCoreApplication.translate("labels", "Refused"),
    }.get(status, status)
