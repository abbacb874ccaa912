"""The script library's part of a sync round against a real ``kesu-server`` (SQLite and
PostgreSQL): the pull with If-None-Match, a refused library, the usage push once, and
that neither failure fails the tickets' sync."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from desktop import script_library
from desktop.desk_sync.engine import SyncEngine
from desktop.desk_sync.scripts_pull import DeskScripts, etag
from desktop.tickets import create_ticket
from domain.scripts import library_document
from local_db import sync_state
from sync.server import policy_store
from sync.server import script_library as centre_scripts
from sync.server.storage import Storage
from tests.desktop.test_script_library import script_doc
from tests.sync.helpers import DeskNode, ServerProcess, headers

MakeDesk = Callable[..., DeskNode]
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


@pytest.fixture
def storage(private_server: ServerProcess) -> Iterator[Storage]:
    """The private server's database, as headquarters' console writes it."""
    opened = Storage(private_server.db_url)
    yield opened
    opened.close()


def publish(storage: Storage, *docs: dict[str, Any]) -> int:
    """Headquarters publishes *docs* as the next version; its number."""
    with storage.writing() as conn:
        return centre_scripts.publish(conn, list(docs), "hq:王总", NOW).version


def usage(storage: Storage, store: str) -> dict[str, tuple[int, int]]:
    with storage.engine.connect() as conn:
        return {u.script_id: (u.copied, u.helpful)
                for u in centre_scripts.usage(conn, [store])}


def engine_of(node: DeskNode, server: ServerProcess) -> SyncEngine:
    """The desk's engine with its script library (no policy sink: the desk keeps its
    policy, as one that has not pulled a new one yet)."""
    return SyncEngine(node.conn, server.url, clock=node.clock, timeout=10.0,
                      scripts=DeskScripts(node.desk))


def test_the_library_is_pulled_once_per_version(
        make_desk: MakeDesk, private_server: ServerProcess, storage: Storage) -> None:
    node = make_desk("A", "D1", private_server)
    with engine_of(node, private_server) as engine:
        report = engine.sync_once()  # nothing published: version 0, nothing installed
        assert report.scripts_installed is None and report.scripts_error is None
        assert script_library.version(node.conn) == 0
        assert publish(storage, script_doc()) == 1
        assert engine.sync_once().scripts_installed == 1
        assert engine.sync_once().scripts_installed is None  # current: 304
        assert engine.status()["last_error"] is None
        assert publish(storage, script_doc(), script_doc(id="sorry", subcategory="*")) == 2
        assert engine.sync_once().scripts_installed == 2
    lib = script_library.current(node.conn)
    assert [s.id for s in lib.scripts] == ["spoiled-food", "sorry"]
    assert lib.published_by == "hq:王总"
    # What the desk sends is what the centre answers 304 to.
    token = sync_state.read_state(node.conn).token
    answer = httpx.get(f"{private_server.url}/v1/scripts", timeout=10,
                       headers={**headers(token), "If-None-Match": etag(2)})
    assert answer.status_code == 304


def test_a_refused_library_keeps_the_old_one_and_the_tickets_sync_all_the_same(
        make_desk: MakeDesk, private_server: ServerProcess, storage: Storage) -> None:
    node = make_desk("A", "D1", private_server)
    with engine_of(node, private_server) as engine:
        publish(storage, script_doc())
        assert engine.sync_once().scripts_installed == 1
        # Headquarters adds a subcategory to its policy and writes a script for it; this
        # desk has not taken up that policy, so the library names a subcategory it lacks.
        document = copy.deepcopy(node.desk.policy.raw)
        document["policy_version"] = "2027.1.1"
        subs = document["triage"]["categories"]["product"]["subcategories"]
        subs["recall"] = {**subs["counterfeit"], "label_zh": "召回", "label_en": "Recall"}
        policy_store.publish(storage, document)
        publish(storage, script_doc(), script_doc(id="recall", subcategory="recall"))
        create_ticket(node.desk, node.clerk, {"text": "买的牛奶过期了"})
        report = engine.sync_once()
        assert report.pushed >= 1  # the ticket reached the centre
        assert report.scripts_installed is None
        assert report.scripts_error is not None and "recall" in report.scripts_error
        last_error = engine.status()["last_error"]
        assert last_error is not None and "sync.scripts_refused" in last_error
    assert script_library.version(node.conn) == 1
    assert sync_state.pending_count(node.conn) == 0


def test_uses_reach_the_centre_once(
        make_desk: MakeDesk, private_server: ServerProcess, storage: Storage) -> None:
    node = make_desk("A", "D1", private_server)
    with engine_of(node, private_server) as engine:
        publish(storage, script_doc(), script_doc(id="sorry", subcategory="*"))
        engine.sync_once()
        ticket = create_ticket(node.desk, node.clerk, {"text": "买的牛奶过期了"}).ticket
        food, sorry = script_library.current(node.conn).scripts
        script_library.record_use(node.desk, "copied", food, ticket.id)
        script_library.record_use(node.desk, "copied", food, ticket.id)
        script_library.record_use(node.desk, "helpful", food, ticket.id)
        script_library.record_use(node.desk, "helpful", sorry, ticket.id)
        assert engine.sync_once().scripts_error is None
        assert script_library.pending_count(node.conn) == 0
        store = node.desk.store_code
        assert usage(storage, store) == {"spoiled-food": (2, 1), "sorry": (0, 1)}
        # The answer was lost (the desk never marked them sent): sent again, counted once.
        node.conn.execute("UPDATE script_uses SET sent = 0")
        engine.sync_once()
        assert usage(storage, store) == {"spoiled-food": (2, 1), "sorry": (0, 1)}
        assert script_library.pending_count(node.conn) == 0


def test_a_refused_usage_report_does_not_fail_the_round(
        make_desk: MakeDesk, private_server: ServerProcess, storage: Storage) -> None:
    node = make_desk("A", "D1", private_server)
    with engine_of(node, private_server) as engine:
        publish(storage, script_doc())
        engine.sync_once()
        # A use the centre refuses (422: its ticket id is no UUID): kept for a person.
        food = script_library.current(node.conn).scripts[0]
        script_library.record_use(node.desk, "copied", food, "not-a-ticket-id")
        create_ticket(node.desk, node.clerk, {"text": "买的牛奶过期了"})
        report = engine.sync_once()
        assert report.pushed >= 1 and report.scripts_error is not None
        assert report.scripts_error == "sync.rejected: uses[0].ticket_id: invalid"
        last_error = engine.status()["last_error"]
        assert last_error is not None and last_error.endswith(report.scripts_error)
        # The library was still checked (current: nothing to install), the use kept.
        assert script_library.pending_count(node.conn) == 1
        assert sync_state.pending_count(node.conn) == 0


def test_the_wire_document_is_the_domain_document(
        make_desk: MakeDesk, private_server: ServerProcess, storage: Storage) -> None:
    node = make_desk("A", "D1", private_server)
    publish(storage, script_doc())
    with engine_of(node, private_server) as engine:
        engine.sync_once()
    with storage.engine.connect() as conn:
        centre = centre_scripts.current(conn)
    assert library_document(script_library.current(node.conn)) == library_document(centre)
