"""The policy pages on a real server: who may open them, check, publish, diff, CSRF.

Publishing changes the policy of every store, so these tests run on a server of their
own (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from typing import Any

import httpx

from desktop.desk_sync.engine import SyncEngine
from desktop.desk_sync.wiring import DeskPolicySink
from domain.policy import load_policy
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.helpers import add_user, logged_in


def _doc(version: str) -> dict[str, Any]:
    doc = load_policy().document()
    doc["policy_version"] = version
    return doc


def _text(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


def test_only_headquarters_opens_the_policy_pages(server: ServerProcess) -> None:
    for path in ("/console/policy", "/console/policy/new"):
        assert httpx.get(f"{server.url}{path}").status_code == 303  # to the login page
    for role, region in (("agent", None), ("regional", "EAST")):
        client, csrf = logged_in(server, add_user(server, role, region))
        with closing(client):
            for path in ("/console/policy", "/console/policy/new", "/console/policy/diff"):
                assert client.get(path).status_code == 403, (role, path)
            posted = client.post("/console/policy/check",
                                 data={"csrf_token": csrf, "document": "{}"})
            assert posted.status_code == 403
    client, _ = logged_in(server, add_user(server, "hq"))
    with closing(client):
        page = client.get("/console/policy")
        assert page.status_code == 200 and 'data-testid="policy-running"' in page.text
        new = client.get("/console/policy/new")
        assert new.status_code == 200
        # Prefilled with the current document, pretty-printed.
        assert "&#34;policy_version&#34;: &#34;" in new.text or '"policy_version": "' in new.text


def test_check_shows_the_json_path_of_the_fault(server: ServerProcess) -> None:
    client, csrf = logged_in(server, add_user(server, "hq"), lang="en")
    with closing(client):
        bad = _doc("2027.3.1")
        bad["compensation"]["role_limits_fen"]["desk"] = "lots"
        answer = client.post("/console/policy/check", data={"csrf_token": csrf,
                                                             "document": _text(bad)})
        assert answer.status_code == 422
        assert 'data-path="compensation.role_limits_fen.desk"' in answer.text
        assert "expected int, got str" in answer.text
        assert "lots" in answer.text  # what was typed is kept
        broken = client.post("/console/policy/check", data={"csrf_token": csrf,
                                                            "document": '{"schema": 1,'})
        assert broken.status_code == 422 and "not valid JSON (line 1" in broken.text
        good = _doc("2027.3.2")
        good["levels"]["1"]["respond_within_minutes"] = 45
        fine = client.post("/console/policy/check", files={"file": (
            "p.json", _text(good).encode(), "application/json")}, data={"csrf_token": csrf})
        assert fine.status_code == 200, fine.text
        assert 'data-testid="policy-valid"' in fine.text
        assert 'data-path="levels.1.respond_within_minutes"' in fine.text
        # Checking publishes nothing.
        assert "2027.3.2" not in client.get("/console/policy").text
        refused = client.post("/console/policy/check", data={"document": _text(good)})
        assert refused.status_code == 403  # no CSRF token


def test_publish_diff_and_the_desks_pull_it(private_server: ServerProcess,
                                            make_desk: Callable[..., DeskNode]) -> None:
    server = private_server
    node = make_desk("P", "D1", server=server)
    engine = SyncEngine(node.conn, server.url, clock=node.clock, timeout=10,
                        policy_sink=DeskPolicySink(node.desk))
    username = add_user(server, "hq")
    client, csrf = logged_in(server, username)
    try:
        first, second = _doc("2027.4.1"), _doc("2027.4.2")
        second["compensation"]["role_limits_fen"]["desk"] += 1000
        assert client.post("/console/policy/publish", data={
            "document": _text(first)}).status_code == 403  # CSRF missing: nothing published
        assert "2027.4.1" not in client.get("/console/policy").text
        for doc in (first, second):
            done = client.post("/console/policy/publish",
                               data={"csrf_token": csrf, "document": _text(doc)})
            assert done.status_code == 303, done.text
            assert done.headers["location"] == \
                f"/console/policy?published={doc['policy_version']}"
        clash = _doc("2027.4.2")
        clash_answer = client.post("/console/policy/publish",
                                   data={"csrf_token": csrf, "document": _text(clash)})
        assert clash_answer.status_code == 409 and 'data-path="policy_version"' in \
            clash_answer.text
        page = client.get("/console/policy")
        assert 'data-version="2027.4.1"' in page.text and 'data-version="2027.4.2"' in page.text
        assert "测试hq" in page.text  # published by the console user, by name

        shown = client.get("/console/policy/diff", params={"a": "2027.4.1", "b": "2027.4.2"})
        assert shown.status_code == 200
        rows = shown.text.count('data-testid="diff-row"')
        assert rows == 2  # the version and the desk's limit
        assert 'data-path="compensation.role_limits_fen.desk"' in shown.text
        assert client.get("/console/policy/diff",
                          params={"a": "2027.4.1", "b": "nope"}).status_code == 404

        report = engine.sync_once()
        assert report.policy_installed == "2027.4.2"
        assert node.desk.policy.compensation.role_limits_fen["desk"] == \
            second["compensation"]["role_limits_fen"]["desk"]
        engine.sync_once()  # reports the version it now runs
        page = client.get("/console/policy")
        store_row = page.text.split(f'data-store="{node.desk.store_code}"')[1].split("</tr>")[0]
        assert 'data-version="2027.4.2"' in store_row
    finally:
        client.close()
        engine.close()
