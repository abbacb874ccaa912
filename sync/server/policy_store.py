"""Policy documents published by headquarters (``kesu-server policy publish FILE``).

A document is validated with the desks' own :func:`domain.policy.parse_policy` before it
is stored, so a desk never pulls one it would refuse. A version is immutable: publishing
it again with the same content is a no-op, with other content it is refused. The newest
publication is what ``GET /v1/policy`` serves and what the centre triages with; before
anything is published the centre uses the policy shipped with Kesu. Each publication
records who published it (``published_by``: the console user's actor, ``cli`` for the
command line; NULL for versions published before it was recorded).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time
from domain.errors import PolicyInvalid
from domain.policy import Policy, load_policy, parse_policy
from domain.triage import Triage
from sync.server.errors import PolicyRejected
from sync.server.storage import Storage, lock_counter
from sync.server.tables import policies


@dataclass(frozen=True)
class Published:
    """One stored publication."""

    version: str
    seq: int
    sha256: str
    published_at: str
    new: bool = True  # False when the same document was already published
    published_by: str | None = None  # "hq:王总", "cli"; None: published before it was kept

# Who publishes from the command line (``kesu-server policy publish``, ``triage retrain``).
CLI_PUBLISHER = "cli"


def _canonical(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def check(document: Any) -> Policy:
    """*document* (parsed JSON) parsed by the desks' own parser, or
    :class:`PolicyRejected` ``invalid_policy`` with the fault's JSON ``path`` and
    ``reason``: what a publication would refuse, without storing anything."""
    try:
        return parse_policy(document)
    except PolicyInvalid as exc:
        path = str(exc.params.get("path", "$"))
        reason = str(exc.params.get("reason", exc.code))
        raise PolicyRejected("invalid_policy", f"{path}: {reason}", path=path,
                             reason=reason) from None


def publish(storage: Storage, document: Any, *,
            published_by: str = CLI_PUBLISHER) -> Published:
    """Validate and store *document* (parsed JSON) under its ``policy_version``, as
    published by *published_by* (an actor such as ``hq:王总``, or ``cli``)."""
    policy = check(document)
    text = _canonical(document)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with storage.writing() as conn:
        lock_counter(conn)  # serialises publishers of every server process
        have = conn.execute(
            sa.select(policies.c.seq, policies.c.sha256, policies.c.published_at,
                      policies.c.published_by)
            .where(policies.c.version == policy.version).with_for_update()
        ).first()
        if have is not None:
            if have[1] != digest:
                raise PolicyRejected("version_exists", f"policy version {policy.version!r} "
                                    "was already published with other content")
            return Published(policy.version, int(have[0]), digest, str(have[2]), new=False,
                             published_by=None if have[3] is None else str(have[3]))
        seq = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(policies.c.seq), 0)))
                  .scalar_one()) + 1
        when = format_time(datetime.now(UTC))
        conn.execute(policies.insert().values(version=policy.version, seq=seq, document=text,
                                              sha256=digest, published_at=when,
                                              published_by=published_by))
    return Published(policy.version, seq, digest, when, published_by=published_by)


def list_published(storage: Storage) -> list[Published]:
    """Every publication, oldest first."""
    with storage.engine.connect() as conn:
        rows = conn.execute(
            sa.select(policies.c.version, policies.c.seq, policies.c.sha256,
                      policies.c.published_at, policies.c.published_by)
            .order_by(policies.c.seq)
        ).all()
    return [Published(str(r[0]), int(r[1]), str(r[2]), str(r[3]), new=False,
                      published_by=None if r[4] is None else str(r[4])) for r in rows]


def document_of(conn: Connection, version: str) -> Any | None:
    """The published document of *version* (parsed JSON), or None when none is."""
    text = conn.execute(sa.select(policies.c.document)
                        .where(policies.c.version == version)).scalar()
    return None if text is None else json.loads(str(text))


def newest_document(conn: Connection) -> tuple[str, str] | None:
    """(version, document JSON text) of the newest publication, or None."""
    row = conn.execute(
        sa.select(policies.c.version, policies.c.document)
        .order_by(policies.c.seq.desc()).limit(1)
    ).first()
    return None if row is None else (str(row[0]), str(row[1]))


_cache: dict[str, tuple[Policy, Triage]] = {}
_cache_lock = threading.Lock()


def current(conn: Connection) -> tuple[Policy, Triage]:
    """The policy the centre works with now, and its triage engine (parsed once)."""
    newest = newest_document(conn)
    key = "" if newest is None else newest[0]
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    policy = load_policy() if newest is None else parse_policy(json.loads(newest[1]))
    made = (policy, policy.triage)
    with _cache_lock:
        _cache[key] = made
    return made
