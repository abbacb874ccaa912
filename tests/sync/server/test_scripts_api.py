"""The desks' script library routes (issue 17): ``GET /v1/scripts`` with its ETag and
304, ``POST /v1/scripts/usage`` against hostile bodies, replays and other stores.
Real server on loopback, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from domain.clock import format_time
from domain.errors import InvalidInput
from domain.ids import uuid7
from domain.scripts import library_document, parse_library
from sync.server import enrolment, script_library
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess, headers

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def _script(script_id: str, **over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": script_id, "subcategory": "spoiled", "levels": [2, 3],
        "title": {"zh": "变质食品处理", "en": "Spoiled food"},
        "say_first": {"zh": "非常抱歉，我们马上为您处理。"},
        "legal_rule": {"zh": "食品安全法第一百四十八条"}, "offer_limit_fen": 100_000}
    doc.update(over)
    return doc


@pytest.fixture
def storage(server: ServerProcess) -> Iterator[Storage]:
    """The server's database, opened by the test."""
    opened = Storage(server.db_url)
    yield opened
    opened.close()


def _device(server: ServerProcess) -> tuple[str, str, str]:
    """(token, store, device id) of a desk enrolled by raw protocol calls."""
    store = "S" + secrets.token_hex(3).upper()
    device = f"dev-{uuid.uuid4()}"
    code = server.enrol_code(store, "D1")
    answer = httpx.post(f"{server.url}/v1/enrol", headers=headers(),
                        json={"protocol": 1, "code": code, "device_id": device}, timeout=10)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"]), store, device


def _publish(storage: Storage, *docs: dict[str, Any], actor: str = "hq:王总") -> int:
    with storage.writing() as conn:
        return script_library.publish(conn, list(docs), actor, NOW).version


def _use(**over: Any) -> dict[str, Any]:
    use: dict[str, Any] = {"id": uuid7(), "script_id": "spoiled-food", "version": 1,
                           "kind": "copied", "ticket_id": str(uuid.uuid4()),
                           "at": format_time(NOW)}
    use.update(over)
    return use


def _counts(storage: Storage, store: str) -> dict[str, tuple[int, int, str]]:
    with storage.engine.connect() as conn:
        return {u.script_id: (u.copied, u.helpful, u.last_used)
                for u in script_library.usage(conn, [store])}


def test_the_library_is_served_with_its_version_as_etag(
        server: ServerProcess, storage: Storage) -> None:
    token, _, _ = _device(server)
    h = headers(token)
    first = httpx.get(f"{server.url}/v1/scripts", headers=h, timeout=10)
    assert first.status_code == 200
    before = first.json()["version"]
    assert first.headers["ETag"] == f'"v{before}"'
    if before == 0:  # nothing published on this server yet
        assert first.json() == {"version": 0, "published_at": "", "published_by": "",
                                "scripts": []}
    version = _publish(storage, _script("spoiled-food"), _script("sorry", subcategory="*",
                                                                 levels=[]))
    assert version == before + 1
    got = httpx.get(f"{server.url}/v1/scripts", headers=h, timeout=10)
    assert got.status_code == 200 and got.headers["ETag"] == f'"v{version}"'
    library = parse_library(got.json())
    assert library.version == version and library.published_by == "hq:王总"
    assert [s.id for s in library.scripts] == ["spoiled-food", "sorry"]
    assert library.published_at == format_time(NOW)
    with storage.engine.connect() as conn:
        assert got.json() == library_document(script_library.current(conn))
    same = httpx.get(f"{server.url}/v1/scripts", timeout=10,
                     headers={**h, "If-None-Match": f'"v{version}"'})
    assert same.status_code == 304 and same.content == b""
    weak = httpx.get(f"{server.url}/v1/scripts", timeout=10,
                     headers={**h, "If-None-Match": f'"v0", W/"v{version}"'})
    assert weak.status_code == 304
    old = httpx.get(f"{server.url}/v1/scripts", timeout=10,
                    headers={**h, "If-None-Match": f'"v{before}"'})
    assert old.status_code == 200 and old.json()["version"] == version
    with storage.engine.connect() as conn:
        newest = script_library.history(conn)[0]
    assert (newest.version, newest.published_by, newest.script_count) == (
        version, "hq:王总", 2)


def test_a_library_the_policy_refuses_is_not_published(storage: Storage) -> None:
    with storage.engine.connect() as conn:
        before = script_library.current_version(conn)
    for doc, field in ((_script("x", subcategory="no_such_thing"), "subcategory"),
                       (_script("x", levels=[4]), "levels"),
                       (_script("x", title={"zh": ""}), "title"),
                       (_script("Bad Id"), "id")):
        with pytest.raises(InvalidInput) as caught:
            _publish(storage, _script("fine"), doc)
        assert caught.value.params == {**caught.value.params, "script": 1, "field": field}
    with storage.engine.connect() as conn:
        assert script_library.current_version(conn) == before


def test_the_routes_need_a_live_device_token(server: ServerProcess,
                                             storage: Storage) -> None:
    token, _, device = _device(server)
    for method, path in (("GET", "/v1/scripts"), ("POST", "/v1/scripts/usage")):
        body: dict[str, Any] = {"uses": []}
        nobody = httpx.request(method, f"{server.url}{path}", headers=headers(), json=body,
                               timeout=10)
        assert nobody.status_code == 401
        no_protocol = httpx.request(method, f"{server.url}{path}", json=body, timeout=10,
                                    headers={"Authorization": f"Bearer {token}"})
        assert no_protocol.status_code == 426
    enrolment.revoke(storage, device=device)
    for method, path in (("GET", "/v1/scripts"), ("POST", "/v1/scripts/usage")):
        revoked = httpx.request(method, f"{server.url}{path}", headers=headers(token),
                                json={"uses": [_use()]}, timeout=10)
        assert (revoked.status_code, revoked.json()["error"]) == (401, "unauthorized")


def test_uses_are_counted_per_store_once_each(server: ServerProcess,
                                              storage: Storage) -> None:
    token, store, _ = _device(server)
    other_token, other, _ = _device(server)
    url = f"{server.url}/v1/scripts/usage"
    uses = [_use(), _use(), _use(kind="helpful", ticket_id=None),
            _use(script_id="gone-in-v2", at="2026-12-03T07:00:00.000Z")]
    # The body names another store: the token's store is the one counted.
    answer = httpx.post(url, headers=headers(token), timeout=10,
                        json={"store": other, "uses": [{**u, "store": other} for u in uses]})
    assert answer.status_code == 200 and answer.json() == {"accepted": 4}
    assert _counts(storage, store) == {
        "spoiled-food": (2, 1, format_time(NOW)),
        "gone-in-v2": (1, 0, "2026-12-03T07:00:00.000Z")}
    assert _counts(storage, other) == {}
    # A replay (the desk lost the answer) and a batch repeating an id count nothing twice.
    again = httpx.post(url, headers=headers(token), json={"uses": [*uses, uses[0]]},
                       timeout=10)
    assert again.json() == {"accepted": 0}
    more = _use(at="2026-12-03T08:00:00.000Z")
    mixed = httpx.post(url, headers=headers(token), json={"uses": [uses[1], more, more]},
                       timeout=10)
    assert mixed.json() == {"accepted": 1}
    assert _counts(storage, store)["spoiled-food"] == (3, 1, "2026-12-03T08:00:00.000Z")
    # Another store replaying this store's ids gains nothing either.
    stolen = httpx.post(url, headers=headers(other_token), json={"uses": uses}, timeout=10)
    assert stolen.json() == {"accepted": 0} and _counts(storage, other) == {}
    empty = httpx.post(url, headers=headers(token), json={"uses": []}, timeout=10)
    assert empty.json() == {"accepted": 0}


def _refused(server: ServerProcess, token: str, content: bytes) -> dict[str, Any]:
    answer = httpx.post(f"{server.url}/v1/scripts/usage", content=content, timeout=20,
                        headers={**headers(token), "Content-Type": "application/json"})
    assert answer.status_code == 422, (content[:200], answer.status_code, answer.text)
    body = answer.json()
    assert body["error"] == "invalid_usage" and body["detail"]
    return dict(body)


def test_hostile_usage_bodies_are_refused_whole(server: ServerProcess,
                                                storage: Storage) -> None:
    token, store, _ = _device(server)

    def body(*uses: object) -> bytes:
        return json.dumps({"uses": list(uses)}).encode()

    good = _use()
    cases: list[tuple[bytes, int | None, str]] = [
        (b"not json {", None, "body"),
        (b"", None, "body"),
        (b"[]", None, "body"),
        (b'{"uses": {}}', None, "uses"),
        (b'{"uses": null}', None, "uses"),
        (body(good, "use"), 1, ""),
        (body(good, _use(kind="liked")), 1, "kind"),
        (body(good, _use(kind=None)), 1, "kind"),
        (body(_use(id="not-a-uuid")), 0, "id"),
        (body(_use(id=str(uuid.uuid1()))), 0, "id"),  # neither v4 nor v7
        (body(_use(id=good["id"].upper())), 0, "id"),
        (body(_use(script_id="x" * 1_000_000)), 0, "script_id"),
        (body(_use(script_id="Spoiled Food")), 0, "script_id"),
        (body(_use(script_id="ok\n")), 0, "script_id"),
        (body(_use(version=True)), 0, "version"),
        (body(_use(version=-1)), 0, "version"),
        (body(_use(version=2**40)), 0, "version"),
        (body(_use(version="1")), 0, "version"),
        (body(_use(ticket_id="T-1")), 0, "ticket_id"),
        (body(_use(at="2026-12-03 06:00:00")), 0, "at"),
        (body(_use(at="2026-12-03T06:00:00Z")), 0, "at"),
        (body(_use(at="2026-13-03T06:00:00.000Z")), 0, "at"),
        (body(_use(at=None)), 0, "at"),
        (body(*[_use() for _ in range(501)]), None, "uses"),
    ]
    for content, use, field in cases:
        refusal = _refused(server, token, content)
        assert (refusal["use"], refusal["field"]) == (use, field), (content[:100], refusal)
    assert _counts(storage, store) == {}  # nothing of a refused request was stored
    full = httpx.post(f"{server.url}/v1/scripts/usage", headers=headers(token), timeout=20,
                      json={"uses": [_use() for _ in range(500)]})
    assert full.json() == {"accepted": 500}
    assert _counts(storage, store)["spoiled-food"][0] == 500
