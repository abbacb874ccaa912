"""What a write changed: read from the events it wrote, plus what it declares."""

from __future__ import annotations

from desktop import ticket_actions
from desktop.changes import EVERYTHING, NOTHING, Changes, changes_since, event_mark, recorded
from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket


def test_a_new_ticket_is_named_and_said_to_be_added(desk: Desk,
                                                     staff: dict[str, Staff]) -> None:
    done = recorded(lambda d: create_ticket(d, staff["d1"], {"text": "牛奶过期了"}))(desk)
    ticket = done.value.ticket
    assert done.changes.tickets == {ticket.id}
    assert done.changes.ticket_added and done.changes.sync_state
    assert not done.changes.compensations and not done.changes.print_jobs


def test_a_note_and_a_merge_name_the_ticket_they_wrote_on(
        desk: Desk, staff: dict[str, Staff]) -> None:
    a = create_ticket(desk, staff["d1"], {"text": "牛奶过期了"}).ticket
    b = create_ticket(desk, staff["d1"], {"text": "面包发霉了"}).ticket
    noted = recorded(lambda d: ticket_actions.add_note(d, staff["d1"], a.id, "已联系"))(desk)
    assert noted.changes.tickets == {a.id} and not noted.changes.ticket_added
    assert noted.changes.names_ticket(a.id) and not noted.changes.names_ticket(b.id)
    merged = recorded(lambda d: ticket_actions.merge(d, staff["m1"], b.id, a.id, "同一件事"))(desk)
    assert merged.changes.tickets == {b.id}  # the duplicate's event: ``merged``


def test_a_compensation_says_so_and_declared_changes_are_kept(
        desk: Desk, staff: dict[str, Staff]) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "牛奶过期了"}).ticket
    done = recorded(lambda d: compensate(d, staff["d1"], t.id, amount="20", kind="cash"),
                    Changes(print_jobs=True))(desk)
    assert done.changes.compensations and done.changes.print_jobs
    assert done.changes.names_ticket(t.id)


def test_a_write_without_events_changes_only_what_it_declares(desk: Desk) -> None:
    done = recorded(lambda _d: 7, Changes(policy=True))(desk)
    assert done.value == 7 and done.changes == Changes(policy=True)
    assert not done.changes.any_ticket and done.changes.any_policy


def test_changes_since_a_mark_moves_the_mark(desk: Desk, staff: dict[str, Staff]) -> None:
    mark = event_mark(desk.conn)
    t = create_ticket(desk, staff["d1"], {"text": "牛奶过期了"}).ticket
    changes, mark = changes_since(desk.conn, mark)
    assert t.id in changes.tickets
    assert changes_since(desk.conn, mark) == (NOTHING, mark)


def test_everything_names_every_ticket() -> None:
    assert EVERYTHING.names_ticket("any") and EVERYTHING.any_print_job
    assert not NOTHING.names_ticket("any") and not NOTHING.names_ticket(None)
    assert (Changes(tickets=frozenset({"a"})) | Changes(staff=True)).any_staff
