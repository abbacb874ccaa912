"""The invariants every sync fault test ends with, after the faults stop.

:func:`quiesce` syncs every desk until a whole pass moves nothing; :func:`check_store`
then asserts what the architecture promises (never lose, never duplicate, all agree):

* every event committed on any desk (and every central event) is on the server exactly
  once (by event_id and by (device_id, device_seq)), with the same hash, and on every
  desk of the store exactly once;
* the server's ``server_seq`` runs 1..N without a gap;
* each desk's ``local_db.store.check`` is empty (chains verify, projections = folds) and
  nothing is left in its outbox;
* all desks of the store have identical ticket projections and ledgers, and (when an HQ
  token is given) the centre folds every ticket to the same status and conflict flag;
* conflicted tickets are listed, and every status change behind them is still there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa

from desktop.desk_sync.engine import SyncEngine
from local_db import store
from sync.errors import NetworkError
from sync.server.storage import normalise_url
from tests.sync.helpers import DeskNode, ServerProcess, headers


@dataclass(frozen=True)
class ServerRow:
    """One event as the server stores it."""

    event_id: str
    store: str
    ticket_id: str
    device_id: str
    device_seq: int
    server_seq: int
    hash: str


def server_rows(server: ServerProcess) -> list[ServerRow]:
    """Every event the server holds, in server_seq order (read from its database)."""
    engine = sa.create_engine(normalise_url(server.db_url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT event_id, store, ticket_id, device_id, device_seq, server_seq, hash "
                "FROM events ORDER BY server_seq").fetchall()
    finally:
        engine.dispose()
    return [ServerRow(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]), int(r[5]),
                      str(r[6])) for r in rows]


def point_at(node: DeskNode, url: str) -> None:
    """Make the desk sync through *url* (the fault proxy, or the server directly)."""
    node.engine.close()
    node.engine = SyncEngine(node.conn, url, clock=node.clock, timeout=10.0)


def quiesce(nodes: Sequence[DeskNode], *, max_passes: int = 8) -> int:
    """Sync every desk, pass after pass, until a whole pass pushes and applies nothing.

    Returns the number of passes. Raises AssertionError if the desks never settle.
    """
    for n in range(1, max_passes + 1):
        moved = False
        for node in nodes:
            report = node.engine.sync_once()
            if report.offered or report.applied or report.epoch_reset:
                moved = True
        if not moved and all(node.engine.status()["pending"] == 0 for node in nodes):
            return n
    raise AssertionError(f"desks still moving events after {max_passes} passes")


def sync_ignoring_network(node: DeskNode) -> bool:
    """One round that may fail on the (faulty) network; True when it succeeded."""
    try:
        node.engine.sync_once()
    except NetworkError:
        return False
    return True


def desk_events(conn: sqlite3.Connection) -> dict[str, tuple[str, str, int, str]]:
    """event_id → (ticket_id, device_id, device_seq, hash) of every event on a desk."""
    rows = conn.execute(
        "SELECT event_id, ticket_id, device_id, device_seq, hash FROM events").fetchall()
    out = {str(r[0]): (str(r[1]), str(r[2]), int(r[3]), str(r[4])) for r in rows}
    assert len(out) == len(rows), "an event_id twice on a desk"
    pairs = {(v[1], v[2]) for v in out.values()}
    assert len(pairs) == len(rows), "a (device_id, device_seq) twice on a desk"
    return out


def check_server(server: ServerProcess) -> list[ServerRow]:
    """Server-wide checks: unique event ids and device sequences, gapless server_seq."""
    rows = server_rows(server)
    assert len({r.event_id for r in rows}) == len(rows), "an event twice on the server"
    assert len({(r.device_id, r.device_seq) for r in rows}) == len(rows), \
        "a (device_id, device_seq) twice on the server"
    assert [r.server_seq for r in rows] == list(range(1, len(rows) + 1)), \
        "server_seq has a gap"
    # Each device's history on the server is gapless from 1 too.
    by_device: dict[str, list[int]] = {}
    for r in rows:
        by_device.setdefault(r.device_id, []).append(r.device_seq)
    for device, seqs in by_device.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"device {device} has a gap"
    return rows


def _centre_tickets(server: ServerProcess, store_code: str, hq_token: str) -> dict[str, Any]:
    r = httpx.get(f"{server.url}/v1/hq/stores/{store_code}/tickets",
                  headers={**headers(), "Authorization": f"Bearer {hq_token}"}, timeout=10)
    assert r.status_code == 200, r.text
    return {t["id"]: t for t in r.json()["tickets"]}


def check_store(
    server: ServerProcess,
    nodes: Sequence[DeskNode],
    *,
    committed: Iterable[str] = (),
    hq_token: str | None = None,
    exact_server_seq: bool = True,
) -> list[str]:
    """Assert every invariant for the desks of one store; return the conflicted tickets.

    *committed* names event ids (or ticket ids) known to have been committed somewhere
    (a desk that printed "saved" before it was killed): each must be present too.
    *exact_server_seq*: every desk records the server_seq the server gave each event
    (off after a restore without a new epoch, where the old numbers are handed out again).
    """
    assert nodes, "no desks to check"
    store_code = nodes[0].desk.store_code
    rows = check_server(server)
    on_server = {r.event_id: r for r in rows if r.store == store_code}
    first: dict[str, tuple[str, str, int, str]] | None = None
    for node in nodes:
        assert node.desk.store_code == store_code
        problems = store.check(node.conn)
        assert problems == [], f"desk {node.desk.desk_code}: {problems}"
        assert node.engine.status()["pending"] == 0, f"desk {node.desk.desk_code} pending"
        events = desk_events(node.conn)
        if first is None:
            first = events
        assert set(events) == set(on_server), (
            f"desk {node.desk.desk_code} and server differ: "
            f"only desk {sorted(set(events) - set(on_server))[:5]}, "
            f"only server {sorted(set(on_server) - set(events))[:5]}")
        assert events == first, f"desk {node.desk.desk_code} differs from the first desk"
        for event_id, (_, device_id, device_seq, digest) in events.items():
            row = on_server[event_id]
            assert (row.device_id, row.device_seq, row.hash) == (device_id, device_seq, digest)
        seqs = dict(node.conn.execute("SELECT event_id, server_seq FROM events").fetchall())
        assert None not in seqs.values(), "a pulled-back event lacks its server_seq"
        if exact_server_seq:
            assert seqs == {e: on_server[e].server_seq for e in seqs}
    assert first is not None
    tickets_known = {v[0] for v in first.values()}
    for name in committed:
        assert name in first or name in tickets_known, f"committed {name} was lost"
    reference = nodes[0].projections()
    for node in nodes[1:]:
        assert node.projections() == reference, f"desk {node.desk.desk_code} disagrees"
    conflicted = sorted(str(r[0]) for r in nodes[0].conn.execute(
        "SELECT id FROM tickets WHERE conflict = 1"))
    for ticket_id in conflicted:
        # A conflict needs two status changes that both survived the merge.
        changes = nodes[0].conn.execute(
            "SELECT count(*) FROM events WHERE ticket_id = ? AND type IN "
            "('status_changed', 'rated', 'merged', 'voided')", (ticket_id,)).fetchone()[0]
        assert changes >= 2, f"conflicted ticket {ticket_id} lost a status change"
    if hq_token is not None:
        centre = _centre_tickets(server, store_code, hq_token)
        local = {str(r["id"]): (r["status"], r["conflict"]) for r in nodes[0].conn.execute(
            "SELECT id, status, conflict FROM tickets")}
        assert {k: (v["status"], v["conflict"]) for k, v in centre.items()} == local
    return conflicted


# --- a random workload of legal desk steps ----------------------------------------------

TEXTS = (
    "昨天买的酸奶打开就是臭的，已经变质了",
    "收银员态度很差，问她问题不理人还翻白眼",
    "停车场没有灯，晚上很黑",
    "买的面包发霉了，要求退款",
    "电梯坏了三天没人修",
    "会员积分没有到账",
)


def random_edit(node: DeskNode, rng: Any, known: list[str]) -> str | None:
    """One legal step on the desk, chosen by *rng*: create a ticket (added to *known*),
    or note, contact or advance a known ticket. Returns the step's name, or None when
    the desk refused it (a ticket another desk closed, a conflict...): refusals are
    part of the game, never a failure.
    """
    from desktop.ticket_actions import add_note, advance, contact_customer
    from desktop.tickets import create_ticket, get_ticket
    from domain.errors import KesuError
    from domain.lifecycle import FORWARD
    from local_db.errors import StoreError

    node.clock.advance(seconds=rng.randint(1, 90))
    step = "create" if not known or rng.random() < 0.3 else rng.choice(
        ("note", "contact", "advance", "advance"))
    try:
        if step == "create":
            text = f"{rng.choice(TEXTS)} {rng.randint(0, 10**6)}"
            known.append(create_ticket(node.desk, node.clerk, {"text": text}).ticket.id)
            return step
        ticket_id = rng.choice(known)
        if step == "note":
            add_note(node.desk, node.clerk, ticket_id, f"备注 {rng.randint(0, 10**6)}")
        elif step == "contact":
            contact_customer(node.desk, node.clerk, ticket_id, "phone", "已电话联系顾客")
        else:
            status = get_ticket(node.desk, ticket_id).status
            options = FORWARD.get(status, ())
            if not options:
                return None
            to = rng.choice(options)
            # The clerk fixes, the manager reviews (never the handler) and closes.
            actor = node.manager if status in ("reviewing", "accountability") else node.clerk
            advance(node.desk, actor, ticket_id, to,
                    accountability={"outcome": "none"} if to == "closed" else None)
    except StoreError:
        raise  # a KesuError too, but a storage failure is no refusal
    except KesuError:
        return None
    return step
