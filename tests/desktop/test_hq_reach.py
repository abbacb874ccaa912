"""A request only headquarters can approve, made on a desk that cannot reach it, says so.

Not enrolled (no central server stored) or refused token (enrol again): the request
waits on the desk and nobody at headquarters sees it until the desk (re-)enrols and
syncs. ``compensate`` says so at once; ``stranded_requests`` feeds the status line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.hq_reach import ENROL_AGAIN, NOT_ENROLLED, stranded_requests
from desktop.staff import Staff
from desktop.tickets import create_ticket
from local_db import sync_state
from local_db.connection import transaction
from tests.desktop.cli_runner import run_kesu, setup_desk

TEXT = "收银员态度很差，问她问题不理人还翻白眼"


def _enrol(desk: Desk, *, refused: bool = False) -> None:
    with transaction(desk.conn):
        sync_state.put(desk.conn, **{sync_state.SERVER: "https://kesu.example.cn"})
        if refused:
            sync_state.put(desk.conn, **{sync_state.ENROL_AGAIN: "1"})


def _hq_request(desk: Desk, staff: dict[str, Staff]):  # type: ignore[no-untyped-def]
    tid = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket.id
    return compensate(desk, staff["d1"], tid, amount="1500", kind="cash")


def test_an_hq_request_on_a_desk_not_enrolled_says_it_cannot_reach_hq(desk, staff) -> None:
    assert stranded_requests(desk.conn) == (0, None)
    out = _hq_request(desk, staff)
    assert out.status == "pending_approval" and out.compensation.approval_level == "hq"
    assert out.hq_unreachable == NOT_ENROLLED
    assert out.notice and "总部" in out.notice and "登记" in out.notice
    assert out.as_dict()["hq_unreachable"] == NOT_ENROLLED
    assert stranded_requests(desk.conn) == (1, NOT_ENROLLED)


@pytest.mark.parametrize("refused, reason", [(False, None), (True, ENROL_AGAIN)])
def test_an_enrolled_desk_says_nothing_unless_its_token_was_refused(
        desk, staff, refused, reason) -> None:
    _enrol(desk, refused=refused)
    out = _hq_request(desk, staff)
    assert out.hq_unreachable == reason
    assert (out.notice is None) == (reason is None)
    assert stranded_requests(desk.conn) == (1, reason)


def test_a_request_for_the_store_manager_stays_in_the_store(desk, staff) -> None:
    tid = create_ticket(desk, staff["d1"], {"text": TEXT}).ticket.id
    out = compensate(desk, staff["d1"], tid, amount="600", kind="cash")
    assert out.status == "pending_approval" and out.compensation.approval_level == "manager"
    assert out.hq_unreachable is None and out.notice is None
    assert stranded_requests(desk.conn) == (0, None)


def test_kesu_compensate_says_so_at_once(tmp_path: Path) -> None:
    db = tmp_path / "kesu.db"
    setup_desk(db)
    made = run_kesu(db, "ticket", "add", "--actor", "d1", stdin=json.dumps({"text": TEXT})).json()
    result = run_kesu(db, "compensate", made["number"], "--actor", "d1", "--amount", "1500",
                      "--kind", "cash", lang="en")
    assert result.code == 0, result.err
    assert result.json()["hq_unreachable"] == NOT_ENROLLED
    assert "neither the regional manager nor headquarters can see this request" in result.err
    assert "kesu enrol" in result.err
