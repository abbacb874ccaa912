"""The OpenAPI description of the server's bodies, made from the protocol's TypedDicts.

Bodies are parsed by :mod:`sync.protocol` and the server's own checks, not by pydantic,
so FastAPI cannot see their shapes; each route names them here (``openapi_extra`` and
``responses``) and :func:`install` adds the schemas to ``components``. The converter
reads the TypedDicts themselves, so the document cannot drift from the wire types.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict, Union

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from sync import protocol

_registry: dict[str, dict[str, Any]] = {}

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"}, int: {"type": "integer"}, bool: {"type": "boolean"},
    float: {"type": "number"}, type(None): {"type": "null"}, Any: {},
}


def _is_typeddict(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, dict) and hasattr(kind, "__total__")


def schema_of(kind: Any) -> dict[str, Any]:
    """JSON Schema of a type; TypedDicts become ``$ref``s registered as components."""
    if kind in _SCALARS:
        return dict(_SCALARS[kind])
    if _is_typeddict(kind):
        name = kind.__name__
        if name not in _registry:
            _registry[name] = {}  # placeholder against recursion
            hints = typing.get_type_hints(kind, include_extras=True)
            props, required = {}, []
            for key, hint in hints.items():
                # Read NotRequired from the hints: with postponed annotations
                # __required_keys__ cannot see it on Python 3.11.
                if typing.get_origin(hint) is NotRequired:
                    hint = typing.get_args(hint)[0]
                elif kind.__total__:
                    required.append(key)
                props[key] = schema_of(hint)
            _registry[name] = {
                "type": "object", "title": name,
                "description": (kind.__doc__ or "").strip(),
                "properties": props,
                "required": sorted(required),
            }
        return {"$ref": f"#/components/schemas/{name}"}
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (list, tuple):
        return {"type": "array", "items": schema_of(args[0]) if args else {}}
    if origin in (dict, Mapping):
        return {"type": "object", "additionalProperties": schema_of(args[1]) if args else {}}
    if origin in (Union, types.UnionType):
        return {"anyOf": [schema_of(a) for a in args]}
    if origin is Literal:
        return {"enum": list(args)}
    raise TypeError(f"no schema for {kind!r}")


def body(kind: Any, description: str = "") -> dict[str, Any]:
    """``openapi_extra`` of a route whose JSON request body is *kind*."""
    return {"requestBody": {"required": True, "description": description,
                            "content": {"application/json": {"schema": schema_of(kind)}}}}


def answers(ok: Any, *errors: int, status: int = 200, description: str = "Success"
            ) -> dict[int | str, dict[str, Any]]:
    """``responses`` of a route: *ok* on *status*, :class:`ErrorBody` on each of *errors*."""
    out: dict[int | str, dict[str, Any]] = {}
    if ok is not None:
        out[status] = {"description": description,
                       "content": {"application/json": {"schema": schema_of(ok)}}}
    for code in errors:
        out[code] = {"description": _ERRORS.get(code, "Refused"),
                     "content": {"application/json": {"schema": schema_of(protocol.ErrorBody)}}}
    return out


_ERRORS = {
    400: "Malformed or invalid input (`malformed`, `unknown_status`, `empty_text`, ...)",
    401: "Unknown or revoked token (`unauthorized`)",
    403: "The token may not do this (`forbidden`, `wrong_device`)",
    404: "Unknown ticket, compensation or store",
    409: "Conflict with the stored state (`gap`, `not_pending`, `version_exists`)",
    422: "Events rejected (`broken_chain`, `bad_hash`, `foreign_store`, `fork`)",
    426: "Protocol version mismatch (`update_required`)",
}


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` include the registered schemas and the protocol header."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version,
                              description=app.description, routes=app.routes)
            doc.setdefault("components", {}).setdefault("schemas", {}).update(_registry)
            doc["components"]["securitySchemes"] = {
                "deviceToken": {"type": "http", "scheme": "bearer",
                                "description": "A desk's device token (from /v1/enrol)"},
                "hqToken": {"type": "http", "scheme": "bearer",
                            "description": "A headquarters token (kesu-server hq-token)"},
            }
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


# --- bodies of the headquarters, channel and policy endpoints ------------------------

StatusChange = TypedDict("StatusChange", {"from": str, "to": str, "note": NotRequired[str]})
StatusChange.__doc__ = ("A status change by headquarters; `from` is the state HQ saw (a "
                        "different current state makes a conflict, never a loss)")


class NoteRequest(TypedDict):
    """A note by headquarters (1 to the policy's max_note_chars characters)."""

    text: str


class DecisionRequest(TypedDict):
    """Headquarters' decision on a pending compensation; `reason` required to refuse."""

    decision: Literal["approved", "refused"]
    reason: NotRequired[str]


class ActionResponse(TypedDict):
    """The central event an action produced."""

    event_id: str
    server_seq: int


class PartyRequest(TypedDict, total=False):
    """The customer of a channel complaint."""

    name: str
    phone: str


class ProductRequest(TypedDict, total=False):
    """The product a channel complaint is about."""

    name: str
    sku: str


class ChannelTicketRequest(TypedDict):
    """A complaint from another channel; `external_id` makes it idempotent per store."""

    store_code: str
    channel: Literal["hotline", "qr", "online", "douyin"]
    text: str
    customer: NotRequired[PartyRequest]
    product: NotRequired[ProductRequest]
    amount_paid_fen: NotRequired[int]
    external_id: str


class ChannelTicketResponse(TypedDict):
    """The ticket made (201) or already made for this external id (200)."""

    ticket_id: str
    number: str
    verify_code: str
    level: int
    server_seq: int


class PolicyResponse(TypedDict):
    """The newest published policy document."""

    version: str
    document: dict[str, Any]


class TicketList(TypedDict):
    """A store's tickets as the centre folds them (newest first); `unreadable` names the
    tickets whose events the centre holds but cannot fold."""

    tickets: list[dict[str, Any]]
    unreadable: list[str]


class TicketDetail(TypedDict):
    """One ticket (with its compensation lines) and its events in fold order."""

    ticket: dict[str, Any]
    events: list[protocol.WireEvent]
