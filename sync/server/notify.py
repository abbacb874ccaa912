"""Notifications: an outbox filled from the event log, delivered to a WeCom group robot.

Storing events (desk pushes and central events) does no notification work: the event
log is the durable queue. :func:`catch_up` reads the events stored since its last pass
(``server_meta`` key :data:`~sync.server.tables.NOTIFIED_THROUGH`, a ``server_seq``),
picks the ones a person must hear about at once — a level-1 ticket (created so, or
raised to level 1), an escalation, a compensation waiting for approval, a compensation
decision — renders their messages (:func:`enqueue`) and writes one outbox row per event
id, all in the transaction that moves the mark on. So a message exists for every
committed event that warrants one, even when the process died right after the commit,
and never twice: a resend stores nothing new, and the mark and the rows commit together.
The delivery worker runs a pass before each round, woken by the storage's after-commit
listener (:meth:`Storage.add_listener`) instead of waiting for its next poll;
``kesu-server notify status`` runs one before it counts.

:class:`DeliveryWorker` posts the rows to the webhook as group-robot markdown, treats
HTTP 200 with ``{"errcode": 0}`` as delivered and retries anything else with exponential
backoff and jitter, up to a limit; then the row is ``failed`` with the last error
(``kesu-server notify status``). A row is claimed before it is sent by pushing its next
attempt one lease into the future; on PostgreSQL the claim reads rows ``FOR UPDATE SKIP
LOCKED``, so several server processes on one database never send the same row twice
(delivery is at least once only when a process dies between posting and recording).
On SQLite every claim is a ``BEGIN IMMEDIATE`` transaction, which serialises claims of
processes sharing the file as well, but the embedded database is meant for one process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.engine import Connection

from domain import fold
from domain.centre_approvals import centre_decider
from domain.clock import format_time, wall_clock_text
from domain.events import event_from_row
from domain.fold import TicketState
from domain.money import yuan_amount
from domain.policy import Policy
from sync.protocol import payload_object
from sync.server import policy_store
from sync.server.storage import Storage
from sync.server.tables import (
    NOTIFIED_THROUGH,
    dialect_insert,
    event_columns,
    events,
    notifications,
    server_meta,
)

_log = logging.getLogger(__name__)

# The event types that can warrant a message; everything else is skipped unread.
_CANDIDATES = frozenset({"ticket_created", "triaged", "escalated", "compensation_requested",
                         "compensation_decided"})
_EXCERPT_CHARS = 80
# WeCom refuses markdown content over 4096 bytes.
_MAX_CONTENT_BYTES = 4000
_LONG_DIGITS = re.compile(r"\d{7,}")
# Characters that would make customer text into markdown links, emphasis or tags.
_MARKDOWN = str.maketrans({"<": "＜", ">": "＞", "[": "【", "]": "】", "*": "＊",
                           "`": "'", "#": "＃", "_": "＿", "\n": " ", "\r": " "})
_KIND_ZH = {"refund": "退款", "exchange": "换货", "gift": "赠品", "coupon": "优惠券",
            "cash": "现金", "service_card": "服务卡", "category_coupon": "品类券"}
_APPROVER_ZH = {"manager": "店长", "hq": "总部"}
# Who decided (the actor's role) or decides (domain.centre_approvals) at the centre.
_DECIDER_ZH = {"hq": "总部", "regional": "区域经理"}
_ESCALATION_ZH = {"handler": "处理人", "store_manager": "店长",
                  "regional_manager": "区域经理", "general_manager": "总经理"}


# --- choosing and writing messages ------------------------------------------------------


def _states_around(conn: Connection, ticket_id: str,
                   wanted: set[str]) -> dict[str, tuple[TicketState | None, TicketState | None]]:
    """(state before, state after) of each wanted event, folding the ticket's events.

    The batch being stored is already inserted, so it is part of the fold. A ticket whose
    creation has not reached the centre (possible after a restore) folds to nothing.
    """
    rows = conn.execute(sa.select(*event_columns()).where(events.c.ticket_id == ticket_id)
                        .order_by(events.c.hlc, events.c.device_id)).mappings().all()
    out: dict[str, tuple[TicketState | None, TicketState | None]] = {}
    state: TicketState | None = None
    for row in rows:
        before = state
        try:
            state = fold.apply(state, event_from_row(row))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            state = None  # unfoldable history: say what we can without it
        if row["event_id"] in wanted:
            out[row["event_id"]] = (before, state)
    return out


@dataclass(frozen=True)
class _Labels:
    """Chinese names from the centre's current policy."""

    tz: ZoneInfo
    policy: Policy

    def level(self, level: int) -> str:
        return self.policy.level_name(level, english=False) or f"{level}级"

    def minutes(self, level: int) -> int | None:
        target = self.policy.levels.get(level)
        return target.respond_within_minutes if target else None

    def category(self, category: str, subcategory: str) -> str:
        return self.policy.problem_label(category, subcategory, english=False)

    def time(self, iso: str) -> str:
        try:
            return wall_clock_text(iso, self.tz, "%Y-%m-%d %H:%M")
        except ValueError:
            return iso


def _labels(conn: Connection) -> _Labels:
    policy, _ = policy_store.current(conn)
    return _Labels(policy.timezone, policy)


def excerpt(text: str, limit: int = _EXCERPT_CHARS) -> str:
    """*text* cut to *limit* characters, phone-like digit runs masked, markdown defused."""
    clean = _LONG_DIGITS.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 3), text)
    clean = clean.translate(_MARKDOWN).strip()
    return clean if len(clean) <= limit else clean[:limit] + "…"


@dataclass(frozen=True)
class _Facts:
    """The ticket as the message shows it (from the payload or the fold)."""

    number: str
    level: int | None
    category: str
    subcategory: str
    text: str


def _facts_of(state: TicketState | None) -> _Facts | None:
    if state is None:
        return None
    return _Facts(state.number, state.level, state.category, state.subcategory, state.text)


def _render(store: str, headline: str, facts: _Facts | None, when: str, lines: Sequence[str],
            labels: _Labels) -> str:
    out = [f"**【客诉通知】{headline}**", f"> 门店：{store}"]
    if facts is not None:
        out.append(f"> 单号：{facts.number}")
        if facts.level is not None:
            level = labels.level(facts.level)
            minutes = labels.minutes(facts.level)
            target = f"（{minutes} 分钟内响应）" if minutes else ""
            colour = "warning" if facts.level == 1 else "comment"
            out.append(f'> 等级：<font color="{colour}">{level}</font>{target}')
        out.append(f"> 类别：{labels.category(facts.category, facts.subcategory)}")
        out.append(f"> 内容：{excerpt(facts.text)}")
    out.extend(f"> {line}" for line in lines)
    out.append(f"> 时间：{labels.time(when)}")
    content = "\n".join(out)
    while len(content.encode("utf-8")) > _MAX_CONTENT_BYTES:
        content = content[: len(content) * 9 // 10]
    return content


def _message(event: Mapping[str, Any], payload: Mapping[str, Any],
             around: tuple[TicketState | None, TicketState | None] | None,
             store: str, labels: _Labels) -> tuple[str, str] | None:
    """(kind, markdown content) for an event that warrants a message, else None."""
    kind = event["type"]
    when = str(event["occurred_at"])
    before, after = around if around is not None else (None, None)
    facts = _facts_of(after)
    if kind == "ticket_created":
        triage = payload.get("triage") or {}
        if triage.get("level") != 1:
            return None
        facts = _Facts(str(payload.get("number", "")), 1, str(triage.get("category", "")),
                       str(triage.get("subcategory", "")), str(payload.get("text", "")))
        channel = labels.policy.channel_name(str(payload.get("channel")), english=False)
        lines = [f"事件：新建一级客诉（{channel}）" if channel else "事件：新建一级客诉"]
        return "level1_created", _render(store, "一级客诉", facts, when, lines, labels)
    if kind == "triaged":
        if payload.get("level") != 1 or (before is not None and before.level == 1):
            return None
        frm = f"{labels.level(before.level)}升为" if before is not None else "升为"
        lines = [f"事件：客诉{frm}{labels.level(1)}"]
        return "level1_raised", _render(store, "客诉升为一级", facts, when, lines, labels)
    if kind == "escalated":
        step = payload.get("step")
        target = _ESCALATION_ZH.get(str(payload.get("to")), str(payload.get("to", "")))
        overdue = payload.get("overdue_minutes")
        late = f"，已超时 {overdue} 分钟" if isinstance(overdue, int) else ""
        lines = [f"事件：超时未响应，第 {step} 级升级至{target}{late}"]
        return "escalated", _render(store, "超时升级", facts, when, lines, labels)
    if kind == "compensation_requested":
        amount = payload.get("amount_fen")
        money = yuan_amount(amount) if isinstance(amount, int) else "?"
        what = _KIND_ZH.get(str(payload.get("kind")), str(payload.get("kind", "")))
        who = _APPROVER_ZH.get(str(payload.get("approval_level")), "上级")
        if payload.get("approval_level") == "hq" and isinstance(amount, int):
            # Sent up to the centre: the region's manager or headquarters decides it.
            who = _DECIDER_ZH[centre_decider(
                amount, labels.policy.compensation.regional_limit_fen)]
        lines = [f"事件：补偿申请待{who}审批", f"补偿：{what} {money}"]
        return "compensation_requested", _render(store, "补偿待审批", facts, when, lines,
                                                 labels)
    if kind == "compensation_decided":
        decision = "已批准" if payload.get("decision") == "approved" else "已拒绝"
        actor = str(event["actor"])
        by = _DECIDER_ZH.get(actor.split(":", 1)[0], "店长")
        lines = [f"事件：补偿申请{decision}（{by}）"]
        note = payload.get("note")
        if isinstance(note, str) and note.strip():
            lines.append(f"说明：{excerpt(note)}")
        return "compensation_decided", _render(store, f"补偿{decision}", facts, when, lines,
                                               labels)
    return None


def _might_notify(event: Mapping[str, Any], payload: Mapping[str, Any]) -> bool:
    kind = event["type"]
    if kind == "ticket_created":
        return bool((payload.get("triage") or {}).get("level") == 1)
    if kind == "triaged":
        return bool(payload.get("level") == 1)
    return True


def enqueue(conn: Connection, store: str, events: Sequence[Mapping[str, Any]]) -> int:
    """Queue the messages *events* (stored events of *store*) warrant; return how many.

    Rows are keyed by event id: events already queued add nothing.
    """
    picked: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    for event in events:
        if event["type"] not in _CANDIDATES:
            continue
        try:
            payload = payload_object(event["payload"])
        except ValueError:
            continue
        if isinstance(payload, dict) and _might_notify(event, payload):
            picked.append((event, payload))
    if not picked:
        return 0
    labels = _labels(conn)
    wanted: dict[str, set[str]] = {}
    for event, _ in picked:
        if event["type"] != "ticket_created":
            wanted.setdefault(event["ticket_id"], set()).add(event["event_id"])
    around: dict[str, tuple[TicketState | None, TicketState | None]] = {}
    for ticket_id, ids in wanted.items():
        around.update(_states_around(conn, ticket_id, ids))
    now_ms = int(time.time() * 1000)
    created = format_time(datetime.now(UTC))
    rows: list[dict[str, Any]] = []
    for event, payload in picked:
        message = _message(event, payload, around.get(event["event_id"]), store, labels)
        if message is None:
            continue
        rows.append({"event_id": event["event_id"], "store": store,
                     "ticket_id": event["ticket_id"], "kind": message[0],
                     "content": message[1], "status": "pending", "attempts": 0,
                     "next_attempt_ms": now_ms, "created_at": created})
    if not rows:
        return 0
    result = conn.execute(
        dialect_insert(conn, notifications).on_conflict_do_nothing(index_elements=["event_id"]),
        rows)
    return max(int(result.rowcount or 0), 0)


# Events read per pass of catch_up: bounds one transaction after a long pause.
_SCAN_EVENTS = 5000
_SCAN_COLS = [events.c[c] for c in ("server_seq", "store", "event_id", "ticket_id", "type",
                                    "payload", "actor", "occurred_at")]


def catch_up(storage: Storage) -> int:
    """Queue the messages of every event stored since the last pass; return how many.

    Several processes on one database take turns on the mark's row (``FOR UPDATE``;
    on SQLite the write transaction itself), so each event is looked at once.
    """
    queued = 0
    while True:
        with storage.writing() as conn:
            through = int(conn.execute(
                sa.select(server_meta.c.value).where(server_meta.c.key == NOTIFIED_THROUGH)
                .with_for_update()).scalar_one())
            # Sequence numbers commit in order (Storage.push): nothing below the highest
            # visible one can still appear, so the mark never skips an event.
            head = int(conn.execute(sa.select(sa.func.max(events.c.server_seq))).scalar() or 0)
            if head <= through:
                return queued
            upto = min(head, through + _SCAN_EVENTS)
            by_store: dict[str, list[Mapping[str, Any]]] = {}
            for row in conn.execute(
                    sa.select(*_SCAN_COLS)
                    .where(events.c.server_seq > through, events.c.server_seq <= upto,
                           events.c.type.in_(sorted(_CANDIDATES)))
                    .order_by(events.c.server_seq)).mappings():
                by_store.setdefault(str(row["store"]), []).append(dict(row))
            for store, rows in by_store.items():
                queued += enqueue(conn, store, rows)
            conn.execute(server_meta.update().where(server_meta.c.key == NOTIFIED_THROUGH)
                         .values(value=str(upto)))


# --- delivery -----------------------------------------------------------------------------


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class DeliverySettings:
    """How hard the worker tries. Every figure can be set from the environment."""

    backoff_base_s: float = 2.0
    backoff_max_s: float = 300.0
    max_attempts: int = 8
    poll_s: float = 1.0
    timeout_s: float = 10.0
    lease_s: float = 60.0  # longer than a post can take: a claim outlives its attempt
    batch: int = 20

    @classmethod
    def from_env(cls) -> DeliverySettings:
        """Defaults overridden by ``KESU_WEBHOOK_BACKOFF``, ``_BACKOFF_MAX``,
        ``_MAX_ATTEMPTS``, ``_POLL``, ``_TIMEOUT`` and ``_BATCH`` (rows per claim)."""
        d = cls()
        timeout = _env_float("KESU_WEBHOOK_TIMEOUT", d.timeout_s)
        return cls(
            backoff_base_s=_env_float("KESU_WEBHOOK_BACKOFF", d.backoff_base_s),
            backoff_max_s=_env_float("KESU_WEBHOOK_BACKOFF_MAX", d.backoff_max_s),
            max_attempts=max(1, int(_env_float("KESU_WEBHOOK_MAX_ATTEMPTS", d.max_attempts))),
            poll_s=_env_float("KESU_WEBHOOK_POLL", d.poll_s),
            timeout_s=timeout,
            lease_s=max(d.lease_s, timeout * 3),
            batch=max(1, int(_env_float("KESU_WEBHOOK_BATCH", d.batch))),
        )

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after *attempts* failures ("equal jitter")."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2.0 ** (attempts - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class _Claimed:
    id: int
    content: str
    attempts: int
    claim: str


def body(content: str) -> dict[str, Any]:
    """The group-robot JSON for a markdown message."""
    return {"msgtype": "markdown", "markdown": {"content": content}}


def post(client: httpx.Client, url: str, content: str) -> str | None:
    """Post one message; None when WeCom accepted it, else the error to record."""
    try:
        response = client.post(url, json=body(content))
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    try:
        answer = response.json()
    except ValueError:
        return f"not JSON: {response.text[:200]}"
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        return f"refused: {json.dumps(answer, ensure_ascii=False)[:300]}"
    return None


class Worker(Protocol):
    """A background thread the app runs from start-up to shut-down."""

    def start(self) -> None:
        """Start working."""

    def stop(self) -> None:
        """Stop and wait for the thread."""


class DeliveryWorker:
    """A thread posting due outbox rows to *url* until :meth:`stop`."""

    def __init__(self, storage: Storage, url: str,
                 settings: DeliverySettings | None = None) -> None:
        self.storage = storage
        self.url = url
        self.settings = settings or DeliverySettings.from_env()
        self._stop = threading.Event()
        # Set by the storage after a commit that stored candidates: no poll to wait for.
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once), woken by every commit of the storage."""
        if self._thread is None:
            self.storage.add_listener(self._stored)
            self._thread = threading.Thread(target=self._run, name="kesu-notify", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the thread to finish its current post and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _stored(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if any(row["type"] in _CANDIDATES for row in rows):
            self._wake.set()

    def _run(self) -> None:
        with httpx.Client(timeout=self.settings.timeout_s) as client:
            while not self._stop.is_set():
                self._wake.clear()  # a commit from now on makes the wait below return
                try:
                    sent = self.run_once(client)
                except Exception:
                    # Database away for a moment, or a bug: the worker must outlive both;
                    # claimed rows come due again when their lease lapses.
                    _log.exception("notification delivery failed; retrying")
                    sent = 0
                if not sent:
                    self._wake.wait(self.settings.poll_s)

    def run_once(self, client: httpx.Client) -> int:
        """Queue the messages of newly stored events, claim due rows and post each;
        return how many were attempted."""
        catch_up(self.storage)
        claimed = self._claim()
        for row in claimed:
            if self._stop.is_set():
                break  # the claim lapses and the row is retried later
            self._record(row, post(client, self.url, row.content))
        return len(claimed)

    def _claim(self) -> list[_Claimed]:
        now_ms = int(time.time() * 1000)
        claim = secrets.token_hex(8)
        with self.storage.writing() as conn:
            query = (sa.select(notifications.c.id, notifications.c.content,
                               notifications.c.attempts)
                     .where(notifications.c.status == "pending",
                            notifications.c.next_attempt_ms <= now_ms)
                     .order_by(notifications.c.id).limit(self.settings.batch))
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).all()
            if not rows:
                return []
            conn.execute(notifications.update()
                         .where(notifications.c.id.in_([r[0] for r in rows]))
                         .values(claim=claim,
                                 next_attempt_ms=now_ms + int(self.settings.lease_s * 1000)))
        return [_Claimed(int(r[0]), str(r[1]), int(r[2]), claim) for r in rows]

    def _record(self, row: _Claimed, error: str | None) -> None:
        attempts = row.attempts + 1
        now = format_time(datetime.now(UTC))
        values: dict[str, Any] = {"attempts": attempts, "claim": None}
        if error is None:
            values.update(status="delivered", finished_at=now, last_error=None)
        elif attempts >= self.settings.max_attempts:
            values.update(status="failed", finished_at=now, last_error=error)
        else:
            delay = self.settings.backoff(attempts)
            values.update(last_error=error,
                          next_attempt_ms=int((time.time() + delay) * 1000))
        with self.storage.writing() as conn:
            # Only while the claim is ours: after a lapsed lease another worker owns it.
            conn.execute(notifications.update()
                         .where(notifications.c.id == row.id,
                                notifications.c.claim == row.claim)
                         .values(**values))


def run_worker_with(app: FastAPI, worker: Worker) -> None:
    """Run *worker* from *app*'s start-up to its shut-down (around any lifespan it has)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(scope_app: Any) -> AsyncIterator[Any]:
        worker.start()
        try:
            async with inner(scope_app) as state:
                yield state
        finally:
            await asyncio.to_thread(worker.stop)

    app.router.lifespan_context = lifespan


# --- status -----------------------------------------------------------------------------


def status(storage: Storage, failures: int = 10) -> dict[str, Any]:
    """Counts by state, rows being retried, and the last *failures* failed rows.

    Events stored since the last pass of :func:`catch_up` are queued first, so the
    counts cover every stored event, whether or not a delivery worker runs.
    """
    catch_up(storage)
    with storage.engine.connect() as conn:
        counts = {str(s): int(n) for s, n in conn.execute(
            sa.select(notifications.c.status, sa.func.count())
            .group_by(notifications.c.status)).all()}
        retrying = int(conn.execute(
            sa.select(sa.func.count()).select_from(notifications)
            .where(notifications.c.status == "pending", notifications.c.attempts > 0)
        ).scalar_one())
        failed = conn.execute(
            sa.select(notifications.c.event_id, notifications.c.store, notifications.c.kind,
                      notifications.c.attempts, notifications.c.last_error,
                      notifications.c.created_at, notifications.c.finished_at)
            .where(notifications.c.status == "failed")
            .order_by(notifications.c.id.desc()).limit(failures)
        ).mappings().all()
    return {
        "counts": {s: counts.get(s, 0) for s in ("pending", "delivered", "failed")},
        "retrying": retrying,
        "last_failures": [dict(r) for r in failed],
    }
