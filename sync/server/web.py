"""HTTP pieces shared by the server's routes: refusals, JSON answers, the protocol header.

Every refusal is answered as ``{"error": code, "detail": text, ...}`` (:class:`ErrorBody`).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response
from starlette.requests import ClientDisconnect

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server.errors import Refusal


def json_response(body: Any, status: int = 200) -> Response:
    """Compact JSON, Chinese kept readable."""
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                    status_code=status, media_type="application/json")


def check_protocol(request: Request, body_version: object = None) -> None:
    """Refuse (426 ``update_required``) a request without the protocol header, or in
    another protocol version (header or body)."""
    header = request.headers.get(PROTOCOL_HEADER)
    if header != str(PROTOCOL_VERSION) or (
            body_version is not None and body_version != PROTOCOL_VERSION):
        raise Refusal(426, "update_required",
                      f"server speaks protocol {PROTOCOL_VERSION}, request "
                      f"{header!r}{'' if body_version is None else f'/{body_version!r}'}")


def bearer(request: Request) -> str | None:
    """The bearer token of the request, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


# A full push (500 events at the schema's largest payload) fits; a runaway body does not.
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_SEQ = 2**63 - 1  # the databases' BIGINT


async def read_json(request: Request) -> Any:
    """The parsed body; 400 ``malformed`` when it is not JSON, 413 when it is too large.

    A client that goes away mid-body gets the same refusal (nobody reads it), instead
    of an exception that the server would log as a crash.
    """
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise Refusal(413, "too_large", f"body above {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise Refusal(400, "malformed", "the client went away before the body was read") \
            from exc
    try:
        # orjson: a 500-event push body parses about 3x faster than with json, and
        # it refuses NaN and lone surrogates that the desk would never send.
        body = orjson.loads(b"".join(chunks))
    except ValueError as exc:
        raise Refusal(400, "malformed", "body is not JSON") from exc
    return _integers(body)


def _integers(value: Any) -> Any:
    """*value* with integral numbers written as floats (``350.0``) made ints: JSON Schema
    counts them as integers, so the API document allows them. No body has a real
    float field, so nothing else changes."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) <= 2**63 else value
    if isinstance(value, list):
        return [_integers(v) for v in value]
    if isinstance(value, dict):
        return {k: _integers(v) for k, v in value.items()}
    return value


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    """A query parameter that must be an integer in *low*..*high* (400 otherwise)."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    text = raw.strip()
    if not text or len(text) > 20 or not (text.isascii() and text.lstrip("-").isdigit()):
        raise Refusal(400, "malformed", f"{name} must be an integer in {low}..{high}")
    value = int(text)
    if not low <= value <= high:
        raise Refusal(400, "malformed", f"{name} must be an integer in {low}..{high}")
    return value
