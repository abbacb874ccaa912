"""Two desks whose tickets differ only in what staff wrote for each other.

The closing slip's allow-list is tested by building the same complaint twice, once with
every kind of internal writing (handling notes, contact notes, review remarks, the
accountability outcome with a supplier's fine, a closing note) and once with none, and
comparing what the customer would take home: it must be the same paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop import ticket_actions as handling
from desktop.compensation import compensate
from desktop.desk import Desk, init_desk
from desktop.staff import Staff, add_staff
from desktop.tickets import create_ticket, get_ticket
from domain.clock import FixedClock
from domain.fold import TicketState
from tests.conftest import NAMES, PINS, ROLES, START

TEXT = "收银台多收了我五块钱，找零也不对。"
# Words that only staff may read: none of them may reach the customer's paper.
INTERNAL = ("供应商罚款", "罚款500元", "收银员小王", "扣绩效", "内部", "复核意见", "处罚",
            "奖惩", "无需奖惩", "处理说明", "回访备注")


@dataclass
class Twin:
    """One desk of the pair and its closed ticket."""

    desk: Desk
    staff: dict[str, Staff]
    ticket: TicketState


def closed_twin(folder: Path, *, internal: bool, rating: int = 4) -> Twin:
    """A desk in *folder* with one closed, rated ticket; with *internal*, every kind of
    staff-only writing is on it."""
    folder.mkdir(parents=True, exist_ok=True)
    clock = FixedClock(START)
    desk = init_desk(folder / "kesu.db", store_code="XT01", desk_code="D2",
                     store_name="湘潭一店", clock=clock)
    staff = {sid: add_staff(desk.conn, desk.policy.staff, clock, staff_id=sid,
                            name=NAMES[sid], role=ROLES[sid], pin=PINS[sid]) for sid in PINS}
    number = handling_steps(desk, staff, clock, internal=internal, rating=rating)
    return Twin(desk, staff, get_ticket(desk, number))


def handling_steps(desk: Desk, staff: dict[str, Staff], clock: FixedClock, *,
                   internal: bool, rating: int) -> str:
    """Record, handle, compensate, close and rate one ticket; its number."""
    ticket = create_ticket(desk, staff["d1"], {
        "text": TEXT, "customer": {"phone": "13812345678"}, "amount_paid": "35.00"}).ticket
    number = ticket.number
    clock.advance(minutes=5)
    if internal:
        handling.add_note(desk, staff["d1"], number, "内部：收银员小王多扫一件，扣绩效")
        handling.contact_customer(desk, staff["d1"], number, "phone",
                                  "回访备注：顾客情绪激动，内部记录")
    clock.advance(minutes=5)
    compensate(desk, staff["d1"], number, amount="5", kind="refund",
               note="内部：收银差错退款" if internal else None)
    handling.advance(desk, staff["d1"], number, "rectifying",
                     note="内部：调监控核实" if internal else None)
    clock.advance(minutes=30)
    handling.advance(desk, staff["d1"], number, "reviewing",
                     note="复核意见：培训收银员" if internal else None)
    clock.advance(minutes=30)
    handling.advance(desk, staff["m1"], number, "accountability",
                     note="复核意见：通过" if internal else None)
    clock.advance(minutes=30)
    accountability = ({"outcome": "penalty", "subject": "供应商",
                       "note": "供应商罚款500元，收银员小王扣绩效"}
                      if internal else {"outcome": "none"})
    handling.advance(desk, staff["m1"], number, "closed",
                     note="处理说明：供应商罚款500元，已退款" if internal else None,
                     accountability=accountability)
    clock.advance(hours=20)
    handling.rate(desk, staff["d1"], number, rating,
                  comment="回访备注：顾客满意" if internal else None)
    return number
