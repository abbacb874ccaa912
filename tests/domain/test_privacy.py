"""Where a phone number shows in full: policy data, customer-facing places always masked."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from domain.errors import PolicyInvalid
from domain.policy import load_policy, parse_policy
from domain.privacy import CUSTOMER_FACING, SURFACES, PrivacyPolicy

DOC: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "resources" / "policy" / "default.json").read_text("utf-8"))


def _with(**privacy: object) -> dict[str, Any]:
    doc = copy.deepcopy(DOC)
    doc["privacy"] = privacy
    return doc


def test_the_shipped_policy_shows_handling_staff_the_full_number_on_the_ticket() -> None:
    privacy = load_policy().privacy
    assert privacy.phone_text("13812345678", "ticket_view", "desk") == "13812345678"
    assert privacy.phone_text("13812345678", "ticket_view", "manager") == "13812345678"
    assert privacy.phone_text("13812345678", "ticket_view", "cashier") == "138****5678"
    assert privacy.phone_text("13812345678", "ticket_view", None) == "138****5678"
    for surface in ("queue", "customer_history", *CUSTOMER_FACING):
        assert privacy.phone_text("13812345678", surface, "manager") == "138****5678"
    assert privacy.phone_text("13812345678", "a place nobody listed", "manager") == (
        "138****5678")
    assert privacy.phone_text(None, "ticket_view", "desk") is None


def test_the_policy_decides_where_to_mask() -> None:
    privacy = parse_policy(_with(full_phone_roles=["manager"],
                                 mask_phone_in=["receipt", "progress_page"])).privacy
    assert privacy.shows_full_phone("queue", "manager")
    assert not privacy.shows_full_phone("queue", "desk")
    masked_everywhere = parse_policy(_with(mask_phone_in=list(SURFACES))).privacy
    assert not any(masked_everywhere.shows_full_phone(s, "manager") for s in SURFACES)


def test_older_documents_without_the_section_get_the_defaults() -> None:
    doc = copy.deepcopy(DOC)
    doc.pop("privacy", None)
    assert parse_policy(doc).privacy == PrivacyPolicy()
    assert parse_policy(_with()).privacy == PrivacyPolicy()


@pytest.mark.parametrize(("privacy", "path"), [
    ({"mask_phone_in": ["queue"]}, "privacy.mask_phone_in"),  # receipts unmasked: refused
    ({"mask_phone_in": ["receipt"]}, "privacy.mask_phone_in"),
    ({"mask_phone_in": ["receipt", "progress_page", "wall"]}, "privacy.mask_phone_in"),
    ({"full_phone_roles": ["janitor"]}, "privacy.full_phone_roles"),
    ({"full_phone_roles": "desk"}, "privacy.full_phone_roles"),
])
def test_bad_sections_are_refused_with_their_path(privacy: dict[str, Any], path: str) -> None:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(_with(**privacy))
    assert caught.value.params["path"] == path
    doc = copy.deepcopy(DOC)
    doc["privacy"] = ["receipt"]
    with pytest.raises(PolicyInvalid):
        parse_policy(doc)
