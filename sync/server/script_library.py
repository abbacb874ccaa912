"""The response-script library (话术库) at the centre: its draft, its published versions,
and what the desks report of their use.

Headquarters edits one shared draft (:func:`save_draft`) and publishes it
(:func:`publish`) as a numbered version, checked by :func:`domain.scripts.parse_scripts`
against the current policy's subcategories and levels, so a desk never pulls a script
for a subcategory the chain does not have. A version is immutable and names who
published it and when. Desks pull :func:`current` (``GET /v1/scripts``) and report each
copy and each "this helped" (:func:`record_uses`, ``POST /v1/scripts/usage``); the uses
are kept by their id, so a desk resending a batch after a lost answer counts nothing
twice, and the per script and store counts are kept as the uses arrive.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time, parse_time
from domain.errors import InvalidInput
from domain.scripts import (
    EMPTY_LIBRARY,
    ScriptLibrary,
    is_script_id,
    library_document,
    parse_library,
    parse_scripts,
)
from sync.server import policy_store
from sync.server.storage import lock_counter
from sync.server.tables import (
    dialect_insert,
    script_drafts,
    script_usage,
    script_uses,
    script_versions,
)

SHARED_DRAFT = "shared"  # one draft for headquarters: the last save wins
MAX_USES = 500  # per usage request
USE_KINDS = ("copied", "helpful")
_MAX_VERSION = 2**31 - 1  # the databases' INTEGER
# A use's id: a UUID of version 4 (random) or 7 (time-ordered, domain.ids), lower case.
_USE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _json(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def policy_checks(conn: Connection) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The subcategory codes and levels of the policy the centre works with now: what
    a published script may name."""
    policy = policy_store.current(conn)[0]
    return tuple(policy.subcategories()), tuple(sorted(policy.levels))


# --- published versions ----------------------------------------------------------------


def publish(conn: Connection, scripts_documents: object, actor: str,
            now: datetime) -> ScriptLibrary:
    """Publish *scripts_documents* (a list of script documents) as the next version, by
    *actor* at *now*, in the caller's write transaction; :class:`InvalidInput`
    (``scripts.invalid.*``, naming the script's position and field) when one is wrong,
    and nothing stored."""
    subcategories, levels = policy_checks(conn)
    scripts = parse_scripts(scripts_documents, subcategories=subcategories, levels=levels)
    lock_counter(conn)  # serialises publishers of every server process
    last = conn.execute(sa.select(sa.func.coalesce(sa.func.max(script_versions.c.version), 0))
                        ).scalar_one()
    library = ScriptLibrary(version=int(last) + 1, published_at=format_time(now),
                            published_by=actor, scripts=scripts)
    conn.execute(script_versions.insert().values(
        version=library.version, document=_json(library_document(library)),
        script_count=len(scripts), published_at=library.published_at, published_by=actor))
    return library


# Parsed libraries by (database, version, publication time): a process may serve several
# databases (tests), and a restored database may hold another library under a number.
_cache: dict[tuple[str, int, str], ScriptLibrary] = {}
_cache_lock = threading.Lock()


def library_of(conn: Connection, version: int) -> ScriptLibrary | None:
    """Published version *version* (parsed once per process), or None."""
    stamp = conn.execute(sa.select(script_versions.c.published_at)
                         .where(script_versions.c.version == version)).scalar()
    if stamp is None:
        return None
    key = (str(conn.engine.url), version, str(stamp))
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    text = conn.execute(sa.select(script_versions.c.document)
                        .where(script_versions.c.version == version)).scalar()
    if text is None:
        return None
    # Checked against the policy when published; not again, as a later policy without
    # a script's subcategory only means the script matches no ticket.
    library = parse_library(json.loads(str(text)))
    with _cache_lock:
        _cache[key] = library
    return library


def current_version(conn: Connection) -> int:
    """The newest published version (0: nothing published)."""
    return int(conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(script_versions.c.version), 0))).scalar_one())


def current(conn: Connection) -> ScriptLibrary:
    """The newest published library, or :data:`EMPTY_LIBRARY` when none is."""
    version = current_version(conn)
    if version == 0:
        return EMPTY_LIBRARY
    library = library_of(conn, version)
    assert library is not None  # versions are never deleted
    return library


@dataclass(frozen=True)
class Publication:
    """One published version, without its scripts."""

    version: int
    published_at: str
    published_by: str
    script_count: int


def history(conn: Connection, limit: int = 100) -> list[Publication]:
    """The newest *limit* publications, newest first."""
    rows = conn.execute(
        sa.select(script_versions.c.version, script_versions.c.published_at,
                  script_versions.c.published_by, script_versions.c.script_count)
        .order_by(script_versions.c.version.desc()).limit(limit)).all()
    return [Publication(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]


def starter_documents() -> list[dict[str, Any]]:
    """The starter library shipped with Kesu (``resources/scripts/default.json``): what
    ``kesu-server demo`` publishes, and headquarters can publish from the console while
    nothing is published."""
    text = resources.files("resources").joinpath("scripts", "default.json").read_text("utf-8")
    return list(json.loads(text)["scripts"])


def publish_starter(conn: Connection, actor: str, now: datetime) -> ScriptLibrary | None:
    """Publish :func:`starter_documents` if nothing is published yet (else None, and
    nothing changes)."""
    lock_counter(conn)  # so two first publications cannot both see version 0
    if current_version(conn):
        return None
    return publish(conn, starter_documents(), actor, now)


# --- the draft ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """Headquarters' draft: script documents each valid on its own (the policy is checked
    again when it is published)."""

    scripts: tuple[dict[str, Any], ...]
    saved_at: str
    saved_by: str


def lock(conn: Connection) -> None:
    """Serialise the caller's read-change-write of the draft with every other server
    process's (two people saving at once must not lose one script)."""
    lock_counter(conn)


def draft(conn: Connection) -> Draft | None:
    """The saved draft, or None when there is none."""
    row = conn.execute(sa.select(script_drafts.c.document, script_drafts.c.saved_at,
                                 script_drafts.c.saved_by)
                       .where(script_drafts.c.name == SHARED_DRAFT)).first()
    if row is None:
        return None
    return Draft(tuple(json.loads(str(row[0]))), str(row[1]), str(row[2]))


def save_draft(conn: Connection, scripts_documents: Sequence[dict[str, Any]], actor: str,
               now: datetime) -> Draft:
    """Keep *scripts_documents* as the draft, saved by *actor* at *now* (the caller's
    write transaction); :class:`InvalidInput` when one is wrong (policy not checked)."""
    parse_scripts(list(scripts_documents))
    saved = Draft(tuple(scripts_documents), format_time(now), actor)
    values = {"document": _json(list(saved.scripts)), "saved_at": saved.saved_at,
              "saved_by": actor}
    stmt = dialect_insert(conn, script_drafts).values(name=SHARED_DRAFT, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[script_drafts.c.name],
                                            set_=values))
    return saved


def drop_draft(conn: Connection) -> None:
    """Forget the draft (after it was published)."""
    conn.execute(script_drafts.delete().where(script_drafts.c.name == SHARED_DRAFT))


# --- usage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """One copy of a script, or one "this helped", on a desk."""

    id: str
    script_id: str
    version: int
    kind: str  # copied | helpful
    ticket_id: str | None
    at: str  # UTC, format_time


def _bad(index: int | None, field: str) -> InvalidInput:
    return InvalidInput("scripts.usage.invalid", use=index, field=field)


def _is_time(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 24:
        return False
    try:
        return format_time(parse_time(value)) == value
    except ValueError:
        return False


def parse_uses(body: object) -> list[Use]:
    """The uses of a usage request ``{"uses": [...]}``; :class:`InvalidInput`
    ``scripts.usage.invalid`` naming the use's position (``use``) and ``field`` at the
    first fault. Keys other than the documented ones are ignored (a store named in the
    body is not the store: the token says which it is)."""
    if not isinstance(body, dict):
        raise _bad(None, "body")
    raw = body.get("uses")
    if not isinstance(raw, list):
        raise _bad(None, "uses")
    if len(raw) > MAX_USES:
        raise InvalidInput("scripts.usage.too_many", limit=MAX_USES)
    uses = []
    for i, node in enumerate(raw):
        if not isinstance(node, dict):
            raise _bad(i, "")
        use_id, version, ticket = node.get("id"), node.get("version"), node.get("ticket_id")
        if not isinstance(use_id, str) or not _USE_ID.fullmatch(use_id):
            raise _bad(i, "id")
        if not is_script_id(node.get("script_id")):
            raise _bad(i, "script_id")
        if isinstance(version, bool) or not isinstance(version, int) \
                or not 0 <= version <= _MAX_VERSION:
            raise _bad(i, "version")
        if node.get("kind") not in USE_KINDS:
            raise _bad(i, "kind")
        if ticket is not None and (not isinstance(ticket, str) or not _UUID.fullmatch(ticket)):
            raise _bad(i, "ticket_id")
        if not _is_time(node.get("at")):
            raise _bad(i, "at")
        uses.append(Use(use_id, str(node["script_id"]), version, str(node["kind"]), ticket,
                        str(node["at"])))
    return uses


def record_uses(conn: Connection, store: str, uses: Iterable[Use],
                now: datetime | None = None) -> int:
    """Store *uses* of *store* in the caller's write transaction and count them; a use
    whose id is already stored (a replay) is skipped. The number of new uses."""
    batch = {u.id: u for u in uses}  # one id twice in a batch counts once
    if not batch:
        return 0
    received = format_time(now or datetime.now(UTC))
    rows = [{"use_id": u.id, "store": store, "script_id": u.script_id, "version": u.version,
             "kind": u.kind, "ticket_id": u.ticket_id, "at": u.at,
             "received_at": received} for u in batch.values()]
    stmt = dialect_insert(conn, script_uses).values(rows).on_conflict_do_nothing(
        index_elements=[script_uses.c.use_id]).returning(script_uses.c.use_id)
    new = {str(r[0]) for r in conn.execute(stmt)}
    counts: dict[str, list[Any]] = {}  # script_id -> [copied, helpful, last]
    for use_id in new:
        u = batch[use_id]
        c = counts.setdefault(u.script_id, [0, 0, u.at])
        c[0 if u.kind == "copied" else 1] += 1
        c[2] = max(c[2], u.at)
    for script_id in sorted(counts):  # one order, so concurrent batches do not deadlock
        copied, helpful, last = counts[script_id]
        ins = dialect_insert(conn, script_usage).values(
            script_id=script_id, store=store, copied=copied, helpful=helpful, last_used=last)
        conn.execute(ins.on_conflict_do_update(
            index_elements=[script_usage.c.script_id, script_usage.c.store],
            set_={"copied": script_usage.c.copied + ins.excluded.copied,
                  "helpful": script_usage.c.helpful + ins.excluded.helpful,
                  "last_used": sa.case(
                      (ins.excluded.last_used > script_usage.c.last_used,
                       ins.excluded.last_used), else_=script_usage.c.last_used)}))
    return len(new)


@dataclass(frozen=True)
class Usage:
    """How often one script was used in one store."""

    script_id: str
    store: str
    copied: int
    helpful: int
    last_used: str  # UTC


def usage(conn: Connection, stores: Iterable[str] | None = None,
          limit: int | None = None) -> list[Usage]:
    """Every script's counts per store (of *stores* only, when given), by script then
    store; the first *limit* rows when given (the primary key's order: no sort)."""
    query = sa.select(script_usage.c.script_id, script_usage.c.store, script_usage.c.copied,
                      script_usage.c.helpful, script_usage.c.last_used)
    if stores is not None:
        query = query.where(script_usage.c.store.in_(list(stores)))
    query = query.order_by(script_usage.c.script_id, script_usage.c.store)
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    return [Usage(str(r[0]), str(r[1]), int(r[2]), int(r[3]), str(r[4])) for r in rows]
