"""The approvals inbox on a real server with real desks: who sees which request, who may
decide it, and the decision reaching the desk (both backends)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import closing

import httpx

from desktop.compensation import compensate
from desktop.tickets import create_ticket
from local_db import projection
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.helpers import add_user, logged_in
from tests.sync.server.hq_client import HQ

MakeDesk = Callable[..., DeskNode]


def _desk_in(make_desk: MakeDesk, server: ServerProcess, store: str, region: str) -> DeskNode:
    node = make_desk(store, "D1", enrol=False)
    server.add_store(node.desk.store_code, region)
    node.enrol()
    return node


def _request(node: DeskNode, yuan: str,
             text: str = "买的牛奶过期了，孩子喝了肚子疼") -> tuple[str, str]:
    """A ticket with a compensation request of *yuan* the manager cannot grant, synced."""
    node.clock.advance(seconds=5)
    tid = create_ticket(node.desk, node.clerk, {"text": text}).ticket.id
    out = compensate(node.desk, node.manager, tid, amount=yuan, kind="cash")
    assert out.compensation.status == "pending_approval"
    assert out.compensation.approval_level == "hq"
    node.engine.sync_once()
    return tid, out.compensation.id


def _rows(html: str) -> set[str]:
    return {part.split('"', 1)[0] for part in html.split('data-compensation="')[1:]}


def test_the_inbox_lists_what_each_person_may_decide(
        server: ServerProcess, make_desk: MakeDesk) -> None:
    region, other_region = ("RA" + secrets.token_hex(2).upper(),
                            "RB" + secrets.token_hex(2).upper())
    mine = _desk_in(make_desk, server, "M", region)
    other = _desk_in(make_desk, server, "O", other_region)
    tid, small = _request(mine, "2000")   # regional manager's
    _, big = _request(mine, "5000")     # headquarters'
    _, far = _request(other, "1500")    # another region's manager's
    regional, _ = logged_in(server, add_user(server, "regional", region))
    head, _ = logged_in(server, add_user(server, "hq"), lang="en")
    with closing(regional), closing(head):
        page = regional.get("/console/approvals")
        assert page.status_code == 200
        assert small in _rows(page.text) and big not in _rows(page.text)
        assert far not in _rows(page.text)
        assert "¥2000.00" in page.text and "店长" in page.text
        assert f"/console/tickets/{tid}" in page.text and "牛奶过期" in page.text
        api = regional.get("/console/api/approvals").json()
        assert [a["compensation_id"] for a in api["approvals"]] == [small]
        assert api["limits"] == {"manager_fen": 100000, "regional_fen": 300000}
        hq_page = head.get("/console/approvals")
        assert big in _rows(hq_page.text) and not {small, far} & _rows(hq_page.text)
        assert "Waiting for headquarters" in hq_page.text
        every = head.get("/console/approvals?scope=all")
        assert {small, big, far} <= _rows(every.text)


def test_a_regional_manager_decides_within_the_limit_in_their_region(
        server: ServerProcess, make_desk: MakeDesk) -> None:
    region = "RC" + secrets.token_hex(2).upper()
    mine = _desk_in(make_desk, server, "M", region)
    other = _desk_in(make_desk, server, "O", "RD" + secrets.token_hex(2).upper())
    tid, small = _request(mine, "2000")
    big_tid, big = _request(mine, "5000")
    far_tid, far = _request(other, "1500")
    client, csrf = logged_in(server, add_user(server, "regional", region))
    with closing(client):
        url = f"/console/approvals/{tid}/{small}"
        no_csrf = client.post(url, data={"decision": "approved"})
        assert no_csrf.status_code == 403
        no_reason = client.post(url, data={"decision": "refused", "csrf_token": csrf,
                                           "reason": "  "})
        assert no_reason.status_code == 400 and "必须填写原因" in no_reason.text
        above = client.post(f"/console/approvals/{big_tid}/{big}",
                            data={"decision": "approved", "csrf_token": csrf})
        assert above.status_code == 403 and "须由总部审批" in above.text
        elsewhere = client.post(f"/console/approvals/{far_tid}/{far}",
                                data={"decision": "approved", "csrf_token": csrf})
        assert elsewhere.status_code == 404
        api_far = client.post(f"/console/api/approvals/{far_tid}/{far}",
                              headers={"X-CSRF-Token": csrf}, json={"decision": "approved"})
        assert api_far.status_code == 404
        api_big = client.post(f"/console/api/approvals/{big_tid}/{big}",
                              headers={"X-CSRF-Token": csrf}, json={"decision": "approved"})
        assert api_big.status_code == 403 and api_big.json()["error"] == "not_yours"
        done = client.post(url, data={"decision": "approved", "csrf_token": csrf,
                                      "reason": "顾客损失属实"})
        assert done.status_code == 303
        assert done.headers["location"] == "/console/approvals?decided=approved"
        assert small not in _rows(client.get("/console/approvals").text)
        again = client.post(url, data={"decision": "refused", "csrf_token": csrf,
                                       "reason": "重复"})
        assert again.status_code == 409 and "已被" in again.text
    mine.engine.sync_once()
    line = projection.read_compensation(mine.conn, small)
    assert line is not None and line.status == "granted"
    actor = line.approved_by
    assert actor is not None and actor.startswith("regional:")
    assert line.reason == "comp.approved_by_regional"
    untouched = projection.read_compensation(mine.conn, big)
    assert untouched is not None and untouched.status == "pending_approval"


def test_headquarters_decides_any_request_and_the_api_checks_its_callers(
        server: ServerProcess, make_desk: MakeDesk) -> None:
    node = make_desk("H", "D1")
    tid, big = _request(node, "5000")
    small_tid, small = _request(node, "2000")
    token = HQ(server)
    try:
        bearer = httpx.get(f"{server.url}/console/api/approvals",
                           headers={"Authorization": f"Bearer {token.token}"})
        assert bearer.status_code == 403
    finally:
        token.close()
    agent, agent_csrf = logged_in(server, add_user(server, "agent"))
    client, csrf = logged_in(server, add_user(server, "hq"), lang="en")
    with closing(agent), closing(client):
        assert agent.get("/console/approvals").status_code == 403
        assert agent.post(f"/console/approvals/{tid}/{big}", data={
            "decision": "approved", "csrf_token": agent_csrf}).status_code == 403
        no_header = client.post(f"/console/api/approvals/{small_tid}/{small}",
                                json={"decision": "refused", "reason": "x"})
        assert no_header.status_code == 403 and no_header.json()["error"] == "csrf"
        no_reason = client.post(f"/console/api/approvals/{small_tid}/{small}",
                                headers={"X-CSRF-Token": csrf}, json={"decision": "refused"})
        assert no_reason.status_code == 400
        assert no_reason.json()["detail"] == "Give a reason to refuse a request."
        refused = client.post(f"/console/api/approvals/{small_tid}/{small}",
                              headers={"X-CSRF-Token": csrf},
                              json={"decision": "refused", "reason": "已另行补偿"})
        assert refused.status_code == 201
        approved = client.post(f"/console/approvals/{tid}/{big}", data={
            "decision": "approved", "csrf_token": csrf, "reason": "",
            "next": f"/console/tickets/{tid}"})
        assert approved.status_code == 303
        assert approved.headers["location"] == f"/console/tickets/{tid}?decided=approved"
        twice = client.post(f"/console/api/approvals/{tid}/{big}",
                            headers={"X-CSRF-Token": csrf}, json={"decision": "refused",
                                                                  "reason": "再想想"})
        assert twice.status_code == 409 and twice.json()["error"] == "not_pending"
        assert "decided meanwhile by hq:" in twice.json()["detail"]
    node.engine.sync_once()
    line = projection.read_compensation(node.conn, big)
    assert line is not None and line.status == "granted"
    assert line.reason == "comp.approved_by_hq" and str(line.approved_by).startswith("hq:")
    no = projection.read_compensation(node.conn, small)
    assert no is not None and no.status == "refused" and no.reason == "comp.refused_by_hq"
