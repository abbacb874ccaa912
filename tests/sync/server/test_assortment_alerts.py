"""A product alert reaches the stores that sell it: real desks raise alerts on a real
``kesu-server`` (both backends), headquarters gives stores assortment lists (through
:mod:`sync.server.assortment` and ``kesu-server assortment``), and each store's desk
token reads ``GET /v1/alerts``.

A store without a list gets every alert; with a list, the alerts on its products and on
those it complained about; every store gets every close. A store that starts to sell an
alert's product (or loses its list) receives the open alert after its cursor. Paging one
row at a time reaches every row a store receives; the token alone says whose they are.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from local_db import sync_state
from sync.protocol import PROTOCOL_HEADER
from sync.server import assortment, product_alerts
from sync.server.storage import Storage
from sync.server.tables import console_audit, store_assortments
from sync.server.tables import product_alerts as alerts_table
from tests.sync.helpers import DeskNode, ServerProcess, _server_command
from tests.sync.server.test_product_alerts import _complain, _desks

MakeDesk = Callable[..., DeskNode]


def _get(node: DeskNode, **params: Any) -> dict[str, Any]:
    token = sync_state.read_state(node.conn).token
    answer = httpx.get(f"{node.server.url}/v1/alerts", params=params, headers={
        PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _received(node: DeskNode, since: int, mine: set[str]) -> dict[str, str]:
    """The latest status this desk's store received (after *since*) of each of this
    test's labels (other tests' alerts on the shared server may close meanwhile)."""
    out: dict[str, str] = {}
    cursor, more = since, True
    while more:
        page = _get(node, since=cursor)
        out.update({a["label"]: a["status"] for a in page["alerts"] if a["label"] in mine})
        cursor, more = page["cursor"], page["more"]
    return out


def _code(node: DeskNode) -> str:
    return node.desk.store_code


def _lists(server: ServerProcess, csv_text: str, actor: str = "hq:测试") -> dict[str, int]:
    storage = Storage(server.db_url)
    try:
        return assortment.replace(storage, assortment.parse_csv(csv_text.encode()), actor)
    finally:
        storage.close()


def _head(server: ServerProcess) -> int:
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.coalesce(
                sa.func.max(alerts_table.c.seq), 0))).scalar_one())
    finally:
        storage.close()


def test_an_alert_reaches_the_stores_that_sell_it(make_desk: MakeDesk,
                                                  server: ServerProcess) -> None:
    a, b, c, free, sells, lacks = _desks(make_desk, 6)
    juice, milk, other = (f"果汁 {uuid.uuid4().hex[:6]}", f"牛奶 {uuid.uuid4().hex[:6]}",
                          f"面包 {uuid.uuid4().hex[:6]}")
    mine = {juice, milk, other}
    start = _head(server)
    # "sells" has the juice (by its name, written otherwise: the alerts' own key) and
    # "lacks" has only bread; "a" complains about the juice but its list lacks it.
    counts = _lists(server, "门店,商品编码,商品名称\n"
                    f"{_code(sells)},,{juice.upper().replace(' ', '')}\n"
                    f"{_code(sells)},,{other}\n{_code(lacks)},,{other}\n"
                    f"{_code(a)},,{other}\n")
    assert counts == {_code(sells): 2, _code(lacks): 1, _code(a): 1}
    for node in (a, b, c):
        _complain(node, juice)
    assert _received(free, start, mine) == {juice: "open"}  # no list: every alert
    assert _received(sells, start, mine) == {juice: "open"}
    assert _received(lacks, start, mine) == {}
    assert _received(a, start, mine) == {juice: "open"}  # it complained: always
    assert _received(b, start, mine) == {juice: "open"}

    # A close reaches every store, the one that never saw it open too.
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            alert_id = conn.execute(sa.select(alerts_table.c.id).where(
                alerts_table.c.seq > start, alerts_table.c.label == juice)).scalar_one()
        with storage.writing() as conn:
            assert product_alerts.close(conn, alert_id, "hq:王总")
    finally:
        storage.close()
    for node in (free, sells, lacks, a):
        assert _received(node, start, mine)[juice] == "closed"

    # An open alert on milk: "lacks" does not receive it; then its list names milk, and
    # the alert reaches it after the cursor it already has.
    for node in (a, b, c):
        _complain(node, milk)
    cursor = _get(lacks, since=start)["cursor"]
    assert _received(lacks, cursor, mine) == {}
    assert _lists(server, f"store,name\n{_code(lacks)},{milk}\n{_code(lacks)},{other}\n") \
        == {_code(lacks): 2}
    assert _received(lacks, cursor, mine) == {milk: "open"}
    # Its list back to bread only: it keeps what it has; a list taken away brings every
    # open alert back (again after its cursor).
    _lists(server, f"store,name\n{_code(lacks)},{other}\n")
    cursor = _get(lacks, since=cursor)["cursor"]
    assert _received(lacks, cursor, mine) == {}
    storage = Storage(server.db_url)
    try:
        assert assortment.clear(storage, _code(lacks), "hq:王总")
        assert not assortment.clear(storage, _code(lacks), "hq:王总")
        with storage.engine.connect() as conn:
            audited = conn.execute(sa.select(console_audit.c.action, console_audit.c.actor,
                                             console_audit.c.detail)
                                   .where(console_audit.c.subject == _code(lacks))
                                   .order_by(console_audit.c.id)).all()
    finally:
        storage.close()
    assert _received(lacks, cursor, mine) == {milk: "open"}
    assert [(r[0], r[1], json.loads(r[2])) for r in audited] == [
        ("assortment.replaced", "hq:测试", {"products": 1}),
        ("assortment.replaced", "hq:测试", {"products": 2}),
        ("assortment.replaced", "hq:测试", {"products": 1}),
        ("assortment.cleared", "hq:王总", {})]


def test_paging_one_row_at_a_time_and_the_token_alone_decides(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    a, b, c, picky = _desks(make_desk, 4)
    start = _head(server)
    products = [f"零食{n} {uuid.uuid4().hex[:6]}" for n in range(5)]
    # "picky" sells every other product: the rows between are filtered out.
    _lists(server, "store,name\n" + "".join(f"{_code(picky)},{p}\n" for p in products[::2]))
    for product in products:
        for node in (a, b, c):
            _complain(node, product)
    everything = _received(picky, start, set(products))
    assert everything == {p: "open" for p in products[::2]}
    paged: list[dict[str, Any]] = []
    cursor, more = start, True
    while more:
        page = _get(picky, since=cursor, limit=1)
        assert len(page["alerts"]) <= 1
        paged.extend(page["alerts"])
        assert page["cursor"] >= cursor
        cursor, more = page["cursor"], page["more"]
    assert [x["label"] for x in paged if x["label"] in products] == products[::2]
    full = _get(picky, since=start)
    assert [x["seq"] for x in paged] == [x["seq"] for x in full["alerts"]]
    # A query naming another store changes nothing: the token's store is the store.
    assert _get(picky, since=start, store=_code(a)) == full
    assert {x["label"] for x in _get(a, since=start)["alerts"]} >= set(products)
    # Another store's list changes nothing for this one.
    _lists(server, f"store,name\n{_code(a)},{products[1]}\n")
    assert _get(picky, since=start) == full


def test_unknown_stores_are_refused_and_nothing_changes(make_desk: MakeDesk,
                                                        server: ServerProcess) -> None:
    node = make_desk("A", "D1")
    _lists(server, f"store,name\n{_code(node)},鲜奶\n")
    with pytest.raises(assortment.AssortmentRefused) as refused:
        _lists(server, f"store,name\n{_code(node)},酸奶\n{_code(node)},豆浆\nNOPE9,豆浆\n")
    assert (refused.value.error, refused.value.params["store"],
            refused.value.params["line"]) == ("unknown_store", "NOPE9", 4)
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            [listed] = [x for x in assortment.lists(conn, "TEST") if x.code == _code(node)]
        assert listed.products == 1
    finally:
        storage.close()


def test_the_command_line_imports_and_clears(make_desk: MakeDesk, server: ServerProcess,
                                             tmp_path: Path) -> None:
    node = make_desk("A", "D1")
    file = tmp_path / "清单.csv"
    file.write_bytes(f"门店,商品编码,商品名称\r\n{_code(node)},6900000000001,鲜奶\r\n"
                     f"{_code(node)},,酸奶\r\n".encode("gb18030"))
    assert server.cli("assortment", "import", str(file)) == {"stores": {_code(node): 2}}
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            by = conn.execute(sa.select(store_assortments.c.updated_by).where(
                store_assortments.c.store == _code(node))).scalar_one()
        assert str(by).startswith("cli")
    finally:
        storage.close()
    assert server.cli("assortment", "clear", _code(node)) == {"store": _code(node),
                                                               "cleared": True}
    bad = tmp_path / "bad.csv"
    bad.write_text(f"store,name\n{_code(node)},\n", "utf-8")
    out = subprocess.run([*_server_command(), "assortment", "import", str(bad), "--db",
                          server.db_url], capture_output=True, text=True)
    assert out.returncode == 2
    assert json.loads(out.stderr) == {"error": "no_product", "detail": "line 2: neither a "
                                      "SKU nor a name", "line": "2", "column": "sku/name"}
