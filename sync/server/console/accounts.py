"""Console accounts and sessions: scrypt password hashes, lockout, session tokens, CSRF.

* Passwords are kept as scrypt (N=2^14, r=8, p=1, 16-byte salt) in the PHC-like form
  ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (base64), compared in constant time.
* After the policy's ``console.max_failed_logins`` wrong passwords in a row the account
  is locked for ``console.lockout_minutes``; while locked even the right password is
  refused. An unknown name costs the same hash as a known one, and gets the same answer.
* A session is a random token in an HttpOnly, SameSite=Strict cookie; the table keeps its
  SHA-256, its end and the session's CSRF token, which every form sends back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time, parse_time
from sync.server import policy_store
from sync.server.console import audit
from sync.server.errors import ActionRefused
from sync.server.storage import Storage, digest
from sync.server.tables import console_sessions, regions, users

ROLES = ("agent", "regional", "hq")
USERNAME_RE = re.compile(r"\A[a-z0-9][a-z0-9._-]{1,31}\Z")
MIN_PASSWORD = 10
MAX_PASSWORD = 256
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """The stored form of *password* (a fresh salt each time)."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(key).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether *password* matches the stored form (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(key)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                             n=int(n), r=int(r), p=int(p), dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


# Hashed when the name is unknown, so a wrong name and a wrong password take as long.
_DUMMY = hash_password(secrets.token_hex(8))


@dataclass(frozen=True)
class User:
    """A console account (without its password)."""

    username: str
    display_name: str
    role: str
    region: str | None
    disabled: bool
    locked_until: str | None


def _user(row: sa.Row[tuple[object, ...]] | sa.RowMapping) -> User:
    m = row._mapping if isinstance(row, sa.Row) else row
    return User(str(m["username"]), str(m["display_name"]), str(m["role"]),
                None if m["region"] is None else str(m["region"]),
                m["disabled_at"] is not None,
                None if m["locked_until"] is None else str(m["locked_until"]))


def check_password_rules(password: object) -> str:
    """*password* if it may be used; :class:`ActionRefused` 400 ``weak_password`` if not."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ActionRefused(400, "weak_password",
                            f"a password has {MIN_PASSWORD}-{MAX_PASSWORD} characters")
    if password.isdigit() or len(set(password)) < 4:
        raise ActionRefused(400, "weak_password", "a password needs more than one kind of "
                                                  "character and at least 4 different ones")
    return password


def add_user(storage: Storage, username: object, display_name: object, role: object,
             password: object, region: object = None, *, now: datetime | None = None,
             actor: str | None = None) -> User:
    """Create an account; :class:`ActionRefused` 400/404/409 with what is wrong.

    With *actor*, the audit notes who made it (never the password)."""
    if not isinstance(username, str) or not USERNAME_RE.search(username):
        raise ActionRefused(400, "bad_username", "user name: 2-32 of a-z, 0-9, . _ -, "
                                                 "starting with a letter or digit")
    name = display_name.strip() if isinstance(display_name, str) else ""
    if not name or len(name) > 64 or any(ord(ch) < 32 for ch in name):
        raise ActionRefused(400, "bad_name", "display name: 1-64 characters")
    if role not in ROLES:
        raise ActionRefused(400, "bad_role", f"role must be one of {', '.join(ROLES)}")
    if role == "regional" and not region:
        raise ActionRefused(400, "region_required", "a regional manager needs a region")
    region_code = str(region) if role == "regional" and region else None
    stored = hash_password(check_password_rules(password))
    with storage.writing() as conn:
        if region_code is not None and conn.execute(
                sa.select(regions.c.code).where(regions.c.code == region_code)).first() is None:
            raise ActionRefused(404, "unknown_region", f"no region {region_code}")
        if conn.execute(sa.select(users.c.username)
                        .where(users.c.username == username)).first() is not None:
            raise ActionRefused(409, "user_exists", f"user {username} exists")
        conn.execute(users.insert().values(
            username=username, display_name=name, role=role, region=region_code,
            password=stored, failed_logins=0, created_at=format_time(now or datetime.now(UTC))))
        if actor is not None:
            audit.record(conn, actor, "user.added", username, display_name=name, role=role,
                         region=region_code)
    return User(username, name, str(role), region_code, False, None)


def set_password(storage: Storage, username: str, password: object, *,
                 actor: str | None = None) -> None:
    """Give *username* a new password; also unlocks the account and ends its sessions."""
    stored = hash_password(check_password_rules(password))
    with storage.writing() as conn:
        if conn.execute(users.update().where(users.c.username == username).values(
                password=stored, failed_logins=0, locked_until=None)).rowcount == 0:
            raise ActionRefused(404, "unknown_user", f"no user {username}")
        _end_sessions(conn, username)
        if actor is not None:
            audit.record(conn, actor, "user.password_set", username)


def set_disabled(storage: Storage, username: str, disabled: bool, *,
                 actor: str | None = None) -> None:
    """Disable (ending its sessions) or enable an account."""
    with storage.writing() as conn:
        value = format_time(datetime.now(UTC)) if disabled else None
        if conn.execute(users.update().where(users.c.username == username)
                        .values(disabled_at=value)).rowcount == 0:
            raise ActionRefused(404, "unknown_user", f"no user {username}")
        if disabled:
            _end_sessions(conn, username)
        if actor is not None:
            audit.record(conn, actor, "user.disabled" if disabled else "user.enabled",
                         username)


def unlock(storage: Storage, username: str, *, actor: str | None = None) -> None:
    """Lift a lockout now (the password stays); the failed count starts again."""
    with storage.writing() as conn:
        if conn.execute(users.update().where(users.c.username == username)
                        .values(failed_logins=0, locked_until=None)).rowcount == 0:
            raise ActionRefused(404, "unknown_user", f"no user {username}")
        if actor is not None:
            audit.record(conn, actor, "user.unlocked", username)


def generate_password() -> str:
    """A random password that passes :func:`check_password_rules` (shown once)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        try:
            return check_password_rules(candidate)
        except ActionRefused:
            continue


def list_users(conn: Connection) -> list[User]:
    """Every account, by role then name."""
    return [_user(r) for r in conn.execute(
        sa.select(users).order_by(users.c.role, users.c.username))]


def get_user(conn: Connection, username: str) -> User | None:
    """The account *username*, or None."""
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    return None if row is None else _user(row)


def _end_sessions(conn: Connection, username: str) -> None:
    conn.execute(console_sessions.update()
                 .where(console_sessions.c.username == username,
                        console_sessions.c.ended_at.is_(None))
                 .values(ended_at=format_time(datetime.now(UTC))))


@dataclass(frozen=True)
class LoginRefused(Exception):
    """A login that did not succeed: ``reason`` is ``wrong`` or ``locked``."""

    reason: str
    locked_until: str | None = None


@dataclass(frozen=True)
class Session:
    """A live console session."""

    token: str  # only in the answer to a login; empty when read back from a cookie
    user: User
    csrf: str
    expires_at: str


def login(storage: Storage, username: str, password: str, *,
          now: datetime | None = None) -> Session:
    """Check the password and open a session; :class:`LoginRefused` otherwise."""
    moment = now or datetime.now(UTC)
    with storage.engine.connect() as conn:
        policy = policy_store.current(conn)[0].console
        row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None or row.disabled_at is not None:
        verify_password(password, _DUMMY)
        raise LoginRefused("wrong")
    if row.locked_until is not None and parse_time(row.locked_until) > moment:
        # Not even checked: a locked account gives nothing away about its password.
        raise LoginRefused("locked", row.locked_until)
    if not verify_password(password, row.password):
        with storage.writing() as conn:
            failed = int(conn.execute(sa.select(users.c.failed_logins)
                                      .where(users.c.username == username)).scalar_one()) + 1
            locked = None
            if failed >= policy.max_failed_logins:
                locked = format_time(moment + timedelta(minutes=policy.lockout_minutes))
                failed = 0
            conn.execute(users.update().where(users.c.username == username)
                         .values(failed_logins=failed, locked_until=locked))
        if locked is not None:
            raise LoginRefused("locked", locked)
        raise LoginRefused("wrong")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = format_time(moment + timedelta(hours=policy.session_hours))
    with storage.writing() as conn:
        conn.execute(users.update().where(users.c.username == username)
                     .values(failed_logins=0, locked_until=None))
        conn.execute(console_sessions.insert().values(
            token_hash=digest(token), username=username, csrf=csrf,
            created_at=format_time(moment), expires_at=expires))
    return Session(token, _user(row), csrf, expires)


def session(storage: Storage, token: str, *, now: datetime | None = None) -> Session | None:
    """The live session of cookie *token*, or None (unknown, ended, expired, disabled)."""
    moment = format_time(now or datetime.now(UTC))
    with storage.engine.connect() as conn:
        row = conn.execute(
            sa.select(console_sessions.c.csrf, console_sessions.c.expires_at, users)
            .join(users, users.c.username == console_sessions.c.username)
            .where(console_sessions.c.token_hash == digest(token),
                   console_sessions.c.ended_at.is_(None),
                   console_sessions.c.expires_at > moment,
                   users.c.disabled_at.is_(None))).first()
    if row is None:
        return None
    return Session("", _user(row), str(row.csrf), str(row.expires_at))


def logout(storage: Storage, token: str) -> None:
    """End the session of cookie *token* (a reused cookie is refused afterwards)."""
    with storage.writing() as conn:
        conn.execute(console_sessions.update()
                     .where(console_sessions.c.token_hash == digest(token))
                     .values(ended_at=format_time(datetime.now(UTC))))
