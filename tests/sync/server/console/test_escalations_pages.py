"""The escalations page on a real server (both backends): tickets per rung and region,
counts, overdue marked, a regional manager's own region only, both languages."""

from __future__ import annotations

from contextlib import closing

import httpx

from tests.sync.helpers import ServerProcess
from tests.sync.server.console.helpers import logged_in
from tests.sync.server.console.test_queue_pages import (
    Chain,
    chain,
    escalate,
    make_overdue,
    make_ticket,
)

__all__ = ["chain"]  # the fixture, shared with the queue's tests


def _region(html: str, region: str) -> str:
    return html.split(f'data-region="{region}"', 1)[1].split("</section>", 1)[0]


def _rung(section: str, step: int) -> str:
    return section.split(f'data-step="{step}"', 1)[1].split('data-testid="escalations-rung"')[0]


def test_tickets_per_rung_and_region(server: ServerProcess, chain: Chain) -> None:
    first = make_ticket(chain.storage, chain.store_n)
    second = make_ticket(chain.storage, chain.store_n2)
    third = make_ticket(chain.storage, chain.store_s)
    calm = make_ticket(chain.storage, chain.store_n)
    escalate(chain.storage, chain.store_n, first.ticket_id, 1)
    escalate(chain.storage, chain.store_n2, second.ticket_id, 2)
    escalate(chain.storage, chain.store_s, third.ticket_id, 3)
    make_overdue(chain.storage, second.ticket_id)
    client, _ = logged_in(server, chain.hq)
    with closing(client):
        page = client.get("/console/escalations")
    assert page.status_code == 200
    north = _region(page.text, chain.north)
    assert 'data-count="1"' in _rung(north, 1) and first.ticket_id in _rung(north, 1)
    assert 'data-count="1"' in _rung(north, 2) and second.ticket_id in _rung(north, 2)
    assert 'data-count="0"' in _rung(north, 3)
    assert "店长" in _rung(north, 1) and "区域经理" in _rung(north, 2)
    assert calm.ticket_id not in page.text
    overdue = _rung(north, 2).split(second.ticket_id, 1)[0].rsplit("<li", 1)[1]
    assert 'data-overdue="yes"' in overdue
    assert f'href="/console/queue?region={chain.north}&amp;rung=2"' in north
    assert f'href="/console/tickets/{first.ticket_id}"' in north
    south = _region(page.text, chain.south)
    assert third.ticket_id in _rung(south, 3) and "总经理" in _rung(south, 3)

    regional, _ = logged_in(server, chain.regional, lang="en")
    with closing(regional):
        mine = regional.get("/console/escalations")
    assert mine.status_code == 200 and "Escalations" in mine.text
    assert first.ticket_id in mine.text and third.ticket_id not in mine.text
    assert chain.south not in mine.text and "Store manager" in mine.text


def test_who_opens_the_escalations_page(server: ServerProcess, chain: Chain) -> None:
    assert httpx.get(f"{server.url}/console/escalations").status_code == 303
    agent, _ = logged_in(server, chain.agent)
    with closing(agent):
        assert agent.get("/console/escalations").status_code == 403

