"""Headquarters as a test client: a token from ``kesu-server hq-token`` and raw HTTP calls."""

from __future__ import annotations

import subprocess
from typing import Any

import httpx

from tests.sync.helpers import ServerProcess, _server_command, headers


def run_cli(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    """``kesu-server ARGS --db URL`` on the server's database, without raising on failure."""
    return subprocess.run([*_server_command(), *args, "--db", server.db_url],
                          capture_output=True, text=True, check=False)


class HQ:
    """One headquarters user talking to a running server."""

    def __init__(self, server: ServerProcess, name: str = "总部王经理") -> None:
        self.name = name
        self.token = str(server.cli("hq-token", "--name", name)["token"])
        self.http = httpx.Client(base_url=server.url, headers=headers(self.token), timeout=10)

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()

    def tickets(self, store: str) -> httpx.Response:
        """``GET /v1/hq/stores/{store}/tickets``."""
        return self.http.get(f"/v1/hq/stores/{store}/tickets")

    def show(self, ticket_id: str) -> httpx.Response:
        """``GET /v1/hq/tickets/{id}``."""
        return self.http.get(f"/v1/hq/tickets/{ticket_id}")

    def status(self, ticket_id: str, frm: str, to: str, note: str | None = None
               ) -> httpx.Response:
        """``POST .../status``."""
        body: dict[str, Any] = {"from": frm, "to": to}
        if note is not None:
            body["note"] = note
        return self.http.post(f"/v1/hq/tickets/{ticket_id}/status", json=body)

    def note(self, ticket_id: str, text: Any) -> httpx.Response:
        """``POST .../notes``."""
        return self.http.post(f"/v1/hq/tickets/{ticket_id}/notes", json={"text": text})

    def decide(self, ticket_id: str, compensation_id: str, decision: str,
               reason: str = "") -> httpx.Response:
        """``POST .../compensations/{cid}/decision``."""
        return self.http.post(
            f"/v1/hq/tickets/{ticket_id}/compensations/{compensation_id}/decision",
            json={"decision": decision, "reason": reason})

    def channel_ticket(self, body: dict[str, Any]) -> httpx.Response:
        """``POST /v1/channels/tickets``."""
        return self.http.post("/v1/channels/tickets", json=body)
