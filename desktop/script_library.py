"""The response-script library (话术库) on the desk: the copy last pulled from the centre,
what matches a ticket, search, and the uses staff record.

The desk keeps one library (``script_library``, migration m011): the document as
:func:`domain.scripts.library_document` writes it, checked with
:func:`domain.scripts.parse_library` against this desk's policy before it replaces the
old one, so a bad document is refused and the copy staff work with stays. Everything
here reads that table only: the desk shows its scripts with no network.

Reading parses a document once: the parsed library is kept by the document's digest,
so the intake form can ask for matching scripts on every typing pause.

Uses ("copied" into a note, marked "helpful") wait in ``script_uses`` until the centre
accepted them (:func:`pending_uses`, :func:`mark_sent`; the push is
``desktop.desk_sync.scripts_pull``). Helpful counts once per script and ticket.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from desktop.desk import Desk
from domain import scripts
from domain.clock import format_time
from domain.errors import InvalidInput
from domain.ids import uuid7
from domain.policy import Policy
from domain.scripts import EMPTY_LIBRARY, Script, ScriptLibrary
from local_db.connection import transaction

COPIED = "copied"
HELPFUL = "helpful"
KINDS = (COPIED, HELPFUL)
MAX_USES_PER_PUSH = 500  # the centre's bound per request

_CACHE_SIZE = 4
_cache: OrderedDict[str, ScriptLibrary] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Installed:
    """The library row: which version, pulled when."""

    version: int
    pulled_at: str


def _canonical(lib: ScriptLibrary) -> str:
    return json.dumps(scripts.library_document(lib), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def parse_for(policy: Policy, document: object) -> ScriptLibrary:
    """*document* as a library this desk can use: every script's subcategory and levels
    must be the policy's (:class:`InvalidInput` ``scripts.invalid.*`` otherwise)."""
    return scripts.parse_library(document, subcategories=policy.subcategories().keys(),
                                 levels=policy.levels.keys())


def install(desk: Desk, document: object) -> ScriptLibrary:
    """Check *document* against the desk's policy and make it the desk's library.

    A refused document raises :class:`InvalidInput` and leaves the old library as it
    was. Version 0 ("nothing published") is refused too: a server that lost or never
    had a library must not wipe what the desk works with offline.
    """
    lib = parse_for(desk.policy, document)
    if lib.version == 0:
        raise InvalidInput("scripts.invalid.bad_version", script=None, field="version")
    text = _canonical(lib)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with transaction(desk.conn):
        desk.conn.execute(
            "INSERT INTO script_library (id, version, document, digest, pulled_at) "
            "VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET version = excluded.version, "
            "document = excluded.document, digest = excluded.digest, "
            "pulled_at = excluded.pulled_at",
            (lib.version, text, digest, format_time(desk.now())))
    _remember(digest, lib)
    return lib


def installed(conn: sqlite3.Connection) -> Installed | None:
    """The version the desk holds and when it was pulled (None: never pulled)."""
    row = conn.execute("SELECT version, pulled_at FROM script_library WHERE id = 1").fetchone()
    return None if row is None else Installed(int(row[0]), str(row[1]))


def version(conn: sqlite3.Connection) -> int:
    """The version the desk holds (0: none)."""
    held = installed(conn)
    return 0 if held is None else held.version


def _remember(digest: str, lib: ScriptLibrary) -> None:
    with _cache_lock:
        _cache[digest] = lib
        _cache.move_to_end(digest)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def current(conn: sqlite3.Connection) -> ScriptLibrary:
    """The library the desk holds (:data:`~domain.scripts.EMPTY_LIBRARY` before the
    first pull); a document is parsed once, later reads cost one indexed row."""
    row = conn.execute("SELECT digest FROM script_library WHERE id = 1").fetchone()
    if row is None:
        return EMPTY_LIBRARY
    digest = str(row[0])
    with _cache_lock:
        cached = _cache.get(digest)
    if cached is not None:
        return cached
    text = conn.execute("SELECT document FROM script_library WHERE id = 1").fetchone()[0]
    # Checked against the policy when installed; a later policy may drop a subcategory,
    # whose scripts then simply match no ticket.
    lib = scripts.parse_library(json.loads(text))
    _remember(digest, lib)
    return lib


def matching(desk: Desk, subcategory: str, level: int) -> list[Script]:
    """The scripts for a ticket of *subcategory* at *level* (own ones first)."""
    return scripts.matching(current(desk.conn), subcategory, level)


def labels(policy: Policy, english: bool) -> dict[str, str]:
    """Subcategory code → "category subcategory" in the user's language, so that a
    search by either name finds the subcategory's scripts."""
    return {sub: f"{policy.category_label(cat, english)} {policy.subcategory_label(sub, english)}"
            for sub, (cat, _owners) in policy.subcategories().items()}


def search(desk: Desk, query: str, *, english: bool = False) -> list[Script]:
    """The scripts holding every term of *query* (1- and 2-character Chinese terms
    work), the names of the subcategories in the user's language included."""
    return scripts.search(current(desk.conn), query, labels=labels(desk.policy, english))


def record_use(desk: Desk, kind: str, script: Script, ticket_id: str | None) -> bool:
    """Record that staff copied *script* into a note or marked it helpful, for the
    centre's usage figures. Helpful counts once per script and ticket: a second mark
    records nothing and returns False."""
    if kind not in KINDS:
        raise InvalidInput("input.bad_choice", field="kind", value=kind,
                           choices=", ".join(KINDS))
    with transaction(desk.conn):
        if kind == HELPFUL and desk.conn.execute(
                "SELECT 1 FROM script_uses WHERE kind = ? AND script_id = ? AND ticket_id IS ?",
                (HELPFUL, script.id, ticket_id)).fetchone():
            return False
        now = desk.now()
        desk.conn.execute(
            "INSERT INTO script_uses (id, script_id, version, kind, ticket_id, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (uuid7(int(now.timestamp() * 1000)), script.id, version(desk.conn), kind,
             ticket_id, format_time(now)))
    return True


def helpful_marked(conn: sqlite3.Connection, ticket_id: str | None) -> set[str]:
    """The ids of the scripts marked helpful for *ticket_id*."""
    return {str(r[0]) for r in conn.execute(
        "SELECT script_id FROM script_uses WHERE kind = ? AND ticket_id IS ?",
        (HELPFUL, ticket_id))}


def pending_uses(conn: sqlite3.Connection, limit: int = MAX_USES_PER_PUSH
                 ) -> list[dict[str, Any]]:
    """The oldest uses the centre has not accepted yet, as the wire carries them."""
    rows = conn.execute(
        "SELECT id, script_id, version, kind, ticket_id, at FROM script_uses "
        "WHERE sent = 0 ORDER BY at, id LIMIT ?", (limit,)).fetchall()
    return [{"id": str(r[0]), "script_id": str(r[1]), "version": int(r[2]),
             "kind": str(r[3]), "ticket_id": None if r[4] is None else str(r[4]),
             "at": str(r[5])} for r in rows]


def pending_count(conn: sqlite3.Connection) -> int:
    """How many uses wait for the centre."""
    return int(conn.execute("SELECT count(*) FROM script_uses WHERE sent = 0").fetchone()[0])


def mark_sent(conn: sqlite3.Connection, ids: list[str]) -> None:
    """The centre accepted the uses *ids* (its intake is idempotent by id, so a use
    sent twice after a lost answer counts once there)."""
    with transaction(conn):
        conn.executemany("UPDATE script_uses SET sent = 1 WHERE id = ?", [(i,) for i in ids])
