"""The closed loop: every legal step, the refusals with reasons, and a stateful property test."""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from desktop import ticket_actions as handling
from desktop.desk import init_desk
from desktop.staff import add_staff
from desktop.tickets import create_ticket, get_ticket
from domain.clock import FixedClock
from domain.errors import InvalidInput, KesuError, PermissionDenied, TransitionRefused
from domain.lifecycle import FORWARD, OPEN_STATES, REOPENABLE
from local_db import eventlog, store
from local_db.errors import StoreError
from tests.conftest import NAMES, PINS, ROLES, START

TEXT = "买的洗衣液瓶子是漏的，整袋都湿了"
NONE = {"outcome": "none"}


def _walk_to_rated(desk, staff, ref):
    handling.contact_customer(desk, staff["d1"], ref, "phone", "已电话联系顾客，致歉")
    handling.advance(desk, staff["d1"], ref, "rectifying")
    handling.advance(desk, staff["d1"], ref, "reviewing")
    handling.advance(desk, staff["m1"], ref, "accountability")
    handling.advance(desk, staff["m1"], ref, "closed", accountability=NONE)
    return handling.rate(desk, staff["d2"], ref, 5, "满意")


def test_full_loop_to_rated(desk, staff, clock) -> None:
    t = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket
    clock.advance(minutes=5)
    rated = _walk_to_rated(desk, staff, t.id)
    assert rated.status == "rated" and rated.rating == 5
    assert rated.first_response_at is not None and rated.closed_at is not None
    assert rated.handler == "d1"
    types = [e.type for e in eventlog.events_for_ticket(desk.conn, t.id)]
    assert types.count("status_changed") == 4 and types[-1] == "rated"
    assert store.check(desk.conn) == []


@pytest.mark.parametrize("status_path, to", [
    ([], "closed"), ([], "reviewing"), (["rectifying"], "accountability"),
    (["rectifying"], "accepted"),
])
def test_illegal_transitions_are_refused_with_the_allowed_steps(
        desk, staff, status_path, to) -> None:
    t = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket
    for step in status_path:
        handling.advance(desk, staff["d1"], t.id, step)
    with pytest.raises(TransitionRefused) as info:
        handling.advance(desk, staff["d1"], t.id, to)
    assert info.value.code == "lifecycle.illegal"
    assert info.value.params["allowed"]


def test_review_must_be_by_someone_else(desk, staff) -> None:
    t = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket
    handling.advance(desk, staff["d1"], t.id, "rectifying")
    handling.advance(desk, staff["d1"], t.id, "reviewing")
    with pytest.raises(TransitionRefused) as info:
        handling.advance(desk, staff["d1"], t.id, "accountability")
    assert info.value.code == "lifecycle.review_by_handler"
    back = handling.advance(desk, staff["d2"], t.id, "rectifying", note="复核未通过，重新整改")
    assert back.status == "rectifying"


def test_cashier_cannot_move_the_loop_but_can_note(desk, staff) -> None:
    t = create_ticket(desk, staff["c1"], {"text": TEXT}).ticket
    with pytest.raises(PermissionDenied):
        handling.advance(desk, staff["c1"], t.id, "rectifying")
    assert handling.add_note(desk, staff["c1"], t.id, "顾客留了电话").first_response_at


def test_closing_needs_accountability_outcome(desk, staff) -> None:
    t = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket
    for who, to in [("d1", "rectifying"), ("d1", "reviewing"), ("m1", "accountability")]:
        handling.advance(desk, staff[who], t.id, to)
    with pytest.raises(InvalidInput):
        handling.advance(desk, staff["m1"], t.id, "closed")
    with pytest.raises(InvalidInput):
        handling.advance(desk, staff["m1"], t.id, "closed", accountability={"outcome": "penalty"})
    closed = handling.advance(desk, staff["m1"], t.id, "closed",
                              accountability={"outcome": "penalty", "subject": "供应商A"})
    assert closed.status == "closed"


def test_rating_only_after_closing_and_only_1_to_5(desk, staff) -> None:
    t = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket
    with pytest.raises(TransitionRefused):
        handling.rate(desk, staff["d1"], t.id, 4)
    with pytest.raises(InvalidInput):
        handling.rate(desk, staff["d1"], t.id, 6)


def test_reopen_from_closed_or_rated(desk, staff) -> None:
    t = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket
    with pytest.raises(TransitionRefused):
        handling.reopen(desk, staff["d1"], t.id, "顾客不满意")
    _walk_to_rated(desk, staff, t.id)
    again = handling.reopen(desk, staff["d1"], t.id, "顾客回访时仍不满意")
    assert again.status == "rectifying" and again.reopen_count == 1
    assert again.closed_at is None and again.rating is None
    assert store.check(desk.conn) == []


def test_merge_and_void(desk, staff) -> None:
    a = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket
    b = create_ticket(desk, staff["d1"], {"text": "洗衣液漏液，包装破损"}).ticket
    with pytest.raises(TransitionRefused):
        handling.merge(desk, staff["d1"], a.id, a.id)
    merged = handling.merge(desk, staff["d1"], b.id, a.number, "同一顾客重复登记")
    assert merged.status == "merged" and merged.merged_into == a.id
    with pytest.raises(TransitionRefused):
        handling.merge(desk, staff["d1"], a.id, b.id)  # into a merged ticket
    with pytest.raises(PermissionDenied):
        handling.void(desk, staff["d1"], a.id, "录错")
    voided = handling.void(desk, staff["m1"], a.id, "测试时录错")
    assert voided.status == "voided"
    with pytest.raises(TransitionRefused):
        handling.add_note(desk, staff["d1"], a.id, "还能写吗")
    # Nothing is ever deleted.
    assert desk.conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 2


def test_pending_compensation_blocks_closing(desk, staff) -> None:
    from desktop.compensation import compensate

    t = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket
    out = compensate(desk, staff["d1"], t.id, amount="800", kind="cash")
    assert out.status == "pending_approval"
    for who, to in [("d1", "rectifying"), ("d1", "reviewing"), ("m1", "accountability")]:
        handling.advance(desk, staff[who], t.id, to)
    with pytest.raises(TransitionRefused) as info:
        handling.advance(desk, staff["m1"], t.id, "closed", accountability=NONE)
    assert info.value.code == "lifecycle.pending_compensation"


def test_correcting_triage_is_an_event_and_lowering_needs_a_manager(desk, staff) -> None:
    t = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket
    fixed = handling.correct_triage(desk, staff["d1"], t.id, subcategory="mismatch",
                                    reason="其实是规格不符")
    assert (fixed.category, fixed.subcategory) == ("product", "mismatch")
    assert fixed.departments == ("merchandising",)
    with pytest.raises(PermissionDenied):
        handling.correct_triage(desk, staff["d1"], t.id, level=3, reason="不严重")
    lowered = handling.correct_triage(desk, staff["m1"], t.id, level=3, reason="店长判断")
    assert lowered.level == 3 and lowered.respond_within_minutes == 1440
    with pytest.raises(InvalidInput):
        handling.correct_triage(desk, staff["m1"], t.id, category="service",
                                subcategory="spoiled", reason="x")
    assert store.check(desk.conn) == []


ACTIONS = ["advance", "note", "contact", "rate", "reopen", "merge", "void"]


class LifecycleMachine(RuleBasedStateMachine):
    """Random operations by random staff: the store never breaks its own rules.

    A model of the loop runs beside the real database; after every step the ticket's
    status equals the model, and the projection equals the fold of its events.
    """

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.tmp = tempfile.TemporaryDirectory()
        self.clock = FixedClock(START)
        self.desk = init_desk(Path(self.tmp.name) / "k.db", store_code="S1", desk_code="D1",
                              clock=self.clock)
        self.staff = {
            sid: add_staff(self.desk.conn, self.desk.policy.staff, self.clock, staff_id=sid,
                           name=NAMES[sid], role=ROLES[sid], pin=PINS[sid])
            for sid in ("c1", "d1", "d2", "m1")
        }
        self.model: dict[str, str] = {}

    @initialize()
    def first_ticket(self) -> None:
        t = create_ticket(self.desk, self.staff["d1"], {"text": TEXT}).ticket
        self.model[t.id] = t.status

    @rule()
    def new_ticket(self) -> None:
        if len(self.model) < 4:
            t = create_ticket(self.desk, self.staff["c1"], {"text": "会员积分没到账"}).ticket
            self.model[t.id] = t.status

    @rule(data=st.data(), who=st.sampled_from(["c1", "d1", "d2", "m1"]),
          action=st.sampled_from(ACTIONS), to=st.sampled_from(
              ["accepted", "rectifying", "reviewing", "accountability", "closed"]))
    def act(self, data: st.DataObject, who: str, action: str, to: str) -> None:
        tid = data.draw(st.sampled_from(sorted(self.model)))
        actor = self.staff[who]
        self.clock.advance(minutes=7)
        before = get_ticket(self.desk, tid)
        try:
            if action == "advance":
                after = handling.advance(self.desk, actor, tid, to, accountability=NONE)
                assert to in FORWARD[before.status]
            elif action == "note":
                after = handling.add_note(self.desk, actor, tid, "跟进")
            elif action == "contact":
                after = handling.contact_customer(self.desk, actor, tid, "phone", "回电")
            elif action == "rate":
                after = handling.rate(self.desk, actor, tid, 4)
                assert before.status == "closed"
            elif action == "reopen":
                after = handling.reopen(self.desk, actor, tid, "不满意")
                assert before.status in REOPENABLE
            elif action == "merge":
                other = data.draw(st.sampled_from(sorted(self.model)))
                after = handling.merge(self.desk, actor, tid, other)
                assert before.status in OPEN_STATES
            else:
                after = handling.void(self.desk, actor, tid, "录错")
                assert actor.role == "manager" and before.status in OPEN_STATES
        except StoreError:
            raise  # a KesuError too, but a storage failure is no refusal
        except KesuError:
            assert get_ticket(self.desk, tid) == before  # a refusal changes nothing
            return
        self.model[tid] = after.status

    @invariant()
    def projection_equals_model_and_fold(self) -> None:
        for tid, status in self.model.items():
            assert get_ticket(self.desk, tid).status == status
        assert store.check(self.desk.conn) == []

    def teardown(self) -> None:
        self.desk.close()
        self.tmp.cleanup()


TestLifecycleMachine = LifecycleMachine.TestCase
TestLifecycleMachine.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_take_and_hand_over(desk, staff) -> None:
    """Handling staff take a ticket or hand it to a colleague who can handle it; each is an
    ``assigned`` event naming the new handler and who gave it."""
    from domain.lifecycle import allowed_actions

    t = create_ticket(desk, staff["c1"], {"text": TEXT}).ticket
    assert t.handler is None
    assert {"take", "assign"} <= set(allowed_actions(t, staff["d1"]))
    assert not {"take", "assign"} & set(allowed_actions(t, staff["c1"]))
    taken = handling.assign(desk, staff["d1"], t.id, staff["d1"])
    assert taken.handler == "d1"
    assert "take" not in allowed_actions(taken, staff["d1"])
    assert "take" in allowed_actions(taken, staff["d2"])
    handed = handling.assign(desk, staff["d1"], t.id, staff["m1"])
    assert handed.handler == "m1"
    events = [e for e in eventlog.events_for_ticket(desk.conn, t.id) if e.type == "assigned"]
    assert [(e.actor, e.payload["handler"]) for e in events] == [("d1", "d1"), ("d1", "m1")]
    with pytest.raises(TransitionRefused) as again:
        handling.assign(desk, staff["d2"], t.id, staff["m1"])
    assert again.value.code == "lifecycle.already_handler"
    with pytest.raises(InvalidInput) as cashier:
        handling.assign(desk, staff["d1"], t.id, staff["c1"])  # cashiers do not handle
    assert cashier.value.code == "lifecycle.assign_not_handler"
    with pytest.raises(PermissionDenied):
        handling.assign(desk, staff["c1"], t.id, staff["c1"])
    handling.void(desk, staff["m1"], t.id, "录错")
    with pytest.raises(TransitionRefused):
        handling.assign(desk, staff["d1"], t.id, staff["d1"])
    assert get_ticket(desk, t.id).handler == "m1"
