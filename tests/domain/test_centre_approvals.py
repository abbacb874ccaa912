"""Who at the centre decides a request: the split at the regional limit and the scope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.actions.compensation import decide
from domain.centre_approvals import centre_decider, may_decide
from domain.errors import PolicyInvalid
from domain.policy import DEFAULT_REGIONAL_LIMIT_FEN, parse_policy

DEFAULT = Path(__file__).parents[2] / "resources" / "policy" / "default.json"


def test_the_limit_itself_is_the_regional_managers() -> None:
    assert centre_decider(300_000, 300_000) == "regional"
    assert centre_decider(300_001, 300_000) == "hq"
    assert centre_decider(100_001, 300_000) == "regional"


@pytest.mark.parametrize(("role", "own", "ticket", "amount", "expected"), [
    ("hq", None, "华东", 9_000_000, True),
    ("regional", "华东", "华东", 300_000, True),
    ("regional", "华东", "华东", 300_001, False),
    ("regional", "华东", "华南", 1_000, False),
    ("regional", "华东", None, 1_000, False),
    ("regional", None, None, 1_000, False),
    ("agent", None, "华东", 1_000, False),
])
def test_who_may_decide(role: str, own: str | None, ticket: str | None, amount: int,
                        expected: bool) -> None:
    assert may_decide(role, own, ticket, amount, 300_000) is expected


def _doc() -> dict[str, object]:
    return json.loads(DEFAULT.read_text("utf-8"))


def test_the_shipped_policy_carries_the_regional_limit() -> None:
    policy = parse_policy(_doc())
    assert policy.compensation.regional_limit_fen == 300_000


def test_an_older_document_without_it_gets_the_default() -> None:
    doc = _doc()
    del doc["compensation"]["regional_limit_fen"]  # type: ignore[attr-defined]
    assert parse_policy(doc).compensation.regional_limit_fen == DEFAULT_REGIONAL_LIMIT_FEN


@pytest.mark.parametrize("value", [50_000, 0, -1, "3000", 10**12])
def test_a_bad_regional_limit_names_its_path(value: object) -> None:
    doc = _doc()
    doc["compensation"]["regional_limit_fen"] = value  # type: ignore[index]
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(doc)
    assert "compensation.regional_limit_fen" in str(caught.value)


@pytest.mark.parametrize("amount, day_granted, code", [
    (200_000, 0, "comp.above_manager_regional"),
    (300_000, 0, "comp.above_manager_regional"),
    (300_001, 0, "comp.above_manager"),
    (50_000, 499_000, "comp.daily_cap_regional"),
    (450_000, 100_000, "comp.daily_cap"),
])
def test_the_stored_reason_names_who_decides(amount: int, day_granted: int,
                                             code: str) -> None:
    """The desk's words for a request sent up follow the same split as the centre."""
    policy = parse_policy(json.loads(DEFAULT.read_text("utf-8"))).compensation
    decision = decide(policy, role="manager", amount_fen=amount, day_granted_fen=day_granted,
                      customer_grants=0)
    assert decision.status == "pending_approval"
    assert decision.code == code
