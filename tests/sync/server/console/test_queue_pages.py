"""The chain's queue on a real server (both backends): filters alone and combined, the
regional manager's scope, pagination, both languages, and its JSON for the console only."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from domain.clock import format_time
from sync.server import channels, policy_store
from sync.server.central import central_transaction
from sync.server.console import accounts, centre_tickets, masterdata, queue
from sync.server.storage import Storage
from sync.server.tables import centre_tickets as table
from tests.sync.helpers import ServerProcess
from tests.sync.server.console.helpers import PASSWORD, logged_in

FOOD = "买到过期牛奶，孩子喝了肚子疼，已经去医院了"
RUDE = "收银员态度很差，说话很不客气"


@dataclass(frozen=True)
class Chain:
    """Two regions with a store each, and a regional manager and hq account."""

    storage: Storage
    north: str
    south: str
    store_n: str
    store_n2: str
    store_s: str
    regional: str
    hq: str
    agent: str


def new_chain(server: ServerProcess) -> Chain:
    """Regions, stores and accounts unique to the calling test."""
    storage = Storage(server.db_url)
    tag = secrets.token_hex(2).upper()
    north, south = f"QN{tag}", f"QS{tag}"
    masterdata.save_region(storage, north, "北区", "North")
    masterdata.save_region(storage, south, "南区", "South")
    stores = (f"N{tag}A", f"N{tag}B", f"S{tag}A")
    masterdata.save_store(storage, stores[0], "长沙一店", north, "Asia/Shanghai")
    masterdata.save_store(storage, stores[1], "长沙二店", north, "Asia/Shanghai")
    masterdata.save_store(storage, stores[2], "广州一店", south, "Asia/Shanghai")
    names = {}
    for role, region in (("regional", north), ("hq", None), ("agent", None)):
        names[role] = f"q{role[:3]}{tag.lower()}{secrets.token_hex(2)}"
        accounts.add_user(storage, names[role], {"regional": "张敏", "hq": "王总",
                                                 "agent": "李娜"}[role],
                          role, PASSWORD, region)
    return Chain(storage, north, south, *stores, names["regional"], names["hq"],
                 names["agent"])


@pytest.fixture
def chain(server: ServerProcess) -> Iterator[Chain]:
    made = new_chain(server)
    yield made
    made.storage.close()


def make_ticket(storage: Storage, store: str, text: str = RUDE,
                channel: str = "hotline") -> channels.ChannelTicket:
    """A channel ticket for *store* through the centre's own intake."""
    return channels.create(storage, {
        "store_code": store, "channel": channel, "text": text,
        "external_id": secrets.token_hex(8), "customer": {"phone": "13812345678"},
        "product": {"name": "纯牛奶 250ml"}, "amount_paid_fen": 1250})


def escalate(storage: Storage, store: str, ticket_id: str, step: int) -> None:
    """An ``escalated`` event on the ticket (as a desk's response clock writes it)."""
    with storage.engine.connect() as conn:
        policy, _ = policy_store.current(conn)
    with central_transaction(storage) as w:
        w.append(store, ticket_id, "escalated",
                 {"step": step, "to": policy.escalation_ladder[step], "overdue_minutes": 5},
                 actor="system:escalation", policy_version=policy.version)


def make_overdue(storage: Storage, ticket_id: str) -> None:
    """As if the ticket's response target had passed an hour ago (the projection row
    only; the next event of the ticket folds it afresh)."""
    centre_tickets.catch_up(storage)
    past = format_time(datetime.now(UTC) - timedelta(hours=1))
    with storage.writing() as conn:
        conn.execute(table.update().where(table.c.ticket_id == ticket_id)
                     .values(due_at=past))


def numbers(html: str) -> list[str]:
    """The ticket numbers of the queue's rows, in order."""
    return re.findall(r'data-testid="queue-row"[^>]*data-number="([^"]+)"', html)


def test_filters_each_work_and_combine(server: ServerProcess, chain: Chain) -> None:
    food = make_ticket(chain.storage, chain.store_n, FOOD, channel="qr")
    rude = make_ticket(chain.storage, chain.store_n, RUDE)
    other = make_ticket(chain.storage, chain.store_n2, RUDE, channel="online")
    south = make_ticket(chain.storage, chain.store_s, RUDE)
    escalate(chain.storage, chain.store_n, rude.ticket_id, 2)
    make_overdue(chain.storage, other.ticket_id)
    client, _ = logged_in(server, chain.hq)
    with closing(client):
        def listed(query: str) -> set[str]:
            page = client.get(f"/console/queue?{query}")
            assert page.status_code == 200, page.text
            return set(numbers(page.text))

        mine = {food.number, rude.number, other.number, south.number}
        assert mine <= listed("")
        assert listed(f"region={chain.north}") == {food.number, rude.number, other.number}
        assert listed(f"store={chain.store_n}") == {food.number, rude.number}
        assert listed(f"store={chain.store_n.lower()}") == {food.number, rude.number}
        assert listed(f"region={chain.north}&channel=qr") == {food.number}
        assert listed(f"region={chain.north}&rung=2") == {rude.number}
        assert listed(f"region={chain.north}&overdue=1") == {other.number}
        assert listed(f"number={south.number}") == {south.number}
        assert listed(f"number={south.number.lower()}") == {south.number}
        assert listed(f"region={chain.north}&status=accepted&channel=online") == {other.number}
        assert listed(f"region={chain.north}&status=closed") == set()
        by_level: dict[int, set[str]] = {}
        for t in (food, rude, other):
            by_level.setdefault(t.level, set()).add(t.number)
        for level, expected in by_level.items():
            assert listed(f"region={chain.north}&level={level}") == expected
        # Combined: the north region, level of the food ticket, qr: only it.
        assert listed(f"region={chain.north}&level={food.level}&channel=qr") == {food.number}
        # Overdue first: the overdue ticket leads the region's queue.
        page = client.get(f"/console/queue?region={chain.north}")
        assert numbers(page.text)[0] == other.number
        row = page.text.split(f'data-number="{other.number}"', 1)[1].split("</tr>", 1)[0]
        assert "已超时" in row and 'data-due-utc="' in row
        rung = page.text.split(f'data-number="{rude.number}"', 1)[1].split("</tr>", 1)[0]
        assert "区域经理" in rung and "长沙一店" in rung
        # A value that cannot be used is named, and left out.
        bad = client.get(f"/console/queue?region={chain.north}&level=7&channel=fax")
        assert bad.status_code == 200
        assert "等级须为 1、2 或 3" in bad.text and "未知的渠道" in bad.text
        assert set(numbers(bad.text)) == {food.number, rude.number, other.number}


def test_a_regional_manager_sees_only_their_region(server: ServerProcess,
                                                   chain: Chain) -> None:
    mine = make_ticket(chain.storage, chain.store_n)
    theirs = make_ticket(chain.storage, chain.store_s)
    client, _ = logged_in(server, chain.regional)
    with closing(client):
        page = client.get("/console/queue")
        assert page.status_code == 200
        assert mine.number in numbers(page.text) and theirs.number not in page.text
        # Asking for the other region or its store shows nothing of it.
        for query in (f"region={chain.south}", f"store={chain.store_s}",
                      f"number={theirs.number}"):
            assert numbers(client.get(f"/console/queue?{query}").text) == []
        api = client.get("/console/api/queue")
        assert api.status_code == 200
        assert {r["region"] for r in api.json()["rows"]} == {chain.north}
    agent, _ = logged_in(server, chain.agent)
    with closing(agent):
        both = numbers(agent.get("/console/queue").text)
        assert mine.number in both and theirs.number in both


def test_pagination_is_bounded_and_says_when_more_follow(server: ServerProcess,
                                                         chain: Chain) -> None:
    made = [make_ticket(chain.storage, chain.store_s).number
            for _ in range(queue.PAGE_SIZE + 3)]
    client, _ = logged_in(server, chain.hq, lang="en")
    with closing(client):
        first = client.get(f"/console/queue?store={chain.store_s}")
        assert len(numbers(first.text)) == queue.PAGE_SIZE
        assert 'data-testid="queue-next"' in first.text
        assert f"store={chain.store_s}&amp;page=2" in first.text
        second = client.get(f"/console/queue?store={chain.store_s}&page=2")
        assert len(numbers(second.text)) == 3
        assert 'data-testid="queue-next"' not in second.text
        assert 'data-testid="queue-prev"' in second.text
        assert set(numbers(first.text)) | set(numbers(second.text)) == set(made)
        assert "Page 2" in second.text and "Chain queue" in second.text
        far = client.get(f"/console/queue?store={chain.store_s}&page=99999")
        assert far.status_code == 200 and "The page number was not usable" in far.text
        api = client.get(f"/console/api/queue?store={chain.store_s}&page=2")
        assert api.json()["has_next"] is False and len(api.json()["rows"]) == 3


def test_both_languages_and_the_api_is_for_the_console_only(server: ServerProcess,
                                                            chain: Chain) -> None:
    made = make_ticket(chain.storage, chain.store_n, channel="qr")
    for lang, words in (("zh", ("全链队列", "受理", "处理人")),
                        ("en", ("Chain queue", "Accepted", "Handler"))):
        client, _ = logged_in(server, chain.hq, lang=lang)
        with closing(client):
            page = client.get(f"/console/queue?store={chain.store_n}")
            row = page.text.split(f'data-number="{made.number}"', 1)[1].split("</tr>", 1)[0]
            for word in words:
                assert word in page.text
            assert "Accepted" in row if lang == "en" else "受理" in row
    assert httpx.get(f"{server.url}/console/api/queue").status_code == 401
    token = chain.storage.create_hq_token(f"q{secrets.token_hex(3)}")
    refused = httpx.get(f"{server.url}/console/api/queue",
                        headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"


def test_the_query_uses_the_urgency_index_on_postgres(server: ServerProcess,
                                                      chain: Chain) -> None:
    if server.backend != "postgres":
        pytest.skip("the plan is PostgreSQL's")
    with chain.storage.engine.connect() as conn:
        conn.execute(sa.text("SET enable_seqscan = off"))
        filters = queue.parse_filters({"region": chain.north}, ("hotline",), 4)
        stmt = sa.select(table).where(*queue.conditions(
            filters, None, datetime.now(UTC))).order_by(*queue.URGENCY).limit(51)
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(r[0] for r in conn.execute(sa.text("EXPLAIN " + sql)))
    assert "centre_tickets_region_urgency" in plan and "Sort" not in plan.split("->")[0]
