"""The OpenAPI document of a running ``kesu-server`` describes every route and body."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi.routing import APIRoute

from sync.server.app import create_app
from tests.sync.helpers import ServerProcess

CONTRACT = {
    ("post", "/v1/enrol"), ("get", "/v1/status"), ("post", "/v1/push"), ("get", "/v1/pull"),
    ("get", "/v1/policy"),
    ("get", "/v1/hq/stores/{store}/tickets"), ("get", "/v1/hq/tickets/{ticket_id}"),
    ("post", "/v1/hq/tickets/{ticket_id}/status"), ("post", "/v1/hq/tickets/{ticket_id}/notes"),
    ("post", "/v1/hq/tickets/{ticket_id}/compensations/{compensation_id}/decision"),
    ("post", "/v1/channels/tickets"),
}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*map(_refs, node)) if node else set()
    return set()


def test_every_route_is_documented(server: ServerProcess, tmp_path: Path) -> None:
    doc = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    documented = {(method, path) for path, ops in doc["paths"].items() for method in ops}
    assert CONTRACT <= documented

    app = create_app(f"sqlite:///{tmp_path / 'routes.db'}")
    try:
        routes = {(m.lower(), r.path) for r in app.routes
                  if isinstance(r, APIRoute) and r.include_in_schema for m in r.methods}
    finally:
        app.state.storage.close()
    assert routes <= documented

    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    for method, path in CONTRACT:
        op = doc["paths"][path][method]
        assert op.get("description") or op.get("summary"), (method, path)
        if method == "post":
            body = op["requestBody"]["content"]["application/json"]["schema"]
            name = body["$ref"].removeprefix("#/components/schemas/")
            options = schemas[name].get("anyOf") or [schemas[name]]
            for option in options:
                shape = schemas[option["$ref"].removeprefix("#/components/schemas/")] \
                    if "$ref" in option else option
                assert shape["properties"], name
        ok = next(c for c in op["responses"] if c.startswith("2"))
        assert ok in {"200", "201"}
    channel = schemas["ChannelTicketRequest"]
    assert set(channel["required"]) == {"store_code", "channel", "text", "external_id"}
    assert channel["properties"]["channel"]["enum"] == ["hotline", "qr", "online", "douyin"]
    assert "from" in schemas["StatusChange"]["required"]
    assert "server_seq" not in schemas["WireEvent"]["required"]

    page = httpx.get(f"{server.url}/docs", timeout=10)
    assert page.status_code == 200 and "/openapi.json" in page.text
