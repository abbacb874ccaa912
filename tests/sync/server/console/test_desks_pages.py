"""The desks page on a real server with real desks: what it shows, to whom, and what
headquarters does there (enrolment codes, revoking), CSRF included."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from contextlib import closing

import httpx
import pytest

from desktop.desk_sync.engine import app_version
from desktop.tickets import create_ticket
from sync.errors import Unauthorized
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.helpers import add_user, logged_in


def _row(html: str, store: str, desk: str) -> str:
    """The table row of *desk* in *store*'s card."""
    card = html.split(f'data-store="{store}"', 1)[1].split("</section>", 1)[0]
    return card.split(f'data-desk="{desk}"', 1)[1].split("</tr>", 1)[0]


def test_who_opens_the_desks_page(server: ServerProcess) -> None:
    assert httpx.get(f"{server.url}/console/desks").status_code == 303
    client, csrf = logged_in(server, add_user(server, "agent"))
    with closing(client):
        assert client.get("/console/desks").status_code == 403
        assert client.post("/console/desks/enrol", data={
            "csrf_token": csrf, "store": "XT01", "desk": "D9"}).status_code == 403


def test_headquarters_sees_each_desk_with_its_report(
        server: ServerProcess, make_desk: Callable[..., DeskNode]) -> None:
    node = make_desk("A", "D1")
    create_ticket(node.desk, node.clerk, {"text": "买的牛奶过期了"})
    node.engine.sync_once(push=False)  # its complaint waits in the outbox
    store = node.desk.store_code
    client, _ = logged_in(server, add_user(server, "hq"), lang="en")
    with closing(client):
        page = client.get("/console/desks")
    assert page.status_code == 200
    row = _row(page.text, store, "D1")
    assert 'data-live="yes"' in row and "ago" in row
    assert re.search(r'data-testid="desk-outbox">[1-9]\d*<', row)
    assert app_version() in row and node.desk.policy.version in row
    assert 'data-testid="desk-revoke"' in row
    assert 'data-testid="desks-enrol-form"' in page.text


def test_a_regional_manager_sees_only_their_region_read_only(
        server: ServerProcess, make_desk: Callable[..., DeskNode]) -> None:
    region = "RG" + secrets.token_hex(2).upper()
    mine = make_desk("M", "D1", enrol=False)
    server.add_store(mine.desk.store_code, region)
    mine.enrol()
    mine.engine.sync_once()
    other = make_desk("O", "D1")  # a store of another region
    other.engine.sync_once()
    client, csrf = logged_in(server, add_user(server, "regional", region))
    with closing(client):
        page = client.get("/console/desks")
        assert page.status_code == 200
        assert f'data-store="{mine.desk.store_code}"' in page.text
        assert f'data-store="{other.desk.store_code}"' not in page.text
        assert 'data-testid="desks-read-only"' in page.text
        assert "desk-revoke" not in page.text and "desks-enrol-form" not in page.text
        for path, data in (("/console/desks/enrol", {"store": mine.desk.store_code,
                                                     "desk": "D5"}),
                           ("/console/desks/revoke", {"device_id": mine.desk.device_id})):
            assert client.post(path, data={"csrf_token": csrf, **data}).status_code == 403
    mine.engine.sync_once()  # still enrolled


def test_headquarters_issues_a_code_that_a_desk_enrols_with(
        server: ServerProcess, make_desk: Callable[..., DeskNode]) -> None:
    node = make_desk("E", "D2", enrol=False)
    store = node.desk.store_code
    server.add_store(store)
    client, csrf = logged_in(server, add_user(server, "hq"))
    with closing(client):
        refused = client.post("/console/desks/enrol", data={"store": store, "desk": "D2"})
        assert refused.status_code == 403  # no CSRF token: no code
        bad = client.post("/console/desks/enrol",
                          data={"csrf_token": csrf, "store": store, "desk": "HQ"})
        assert bad.status_code == 400 and "未生成登记码" in bad.text
        unknown = client.post("/console/desks/enrol",
                              data={"csrf_token": csrf, "store": "NOSUCH1", "desk": "D2"})
        assert unknown.status_code == 404 and "NOSUCH1" in unknown.text
        issued = client.post("/console/desks/enrol",
                             data={"csrf_token": csrf, "store": store, "desk": "d2"})
        assert issued.status_code == 200, issued.text
        found = re.search(r'data-testid="enrol-code"[^>]*>([A-Z0-9]+)<', issued.text)
        assert found is not None
        assert 'data-testid="enrol-code-expires"' in issued.text
        listed = client.get("/console/desks").text
        assert 'data-testid="desk-code" data-desk="D2"' in listed
        assert found.group(1) not in listed  # shown once, never listed
    node.engine.enrol(found.group(1))
    node.engine.sync_once()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headquarters_revokes_a_desk(server: ServerProcess,
                                     make_desk: Callable[..., DeskNode], lang: str) -> None:
    node = make_desk("R", "D1")
    node.engine.sync_once()
    store = node.desk.store_code
    client, csrf = logged_in(server, add_user(server, "hq"), lang=lang)
    with closing(client):
        kept = client.post("/console/desks/revoke", data={"device_id": node.desk.device_id})
        assert kept.status_code == 403
        node.engine.sync_once()  # still live
        done = client.post("/console/desks/revoke",
                           data={"csrf_token": csrf, "device_id": node.desk.device_id})
        assert done.status_code == 303
        page = client.get(done.headers["location"])
        assert f"{store}/D1" in page.text
        assert 'data-live="no"' in _row(page.text, store, "D1")
        again = client.post("/console/desks/revoke",
                            data={"csrf_token": csrf, "device_id": node.desk.device_id})
        assert again.status_code == 409
    with pytest.raises(Unauthorized):
        node.engine.sync_once()
