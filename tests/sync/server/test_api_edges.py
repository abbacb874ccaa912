"""The API's edges (issue 13, findings 9, 12 and 13): bounded cursors, a client leaving
mid-body, private database files, and a document as strict as the server; then a
bounded schemathesis run over every documented route. Real server, SQLite and
PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from desktop.tickets import create_ticket
from tests.sync.helpers import DeskNode, ServerProcess, headers
from tests.sync.server.hq_client import HQ
from tests.sync.trust_helpers import token_of

MakeDesk = Callable[..., DeskNode]


def test_cursor_and_page_size_are_bounded(make_desk: MakeDesk, server: ServerProcess) -> None:
    """Finding 9: since=99999999999999999999 was a 500 (OverflowError)."""
    a = make_desk("A", "D1", server)
    h = headers(token_of(a))
    for query in ("since=99999999999999999999", "since=-1", "since=abc", "since=1.5",
                  "limit=0", "limit=1001", "since=9223372036854775808"):
        answer = httpx.get(f"{server.url}/v1/pull?{query}", headers=h, timeout=10)
        assert (answer.status_code, answer.json()["error"]) == (400, "malformed"), query
    top = httpx.get(f"{server.url}/v1/pull?since=9223372036854775807&limit=1000",
                    headers=h, timeout=10)
    assert top.status_code == 200 and top.json()["events"] == []


def test_a_client_leaving_mid_body_is_no_crash(private_server: ServerProcess) -> None:
    """Finding 9: the server logged an ASGI traceback."""
    server = private_server
    for path in ("/v1/push", "/v1/enrol", "/v1/channels/tickets"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall((f"POST {path} HTTP/1.1\r\nHost: x\r\nKesu-Protocol: 1\r\n"
                          "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                          '{"protocol": 1, "events": [').encode())
    assert httpx.get(f"{server.url}/openapi.json", timeout=10).status_code == 200
    assert server.proc is not None
    server.proc.send_signal(signal.SIGTERM)
    _, err = server.proc.communicate(timeout=15)
    server.proc = None
    log = err.decode("utf-8", "replace")
    assert "Traceback" not in log and "Exception in ASGI" not in log, log


def test_the_server_database_is_private(private_server: ServerProcess,
                                        make_desk: MakeDesk) -> None:
    """Finding 12: database files were created 0644 (customer data world-readable)."""
    if private_server.db_path is None:
        return  # PostgreSQL: the cluster's files are its own
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{private_server.db_path}{suffix}")
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def _schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(doc["components"]["schemas"][name])


def test_the_document_is_as_strict_as_the_server(make_desk: MakeDesk,
                                                 server: ServerProcess) -> None:
    """Finding 13: protocol unconstrained, no minimums, empty strings and nulls allowed."""
    doc = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            (protocol,) = [p for p in op["parameters"] if p["name"] == "Kesu-Protocol"]
            assert protocol["required"] and protocol["schema"]["enum"] == ["1"], (method, path)
    enrol = _schema(doc, "EnrolRequest")
    assert enrol["properties"]["protocol"]["enum"] == [1]
    assert enrol["properties"]["code"]["minLength"] == 1
    assert enrol["properties"]["device_id"]["minLength"] == 1
    assert enrol["properties"]["store_code"]["pattern"] == "^[A-Z0-9]{1,8}$"
    assert enrol["additionalProperties"] is False
    push = _schema(doc, "PushRequest")["properties"]
    assert push["first_seq"]["minimum"] == 1 and push["events"]["minItems"] == 1
    assert push["events"]["maxItems"] == 500
    pull = {p["name"]: p["schema"] for p in doc["paths"]["/v1/pull"]["get"]["parameters"]}
    assert (pull["since"]["minimum"], pull["limit"]["minimum"], pull["limit"]["maximum"]) == (
        0, 1, 1000)
    channel = _schema(doc, "ChannelTicketRequest")["properties"]
    assert channel["store_code"]["pattern"] == "^[A-Z0-9]{1,8}$"
    assert channel["text"]["minLength"] == 1 and channel["text"]["maxLength"] == 5000
    assert channel["external_id"]["minLength"] == 1 and "pattern" in channel["external_id"]
    assert _schema(doc, "NoteRequest")["properties"]["text"]["minLength"] == 1
    tickets = doc["paths"]["/v1/hq/stores/{store}/tickets"]["get"]["parameters"]
    assert {p["name"]: p["schema"].get("pattern") for p in tickets}["store"] == (
        "^[A-Z0-9]{1,8}$")
    status = _schema(doc, "StatusChange")["properties"]["note"]
    assert status == {"type": "string", "minLength": 0, "maxLength": 5000}  # not null
    # And the server refuses what the document refuses.
    a = make_desk("A", "D1", server)
    tid = create_ticket(a.desk, a.clerk, {"text": "酸奶过期了"}).ticket.id
    a.engine.sync_once()
    hq = HQ(server)
    try:
        for body in ({"from": "accepted", "to": "rectifying", "note": None},
                     {"from": "accepted", "to": "rectifying", "extra": 1}):
            refused = hq.http.post(f"/v1/hq/tickets/{tid}/status", json=body)
            assert (refused.status_code, refused.json()["error"]) == (400, "malformed"), body
        refused = hq.http.post(f"/v1/hq/tickets/{tid}/compensations/x/decision",
                               json={"decision": "approved", "reason": None})
        assert refused.status_code == 400
        assert hq.http.get("/v1/hq/stores/xt01/tickets").status_code == 400
        no_header = httpx.get(f"{server.url}/v1/status", timeout=10)
        assert no_header.status_code == 426
    finally:
        hq.close()


# Statuses schemathesis may expect besides its defaults: 426 is the protocol's "update
# required" (a missing or other Kesu-Protocol header is a refusal like any other), 413 a
# body too large, and 422 the centre's refusal of well-formed events (a broken chain, a
# foreign store: nothing a schema can say).
_CONFIG = """
[checks]
negative_data_rejection.expected-statuses = ["400", "401", "403", "404", "405", "409", "413",
                                             "422", "426"]
missing_required_header.expected-statuses = ["400", "401", "403", "426"]
positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

[parameters]
ticket_id = "{ticket_id}"
"""


def _schemathesis(server: ServerProcess, config: Path, token: str, *tags: str
                  ) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).with_name("schemathesis")
    command = [str(tool) if tool.exists() else "schemathesis", "--config-file", str(config),
               "run", f"{server.url}/openapi.json", "--checks", "all", "--no-color",
               "-H", f"Authorization: Bearer {token}", "--max-examples", "10",
               "--max-time", "12", "--seed", "1313", "--workers", "1"]
    for tag in tags:
        command += ["--include-tag", tag]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env,
                          cwd=config.parent, check=False)


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
        make_desk: MakeDesk, server: ServerProcess, tmp_path: Path) -> None:
    """Every documented route, positive and negative data, ``--checks all``, bounded."""
    a = make_desk("A", "D1", server)
    tid = create_ticket(a.desk, a.clerk, {"text": "收银员态度很差"}).ticket.id
    a.engine.sync_once()
    config = tmp_path / "schemathesis.toml"
    config.write_text(_CONFIG.replace("{ticket_id}", tid), "utf-8")
    hq = HQ(server)
    try:
        runs = [_schemathesis(server, config, token_of(a), "sync"),
                _schemathesis(server, config, hq.token, "headquarters", "channels")]
    finally:
        hq.close()
    for run in runs:
        # schemathesis exits 1 on any failed check (a 5xx, a response or status the
        # document does not allow, a schema-valid request refused or the reverse).
        report = "\n".join(run.stdout.splitlines()[-60:])
        assert run.returncode == 0, f"{' '.join(run.args)}\n{report}\n{run.stderr[-2000:]}"
        assert " passed" in report and "Test cases:" in report, report
