"""Watch terms: words headquarters watches for (a smell after a recipe change), counted
per store day as tickets arrive.

A term matches a ticket when the term is a substring of the ticket's full complaint text,
both NFKC-normalised and case-folded (so "ＡＢＣ" finds "abc"); a term may name a product
line as a product-name substring (normalised the same way), and then only tickets whose
product name contains it count. The projection row carries only the first 200 characters
of the text, so the full text is read from the ticket's creation event, once per ticket
(the observer in :mod:`sync.server.product_alerts` calls :func:`count` only for tickets it
sees for the first time).

Counts are per term, store and the store's local day (``watch_counts``); a day's count
across stores is the sum over the stores of that local day. A day's count *past* the
threshold — strictly more tickets than ``daily_threshold`` — raises one alert for the
term and day (``watch_alerts``, console + WeCom); a count equal to the threshold does not.
A term counts tickets that reach the centre while it is active and were created at
most a day before it was set; a ticket voided or merged later is taken out of the counts
(an alert already raised stays).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time, parse_time
from sync.protocol import payload_object
from sync.server.notify import excerpt
from sync.server.tables import (
    dialect_insert,
    events,
    notifications,
    stores,
    watch_alerts,
    watch_counts,
    watch_hits,
    watch_terms,
)

MAX_TERM_CHARS = 40
MAX_THRESHOLD = 100_000


def normalise(text: str) -> str:
    """NFKC then case-fold: the form terms and texts are compared in."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Term:
    """A watch term as the console lists it."""

    id: int
    term: str
    product: str | None
    daily_threshold: int
    active: bool
    created_by: str
    created_at: str
    disabled_by: str | None


def _term(row: Mapping[str, Any]) -> Term:
    return Term(int(row["id"]), str(row["term"]), row["product"], int(row["daily_threshold"]),
                bool(row["active"]), str(row["created_by"]), str(row["created_at"]),
                row["disabled_by"])


def list_terms(conn: Connection, active_only: bool = False) -> list[Term]:
    """Every term (a short list), newest first."""
    query = sa.select(watch_terms).order_by(watch_terms.c.id.desc())
    if active_only:
        query = query.where(watch_terms.c.active.is_(True))
    return [_term(dict(r)) for r in conn.execute(query).mappings()]


def add_term(conn: Connection, term: str, product: str | None, threshold: int,
             actor: str) -> int:
    """Start watching *term* (checked by the caller); its id."""
    product = (product or "").strip() or None
    return int(conn.execute(watch_terms.insert().values(
        term=term.strip(), term_norm=normalise(term.strip()), product=product,
        product_norm=normalise(product) if product else None, daily_threshold=threshold,
        active=True, created_by=actor, created_at=format_time(datetime.now(UTC)),
    ).returning(watch_terms.c.id)).scalar_one())


def disable_term(conn: Connection, term_id: int, actor: str) -> bool:
    """Stop watching *term_id*; False when it is not active."""
    done = conn.execute(watch_terms.update().where(watch_terms.c.id == term_id,
                                                   watch_terms.c.active.is_(True))
                        .values(active=False, disabled_by=actor,
                                disabled_at=format_time(datetime.now(UTC))))
    return bool(done.rowcount)


def _full_text(conn: Connection, ticket_id: str, fallback: str) -> str:
    payload = conn.execute(sa.select(events.c.payload).where(
        events.c.ticket_id == ticket_id, events.c.type == "ticket_created").limit(1)).scalar()
    if payload is None:
        return fallback
    try:
        text = payload_object(str(payload)).get("text")
    except (ValueError, AttributeError):
        return fallback
    return text if isinstance(text, str) else fallback


def _zone(name: str | None, default: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def _since(term_created: str) -> str:
    """The oldest ticket a term counts: created a day before the term was set (a desk
    offline for a while still counts), not older (tickets the centre sees for the first
    time long after, e.g. an old ticket touched after an upgrade, stay out)."""
    return format_time(parse_time(term_created) - timedelta(days=1))


def count(conn: Connection, new: Sequence[Mapping[str, Any]], gone: Sequence[str],
          default_zone: str) -> None:
    """Count the *new* live tickets (projection rows seen for the first time) for the
    active terms, and take the *gone* (voided or merged) tickets out."""
    for ticket_id in gone:
        for term_id, store, day in conn.execute(
                sa.select(watch_hits.c.term_id, watch_hits.c.store, watch_hits.c.day)
                .where(watch_hits.c.ticket_id == ticket_id)).all():
            conn.execute(watch_counts.update().where(
                watch_counts.c.term_id == term_id, watch_counts.c.day == day,
                watch_counts.c.store == store).values(tickets=watch_counts.c.tickets - 1))
        conn.execute(watch_hits.delete().where(watch_hits.c.ticket_id == ticket_id))
    if not new:
        return
    terms = conn.execute(sa.select(watch_terms.c.id, watch_terms.c.term,
                                   watch_terms.c.term_norm, watch_terms.c.product_norm,
                                   watch_terms.c.daily_threshold, watch_terms.c.created_at)
                         .where(watch_terms.c.active.is_(True))).all()
    if not terms:
        return
    zones: dict[str, ZoneInfo] = {}
    for row in new:
        text = normalise(_full_text(conn, str(row["ticket_id"]), str(row["text"])))
        product = normalise(str(row["product_name"] or ""))
        created = str(row["created_at"])
        hits = [t for t in terms if t[2] in text and (t[3] is None or t[3] in product)
                and created >= _since(str(t[5]))]
        if not hits:
            continue
        store = str(row["store"])
        if store not in zones:
            zones[store] = _zone(conn.execute(sa.select(stores.c.time_zone)
                                              .where(stores.c.code == store)).scalar(),
                                 default_zone)
        day = parse_time(str(row["created_at"])).astimezone(zones[store]).date().isoformat()
        for term_id, term, _, _, threshold, _ in hits:
            _hit(conn, int(term_id), str(term), int(threshold), str(row["ticket_id"]),
                 store, day)


def _hit(conn: Connection, term_id: int, term: str, threshold: int, ticket_id: str,
         store: str, day: str) -> None:
    added = conn.execute(dialect_insert(conn, watch_hits).values(
        term_id=term_id, ticket_id=ticket_id, store=store, day=day)
        .on_conflict_do_nothing(index_elements=["term_id", "ticket_id"]))
    if not added.rowcount:
        return
    insert = dialect_insert(conn, watch_counts).values(term_id=term_id, day=day,
                                                       store=store, tickets=1)
    conn.execute(insert.on_conflict_do_update(
        index_elements=["term_id", "day", "store"],
        set_={"tickets": watch_counts.c.tickets + 1}))
    total = int(conn.execute(sa.select(sa.func.sum(watch_counts.c.tickets)).where(
        watch_counts.c.term_id == term_id, watch_counts.c.day == day)).scalar() or 0)
    if total <= threshold:
        return
    now = format_time(datetime.now(UTC))
    raised = conn.execute(dialect_insert(conn, watch_alerts).values(
        term_id=term_id, day=day, tickets=total, raised_at=now)
        .on_conflict_do_nothing(index_elements=["term_id", "day"]))
    if not raised.rowcount:
        return  # once per term and day
    content = "\n".join([
        "**【客诉通知】关注词预警**",
        f"> 关注词：{excerpt(term, MAX_TERM_CHARS)}",
        f'> {day} 全部门店 <font color="warning">{total} 单</font>投诉提到该词'
        f"（阈值 {threshold}）",
        "> 请相关部门核查",
    ])
    conn.execute(dialect_insert(conn, notifications).values(
        event_id=f"watch_alert:{term_id}:{day}", store=store, ticket_id=ticket_id,
        kind="watch_alert", content=content, status="pending", attempts=0,
        next_attempt_ms=int(datetime.now(UTC).timestamp() * 1000), created_at=now,
    ).on_conflict_do_nothing(index_elements=["event_id"]))


def daily_counts(conn: Connection, term_ids: Sequence[int], last_day: date, days: int,
                 store_codes: Sequence[str] | None = None) -> dict[int, dict[str, int]]:
    """term → local day → tickets over the *days* days ending *last_day*; only
    *store_codes* when given (a regional manager's stores). One indexed range read."""
    if not term_ids:
        return {}
    first = (last_day - timedelta(days=days - 1)).isoformat()
    query = (sa.select(watch_counts.c.term_id, watch_counts.c.day,
                       sa.func.sum(watch_counts.c.tickets))
             .where(watch_counts.c.term_id.in_(list(term_ids)),
                    watch_counts.c.day >= first, watch_counts.c.day <= last_day.isoformat())
             .group_by(watch_counts.c.term_id, watch_counts.c.day))
    if store_codes is not None:
        query = query.where(watch_counts.c.store.in_(list(store_codes)))
    out: dict[int, dict[str, int]] = {}
    for term_id, day, n in conn.execute(query):
        out.setdefault(int(term_id), {})[str(day)] = int(n or 0)
    return out


def alerts_of(conn: Connection, term_ids: Sequence[int], since_day: str
              ) -> dict[int, dict[str, int]]:
    """term → day → the count when the day's alert was raised, days from *since_day*."""
    if not term_ids:
        return {}
    out: dict[int, dict[str, int]] = {}
    for term_id, day, n in conn.execute(
            sa.select(watch_alerts.c.term_id, watch_alerts.c.day, watch_alerts.c.tickets)
            .where(watch_alerts.c.term_id.in_(list(term_ids)), watch_alerts.c.day >= since_day)):
        out.setdefault(int(term_id), {})[str(day)] = int(n)
    return out
