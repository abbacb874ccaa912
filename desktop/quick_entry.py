"""The cashier's quick entry: one call records a checkout complaint in one transaction.

The cashier picks the category (a number key), types a short note and maybe a phone and
a small compensation. Triage still reads the note; when it sees another category, the
cashier's choice wins, and the change is recorded as a triage correction naming the
cashier, so nobody's judgement is lost silently. The level never drops below triage's.

The ticket, the correction and the compensation are saved in ONE SQLite transaction
(the core's ``transaction`` joins an outer one): either the whole entry is saved or
nothing is, so a retry after a failure never makes a second ticket. An amount above the
cashier's own limit does not stop the save: the complaint is saved and the compensation
is requested for approval, exactly as ``kesu compensate`` does (a manager, or
headquarters above the manager's limit or the store's daily cap); the window says so.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from desktop.compensation import Outcome, compensate
from desktop.desk import Desk
from desktop.i18n import current_language, tr
from desktop.staff import Staff
from desktop.ticket_actions import correct_triage
from desktop.tickets import CreatedTicket, prepare_ticket, save_ticket
from domain.errors import InvalidInput
from domain.fold import TicketState
from domain.money import format_yuan, parse_yuan
from domain.phones import normalise_phone
from domain.policy import Policy
from local_db.connection import transaction

CHANNEL = "checkout"


@dataclass(frozen=True)
class QuickEntry:
    """What the cashier typed: a category (policy key), a note, optional phone and money.

    ``amount`` is in yuan as typed (``"20"``, ``"12.5"``); blank or ``None`` means no
    compensation. ``kind`` defaults to :func:`default_kind`.
    """

    category: str
    note: str
    phone: str | None = None
    amount: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class QuickResult:
    """The saved entry: the ticket as it stands, and what the window should say about it."""

    ticket: TicketState
    created: CreatedTicket
    outcome: Outcome | None  # the compensation decision, when an amount was given
    triaged_category: str  # what triage chose from the note
    triaged_subcategory: str

    @property
    def corrected(self) -> bool:
        """Triage saw another category and the cashier's choice was recorded over it."""
        return self.triaged_category != self.ticket.category


def categories(policy: Policy) -> list[str]:
    """The policy's categories in policy order: number key *n* picks the *n*-th."""
    return list(policy.categories)


def default_kind(policy: Policy) -> str:
    """The compensation kind of a quick entry: the policy's ``quick_entry.default_kind``
    when it has one, else its first kind (refund in the default policy)."""
    return policy.quick_entry.default_kind


def limit_fen(policy: Policy, actor: Staff) -> int:
    """What *actor* may grant on a ticket without approval (the cashier's 200 yuan)."""
    return policy.compensation.role_limits_fen[actor.role]


def parse_amount(policy: Policy, actor: Staff, amount: str | None) -> int | None:
    """The compensation in fen, ``None`` when blank; refuses zero and bad amounts (and
    those above the policy's ``max_amount_fen``). An amount above *actor*'s own limit is
    accepted: it will wait for approval (:func:`over_limit`).

    Also used by the window to check the field as the cashier leaves it.
    """
    if amount is None or not amount.strip():
        return None
    fen = parse_yuan(amount, "amount", policy.compensation.max_amount_fen)
    if fen <= 0:
        raise InvalidInput("input.amount_zero", field="amount")
    return fen


def over_limit(policy: Policy, actor: Staff, fen: int | None) -> bool:
    """Whether *fen* is above what *actor* may grant without approval."""
    return fen is not None and fen > limit_fen(policy, actor)


def _label(policy: Policy, category: str) -> str:
    # The correction's reason is stored text shown on the timeline: words, not keys.
    return policy.category_label(category, current_language() == "en")


def best_subcategory(policy: Policy, category: str, text: str) -> str:
    """The subcategory of *category* whose policy words the note matches best.

    A light echo of triage's scoring (distinct words, weighted by tier) restricted to
    one category; with no word matched, the category's first subcategory. It only has
    to choose within the cashier's category, so the normalisation is NFKC + lower case.
    """
    subcategories = policy.categories[category].subcategories
    folded = unicodedata.normalize("NFKC", text).lower()
    best: str = next(iter(subcategories))
    best_score = 0.0
    for sub, info in subcategories.items():
        score = 0.0
        seen: set[str] = set()
        for tier, words in info.words.items():
            for raw in words:
                word = unicodedata.normalize("NFKC", raw.rstrip("*")).lower()
                if word and word not in seen and word in folded:
                    seen.add(word)
                    score += policy.tier_weights[tier]
        if score > best_score:  # strictly greater: ties keep the policy's order
            best, best_score = str(sub), score
    return best


def validate(desk: Desk, actor: Staff, entry: QuickEntry) -> tuple[int | None, str]:
    """Check the category, phone, amount and kind; return (amount in fen, kind).

    Reads nothing from the database: the window runs it on the GUI thread too.
    """
    cats = categories(desk.policy)
    if entry.category not in cats:
        raise InvalidInput("input.bad_choice", field="category", value=entry.category,
                           choices=", ".join(cats))
    normalise_phone(entry.phone)
    fen = parse_amount(desk.policy, actor, entry.amount)
    kind = entry.kind or default_kind(desk.policy)
    if kind not in desk.policy.compensation.kinds:
        raise InvalidInput("input.bad_choice", field="kind", value=kind,
                           choices=", ".join(desk.policy.compensation.kinds))
    return fen, kind


def record_quick(desk: Desk, actor: Staff, entry: QuickEntry) -> QuickResult:
    """Save a checkout complaint with the cashier's category and optional compensation.

    Everything is checked before anything is written; then the ticket, the triage
    correction (when triage disagreed) and the compensation are one transaction.
    """
    fen, kind = validate(desk, actor, entry)
    draft = prepare_ticket(desk, {"text": entry.note, "channel": CHANNEL,
                                  "customer": {"phone": entry.phone}})
    auto = draft.triage
    with transaction(desk.conn):
        created = save_ticket(desk, actor, draft)
        ticket = created.ticket
        if ticket.category != entry.category:
            sub = best_subcategory(desk.policy, entry.category, draft.form.text)
            # level=None keeps the saved level: the cashier's pick never lowers it.
            ticket = correct_triage(
                desk, actor, ticket.id, category=entry.category, subcategory=sub,
                reason=tr("quick.correction",
                          category=_label(desk.policy, entry.category),
                          triaged=_label(desk.policy, auto.category)),
            )
        outcome = None
        if fen is not None:
            # Above the cashier's limit the limit rules make it a request waiting for a
            # manager (or headquarters): the complaint is saved all the same.
            outcome = compensate(desk, actor, ticket.id, amount=format_yuan(fen), kind=kind)
            ticket = outcome.ticket
    return QuickResult(ticket, created, outcome, auto.category, auto.subcategory)
