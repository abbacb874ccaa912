"""What the console's ticket page and queue show of a ticket, in the user's language.

Labels come from the policy (categories, channels, level names) or the console's
messages (statuses, rungs, event types, compensation kinds); the timeline and the
conflicts are read from the centre's fold (:func:`sync.server.hq.view`), stepping
through it with the desks' own :func:`domain.fold.apply`, so a conflict is named by the
same rule that marks it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.centre_approvals import centre_decider, may_decide
from domain.events import event_from_row
from domain.fold import FINAL_STATES, TicketState, apply
from domain.lifecycle import FORWARD
from domain.money import format_yuan
from domain.policy import Policy
from sync.server.console import i18n
from sync.server.console.auth import Principal
from sync.server.hq import HQ_TARGETS, CentreView

NOTE_ROLES = ("agent", "regional", "hq")
STATUS_ROLES = ("regional", "hq")


class Labels:
    """The words of domain values in one language."""

    def __init__(self, policy: Policy, lang: str) -> None:
        self.policy, self.lang, self.english = policy, lang, lang == "en"

    def t(self, key: str, **params: Any) -> str:
        """A console message."""
        return i18n.t(key, self.lang, **params)

    def _or_code(self, key: str, code: str) -> str:
        return i18n.word(key, self.lang, code)

    def status(self, status: str) -> str:
        """受理, 整改 … / Accepted, Rectifying …"""
        return self._or_code(f"queue.status.{status}", status)

    def level(self, level: int) -> str:
        """The policy's name of *level*, else 一级 / Level 1."""
        return self.policy.level_name(level, self.english) or self._or_code(
            f"queue.level.{level}", str(level))

    def channel(self, channel: str) -> str:
        """服务台, 400电话 … from the policy."""
        return self.policy.channel_label(channel, self.english)

    def problem(self, category: str, subcategory: str) -> str:
        """商品 / 变质过期 from the policy."""
        return self.policy.problem_label(category, subcategory, self.english)

    def rung(self, step: int) -> str:
        """The escalation ladder's role at *step* (0: the handler)."""
        ladder = self.policy.escalation_ladder
        role = ladder[min(max(step, 0), len(ladder) - 1)]
        return self._or_code(f"queue.rung.{role}", role)

    def kind(self, kind: str) -> str:
        """退款, 换货 … for a compensation kind."""
        return self._or_code(f"ticket.kind.{kind}", kind)

    def actor(self, actor: str) -> str:
        """Who wrote an event, readably: 总部 · 王总, 渠道 · 400电话, 门店员工 · c1."""
        role, sep, name = actor.partition(":")
        if sep and role in ("hq", "regional", "agent"):
            return f"{self.t('ticket.actor.' + role)} · {name}"
        if sep and role == "channel":
            return f"{self.t('ticket.actor.channel')} · {self.channel(name)}"
        if sep and role == "system":
            return self.t("ticket.actor.system")
        return f"{self.t('ticket.actor.staff')} · {actor}"


@dataclass(frozen=True)
class TimelineLine:
    """One event of the ticket, as the page lists it."""

    occurred_at: str
    who: str
    what: str
    detail: str
    type: str


@dataclass(frozen=True)
class Conflict:
    """A status change that was made from another state than the ticket had."""

    occurred_at: str
    text: str


def _detail(type_: str, p: Mapping[str, Any], labels: Labels) -> str:
    if type_ == "status_changed":
        return labels.t("ticket.detail.status", frm=labels.status(str(p.get("from"))),
                        to=labels.status(str(p.get("to")))) + (
            f" · {p['note']}" if p.get("note") else "")
    if type_ == "note_added" or type_ == "customer_contacted":
        return str(p.get("text") or p.get("note") or "")
    if type_ == "triaged" and isinstance(p.get("level"), int):
        return labels.t("ticket.detail.level", level=labels.level(int(p["level"])))
    if type_ == "escalated" and isinstance(p.get("step"), int):
        return labels.t("ticket.detail.rung", step=p["step"], rung=labels.rung(int(p["step"])))
    if type_ in ("compensation_granted", "compensation_requested", "compensation_refused"):
        amount = p.get("amount_fen")
        money = format_yuan(amount) if isinstance(amount, int) else ""
        return f"{labels.kind(str(p.get('kind')))} {money}".strip()
    if type_ == "compensation_decided":
        decision = labels.t("ticket.detail.decided.approved" if p.get("decision") == "approved"
                            else "ticket.detail.decided.refused")
        return decision + (f" · {p['note']}" if p.get("note") else "")
    if type_ == "rated" and isinstance(p.get("score"), int):
        return labels.t("ticket.detail.score", score=p["score"])
    return ""


def timeline(view: CentreView, labels: Labels) -> tuple[list[TimelineLine], list[Conflict]]:
    """Every event of the ticket in fold order, and the conflicts the fold marked."""
    lines: list[TimelineLine] = []
    conflicts: list[Conflict] = []
    state: TicketState | None = None
    for row in view.events:
        type_ = str(row["type"])
        try:
            payload = json.loads(str(row["payload"]))
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        key = f"ticket.event.{type_}"
        what = labels.t(key) if key in i18n.catalogue() else labels.t("ticket.event.other")
        who = labels.actor(str(row["actor"]))
        lines.append(TimelineLine(str(row["occurred_at"]), who, what,
                                  _detail(type_, payload, labels), type_))
        before = state
        try:
            state = apply(state, event_from_row(row))
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            continue  # an unreadable event is listed, and left out of the fold as at hq
        if (type_ == "status_changed" and before is not None
                and payload.get("from") != before.status):
            conflicts.append(Conflict(str(row["occurred_at"]), labels.t(
                "ticket.conflict.line", who=who, frm=labels.status(str(payload.get("from"))),
                to=labels.status(str(payload.get("to"))), was=labels.status(before.status))))
    return lines, conflicts


def status_targets(status: str) -> tuple[str, ...]:
    """Where the centre may move a ticket in *status* from its page: the loop's next
    steps (:data:`domain.lifecycle.FORWARD`) that a centre status change may name."""
    if status in FINAL_STATES:
        return ()
    return tuple(s for s in FORWARD.get(status, ()) if s in HQ_TARGETS)


@dataclass(frozen=True)
class Line:
    """One compensation line on the page, with who may decide it here."""

    id: str
    kind: str
    amount_fen: int
    status: str
    requested_by: str
    approval_level: str | None
    created_at: str
    pending: bool
    decider: str | None  # "regional" | "hq" for a line waiting at the centre
    may_decide: bool


def lines(view: CentreView, principal: Principal, ticket_region: str | None,
          regional_limit_fen: int, labels: Labels) -> list[Line]:
    """The ticket's compensation lines; a line waiting at the centre says who decides it
    (:func:`domain.centre_approvals.centre_decider`) and whether *principal* may."""
    out: list[Line] = []
    for c in view.compensations:
        waiting = c.status == "pending_approval" and c.approval_level == "hq"
        out.append(Line(
            c.id, c.kind, c.amount_fen, c.status, labels.actor(c.requested_by),
            c.approval_level, c.created_at, waiting,
            centre_decider(c.amount_fen, regional_limit_fen) if waiting else None,
            waiting and may_decide(principal.role, principal.region, ticket_region,
                                   c.amount_fen, regional_limit_fen)))
    return out


def phone_text(policy: Policy, phone: str | None, role: str) -> str | None:
    """The customer's phone as a console *role* may see it on a ticket: the policy's
    shared rule (:class:`domain.privacy.PrivacyPolicy`), which masks it for every role
    but the store's handling staff."""
    return policy.privacy.phone_text(phone, "ticket_view", role)


def api_ticket(view: CentreView, store: str, region: str | None, policy: Policy,
               principal: Principal, labels: Labels) -> dict[str, Any]:
    """The ticket as ``/console/api/tickets/{id}`` answers it (the phone masked)."""
    t = view.ticket
    tl, conflicts = timeline(view, labels)
    return {
        "ticket_id": t.id, "number": t.number, "store": store, "region": region,
        "level": t.level, "status": t.status, "channel": t.channel,
        "category": t.category, "subcategory": t.subcategory, "text": t.text,
        "customer_phone": phone_text(policy, t.customer_phone, principal.role),
        "product_name": t.product_name, "amount_paid_fen": t.amount_paid_fen,
        "created_at": t.created_at, "due_at": t.due_at,
        "first_response_at": t.first_response_at, "escalation_step": t.escalation_step,
        "conflict": t.conflict,
        "timeline": [{"occurred_at": x.occurred_at, "who": x.who, "type": x.type,
                      "what": x.what, "detail": x.detail} for x in tl],
        "conflicts": [{"occurred_at": c.occurred_at, "text": c.text} for c in conflicts],
        "compensations": [
            {"compensation_id": c.id, "kind": c.kind, "amount_fen": c.amount_fen,
             "status": c.status, "approval_level": c.approval_level,
             "requested_by": c.requested_by, "decider": c.decider,
             "may_decide": c.may_decide}
            for c in lines(view, principal, region,
                           policy.compensation.regional_limit_fen, labels)],
    }


def excerpt(text: str, limit: int = 60) -> str:
    """The start of a complaint for a queue row."""
    return text if len(text) <= limit else text[:limit - 1] + "…"

