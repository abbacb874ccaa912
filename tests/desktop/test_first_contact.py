"""First-contact resolution (首问解决): closing a complaint settled on the spot.

The rules: only from 受理, only levels and subcategories the policy lists, never level 1
(whatever the policy says), never when a compensation needed approval, by desk staff or
managers, with a note. The event is the shared schema's, so the centre accepts it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from desktop import ticket_actions as handling
from desktop.compensation import compensate
from desktop.desk import Desk, install_policy_document
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.errors import InvalidInput, PermissionDenied, PolicyInvalid, TransitionRefused
from domain.event_schema import check_event
from domain.lifecycle import allowed_actions
from domain.policy import FirstContactPolicy, load_policy, parse_policy
from local_db import eventlog, store
from tests.desktop.cli_runner import run_kesu, setup_desk

LEVEL3 = "请问你们几点关门"                       # policy / promotion, level 3
LEVEL2 = "收银员态度很差，问她问题不理人还翻白眼"  # service / attitude, level 2
LEVEL1 = "昨天买的酸奶打开就是臭的，已经变质了"    # product / spoiled, level 1
SAFETY3 = "地面很滑差点摔倒，希望处理"             # environment / safety, level 3
NOTE = "已当场答复顾客营业时间，顾客表示满意"


def _policy_with(desk: Desk, **first_contact: Any) -> None:
    doc = copy.deepcopy(desk.policy.raw)
    doc["policy_version"] = desk.policy.version + "-fcr"
    doc["first_contact"] = first_contact
    install_policy_document(desk, doc)


def _ticket(desk: Desk, staff: Staff, text: str) -> str:
    return create_ticket(desk, staff, {"text": text}).ticket.id


def test_a_level3_question_is_closed_at_first_contact(desk, staff) -> None:
    tid = _ticket(desk, staff["d1"], LEVEL3)
    closed = handling.resolve_first_contact(desk, staff["d1"], tid, NOTE)
    assert closed.status == "closed" and closed.closed_at is not None
    # Closing on the spot is the first response too: the response clock stops.
    assert closed.first_response_at == closed.closed_at
    assert closed.handler == "d1"  # who settled it handled it
    events = eventlog.events_for_ticket(desk.conn, tid)
    last = events[-1]
    assert last.type == "status_changed"
    assert last.payload == {"from": "accepted", "to": "closed", "first_contact": True,
                            "note": NOTE}
    # The whole stored event passes the schema the centre checks pushes with.
    check_event(_stored(desk, last.event_id))
    assert store.check(desk.conn) == []
    # The follow-up of a closed ticket goes on as usual: rate, and reopen if unhappy.
    rated = handling.rate(desk, staff["d2"], tid, 5)
    assert rated.status == "rated"
    assert handling.reopen(desk, staff["d1"], tid, "顾客又来问").status == "rectifying"


def _stored(desk: Desk, event_id: str) -> dict[str, Any]:
    row = desk.conn.execute("SELECT * FROM events WHERE event_id = ?", (event_id,)).fetchone()
    return dict(row)


def test_a_level2_complaint_of_an_allowed_subcategory_may_close_at_first_contact(
        desk, staff) -> None:
    tid = _ticket(desk, staff["m1"], LEVEL2)
    assert handling.resolve_first_contact(desk, staff["m1"], tid, "店长当面致歉").status == "closed"


@pytest.mark.parametrize("levels", [[2, 3], [1, 2, 3], [1]])
def test_level1_is_never_closed_at_first_contact_whatever_the_policy_says(
        desk, staff, levels) -> None:
    _policy_with(desk, levels=levels)
    tid = _ticket(desk, staff["d1"], LEVEL1)
    with pytest.raises(TransitionRefused) as info:
        handling.resolve_first_contact(desk, staff["d1"], tid, NOTE)
    assert info.value.code == "fcr.level_one"
    assert "first_contact" not in allowed_actions(
        handling.get_ticket(desk, tid), staff["d1"], first_contact=desk.policy.first_contact)
    assert eventlog.events_for_ticket(desk.conn, tid)[-1].type != "status_changed"


def test_the_policy_decides_the_levels(desk, staff) -> None:
    _policy_with(desk, levels=[3])
    tid = _ticket(desk, staff["d1"], LEVEL2)
    with pytest.raises(TransitionRefused) as info:
        handling.resolve_first_contact(desk, staff["d1"], tid, NOTE)
    assert info.value.code == "fcr.level_not_allowed"
    assert info.value.params["allowed"] == "3"
    ok = _ticket(desk, staff["d1"], LEVEL3)
    assert handling.resolve_first_contact(desk, staff["d1"], ok, NOTE).status == "closed"


def test_the_policy_decides_the_subcategories(desk, staff) -> None:
    # The shipped policy keeps safety (and counterfeit, spoiled, foreign objects) in the loop.
    tid = _ticket(desk, staff["d1"], SAFETY3)
    with pytest.raises(TransitionRefused) as info:
        handling.resolve_first_contact(desk, staff["d1"], tid, NOTE)
    assert info.value.code == "fcr.subcategory_not_allowed"
    assert info.value.params["subcategory"] == "安全"  # its name, not the code
    _policy_with(desk, levels=[2, 3], subcategories=["safety"])
    assert handling.resolve_first_contact(desk, staff["d1"], tid, NOTE).status == "closed"
    other = _ticket(desk, staff["d1"], LEVEL3)  # promotion is not listed now
    with pytest.raises(TransitionRefused):
        handling.resolve_first_contact(desk, staff["d1"], other, NOTE)


def test_only_a_ticket_still_accepted_closes_at_first_contact(desk, staff) -> None:
    tid = _ticket(desk, staff["d1"], LEVEL3)
    handling.advance(desk, staff["d1"], tid, "rectifying")
    with pytest.raises(TransitionRefused) as info:
        handling.resolve_first_contact(desk, staff["d1"], tid, NOTE)
    assert info.value.code == "fcr.not_accepted"


def test_a_contact_before_closing_is_still_first_contact(desk, staff) -> None:
    tid = _ticket(desk, staff["d1"], LEVEL3)
    handling.contact_customer(desk, staff["d1"], tid, "in_person", "当面解释")
    assert handling.resolve_first_contact(desk, staff["d1"], tid, NOTE).status == "closed"


def test_a_refund_within_the_own_limit_may_close_at_first_contact(desk, staff) -> None:
    tid = _ticket(desk, staff["d1"], LEVEL2)
    assert compensate(desk, staff["d1"], tid, amount="20", kind="refund").status == "granted"
    assert handling.resolve_first_contact(desk, staff["d1"], tid, "退款20元").status == "closed"


@pytest.mark.parametrize("approved_on_the_spot", [True, False])
def test_a_compensation_that_needed_approval_keeps_the_ticket_in_the_loop(
        desk, staff, approved_on_the_spot) -> None:
    tid = _ticket(desk, staff["d1"], LEVEL2)
    if approved_on_the_spot:
        out = compensate(desk, staff["d1"], tid, amount="600", kind="cash",
                         approver_id="m1", approver_pin="9999")
        assert out.status == "granted"
    else:
        assert compensate(desk, staff["d1"], tid, amount="600",
                          kind="cash").status == "pending_approval"
    with pytest.raises(TransitionRefused) as info:
        handling.resolve_first_contact(desk, staff["d1"], tid, NOTE)
    assert info.value.code == "fcr.compensation_approval"
    assert "first_contact" not in allowed_actions(
        handling.get_ticket(desk, tid), staff["d1"], first_contact=desk.policy.first_contact,
        approvals_needed=handling.approvals_needed(desk, tid))


def test_a_cashier_may_not_close_and_a_note_is_required(desk, staff) -> None:
    tid = _ticket(desk, staff["c1"], LEVEL3)
    with pytest.raises(PermissionDenied):
        handling.resolve_first_contact(desk, staff["c1"], tid, NOTE)
    with pytest.raises(InvalidInput):
        handling.resolve_first_contact(desk, staff["d1"], tid, "   ")
    assert handling.get_ticket(desk, tid).status == "accepted"


def test_allowed_actions_offer_first_contact_only_when_it_would_succeed(desk, staff) -> None:
    tid = _ticket(desk, staff["d1"], LEVEL3)
    ticket = handling.get_ticket(desk, tid)
    policy = desk.policy.first_contact
    assert "first_contact" in allowed_actions(ticket, staff["d1"], first_contact=policy)
    assert "first_contact" not in allowed_actions(ticket, staff["c1"], first_contact=policy)
    assert "first_contact" not in allowed_actions(ticket, staff["d1"])  # no policy given


def test_policy_first_contact_section_is_checked() -> None:
    base = load_policy().raw
    assert parse_policy({k: v for k, v in base.items() if k != "first_contact"}
                        ).first_contact == FirstContactPolicy()
    for bad in ({"levels": [4]}, {"levels": "2"}, {"levels": [True]},
                {"subcategories": ["no_such_thing"]}, {"subcategories": "all"}):
        doc = copy.deepcopy(base)
        doc["first_contact"] = bad
        with pytest.raises(PolicyInvalid) as info:
            parse_policy(doc)
        assert info.value.params["path"].startswith("first_contact")
    shipped = load_policy().first_contact
    assert shipped.levels == (2, 3)
    assert shipped.subcategories is not None and "safety" not in shipped.subcategories


def test_kesu_ticket_resolve(tmp_path: Path) -> None:
    db = tmp_path / "kesu.db"
    setup_desk(db)
    made = run_kesu(db, "ticket", "add", "--actor", "d1",
                    stdin='{"text": "请问你们几点关门"}').json()
    out = run_kesu(db, "ticket", "show", made["number"], "--actor", "d1").json()
    assert "first_contact" in out["allowed_actions"]
    done = run_kesu(db, "ticket", "resolve", made["number"], "--actor", "d1", "--note", NOTE)
    assert done.code == 0, done.err
    assert done.json()["status"] == "closed"
    shown = run_kesu(db, "ticket", "show", made["number"]).json()
    assert shown["timeline"][-1]["payload"]["first_contact"] is True
    urgent = run_kesu(db, "ticket", "add", "--actor", "d1",
                      stdin='{"text": "昨天买的酸奶打开就是臭的，已经变质了"}').json()
    refused = run_kesu(db, "ticket", "resolve", urgent["number"], "--actor", "d1",
                       "--note", NOTE, lang="en")
    assert refused.code == 2
    assert "level 1" in refused.err and "first contact" in refused.err
