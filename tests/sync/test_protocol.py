"""The wire protocol: validation and the hash shared with the desk's event log."""

from __future__ import annotations

from typing import Any

import pytest

from domain.events import event_hash
from sync.protocol import ProtocolViolation, check_pull, check_push


def _event(seq: int = 1, **changes: Any) -> dict[str, Any]:
    e: dict[str, Any] = {
        "event_id": f"e{seq}", "ticket_id": "t1", "type": "note_added",
        "payload": '{"text":"你好"}', "actor": "d1", "device_id": "dev", "device_seq": seq,
        "hlc": "000000000000001.00000", "occurred_at": "2026-11-22T02:00:00.000Z",
        "policy_version": "p1", "schema_version": 1, "prev_hash": "0" * 64,
    }
    e.update(changes)
    e["hash"] = event_hash(e)
    return e


def test_push_must_be_one_device_consecutive() -> None:
    ok = check_push({"protocol": 1, "device_id": "dev", "first_seq": 1,
                     "events": [_event(1), _event(2)]})
    assert [e["device_seq"] for e in ok["events"]] == [1, 2]
    bad_bodies: list[Any] = [
        [], {"device_id": "dev", "first_seq": 1, "events": []},
        {"device_id": "dev", "first_seq": 1, "events": [_event(1), _event(3)]},
        {"device_id": "dev", "first_seq": 2, "events": [_event(1)]},
        {"device_id": "other", "first_seq": 1, "events": [_event(1)]},
        {"device_id": "dev", "first_seq": True, "events": [_event(1)]},
        {"device_id": "dev", "first_seq": 1, "events": [_event(1, device_seq="1")]},
        {"device_id": "dev", "first_seq": 1, "events": [_event(1, payload={"a": 1})]},
        {"device_id": "dev", "first_seq": 1, "events": [_event(i) for i in range(1, 502)]},
    ]
    for body in bad_bodies:
        with pytest.raises(ProtocolViolation):
            check_push(body)


def test_pulled_events_need_a_server_seq() -> None:
    page = {"events": [{**_event(), "server_seq": 7}], "cursor": 7, "epoch": "e", "more": True}
    assert check_pull(page)["events"][0]["server_seq"] == 7
    with pytest.raises(ProtocolViolation):
        check_pull({"events": [_event()], "cursor": 7, "epoch": "e"})
    with pytest.raises(ProtocolViolation):
        check_pull({"events": [], "epoch": "e"})
