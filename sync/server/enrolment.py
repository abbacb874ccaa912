"""Enrolment codes, device and headquarters tokens: issuing, binding, listing, revoking.

A one-time code names a store and a desk and expires (``expires_at``, 24 hours unless
said otherwise). Trading it for a device token binds the device id to that store and
desk for good:

* the desk says which store and desk it is (``EnrolRequest.store_code``/``desk_code``),
  and a code for another one is refused *before* it is used, so a mistake burns
  nothing and leaves no token;
* a device id already bound (by any token, live or revoked, or by events it pushed) to
  another store or desk is refused: its high-water mark and its chain belong there;
* a desk code of a store that another device holds a live token for is refused, so two
  desks never number tickets alike; ``kesu-server token revoke`` frees it (a desk
  replaced by new hardware);
* enrolling again (same device, same desk: a lost or refused token) revokes the
  device's older tokens, so only the newest is live.

Secrets are shown once; only their SHA-256 is kept. A token or code is named in
listings by ``id``, the first 12 hex digits of that hash.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time, parse_time
from domain.event_schema import CODE_RE
from sync.server.console.masterdata import require_store
from sync.server.errors import EnrolRefusal
from sync.server.storage import (
    CENTRAL_DESK,
    CENTRAL_DEVICE_PREFIX,
    Storage,
    TokenInfo,
    digest,
    new_enrol_code,
)
from sync.server.tables import devices, enrol_codes, hq_tokens, tokens

DEFAULT_CODE_TTL_HOURS = 24
ID_CHARS = 12


def check_codes(store: str, desk: str) -> None:
    """Refuse (ValueError) store and desk codes a desk could not have."""
    for label, code in (("store", store), ("desk", desk)):
        if not CODE_RE.search(code):
            raise ValueError(f"{label} code {code!r}: 1-8 capital letters or digits")
    if desk == CENTRAL_DESK:
        raise ValueError(f"desk code {CENTRAL_DESK!r} is reserved for the centre's tickets")


def create_code(storage: Storage, store: str, desk: str, *,
                ttl_hours: float = DEFAULT_CODE_TTL_HOURS,
                now: datetime | None = None) -> tuple[str, str]:
    """A new one-time code for *store*/*desk* and its expiry; only its hash is kept.

    The store must be in the centre's master data (``kesu-server store add``):
    :class:`~sync.server.errors.ActionRefused` 404 ``unknown_store`` otherwise.
    """
    check_codes(store, desk)
    if not 0 < ttl_hours <= 24 * 30:
        raise ValueError("an enrolment code lives between a moment and 30 days")
    moment = now or datetime.now(UTC)
    expires = format_time(moment + timedelta(hours=ttl_hours))
    code = new_enrol_code()
    with storage.writing() as conn:
        require_store(conn, store)
        conn.execute(enrol_codes.insert().values(
            code_hash=digest(code), store=store, desk=desk, created_at=format_time(moment),
            expires_at=expires))
    return code, expires


def code_expiry(row: Mapping[Any, Any]) -> str:
    """When the code of *row* (of ``enrol_codes``) expires."""
    # Codes made before codes expired: 24 hours after they were made.
    if row["expires_at"]:
        return str(row["expires_at"])
    made = parse_time(str(row["created_at"]))
    return format_time(made + timedelta(hours=DEFAULT_CODE_TTL_HOURS))


def _bound_elsewhere(conn: Connection, device_id: str, store: str, desk: str) -> str | None:
    """Where *device_id* is bound if not to *store*/*desk* ("XT02/D1"), else None."""
    row = conn.execute(
        sa.select(tokens.c.store, tokens.c.desk).where(
            tokens.c.device_id == device_id,
            sa.or_(tokens.c.store != store, tokens.c.desk != desk)).limit(1)
    ).first()
    if row is not None:
        return f"{row[0]}/{row[1]}"
    pushed = conn.execute(
        sa.select(devices.c.store).where(devices.c.device_id == device_id,
                                         devices.c.store != store)
    ).scalar()
    return None if pushed is None else str(pushed)


def enrol(storage: Storage, code: str, device_id: str, *, store: str | None = None,
          desk: str | None = None, now: datetime | None = None) -> tuple[str, TokenInfo]:
    """Use up *code* for *device_id*; return the new device token and its binding.

    *store* and *desk* are what the desk says it is; a code for another store or desk
    is refused without being used. Raises :class:`EnrolRefusal`.
    """
    if device_id.startswith(CENTRAL_DEVICE_PREFIX):
        raise EnrolRefusal(401, "unauthorized", "unknown or already used enrolment code")
    stamp = format_time(now or datetime.now(UTC))
    with storage.writing() as conn:
        row = conn.execute(
            sa.select(enrol_codes).where(enrol_codes.c.code_hash == digest(code))
            .with_for_update()
        ).mappings().first()
        if row is None or row["used_at"] is not None:
            raise EnrolRefusal(401, "unauthorized", "unknown or already used enrolment code")
        if code_expiry(row) <= stamp:
            raise EnrolRefusal(401, "code_expired", f"the code expired at {code_expiry(row)}; "
                                                    "ask headquarters for a new one")
        code_store, code_desk = str(row["store"]), str(row["desk"])
        if store is not None and store != code_store:
            raise EnrolRefusal(409, "wrong_store", f"the code is for store {code_store} desk "
                                                   f"{code_desk}; this desk is store {store}",
                               store_code=code_store, desk_code=code_desk)
        if desk is not None and desk != code_desk:
            raise EnrolRefusal(409, "wrong_desk", f"the code is for desk {code_desk} of store "
                                                  f"{code_store}; this desk is desk {desk}",
                               store_code=code_store, desk_code=code_desk)
        elsewhere = _bound_elsewhere(conn, device_id, code_store, code_desk)
        if elsewhere is not None:
            raise EnrolRefusal(409, "device_bound", f"device {device_id} is bound to "
                                                    f"{elsewhere}, not {code_store}/{code_desk}")
        holder = conn.execute(
            sa.select(tokens.c.device_id).where(
                tokens.c.store == code_store, tokens.c.desk == code_desk,
                tokens.c.device_id != device_id, tokens.c.revoked_at.is_(None)).limit(1)
        ).scalar()
        if holder is not None:
            raise EnrolRefusal(409, "desk_taken", f"desk {code_desk} of store {code_store} is "
                                                  f"enrolled on device {holder}; revoke its "
                                                  f"token first (kesu-server token revoke "
                                                  f"--device {holder})")
        conn.execute(enrol_codes.update().where(enrol_codes.c.code_hash == row["code_hash"])
                     .values(used_at=stamp))
        # Only the newest token of a device is live.
        conn.execute(tokens.update().where(tokens.c.device_id == device_id,
                                           tokens.c.revoked_at.is_(None))
                     .values(revoked_at=stamp))
        token = secrets.token_urlsafe(32)
        conn.execute(tokens.insert().values(
            token_hash=digest(token), store=code_store, desk=code_desk, device_id=device_id,
            created_at=stamp))
    return token, TokenInfo(code_store, code_desk, device_id)


# --- listing and revoking -------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """What ``kesu-server token list`` prints."""

    devices: list[dict[str, Any]]
    hq: list[dict[str, Any]]
    codes: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"devices": self.devices, "hq": self.hq, "enrol_codes": self.codes}


def _code_state(row: Mapping[Any, Any], now: str) -> str:
    if row["used_at"] is not None:
        return "used"
    return "expired" if code_expiry(row) <= now else "pending"


def list_tokens(storage: Storage, store: str | None = None,
                now: datetime | None = None) -> Listing:
    """Every device token, headquarters token and enrolment code (of *store*), oldest first."""
    stamp = format_time(now or datetime.now(UTC))
    with storage.engine.connect() as conn:
        dev_q = sa.select(tokens).order_by(tokens.c.created_at, tokens.c.token_hash)
        code_q = sa.select(enrol_codes).order_by(enrol_codes.c.created_at,
                                                 enrol_codes.c.code_hash)
        if store is not None:
            dev_q = dev_q.where(tokens.c.store == store)
            code_q = code_q.where(enrol_codes.c.store == store)
        device_rows = conn.execute(dev_q).mappings().all()
        hq_rows = [] if store is not None else conn.execute(
            sa.select(hq_tokens).order_by(hq_tokens.c.created_at)).mappings().all()
        code_rows = conn.execute(code_q).mappings().all()
    return Listing(
        devices=[{"id": str(r["token_hash"])[:ID_CHARS], "store": r["store"],
                  "desk": r["desk"], "device_id": r["device_id"],
                  "created_at": r["created_at"], "revoked_at": r["revoked_at"],
                  "live": r["revoked_at"] is None} for r in device_rows],
        hq=[{"id": str(r["token_hash"])[:ID_CHARS], "name": r["name"],
             "created_at": r["created_at"], "revoked_at": r["revoked_at"],
             "live": r["revoked_at"] is None} for r in hq_rows],
        codes=[{"id": str(r["code_hash"])[:ID_CHARS], "store": r["store"], "desk": r["desk"],
                "created_at": r["created_at"], "expires_at": code_expiry(r),
                "used_at": r["used_at"], "state": _code_state(r, stamp)} for r in code_rows],
    )


def revoke(storage: Storage, *, token_id: str | None = None, device: str | None = None,
           hq_name: str | None = None, store: str | None = None, desk: str | None = None,
           now: datetime | None = None) -> list[dict[str, Any]]:
    """Revoke the live tokens (and expire the pending codes) the arguments name.

    Exactly one of *token_id* (an ``id`` from :func:`list_tokens`, of a device token, an
    HQ token or a code), *device*, *hq_name* or *store* (with *desk*: one desk; without:
    the whole store, codes included). Returns what was revoked; ValueError when nothing
    live matches or an id is ambiguous.
    """
    given = [x for x in (token_id, device, hq_name, store) if x is not None]
    if len(given) != 1 or (desk is not None and store is None):
        raise ValueError("name one of --id, --device, --hq or --store (with --desk)")
    stamp = format_time(now or datetime.now(UTC))
    done: list[dict[str, Any]] = []
    with storage.writing() as conn:
        dev_where: list[Any] = [tokens.c.revoked_at.is_(None)]
        hq_where: list[Any] = [hq_tokens.c.revoked_at.is_(None)]
        code_where: list[Any] = [enrol_codes.c.used_at.is_(None)]
        want_dev = want_hq = want_codes = False
        if token_id is not None:
            if len(token_id) < 8:
                raise ValueError("an id has at least 8 characters (kesu-server token list)")
            dev_where.append(tokens.c.token_hash.startswith(token_id))
            hq_where.append(hq_tokens.c.token_hash.startswith(token_id))
            code_where.append(enrol_codes.c.code_hash.startswith(token_id))
            want_dev = want_hq = want_codes = True
        elif device is not None:
            dev_where.append(tokens.c.device_id == device)
            want_dev = True
        elif hq_name is not None:
            hq_where.append(hq_tokens.c.name == hq_name)
            want_hq = True
        else:
            dev_where.append(tokens.c.store == store)
            code_where.append(enrol_codes.c.store == store)
            if desk is not None:
                dev_where.append(tokens.c.desk == desk)
                code_where.append(enrol_codes.c.desk == desk)
            want_dev = want_codes = True
        found: list[tuple[str, sa.Table, str, dict[str, Any]]] = []
        if want_dev:
            for r in conn.execute(sa.select(tokens).where(*dev_where)).mappings():
                found.append(("device", tokens, str(r["token_hash"]),
                              {"store": r["store"], "desk": r["desk"],
                               "device_id": r["device_id"]}))
        if want_hq:
            for r in conn.execute(sa.select(hq_tokens).where(*hq_where)).mappings():
                found.append(("hq", hq_tokens, str(r["token_hash"]), {"name": r["name"]}))
        if want_codes:
            for r in conn.execute(sa.select(enrol_codes).where(*code_where)).mappings():
                if code_expiry(r) > stamp:
                    found.append(("enrol_code", enrol_codes, str(r["code_hash"]),
                                  {"store": r["store"], "desk": r["desk"]}))
        if not found:
            raise ValueError("nothing live matches")
        if token_id is not None and len(found) > 1:
            raise ValueError(f"id {token_id!r} matches {len(found)}; give more characters")
        for kind, table, key, facts in found:
            if table is enrol_codes:
                conn.execute(table.update().where(table.c.code_hash == key)
                             .values(expires_at=stamp))
            else:
                conn.execute(table.update().where(table.c.token_hash == key)
                             .values(revoked_at=stamp))
            done.append({"kind": kind, "id": key[:ID_CHARS], **facts, "revoked_at": stamp})
    return done
