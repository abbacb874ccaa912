"""Checking what staff typed for a new complaint, before anything is saved."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidInput
from domain.money import parse_yuan
from domain.phones import normalise_phone
from domain.policy import Policy


@dataclass(frozen=True)
class IntakeForm:
    """A validated complaint, ready to triage and save."""

    text: str
    channel: str = "desk"
    customer_name: str | None = None
    customer_phone: str | None = None
    member_tier: str = "none"
    customers: int = 1
    product_name: str | None = None
    product_sku: str | None = None
    amount_paid_fen: int | None = None


def clean_text(value: object, field: str, max_chars: int, required: bool) -> str | None:
    """Normalise a free-text field: strip, drop control characters, check length.

    Emoji, quotes and SQL are ordinary text here; only control characters (which break
    receipts and terminals) are removed.
    """
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    else:
        raise InvalidInput("input.not_text", field=field)
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    ).strip()
    if not text:
        if required:
            raise InvalidInput("input.empty", field=field)
        return None
    if len(text) > max_chars:
        raise InvalidInput("input.too_long", field=field, length=len(text), max=max_chars)
    return text


def parse_intake(data: Mapping[str, Any], policy: Policy) -> IntakeForm:
    """Validate a complaint given as JSON-like data (see ``kesu ticket add``)."""
    if not isinstance(data, Mapping):
        raise InvalidInput("input.not_object")
    limits = policy.intake
    max_text = limits.max_text_chars
    max_name = limits.max_name_chars
    max_customers = limits.max_customers
    text = clean_text(data.get("text"), "text", max_text, required=True)
    assert text is not None
    channel = data.get("channel") or "desk"
    if channel not in policy.channels:
        raise InvalidInput("input.bad_choice", field="channel", value=str(channel),
                           choices=", ".join(policy.channels))
    customer = data.get("customer") or {}
    if not isinstance(customer, Mapping):
        raise InvalidInput("input.not_object", field="customer")
    tier = customer.get("member_tier") or data.get("member_tier") or "none"
    if tier not in policy.member_tiers:
        raise InvalidInput("input.bad_choice", field="member_tier", value=str(tier),
                           choices=", ".join(policy.member_tiers))
    customers = data.get("customers", 1)
    if isinstance(customers, bool) or not isinstance(customers, int) or not (
        1 <= customers <= max_customers
    ):
        raise InvalidInput("input.bad_customers", value=str(customers), max=max_customers)
    product = data.get("product") or {}
    if not isinstance(product, Mapping):
        raise InvalidInput("input.not_object", field="product")
    paid = data.get("amount_paid")
    return IntakeForm(
        text=text,
        channel=str(channel),
        customer_name=clean_text(customer.get("name"), "customer.name", max_name, False),
        customer_phone=normalise_phone(customer.get("phone")),
        member_tier=str(tier),
        customers=customers,
        product_name=clean_text(product.get("name"), "product.name", 100, False),
        product_sku=clean_text(product.get("sku"), "product.sku", 40, False),
        amount_paid_fen=None if paid in (None, "") else parse_yuan(
            paid, "amount_paid", policy.compensation.max_amount_fen),
    )
