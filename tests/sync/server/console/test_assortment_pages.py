"""The store assortments on the alerts page, on a real server with real desks:
headquarters uploads a CSV (multipart, CSRF checked) and removes a store's list; a
refused file changes nothing and says why in Chinese and English; a regional manager
sees their region's stores' lists only and changes nothing; an alert's page says how
many stores receive it."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from contextlib import closing

import httpx

from sync.server.console import masterdata
from sync.server.storage import Storage
from sync.server.tables import store_assortments, store_products
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.helpers import add_user, logged_in
from tests.sync.server.console.test_alerts_pages import _chain, _complain, _row

MakeDesk = Callable[..., DeskNode]


def _lists(html: str) -> dict[str, str]:
    """Each store row's list size on the page ("" for no list)."""
    return dict(re.findall(r'data-testid="assortment-row" data-store="([^"]+)" '
                           r'data-products="([^"]*)"', html))


def _upload(client: httpx.Client, csrf: str | None, data: bytes) -> httpx.Response:
    form = {} if csrf is None else {"csrf_token": csrf}
    return client.post("/console/alerts/assortment", data=form,
                       files={"file": ("清单.csv", data, "text/csv")})


def test_headquarters_uploads_and_removes_lists(make_desk: MakeDesk,
                                                server: ServerProcess) -> None:
    region, (a, b, c) = _chain(make_desk, server)
    sa_, sb, sc = (n.desk.store_code for n in (a, b, c))
    hq, csrf = logged_in(server, add_user(server, "hq"))
    en, en_csrf = logged_in(server, add_user(server, "hq"), lang="en")
    mine, mine_csrf = logged_in(server, add_user(server, "regional", region))
    with closing(hq), closing(en), closing(mine):
        page = hq.get("/console/alerts")
        assert 'data-testid="assortment-form"' in page.text
        assert 'enctype="multipart/form-data"' in page.text
        assert _lists(page.text)[sa_] == "" and "无清单：接收全部预警" in page.text
        done = _upload(hq, csrf, (f"门店,商品编码,商品名称\n{sa_},6900000000001,鲜奶\n"
                                  f"{sa_},,酸奶\n{sb},,🍞面包\n").encode("gb18030"))
        assert done.status_code == 303, done.text
        page = hq.get(done.headers["location"])
        assert f"已更新商品清单：{sa_} (2)、{sb} (1)" in page.text
        assert (_lists(page.text)[sa_], _lists(page.text)[sb], _lists(page.text)[sc]) == (
            "2", "1", "")
        assert "2 种商品" in page.text and "由 测试hq" in page.text

        # Refused files: the reason, in the reader's language; nothing changed.
        bad = f"store,name\n{sa_},豆浆\nNOPE9,豆浆\n".encode()
        for client, token, words in (
                (hq, csrf, "第 3 行的门店 NOPE9 不在主数据中，未做任何更改。"),
                (en, en_csrf, "Line 3: there is no store NOPE9 in the master data; "
                              "nothing was changed.")):
            refused = _upload(client, token, bad)
            assert refused.status_code == 400 and words in refused.text
            assert 'role="alert"' in refused.text
            assert _lists(refused.text)[sa_] == "2"
        refused = _upload(hq, csrf, b"SH01,milk\n")
        assert refused.status_code == 400 and "第 1 行应为表头" in refused.text
        refused = _upload(en, en_csrf, b"")
        assert refused.status_code == 400 and "Choose the CSV file" in refused.text
        refused = _upload(hq, csrf, f"store,sku\n{sa_},\n".encode())
        assert "第 2 行商品编码和商品名称都为空" in refused.text
        # Without the CSRF token: refused, nothing changed.
        assert _upload(hq, None, f"store,name\n{sa_},豆浆\n".encode()).status_code == 403
        assert _lists(hq.get("/console/alerts").text)[sa_] == "2"

        # The regional manager: their region's stores' lists, read only.
        page = mine.get("/console/alerts")
        seen = _lists(page.text)
        assert (seen[sa_], seen[sb]) == ("2", "1") and sc not in seen
        storage = Storage(server.db_url)
        try:
            with storage.engine.connect() as conn:
                assert set(seen) == {s.code for s in masterdata.list_stores(conn, region)}
        finally:
            storage.close()
        assert 'data-testid="assortment-form"' not in page.text
        assert 'data-testid="assortment-clear"' not in page.text
        assert 'data-testid="assortment-read-only"' in page.text
        assert _upload(mine, mine_csrf, f"store,name\n{sa_},豆浆\n".encode()).status_code \
            == 403
        assert mine.post(f"/console/alerts/assortment/{sa_}/clear",
                         data={"csrf_token": mine_csrf}).status_code == 403

        # Headquarters removes A's list: without the token refused, then done.
        assert hq.post(f"/console/alerts/assortment/{sa_}/clear", data={}).status_code == 403
        done = hq.post(f"/console/alerts/assortment/{sa_}/clear", data={"csrf_token": csrf})
        assert done.status_code == 303
        page = hq.get(done.headers["location"])
        assert f"已删除门店 {sa_} 的商品清单" in page.text
        assert (_lists(page.text)[sa_], _lists(page.text)[sb]) == ("", "1")
        again = hq.post(f"/console/alerts/assortment/{sa_}/clear", data={"csrf_token": csrf})
        assert again.status_code == 404 and f"门店 {sa_} 没有商品清单" in again.text
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            assert conn.execute(store_products.select().where(
                store_products.c.store == sa_)).first() is None
            by = conn.execute(store_assortments.select().with_only_columns(
                store_assortments.c.updated_by).where(
                store_assortments.c.store == sb)).scalar_one()
        assert str(by).startswith("hq:")
    finally:
        storage.close()


def test_an_alerts_page_says_how_many_stores_receive_it(make_desk: MakeDesk,
                                                         server: ServerProcess) -> None:
    region, (a, b, c) = _chain(make_desk, server)
    product = f"肉松饼 {uuid.uuid4().hex[:6]}"
    lacking = "S" + secrets.token_hex(3).upper()[:5]
    server.add_store(lacking, region)
    hq, csrf = logged_in(server, add_user(server, "hq"))
    # In the region: A (a list without the product, but it complains), B, D (a list
    # without it: left out) and the manager's own test store (no list).
    mine, _ = logged_in(server, add_user(server, "regional", region))
    with closing(hq), closing(mine):
        assert _upload(hq, csrf, f"store,name\n{a.desk.store_code},别的\n"
                                 f"{lacking},别的\n".encode()).status_code == 303
        for node in (a, b, c):
            _complain(node, "肉松饼有异味", product)
        alert_id = re.search(r'data-alert="(\d+)"',  # type: ignore[union-attr]
                             _row(hq.get("/console/alerts").text, product)).group(1)
        detail = mine.get(f"/console/alerts/{alert_id}")
        assert 'data-receiving="3" data-of="4"' in detail.text
        assert "发送给本区域 4 家门店中的 3 家" in detail.text
        # Headquarters: every store of the chain, less those whose list lacks it.
        storage = Storage(server.db_url)
        try:
            with storage.engine.connect() as conn:
                total = len(masterdata.list_stores(conn))
                listed = {str(s) for s in conn.execute(
                    store_assortments.select().with_only_columns(store_assortments.c.store)
                ).scalars()}
        finally:
            storage.close()
        left_out = listed - {a.desk.store_code}  # no other list names this new product
        detail = hq.get(f"/console/alerts/{alert_id}")
        assert f"发送给 {total} 家门店中的 {total - len(left_out)} 家" in detail.text
        # Closed: the close goes to every store.
        assert hq.post(f"/console/alerts/{alert_id}/close",
                       data={"csrf_token": csrf}).status_code == 303
        assert 'data-receiving="4" data-of="4"' in mine.get(
            f"/console/alerts/{alert_id}").text
