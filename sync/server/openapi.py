"""The OpenAPI description of the server's bodies, made from the protocol's TypedDicts.

Bodies are parsed by :mod:`sync.protocol` and the server's own checks, not by pydantic,
so FastAPI cannot see their shapes; each route names them here (``openapi_extra`` and
``responses``) and :func:`install` adds the schemas to ``components``. The converter
reads the TypedDicts themselves, so the document cannot drift from the wire types.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, NotRequired, Union

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from domain.event_schema import CODE_RE, OPEN, Items, Num, Text, ecma
from sync import protocol
from sync.server import bodies
from sync.server.bodies import PolicyLimit
from sync.server.web import MAX_SEQ

# Name → TypedDict of every body a route names; rendered into components at build time,
# with the policy in force then (see bodies.PolicyLimit).
_kinds: dict[str, Any] = {}

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"}, int: {"type": "integer"}, bool: {"type": "boolean"},
    float: {"type": "number"}, type(None): {"type": "null"}, Any: {},
}


def _is_typeddict(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, dict) and hasattr(kind, "__total__")


def schema_of(kind: Any) -> dict[str, Any]:
    """JSON Schema of a type; TypedDicts become ``$ref``s registered as components."""
    if _is_typeddict(kind):
        _kinds.setdefault(kind.__name__, kind)
        # Register the TypedDicts it names too.
        for hint in typing.get_type_hints(kind, include_extras=True).values():
            _register(hint)
        return {"$ref": f"#/components/schemas/{kind.__name__}"}
    return render(kind, {})


def _register(hint: Any) -> None:
    if _is_typeddict(hint):
        schema_of(hint)
        return
    for arg in typing.get_args(hint):
        if not isinstance(arg, (str, int, float, bool)) and arg is not None:
            _register(arg)


def render(kind: Any, limits: Mapping[str, int], *, inline: bool = False) -> dict[str, Any]:
    """JSON Schema of *kind* with its annotations (:mod:`domain.event_schema`'s
    markers, :class:`~sync.server.bodies.PolicyLimit` read from *limits*)."""
    rules: tuple[Any, ...] = ()
    if typing.get_origin(kind) is Annotated:
        kind, *meta = typing.get_args(kind)
        rules = tuple(meta)
    if typing.get_origin(kind) is NotRequired:
        return render(typing.get_args(kind)[0], limits)
    if _is_typeddict(kind) and not inline:
        out = schema_of(kind)
        if OPEN in rules:
            return out  # components say additionalProperties false; the field is open
        return out
    if _is_typeddict(kind):
        hints = typing.get_type_hints(kind, include_extras=True)
        props, required = {}, []
        for key, hint in hints.items():
            # Read NotRequired from the hints: with postponed annotations
            # __required_keys__ cannot see it on Python 3.11.
            if typing.get_origin(hint) is NotRequired:
                hint = typing.get_args(hint)[0]
            elif kind.__total__:
                required.append(key)
            props[key] = render(hint, limits)
        return {"type": "object", "title": kind.__name__,
                "description": (kind.__doc__ or "").strip(),
                "properties": props, "required": sorted(required),
                "additionalProperties": OPEN in rules}
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind in _SCALARS:
        out = dict(_SCALARS[kind])
    elif origin in (list, tuple):
        out = {"type": "array", "items": render(args[0], limits) if args else {}}
    elif origin in (dict, Mapping):
        out = {"type": "object",
               "additionalProperties": render(args[1], limits) if args else {}}
    elif origin in (Union, types.UnionType):
        out = {"anyOf": [render(a, limits) for a in args]}
    elif origin is Literal:
        out = {"enum": list(args)}
    else:
        raise TypeError(f"no schema for {kind!r}")
    for rule in rules:
        if isinstance(rule, Text):
            out.update(minLength=rule.min, maxLength=rule.max)
            if rule.pattern is not None:
                out["pattern"] = ecma(rule.pattern)
        elif isinstance(rule, Num):
            out.update(minimum=rule.ge, maximum=rule.le)
        elif isinstance(rule, Items):
            out.update(minItems=rule.min, maxItems=rule.max)
        elif isinstance(rule, PolicyLimit):
            key = "maxLength" if out.get("type") == "string" else "maximum"
            out[key] = min(out.get(key, limits.get(rule.path, rule.default)),
                           limits.get(rule.path, rule.default))
    return out


def components(limits: Mapping[str, int]) -> dict[str, Any]:
    """Every registered body, rendered with *limits*."""
    return {name: render(kind, limits, inline=_is_typeddict(kind))
            for name, kind in sorted(_kinds.items())}


def body(kind: Any, description: str = "", name: str | None = None) -> dict[str, Any]:
    """``openapi_extra`` of a route whose JSON request body is *kind* (a union of
    TypedDicts is registered under *name*)."""
    if name is not None:
        _kinds.setdefault(name, kind)
        _register(kind)
        schema = {"$ref": f"#/components/schemas/{name}"}
    else:
        schema = schema_of(kind)
    return {"requestBody": {"required": True, "description": description,
                            "content": {"application/json": {"schema": schema}}}}


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
    409: "Conflict with the stored state (`gap`, `not_pending`, `unreadable_ticket`; "
         "enrolment: `wrong_store`, `wrong_desk`, `device_bound`, `desk_taken`)",
    413: "The body is too large (`too_large`)",
    422: "Events rejected (`broken_chain`, `bad_hash`, `foreign_store`, `foreign_desk`, "
         "`foreign_number`, `number_taken`, `duplicate_creation`, `invalid_event`, `fork`, "
         "`inconsistent_batch`)",
    426: "Protocol version mismatch (`update_required`)",
}


PROTOCOL_PARAMETER = {
    "name": protocol.PROTOCOL_HEADER, "in": "header", "required": True,
    "description": "The protocol version the client speaks (426 `update_required` "
                   "for any other)",
    "schema": {"type": "string", "enum": [str(protocol.PROTOCOL_VERSION)]},
}

DESK_REPORT_PARAMETER = {
    "name": protocol.DESK_REPORT_HEADER, "in": "header", "required": False,
    "description": "What the desk reports about itself, compact JSON: app_version, "
                   "policy_version (or null), outbox and dead_letters (counts). Kept for "
                   "the console. Any value is accepted: one that is not a report (or is "
                   f"longer than {protocol.MAX_DESK_REPORT_CHARS} characters) is ignored, "
                   "and the request is served all the same",
    # No bounds in the schema: a bad report is never refused, so none is documented.
    "schema": {"type": "string"},
}

PULL_PARAMETERS = [
    {"name": "since", "in": "query", "required": False,
     "description": "The cursor: events with a server_seq above it",
     "schema": {"type": "integer", "minimum": 0, "maximum": MAX_SEQ, "default": 0}},
    {"name": "limit", "in": "query", "required": False,
     "description": "Events per page",
     "schema": {"type": "integer", "minimum": 1, "maximum": protocol.MAX_PULL_LIMIT,
                "default": 500}},
    DESK_REPORT_PARAMETER,
]

STORE_PARAMETER = {"name": "store", "in": "path", "required": True,
                   "schema": {"type": "string", "pattern": ecma(CODE_RE)}}


def install(app: FastAPI, limits: Callable[[], Mapping[str, int]]) -> None:
    """Make ``app.openapi()`` include the registered schemas, with the policy figures
    *limits* gives when the document is first asked for, and the protocol header."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version,
                              description=app.description, routes=app.routes)
            doc.setdefault("components", {}).setdefault("schemas", {}).update(
                components(limits()))
            for path, operations in doc["paths"].items():
                for operation in operations.values():
                    params = [p for p in operation.get("parameters", [])
                              if p.get("in") != "path" or "{store}" not in path]
                    if "{store}" in path:
                        params.append(STORE_PARAMETER)
                    operation["parameters"] = [PROTOCOL_PARAMETER, *params]
            doc["components"]["securitySchemes"] = {
                "deviceToken": {"type": "http", "scheme": "bearer",
                                "description": "A desk's device token (from /v1/enrol)"},
                "hqToken": {"type": "http", "scheme": "bearer",
                            "description": "A headquarters token (kesu-server hq-token)"},
            }
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


# The bodies themselves live in sync.server.bodies (the handlers check them there).
StatusChange = bodies.StatusChange
NoteRequest = bodies.NoteRequest
DecisionRequest = bodies.DecisionRequest
ActionResponse = bodies.ActionResponse
ChannelTicketRequest = bodies.ChannelTicketRequest
ChannelTicketResponse = bodies.ChannelTicketResponse
PolicyResponse = bodies.PolicyResponse
TicketList = bodies.TicketList
TicketDetail = bodies.TicketDetail
