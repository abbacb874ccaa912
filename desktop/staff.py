"""Local staff accounts: role and PIN, hashed with scrypt, locked after repeated failures."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.clock import Clock, format_time, parse_time
from domain.errors import AuthenticationFailed, InvalidInput, NotFound
from domain.policy import ROLES, StaffPolicy
from local_db.connection import transaction

# scrypt cost: ~50 ms per try on a desk PC makes guessing a 6-digit PIN offline slow
# while staying unnoticeable at login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
STAFF_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


@dataclass(frozen=True)
class Staff:
    """A staff member as the desk knows them."""

    id: str
    name: str
    role: str
    active: bool

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (never the PIN hash)."""
        return {"id": self.id, "name": self.name, "role": self.role, "active": self.active}


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """A self-describing scrypt hash of *pin*."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Constant-time check of *pin* against a :func:`hash_pin` value."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(
        pin.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p),
        dklen=len(digest_hex) // 2,
    )
    return hmac.compare_digest(digest.hex(), digest_hex)


def validate_pin(pin: str, policy: StaffPolicy) -> None:
    """A PIN is digits only, of the policy's length."""
    if not pin.isascii() or not pin.isdigit():
        raise InvalidInput("staff.pin_digits")
    if not policy.pin_min_length <= len(pin) <= policy.pin_max_length:
        raise InvalidInput(
            "staff.pin_length", min=policy.pin_min_length, max=policy.pin_max_length
        )


def add_staff(
    conn: sqlite3.Connection, policy: StaffPolicy, clock: Clock,
    *, staff_id: str, name: str, role: str, pin: str,
) -> Staff:
    """Create a staff account. Refuses a duplicate id, an unknown role or a weak PIN."""
    if not STAFF_ID_RE.match(staff_id):
        raise InvalidInput("staff.bad_id", id=staff_id)
    name = name.strip()
    if not name or len(name) > 50:
        raise InvalidInput("staff.bad_name")
    if role not in ROLES:
        raise InvalidInput("staff.bad_role", role=role, roles=", ".join(ROLES))
    validate_pin(pin, policy)
    with transaction(conn):
        if conn.execute("SELECT 1 FROM staff WHERE id = ?", (staff_id,)).fetchone():
            raise InvalidInput("staff.exists", id=staff_id)
        conn.execute(
            "INSERT INTO staff(id, name, role, pin_hash, created_at) VALUES (?,?,?,?,?)",
            (staff_id, name, role, hash_pin(pin), format_time(clock.now())),
        )
    return Staff(staff_id, name, role, True)


def get_staff(conn: sqlite3.Connection, staff_id: str) -> Staff:
    """The active staff member *staff_id*; :class:`NotFound` otherwise."""
    row = conn.execute(
        "SELECT id, name, role, active FROM staff WHERE id = ?", (staff_id,)
    ).fetchone()
    if row is None or not row["active"]:
        raise NotFound("staff.not_found", id=staff_id)
    return Staff(row["id"], row["name"], row["role"], bool(row["active"]))


def list_staff(conn: sqlite3.Connection) -> list[Staff]:
    """Every staff account, by id."""
    return [
        Staff(r["id"], r["name"], r["role"], bool(r["active"]))
        for r in conn.execute("SELECT id, name, role, active FROM staff ORDER BY id")
    ]


def authenticate(
    conn: sqlite3.Connection, policy: StaffPolicy, clock: Clock, staff_id: str, pin: str
) -> Staff:
    """Check *pin* for *staff_id*; count failures and lock the account when they pile up.

    Raises :class:`AuthenticationFailed` with ``staff.locked`` (and the minutes left)
    or ``staff.wrong_pin`` (and the tries left). The failure count is committed even
    though the caller's action fails, so a locked account stays locked.
    """
    now = clock.now()
    with transaction(conn):
        row = conn.execute(
            "SELECT id, name, role, active, pin_hash, failed_pins, locked_until "
            "FROM staff WHERE id = ?",
            (staff_id,),
        ).fetchone()
        if row is None or not row["active"]:
            # Same message as a wrong PIN would leak which ids exist; staff ids are not
            # secret at a desk, and "no such employee" is the more helpful answer.
            raise AuthenticationFailed("staff.not_found", id=staff_id)
        locked_until = row["locked_until"]
        if locked_until and parse_time(locked_until) > now:
            left = _minutes_left(parse_time(locked_until), now)
            raise AuthenticationFailed("staff.locked", id=staff_id, minutes=left)
        if pin_matches(pin, row["pin_hash"]):
            conn.execute(
                "UPDATE staff SET failed_pins = 0, locked_until = NULL WHERE id = ?",
                (staff_id,),
            )
            return Staff(row["id"], row["name"], row["role"], True)
        failures = int(row["failed_pins"]) + 1
        if failures >= policy.max_failed_pins:
            until = now + timedelta(minutes=policy.lockout_minutes)
            conn.execute(
                "UPDATE staff SET failed_pins = 0, locked_until = ? WHERE id = ?",
                (format_time(until), staff_id),
            )
            error = AuthenticationFailed(
                "staff.locked", id=staff_id, minutes=policy.lockout_minutes
            )
        else:
            conn.execute(
                "UPDATE staff SET failed_pins = ? WHERE id = ?", (failures, staff_id)
            )
            error = AuthenticationFailed(
                "staff.wrong_pin", id=staff_id, left=policy.max_failed_pins - failures
            )
    raise error


def _minutes_left(until: datetime, now: datetime) -> int:
    seconds = (until - now).total_seconds()
    return max(1, int(-(-seconds // 60)))
