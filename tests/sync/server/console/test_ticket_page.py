"""The ticket page on a real server (both backends): what it shows (the phone masked),
its note and status forms (CSRF, bad input kept), the decide forms the approvals rule
allows, the scope (404 for another region, page and API), and a note reaching a desk."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from contextlib import closing

import httpx

from desktop.compensation import compensate
from desktop.tickets import create_ticket
from sync.server import hq
from sync.server.console import accounts, masterdata
from sync.server.storage import Storage
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.helpers import PASSWORD, csrf_of, logged_in
from tests.sync.server.console.test_queue_pages import RUDE, Chain, chain, make_ticket

__all__ = ["chain"]  # the fixture, shared with the queue's tests


def _events(storage: Storage, ticket_id: str) -> list[tuple[str, str]]:
    return [(str(e["type"]), str(e["actor"]))
            for e in hq.show_ticket(storage, ticket_id).events]


def test_the_page_shows_the_ticket_in_both_languages(server: ServerProcess,
                                                     chain: Chain) -> None:
    made = make_ticket(chain.storage, chain.store_n)
    for lang, words in (("zh", ("客诉详情", "处理记录", "登记客诉", "渠道 · ", "受理")),
                        ("en", ("Complaint", "Timeline", "Complaint recorded", "Channel · ",
                                "Accepted"))):
        client, _ = logged_in(server, chain.hq, lang=lang)
        with closing(client):
            page = client.get(f"/console/tickets/{made.ticket_id}")
        assert page.status_code == 200
        for word in words:
            assert word in page.text, word
        assert "138****5678" in page.text and "13812345678" not in page.text
        assert "纯牛奶 250ml" in page.text and "¥12.50" in page.text
        assert made.number in page.text and "长沙一店" in page.text
        assert 'data-testid="ticket-status-form"' in page.text
        api_client, _ = logged_in(server, chain.hq, lang=lang)
        with closing(api_client):
            api = api_client.get(f"/console/api/tickets/{made.ticket_id}").json()
        assert api["customer_phone"] == "138****5678" and api["number"] == made.number
        assert api["timeline"][0]["type"] == "ticket_created"


def test_a_note_names_the_person_and_bad_input_is_kept(server: ServerProcess,
                                                       chain: Chain) -> None:
    made = make_ticket(chain.storage, chain.store_n)
    url = f"/console/tickets/{made.ticket_id}"
    client, csrf = logged_in(server, chain.hq)
    with closing(client):
        stale = client.post(f"{url}/note", data={"text": "没有令牌的备注"})
        assert stale.status_code == 403 and "表单已过期" in stale.text
        assert "没有令牌的备注" in stale.text  # kept in the form
        empty = client.post(f"{url}/note", data={"text": "  ", "csrf_token": csrf})
        assert empty.status_code == 400 and "备注不能为空" in empty.text
        huge = "长" * 1_000_000
        too_long = client.post(f"{url}/note", data={"text": huge, "csrf_token": csrf})
        assert too_long.status_code == 400 and "内容太长" in too_long.text
        assert huge[:1000] in too_long.text  # the text is still in the form
        saved = client.post(f"{url}/note", data={"text": "总部已致电顾客", "csrf_token": csrf})
        assert saved.status_code == 303
        page = client.get(saved.headers["location"])
        assert "备注已保存" in page.text and "总部已致电顾客" in page.text
        assert "总部 · 王总" in page.text
    assert _events(chain.storage, made.ticket_id)[-1] == ("note_added", "hq:王总")
    assert [t for t, _ in _events(chain.storage, made.ticket_id)].count("note_added") == 1


def test_status_changes_offer_only_the_next_steps(server: ServerProcess,
                                                  chain: Chain) -> None:
    made = make_ticket(chain.storage, chain.store_n)
    url = f"/console/tickets/{made.ticket_id}"
    client, csrf = logged_in(server, chain.regional, lang="en")
    with closing(client):
        page = client.get(url)
        form = page.text.split('data-testid="ticket-status-form"', 1)[1].split("</form>")[0]
        assert re.findall(r'<option value="([a-z]+)"', form) == ["rectifying"]
        stale = client.post(f"{url}/status", data={
            "from": "accepted", "to": "rectifying", "note": "无令牌"})
        assert stale.status_code == 403 and "The form expired" in stale.text
        assert "无令牌" in stale.text
        wrong = client.post(f"{url}/status", data={
            "from": "accepted", "to": "closed", "note": "直接完结", "csrf_token": csrf})
        assert wrong.status_code == 409
        assert "cannot move from “Accepted” to “Closed”" in wrong.text
        assert "直接完结" in wrong.text
        moved = client.post(f"{url}/status", data={
            "from": "accepted", "to": "rectifying", "note": "请今天整改", "csrf_token": csrf})
        assert moved.status_code == 303
        assert 'data-status="rectifying"' in client.get(url).text
        # The same form again is stale now: refused, not a second change.
        stale = client.post(f"{url}/status", data={
            "from": "accepted", "to": "rectifying", "csrf_token": csrf})
        assert stale.status_code == 409
    assert [e for e in _events(chain.storage, made.ticket_id)
            if e[0] == "status_changed"] == [("status_changed", "regional:张敏")]


def test_scope_another_region_and_unknown_ids_are_not_found(server: ServerProcess,
                                                            chain: Chain) -> None:
    theirs = make_ticket(chain.storage, chain.store_s)
    mine = make_ticket(chain.storage, chain.store_n)
    client, csrf = logged_in(server, chain.regional)
    with closing(client):
        for ticket_id in (theirs.ticket_id, "no-such-ticket", "x" * 500):
            page = client.get(f"/console/tickets/{ticket_id}")
            assert page.status_code == 404 and "没有这张客诉单" in page.text
            assert client.get(f"/console/api/tickets/{ticket_id}").status_code == 404
        assert client.post(f"/console/tickets/{theirs.ticket_id}/note", data={
            "text": "越权", "csrf_token": csrf}).status_code == 404
        assert client.get(f"/console/tickets/{mine.ticket_id}").status_code == 200
    assert "note_added" not in [t for t, _ in _events(chain.storage, theirs.ticket_id)]
    agent, agent_csrf = logged_in(server, chain.agent)
    with closing(agent):
        page = agent.get(f"/console/tickets/{theirs.ticket_id}")
        assert page.status_code == 200
        assert 'data-testid="ticket-status-form"' not in page.text
        assert 'data-testid="ticket-note-form"' in page.text
        assert agent.post(f"/console/tickets/{theirs.ticket_id}/status", data={
            "from": "accepted", "to": "rectifying", "csrf_token": agent_csrf}
        ).status_code == 403
        assert agent.post(f"/console/tickets/{theirs.ticket_id}/note", data={
            "text": "顾客再次来电", "csrf_token": agent_csrf}).status_code == 303
    assert _events(chain.storage, theirs.ticket_id)[-1] == ("note_added", "agent:李娜")
    assert httpx.get(f"{server.url}/console/api/tickets/{mine.ticket_id}").status_code == 401


def test_decide_forms_follow_the_approvals_rule_and_a_note_reaches_the_desk(
        server: ServerProcess, make_desk: Callable[..., DeskNode]) -> None:
    node = make_desk("A", "D1")
    store = node.desk.store_code
    ticket = create_ticket(node.desk, node.clerk, {"text": RUDE}).ticket
    small = compensate(node.desk, node.manager, ticket.id, amount="1200", kind="cash")
    big = compensate(node.desk, node.manager, ticket.id, amount="3500", kind="cash")
    assert small.status == big.status == "pending_approval"
    node.engine.sync_once()
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            region = masterdata.region_of(conn, store)
        regional = f"qreg{secrets.token_hex(3)}"
        accounts.add_user(storage, regional, "赵区", "regional", PASSWORD, region)
        boss = f"qhq{secrets.token_hex(3)}"
        accounts.add_user(storage, boss, "钱总", "hq", PASSWORD, None)
    finally:
        storage.close()
    url = f"/console/tickets/{ticket.id}"
    client, _ = logged_in(server, regional)
    with closing(client):
        page = client.get(url)
    assert page.status_code == 200
    forms = re.findall(r'action="/console/approvals/([^/"]+)/([^"]+)"', page.text)
    assert forms == [(ticket.id, small.compensation.id)]
    assert "等待总部审批" in page.text
    assert f'name="next" value="{url}"' in page.text
    client, csrf = logged_in(server, boss)
    with closing(client):
        page = client.get(url)
        assert len(re.findall(r'action="/console/approvals/', page.text)) == 2
        assert client.post(f"{url}/note", data={
            "text": "总部已关注", "csrf_token": csrf_of(page.text)}).status_code == 303
        del csrf
    node.engine.sync_once()
    seen = [tuple(r) for r in node.conn.execute(
        "SELECT type, actor FROM events WHERE ticket_id = ? ORDER BY hlc, device_id",
        (ticket.id,))]
    assert seen[-1] == ("note_added", "hq:钱总")


def test_a_stale_status_change_is_shown_as_a_conflict(server: ServerProcess,
                                                      chain: Chain) -> None:
    made = make_ticket(chain.storage, chain.store_n)
    # Headquarters' API moves it from a state it no longer has: recorded, and marked.
    hq.change_status(chain.storage, "hq:总部API", made.ticket_id,
                     {"from": "reviewing", "to": "closed"})
    client, _ = logged_in(server, chain.hq)
    with closing(client):
        page = client.get(f"/console/tickets/{made.ticket_id}")
        api = client.get(f"/console/api/tickets/{made.ticket_id}").json()
    assert 'data-testid="ticket-conflict-open"' in page.text
    (line,) = re.findall(r'data-testid="ticket-conflict">([^<]+)<', page.text)
    assert "总部 · 总部API" in line and "复核" in line and "受理" in line
    assert api["conflict"] == 1 and len(api["conflicts"]) == 1
