"""Cross-store product alerts, computed incrementally from the centre's projection.

:func:`observe` follows the projection: ``centre_tickets``' catch-up calls it (whatever
process runs the catch-up, so no ticket is ever skipped) in its write transaction
with each ticket row each time an event touches the ticket, and never scans tickets:

- ``alert_tickets`` remembers every ticket once (its product key, store, creation time
  and whether it is live), so a ticket counts once however many events touch it, and a
  ticket voided or merged later is taken out again (``live`` False).
- A change of a product's mentions reads only that product's live mentions within M days
  of the ticket's creation (index ``alert_tickets_product``) and applies the one rule,
  :func:`domain.products.alert_window` (N stores within M days, policy ``alerts``).
- A product has at most one open alert (``product_alert_open``); while open, each new
  mention adds to its stores and count. It closes when HQ marks it handled
  (:func:`close`, naming the person), when no mention came for M days
  (:func:`close_quiet`, run before alerts are read: "auto:quiet"), or when voided tickets
  leave fewer than N stores ("auto:withdrawn"). After a close, only mentions created
  after it can raise the product again.
- Every change takes the next ``alerts_seq`` (a locked counter row, so changes commit in
  seq order) for the desks' ``GET /v1/alerts?since=``; a raised alert is queued in the
  notification outbox (:mod:`sync.server.notify`, kind ``product_alert``) for WeCom.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time, parse_time, wall_clock_text
from domain.fold import FINAL_STATES
from domain.products import Mention, alert_window, product_key
from sync.server import policy_store, watch_terms
from sync.server.notify import excerpt
from sync.server.tables import (
    ALERTS_SEQ,
    alert_tickets,
    dialect_insert,
    notifications,
    product_alert_open,
    product_alert_stores,
    product_alerts,
    server_meta,
    stores,
)

_CHUNK = 500  # ticket ids per IN (...) read
_log = logging.getLogger(__name__)


def next_seq(conn: Connection) -> int:
    """The next alerts seq, its counter row locked until the transaction ends."""
    conn.execute(dialect_insert(conn, server_meta).values(key=ALERTS_SEQ, value="0")
                 .on_conflict_do_nothing())
    value = int(conn.execute(sa.select(server_meta.c.value)
                             .where(server_meta.c.key == ALERTS_SEQ)
                             .with_for_update()).scalar_one()) + 1
    conn.execute(server_meta.update().where(server_meta.c.key == ALERTS_SEQ)
                 .values(value=str(value)))
    return value


def _label(sku: str | None, name: str | None) -> str:
    name = (name or "").strip()
    if sku and name:
        return f"{name}（{sku}）"
    return name or sku or ""


@dataclass(frozen=True)
class _Change:
    key: str
    created_at: str
    store: str
    label: str
    delta: int  # +1 a mention added, -1 taken out


def observe(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """The projection observer: record each ticket once, update the products it
    mentions and the watch terms' counts.

    In a savepoint of the projection's transaction: should it fail (a bug, a deadlock
    between two server processes), the batch's alert rows are rolled back and logged,
    and the projection itself still commits, so the queue never stalls on an alert. The
    tickets of such a batch count when an event touches them next.
    """
    if not rows:
        return
    try:
        with conn.begin_nested():
            _observe(conn, rows)
    except Exception:
        _log.exception("product alerts: a batch of %d tickets was not observed", len(rows))


def _observe(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    ids = list(dict.fromkeys(str(r["ticket_id"]) for r in rows))
    seen: dict[str, Mapping[str, Any]] = {}
    for i in range(0, len(ids), _CHUNK):
        for hit in conn.execute(sa.select(alert_tickets)
                                .where(alert_tickets.c.ticket_id.in_(ids[i:i + _CHUNK]))
                                ).mappings():
            seen[str(hit["ticket_id"])] = dict(hit)
    changes: list[_Change] = []
    new: list[Mapping[str, Any]] = []
    gone: list[str] = []
    for row in rows:
        tid = str(row["ticket_id"])
        live = row["status"] not in FINAL_STATES
        key = product_key(row["product_sku"], row["product_name"])
        label = _label(row["product_sku"], row["product_name"])
        store, created = str(row["store"]), str(row["created_at"])
        old = seen.get(tid)
        values = {"ticket_id": tid, "product_key": key, "label": label or None,
                  "store": store, "created_at": created, "live": live}
        if old is None:
            inserted = conn.execute(dialect_insert(conn, alert_tickets).values(**values)
                                    .on_conflict_do_nothing(index_elements=["ticket_id"]))
            seen[tid] = values
            if not inserted.rowcount:
                continue  # another process recorded it in the meantime
            if live:
                new.append(row)
                if key is not None:
                    changes.append(_Change(key, created, store, label, +1))
            continue
        if bool(old["live"]) == live and old["product_key"] == key:
            continue  # the usual case: an event that changes nothing here
        conn.execute(alert_tickets.update().where(alert_tickets.c.ticket_id == tid)
                     .values(**values))
        seen[tid] = values
        if old["live"] and old["product_key"] is not None:
            changes.append(_Change(str(old["product_key"]), str(old["created_at"]), store,
                                   str(old["label"] or ""), -1))
        if live and key is not None:
            changes.append(_Change(key, created, store, label, +1))
        if old["live"] and not live:
            gone.append(tid)
    if not (changes or new or gone):
        return
    policy, _ = policy_store.current(conn)
    if changes:
        # The seq counter first: every writer of alerts queues on it before touching an
        # alert's rows, so two processes observing one product cannot deadlock.
        next_seq(conn)
    for change in changes:
        _apply(conn, change, policy.alerts.product_stores, policy.alerts.product_days)
    watch_terms.count(conn, new, gone, policy.timezone.key)


def _mentions(conn: Connection, key: str, after: str, before: str | None) -> list[Mention]:
    query = (sa.select(alert_tickets.c.store, alert_tickets.c.ticket_id,
                       alert_tickets.c.created_at)
             .where(alert_tickets.c.product_key == key, alert_tickets.c.live.is_(True),
                    alert_tickets.c.created_at > after))
    if before is not None:
        query = query.where(alert_tickets.c.created_at < before)
    return [Mention(str(s), str(t), parse_time(str(c))) for s, t, c in conn.execute(query)]


def _apply(conn: Connection, change: _Change, n_stores: int, days: int) -> None:
    open_id = conn.execute(sa.select(product_alert_open.c.alert_id)
                           .where(product_alert_open.c.product_key == change.key)).scalar()
    if open_id is not None:
        _update_open(conn, int(open_id), change, n_stores)
    elif change.delta > 0:
        _maybe_raise(conn, change, n_stores, days)


def _maybe_raise(conn: Connection, change: _Change, n_stores: int, days: int) -> None:
    at = parse_time(change.created_at)
    span = timedelta(days=days)
    after = format_time(at - span)
    closed = conn.execute(sa.select(product_alerts.c.closed_at)
                          .where(product_alerts.c.product_key == change.key)
                          .order_by(product_alerts.c.raised_at.desc()).limit(1)).scalar()
    if closed is not None and str(closed) > after:
        after = str(closed)  # mentions before a close were dealt with
    window = alert_window(_mentions(conn, change.key, after, format_time(at + span)),
                          n_stores, days)
    moment = datetime.now(UTC)
    if window is None or window.last <= moment - span:
        # None, or a window long past (old tickets seen for the first time, e.g. after
        # an upgrade): an alert on it would be closed as quiet at once.
        return
    now = format_time(moment)
    # The alert holds every known mention from the window's first on (a late-synced
    # ticket may already lie past the window's N-th store).
    per_store: dict[str, int] = {}
    latest = window.last
    since = max(after, format_time(window.first - timedelta(milliseconds=1)))
    for m in _mentions(conn, change.key, since, format_time(at + span)):
        per_store[m.store] = per_store.get(m.store, 0) + 1
        latest = max(latest, m.created_at)
    alert_id = int(conn.execute(product_alerts.insert().values(
        product_key=change.key, label=change.label, first_at=format_time(window.first),
        last_at=format_time(latest), store_count=len(per_store),
        tickets=sum(per_store.values()), raised_at=now, status="open", seq=next_seq(conn),
    ).returning(product_alerts.c.id)).scalar_one())
    claimed = conn.execute(dialect_insert(conn, product_alert_open)
                           .values(product_key=change.key, alert_id=alert_id)
                           .on_conflict_do_nothing(index_elements=["product_key"]))
    if not claimed.rowcount:  # raised by another process at the same moment
        conn.execute(product_alerts.delete().where(product_alerts.c.id == alert_id))
        return
    conn.execute(product_alert_stores.insert(), [
        {"alert_id": alert_id, "store": s, "tickets": n} for s, n in sorted(per_store.items())])
    _notify(conn, alert_id, change, sorted(per_store), sum(per_store.values()), days)


def _update_open(conn: Connection, alert_id: int, change: _Change, n_stores: int) -> None:
    alert = conn.execute(sa.select(product_alerts).where(product_alerts.c.id == alert_id)
                         ).mappings().one()
    if change.created_at < str(alert["first_at"]):
        return  # older than the alert's window: not part of it
    row = conn.execute(sa.select(product_alert_stores.c.tickets).where(
        product_alert_stores.c.alert_id == alert_id,
        product_alert_stores.c.store == change.store)).scalar()
    if change.delta > 0:
        if row is None:
            conn.execute(product_alert_stores.insert().values(
                alert_id=alert_id, store=change.store, tickets=1))
        else:
            conn.execute(product_alert_stores.update().where(
                product_alert_stores.c.alert_id == alert_id,
                product_alert_stores.c.store == change.store).values(tickets=row + 1))
    elif row is not None:
        where = sa.and_(product_alert_stores.c.alert_id == alert_id,
                        product_alert_stores.c.store == change.store)
        if row <= 1:
            conn.execute(product_alert_stores.delete().where(where))
        else:
            conn.execute(product_alert_stores.update().where(where).values(tickets=row - 1))
    counts = conn.execute(sa.select(sa.func.count(), sa.func.coalesce(
        sa.func.sum(product_alert_stores.c.tickets), 0))
        .where(product_alert_stores.c.alert_id == alert_id)).one()
    values: dict[str, Any] = {"store_count": int(counts[0]), "tickets": int(counts[1]),
                              "seq": next_seq(conn)}
    if change.delta > 0:
        values["last_at"] = max(str(alert["last_at"]), change.created_at)
        if change.label:
            values["label"] = change.label
    conn.execute(product_alerts.update().where(product_alerts.c.id == alert_id)
                 .values(**values))
    if int(counts[0]) < n_stores:
        _close(conn, alert_id, "auto:withdrawn")


def _close(conn: Connection, alert_id: int, by: str) -> bool:
    done = conn.execute(product_alerts.update().where(
        product_alerts.c.id == alert_id, product_alerts.c.status == "open").values(
        status="closed", closed_by=by, closed_at=format_time(datetime.now(UTC)),
        seq=next_seq(conn)))
    conn.execute(product_alert_open.delete().where(product_alert_open.c.alert_id == alert_id))
    return bool(done.rowcount)


def close(conn: Connection, alert_id: int, actor: str) -> bool:
    """HQ marks *alert_id* handled (*actor* is the console's ``principal.actor``);
    False when it is not open (already closed, or no such alert)."""
    return _close(conn, alert_id, actor)


def quiet_ids(conn: Connection, now: datetime, days: int) -> list[int]:
    """Open alerts whose latest mention is M days old or more."""
    cut = format_time(now - timedelta(days=days))
    return [int(i) for (i,) in conn.execute(
        sa.select(product_alerts.c.id).where(product_alerts.c.status == "open",
                                             product_alerts.c.last_at <= cut))]


def close_quiet(storage: Any, now: datetime | None = None) -> int:
    """Close the alerts without a mention for M days ("auto:quiet"); how many.

    Readers call it first; it writes only when there is something to close."""
    now = now or datetime.now(UTC)
    with storage.engine.connect() as conn:
        days = policy_store.current(conn)[0].alerts.product_days
        if not quiet_ids(conn, now, days):
            return 0
    closed = 0
    with storage.writing() as conn:
        for alert_id in quiet_ids(conn, now, days):
            closed += _close(conn, alert_id, "auto:quiet")
    return closed


def _notify(conn: Connection, alert_id: int, change: _Change, names: Sequence[str],
            tickets: int, days: int) -> None:
    """Queue the WeCom message of a raised alert in the notification outbox."""
    policy, _ = policy_store.current(conn)
    store_names = dict(conn.execute(sa.select(stores.c.code, stores.c.name)
                                    .where(stores.c.code.in_(list(names)))).all())
    shown = "、".join(excerpt(f"{s} {store_names[s]}" if s in store_names else s, 40)
                     for s in names)
    when = wall_clock_text(datetime.now(UTC), policy.timezone, "%Y-%m-%d %H:%M")
    content = "\n".join([
        "**【客诉通知】商品预警**",
        f"> 商品：{excerpt(change.label or change.key)}",
        f'> 近{days}天 <font color="warning">{len(names)} 家门店</font>被投诉（{tickets} 单）',
        f"> 门店：{shown}",
        "> 请各门店检查货架与库存批次",
        f"> 时间：{when}",
    ])
    conn.execute(dialect_insert(conn, notifications).values(
        event_id=f"product_alert:{alert_id}", store=change.store, ticket_id="",
        kind="product_alert", content=content, status="pending", attempts=0,
        next_attempt_ms=int(datetime.now(UTC).timestamp() * 1000),
        created_at=format_time(datetime.now(UTC)),
    ).on_conflict_do_nothing(index_elements=["event_id"]))

