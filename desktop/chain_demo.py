"""The store desks of ``kesu-server demo``: six days of four stores' complaints.

Run by the demo as its own process (``python -m desktop.chain_demo``, a JSON object on
standard input: the server's ``url``, an enrolment ``codes`` object by store, ``now``), so
the desks are what they are in a chain: real desk databases, driven by the desk library
with a clock set in the past, enrolled with one-time codes and pushed to the centre by
their sync engine. The centre's side (:mod:`sync.server.console.demo`) never imports
the desk, as the layers require. The databases live in a temporary directory removed
afterwards: the desks only make the events; the console shows what the centre received.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

from desktop import ticket_actions
from desktop.compensation import compensate
from desktop.desk import Desk, init_desk
from desktop.desk_sync.engine import SyncEngine
from desktop.staff import Staff, add_staff
from desktop.tickets import create_ticket, get_ticket
from domain.clock import FixedClock, parse_time

# A desk's complaints: store, hours ago, text, and what the desk did next, in order:
# ("contact", h) a first response h hours after the complaint; ("timer", rung) the desk's
# escalation timer running when the ticket is due at that rung (it raises every step due
# on the desk); ("ask", yuan) the store manager asking for compensation above their limit
# (¥1,000 by default), which waits at the centre: up to ¥3,000 for the region's manager,
# above it for headquarters; ("close", h) the loop walked to 完结 h hours later. Tickets
# never answered stay overdue and reach the ladder's top by the timer's last run (now).
Step = tuple[str, float]
DESK_COMPLAINTS: tuple[tuple[str, float, str, tuple[Step, ...]], ...] = (
    ("SH01", 146, "冷柜里的三文鱼刺身有异味，家里三口人吃了都上吐下泻", (
        ("contact", 0.4), ("ask", 1500))),
    ("SH01", 98, "进口奶粉罐子有凹痕封口也破了，担心被人动过，要求退货赔偿", (
        ("timer", 1), ("contact", 5), ("ask", 4500))),
    ("SH01", 50, "会员日宣传全场八八折，结账时却按原价收的", (
        ("contact", 1), ("close", 20))),
    ("SH01", 5, "停车场收费系统重复扣了两次钱，找保安也说不清", ()),
    ("HZ01", 122, "买的空气净化器用了三天就冒烟，差点引起火灾", (
        ("contact", 1), ("ask", 8800))),
    ("HZ01", 74, "熟食区的烤鸭里吃出了玻璃碴，嘴巴被划破了", (
        ("contact", 0.3), ("ask", 2800))),
    ("HZ01", 60, "收银员找零少给了五十元，监控都能看到", (
        ("timer", 2), ("contact", 30))),
    ("HZ01", 34, "水果切盒里发现好几只小虫子，孩子已经吃了一半", ()),
    ("GZ01", 140, "生日蛋糕上的水果发霉了，孩子的生日聚会全毁了", (
        ("contact", 0.5), ("ask", 1800))),
    ("GZ01", 70, "促销的洗衣液买一送一，赠品一直没给", (
        ("timer", 1), ("contact", 8), ("close", 26))),
    ("GZ01", 20, "线上订的海鲜送到时冰袋全化了，虾已经有味道", ()),
    ("UR01", 96, "冷冻水饺里吃出了塑料片，牙齿都硌疼了", (
        ("timer", 2), ("contact", 12), ("ask", 2200))),
    ("UR01", 3, "店里的电梯停了一个上午，推着购物车只能走楼梯", ()),
)
# One product complained about in three stores within the week (a cross-store product
# alert at the centre), answered and closed on the spot: store, hours ago, text, product
# name, SKU. The last two are within the day, for the centre's watch term 发酸.
PRODUCT_COMPLAINTS: tuple[tuple[str, float, str, str, str], ...] = (
    ("SH01", 60, "早上买的鲜榨橙汁喝起来发苦，瓶子还鼓起来了", "鲜榨橙汁 1L", "6907777000011"),
    ("HZ01", 9, "鲜榨橙汁打开就一股发酸的味道，保质期还没到", "鲜榨橙汁 1L", "6907777000011"),
    ("GZ01", 6, "孩子喝了鲜榨橙汁说发酸，瓶盖也松了", "鲜榨橙汁1L", "6907777000011"),
)



class _DemoDesk:
    """One store's desk: its database, a desk clerk and the store manager, its clock."""

    def __init__(self, folder: Path, store: str, start: datetime) -> None:
        self.clock = FixedClock(start)
        self.desk: Desk = init_desk(folder / f"{store}.db", store_code=store, desk_code="D1",
                                    store_name=store, clock=self.clock)
        policy = self.desk.policy.staff
        self.clerk: Staff = add_staff(self.desk.conn, policy, self.clock, staff_id="d01",
                                      name="服务台 李娜", role="desk", pin="2222")
        self.manager: Staff = add_staff(self.desk.conn, policy, self.clock, staff_id="m01",
                                        name="店长 张伟", role="manager", pin="9999")

    def at(self, moment: datetime) -> None:
        """Move the desk's clock to *moment* (never back: a desk's log runs forward)."""
        self.clock.set(max(moment, self.clock.now()))

    def complaint(self, n: int, text: str, steps: tuple[Step, ...],
                  product: dict[str, str] | None = None) -> None:
        """Record the complaint at the clock's moment, then do its *steps*."""
        created = self.clock.now()
        form: dict[str, object] = {
            "text": text, "channel": "desk", "amount_paid": f"{38 + 7 * n}.80",
            "customer": {"name": "顾客", "phone": f"1390571{2300 + n:04d}"}}
        if product:
            form["product"] = product
        tid = create_ticket(self.desk, self.clerk, form).ticket.id
        for action, value in steps:
            if action == "contact":
                self.at(created + timedelta(hours=value))
                ticket_actions.contact_customer(self.desk, self.clerk, tid, "phone",
                                                "已电话联系顾客致歉，说明处理方案")
            elif action == "timer":
                ticket = get_ticket(self.desk, tid)
                interval = timedelta(minutes=ticket.respond_within_minutes)
                self.at(parse_time(ticket.due_at) + interval * (value - 1)
                        + timedelta(minutes=5))
                ticket_actions.escalate_due(self.desk)
            elif action == "ask":
                self.clock.advance(minutes=20)
                compensate(self.desk, self.manager, tid, amount=str(int(value)), kind="cash",
                           note="超出店长权限，报上级审批")
            elif action == "close":
                self.at(self.clock.now() + timedelta(hours=value))
                # The clerk fixes it; the manager is the review's second pair of eyes.
                for to, who in (("rectifying", self.clerk), ("reviewing", self.clerk),
                                ("accountability", self.manager)):
                    ticket_actions.advance(self.desk, who, tid, to)
                ticket_actions.advance(self.desk, self.manager, tid, "closed",
                                       accountability={"outcome": "none"})




def run(url: str, codes: Mapping[str, str], now: datetime) -> None:
    """Each store of *codes* records its complaints of the last days on its own desk,
    enrols with its code and pushes to the centre at *url*."""
    oldest = max(hours for _, hours, _, _ in DESK_COMPLAINTS)
    with tempfile.TemporaryDirectory(prefix="kesu-demo-desks-") as tmp:
        for store, code in codes.items():
            node = _DemoDesk(Path(tmp), store, now - timedelta(hours=oldest + 1))
            try:
                done: list[tuple[float, int, str, tuple[Step, ...], dict[str, str] | None]]
                done = [(hours, n, text, steps, None)
                        for n, (where, hours, text, steps) in enumerate(DESK_COMPLAINTS)
                        if where == store]
                done += [(hours, 50 + n, text, (("contact", 0.2), ("close", 1.0)),
                          {"name": name, "sku": sku})
                         for n, (where, hours, text, name, sku) in enumerate(PRODUCT_COMPLAINTS)
                         if where == store]
                for hours, n, text, steps, product in sorted(done, key=lambda c: -c[0]):
                    node.at(now - timedelta(hours=hours))
                    node.complaint(n, text, steps, product)
                node.clock.set(now)
                ticket_actions.escalate_due(node.desk)  # the timer's run as the demo opens
                with closing(SyncEngine(node.desk.conn, url, clock=node.clock,
                                        timeout=30.0)) as engine:
                    engine.enrol(code)
                    engine.sync_once()
            finally:
                node.desk.close()


def main() -> int:
    """Read the demo's order from standard input and run the desks."""
    order = json.loads(sys.stdin.read())
    run(str(order["url"]), {str(k): str(v) for k, v in dict(order["codes"]).items()},
        parse_time(str(order["now"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
