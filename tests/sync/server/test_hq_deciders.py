"""``hq.decide_compensation`` asks who decides (:mod:`domain.centre_approvals`): a
regional manager their region's requests within the regional limit, headquarters any;
the reason code names the decider's level (both backends, real desks)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest

from desktop.compensation import compensate
from desktop.tickets import create_ticket
from sync.server import hq
from sync.server.errors import ActionRefused
from sync.server.storage import Storage
from tests.sync.helpers import DeskNode, ServerProcess

MakeDesk = Callable[..., DeskNode]


@pytest.fixture
def storage(server: ServerProcess) -> Iterator[Storage]:
    opened = Storage(server.db_url)
    yield opened
    opened.close()


def _request(node: DeskNode, yuan: str) -> tuple[str, str]:
    node.clock.advance(seconds=5)
    tid = create_ticket(node.desk, node.clerk, {"text": "蛋糕里吃出头发"}).ticket.id
    out = compensate(node.desk, node.manager, tid, amount=yuan, kind="cash")
    node.engine.sync_once()
    return tid, out.compensation.id


def _refused(call: Callable[[], object]) -> ActionRefused:
    with pytest.raises(ActionRefused) as caught:
        call()
    return caught.value


def test_who_may_decide_and_how_the_decision_is_worded(
        server: ServerProcess, make_desk: MakeDesk, storage: Storage) -> None:
    region = "RH" + secrets.token_hex(2).upper()
    node = make_desk("A", "D1", enrol=False)
    server.add_store(node.desk.store_code, region)
    node.enrol()
    small_tid, small = _request(node, "2000")
    big_tid, big = _request(node, "5000")
    mine = hq.Decider("regional:张敏", "regional", region)
    stranger = hq.Decider("regional:李强", "regional", "RZ" + secrets.token_hex(2).upper())
    ok = {"decision": "approved"}

    above = _refused(lambda: hq.decide_compensation(storage, mine, big_tid, big, ok))
    assert (above.status, above.error) == (403, "not_yours")
    for tid, cid in ((small_tid, small), (small_tid, "no-such-line")):
        hidden = _refused(lambda t=tid, c=cid: hq.decide_compensation(storage, stranger, t, c, ok))
        assert (hidden.status, hidden.error) == (404, "unknown_ticket")
    no_reason = _refused(lambda: hq.decide_compensation(
        storage, mine, small_tid, small, {"decision": "refused", "reason": " "}))
    assert (no_reason.status, no_reason.error) == (400, "empty_text")

    hq.decide_compensation(storage, mine, small_tid, small,
                           {"decision": "refused", "reason": "已换货"})
    hq.decide_compensation(storage, "hq:王总", big_tid, big, ok)  # the bearer API's form
    again = _refused(lambda: hq.decide_compensation(storage, "hq:王总", small_tid, small, ok))
    assert (again.status, again.error) == (409, "not_pending")

    decided = {}
    for tid in (small_tid, big_tid):
        (event,) = [e for e in hq.show_ticket(storage, tid).events
                    if e["type"] == "compensation_decided"]
        decided[tid] = event
    assert decided[small_tid]["actor"] == "regional:张敏"
    assert '"comp.refused_by_regional"' in str(decided[small_tid]["payload"])
    assert decided[big_tid]["actor"] == "hq:王总"
    assert '"comp.approved_by_hq"' in str(decided[big_tid]["payload"])
