"""The event schema shared by desk and centre (domain.event_schema)."""

from __future__ import annotations

from typing import Any

import pytest

from domain import event_schema
from domain.event_schema import (
    InvalidEvent,
    SchemaError,
    canonical_payload,
    check_event,
    check_payload,
)
from domain.events import event_hash
from domain.ids import uuid7


def _event(payload: Any, **changes: Any) -> dict[str, Any]:
    e: dict[str, Any] = {
        "event_id": uuid7(), "ticket_id": uuid7(), "type": "note_added",
        "payload": payload if isinstance(payload, str) else canonical_payload(payload),
        "actor": "d1", "device_id": "dev-1", "device_seq": 1,
        "hlc": "001795320000000.00000", "occurred_at": "2026-11-22T02:00:00.000Z",
        "policy_version": "2026.11.1", "schema_version": 1, "prev_hash": "0" * 64,
    }
    e.update(changes)
    e["hash"] = event_hash(e)
    return e


def test_a_good_event_passes_and_gives_its_payload() -> None:
    assert check_event(_event({"text": "你好"})) == {"text": "你好"}


@pytest.mark.parametrize("payload, changes", [
    ("not json", {}), ("[]", {}), ("1" * 400, {}), ("1" * 5000, {}), ('{"text":NaN}', {}),
    ("[" * 50_000 + "]" * 50_000, {}), ('{"text":"a","text":"b"}', {}),
    ('{"text": "a"}', {}), ({"text": ""}, {}), ({"text": "a", "x": 1}, {}),
    ({"text": "a"}, {"hlc": "not-a-clock"}), ({"text": "a"}, {"hlc": "999999999999999.00000"}),
    ({"text": "a"}, {"occurred_at": "2026-13-01T00:00:00Z"}), ({"text": "a"}, {"event_id": "e1"}),
    ({"text": "a"}, {"type": "unheard_of"}), ({"text": "a"}, {"schema_version": 2}),
    ('{"text":"\\ud800"}', {}),
])
def test_what_no_desk_or_centre_may_store(payload: Any, changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidEvent):
        check_event(_event(payload, **changes))


def test_triage_and_reasons_may_gain_keys_other_payloads_may_not() -> None:
    triage = {"category": "product", "subcategory": "spoiled", "level": 1, "flags": [],
              "department": "quality", "departments": ["quality"],
              "respond_within_minutes": 60,
              "reasons": [{"rule": "kw", "detail": "过期", "weight": 0.8}],
              "model": {"name": "bigram", "score": 0.91}}
    payload = {"number": "XT01-D2-20261122-0001", "store_code": "XT01", "desk_code": "D2",
               "channel": "desk", "text": "酸奶过期了", "triage": triage,
               "due_at": "2026-11-22T03:00:00.000Z"}
    check_payload("ticket_created", payload)
    with pytest.raises(SchemaError) as refused:
        check_payload("ticket_created", {**payload, "surprise": 1})
    assert refused.value.path == "payload.surprise"
    with pytest.raises(SchemaError):
        check_payload("ticket_created", {**payload, "number": "XT02-D2-2026-1"})
    with pytest.raises(SchemaError):
        check_payload("ticket_created", {**payload, "triage": {**triage, "level": 4}})


def test_patterns_mean_what_a_json_schema_validator_reads() -> None:
    assert event_schema.CODE_RE.search("XT01")
    assert not event_schema.CODE_RE.search("XT01\n")  # Python's $ would allow it
    assert event_schema.ecma(event_schema.CODE_RE) == "^[A-Z0-9]{1,8}$"
    assert not event_schema.NONBLANK_RE.search(" \t\u3000\x01")
