"""The ticket actions build the payloads every writer stores: one rule, checked here
without a database (the desk's and the centre's own tests check that they use it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from domain import event_schema
from domain.actions.creation import level_notification, new_verify_code, ticket_created
from domain.actions.handling import status_change, voided
from domain.actions.triaged import group_raises, is_raised
from domain.clock import format_time
from domain.events import Event
from domain.fold import TicketState, apply
from domain.intake import IntakeForm
from domain.policy import load_policy
from domain.triage import Reason, TriageResult

POLICY = load_policy()
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _triage(level: int, sub: str = "spoiled", flags: tuple[str, ...] = ()) -> TriageResult:
    return TriageResult(category="product", subcategory=sub, level=level, flags=flags,
                        departments=("quality",),
                        respond_within_minutes=POLICY.target(level).respond_within_minutes,
                        reasons=(Reason("keyword", "变质"),))


def _ticket(number: str, level: int, sub: str = "spoiled") -> TicketState:
    payload = ticket_created(IntakeForm(text="酸奶变质了"), _triage(level, sub),
                             number=number, store_code="S1", desk_code="D1",
                             created_at=NOW, verify_code="123456")
    event_schema.check_payload("ticket_created", payload)
    event = Event(event_id=f"e-{number}", ticket_id=f"t-{number}", type="ticket_created",
                  payload=payload, actor="d1", device_id="dev", device_seq=1,
                  hlc="000000000000001.00000", occurred_at="2026-11-02T02:00:00Z",
                  policy_version="1", schema_version=1, prev_hash="0" * 64, hash="x")
    return apply(None, event)


def test_a_new_ticket_folds_from_its_payload_with_the_channel_reference() -> None:
    payload = ticket_created(IntakeForm(text="热线投诉", channel="hotline"), _triage(2),
                             number="S1-HQ-20261102-0001", store_code="S1",
                             desk_code="HQ", created_at=NOW, verify_code=new_verify_code(),
                             external_id="call-7")
    event_schema.check_payload("ticket_created", payload)
    assert payload["external_id"] == "call-7" and payload["duplicate_candidates"] == []
    due = NOW + timedelta(minutes=POLICY.target(2).respond_within_minutes)
    assert payload["due_at"] == format_time(due)
    assert level_notification(1, []) is None
    assert level_notification(1, ["manager"]) == {"to": ["manager"], "reason": "level_1"}


def test_the_group_raise_lifts_only_open_lower_tickets_of_the_subcategory() -> None:
    lower = _ticket("S1-D1-20261102-0001", 3)
    closed = replace(_ticket("S1-D1-20261102-0002", 3), status="closed")
    other = _ticket("S1-D1-20261102-0003", 3, sub="rude")
    already = _ticket("S1-D1-20261102-0004", 1)
    new = _triage(1, flags=("group",))
    assert [is_raised(t, new) for t in (lower, closed, other, already)] == [
        True, False, False, False]
    raises = group_raises(new, [lower, closed, other, already], POLICY)
    assert [t.id for t, _ in raises] == [lower.id]
    payload = raises[0][1]
    event_schema.check_payload("triaged", payload)
    assert payload["level"] == 1 and "group" in payload["flags"]
    assert payload["reasons"][-1] == {"rule": "group:recent", "detail": "spoiled ×2"}


def test_status_changes_say_review_reopen_and_first_contact() -> None:
    assert status_change("reviewing", "accountability")["review"] == "passed"
    assert status_change("reviewing", "rectifying")["review"] == "returned"
    assert status_change("rated", "rectifying", note="不满意").get("reopen") is True
    assert "reopen" not in status_change("accepted", "rectifying")
    assert "note" not in status_change("accepted", "rectifying", note="")
    closed = status_change("accepted", "closed", note="当场退款", first_contact=True)
    assert closed == {"from": "accepted", "to": "closed", "first_contact": True,
                      "note": "当场退款"}
    with_outcome = status_change("accountability", "closed",
                                 accountability={"outcome": "none"})
    assert with_outcome["accountability"] == {"outcome": "none", "subject": "", "note": ""}
    for payload in (closed, with_outcome):
        event_schema.check_payload("status_changed", payload)
    event_schema.check_payload("voided", voided(_ticket("S1-D1-20261102-0005", 2), "录错"))
