"""``kesu-server policy publish|list`` and ``GET /v1/policy``, on a server of the test's own."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx

from domain.policy import load_policy
from tests.sync.helpers import ServerProcess, headers
from tests.sync.server.hq_client import HQ, run_cli


def _device_token(server: ServerProcess, store: str) -> str:
    resp = httpx.post(f"{server.url}/v1/enrol", headers=headers(), json={
        "protocol": 1, "code": server.enrol_code(store, "D1"), "device_id": "policy-probe"})
    return str(resp.json()["token"])


def _write(tmp_path: Path, name: str, doc: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return str(path)


def test_publish_serve_and_refuse(private_server: ServerProcess, tmp_path: Path) -> None:
    server = private_server
    token = _device_token(server, "PX01")
    get = lambda: httpx.get(f"{server.url}/v1/policy", headers=headers(token))  # noqa: E731
    assert get().status_code == 204

    doc = copy.deepcopy(load_policy().raw)
    doc["policy_version"] = "2026.12.1"
    doc["levels"]["1"]["respond_within_minutes"] = 30
    first = run_cli(server, "policy", "publish", _write(tmp_path, "p1.json", doc))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["version"] == "2026.12.1"
    assert json.loads(first.stdout)["new"] is True

    served = get()
    assert served.status_code == 200
    assert served.json() == {"version": "2026.12.1", "document": doc}

    same = run_cli(server, "policy", "publish", _write(tmp_path, "p1-again.json", doc))
    assert same.returncode == 0 and json.loads(same.stdout)["new"] is False

    changed = copy.deepcopy(doc)
    changed["levels"]["1"]["respond_within_minutes"] = 45
    clash = run_cli(server, "policy", "publish", _write(tmp_path, "p1-changed.json", changed))
    assert clash.returncode == 2
    assert json.loads(clash.stderr)["error"] == "version_exists"

    broken = copy.deepcopy(doc)
    broken["policy_version"] = "2026.12.2"
    broken["levels"]["1"]["respond_within_minutes"] = 99999  # slower than level 2
    bad = run_cli(server, "policy", "publish", _write(tmp_path, "bad.json", broken))
    assert bad.returncode == 2 and json.loads(bad.stderr)["error"] == "invalid_policy"
    missing = run_cli(server, "policy", "publish", str(tmp_path / "nowhere.json"))
    assert missing.returncode == 2 and json.loads(missing.stderr)["error"] == "unreadable"

    newer = copy.deepcopy(doc)
    newer["policy_version"] = "2026.12.3"
    assert run_cli(server, "policy", "publish",
                   _write(tmp_path, "p3.json", newer)).returncode == 0
    assert get().json()["version"] == "2026.12.3"
    listed = json.loads(run_cli(server, "policy", "list").stdout)["policies"]
    assert [p["version"] for p in listed] == ["2026.12.1", "2026.12.3"]


def test_the_centre_works_with_the_newest_policy(private_server: ServerProcess,
                                                 tmp_path: Path) -> None:
    server = private_server
    _device_token(server, "PX02")  # makes the store known
    doc = copy.deepcopy(load_policy().raw)
    doc["policy_version"] = "2027.1.1"
    doc["levels"]["1"]["respond_within_minutes"] = 30
    assert run_cli(server, "policy", "publish",
                   _write(tmp_path, "p.json", doc)).returncode == 0
    hq = HQ(server)
    try:
        made = hq.channel_ticket({"store_code": "PX02", "channel": "qr",
                                  "text": "买的牛奶喝了以后肚子疼，上吐下泻",
                                  "external_id": "qr-1"})
        assert made.status_code == 201 and made.json()["level"] == 1
        tid = made.json()["ticket_id"]
        assert hq.note(tid, "总部跟进中").status_code == 201
        shown = hq.show(tid).json()
    finally:
        hq.close()
    assert shown["ticket"]["respond_within_minutes"] == 30
    assert shown["ticket"]["policy_version"] == "2027.1.1"
    assert {e["policy_version"] for e in shown["events"]} == {"2027.1.1"}
