"""``kesu-server demo``: a demo chain to look at the console with.

Three regions, eight stores (one in Ürümqi's time zone), one login per role (headquarters,
two regional managers, a hotline agent), complaints from every centre channel made now
through the real intake (:func:`sync.server.channels.create`), and six days of a living
chain from four store desks: complaints recorded days ago, answered late or never,
escalated up the ladder by the desk's own timer, and compensation requests above the store
manager's limit that wait at the centre, on both sides of the policy's
``compensation.regional_limit_fen`` (the region's manager's, or headquarters').

Nothing writes the projection (``centre_tickets``, ``centre_compensations``). The desks
are real desk databases driven through the desk library (:mod:`desktop.tickets`,
:mod:`desktop.compensation`, :mod:`desktop.ticket_actions`) with a clock set in the past,
enrolled with one-time codes (:func:`sync.server.enrolment.create_code`) and pushed by
their sync engine (:class:`desktop.desk_sync.engine.SyncEngine`) over HTTP to the server
app on the same database, which :func:`_loopback` runs for the build on an ephemeral
loopback port (uvicorn in a thread: the real protocol, as a desk speaks it; starlette's
TestClient would do without a socket but is deprecated with httpx). The desk databases
live in a temporary directory removed after the build: the desks only make the events,
the console shows what the centre received.
"""

from __future__ import annotations

import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop import ticket_actions
from desktop.compensation import compensate
from desktop.desk import Desk, init_desk
from desktop.desk_sync.engine import SyncEngine
from desktop.staff import Staff, add_staff
from desktop.tickets import create_ticket, get_ticket
from domain.clock import FixedClock, parse_time
from sync.server import channels, enrolment
from sync.server.console import accounts, masterdata
from sync.server.storage import Storage

# Who the admin page's history says made the demo's master data and logins.
DEMO_ACTOR = "system:demo"
REGIONS = (("EAST", "华东区", "East China"), ("SOUTH", "华南区", "South China"),
           ("WEST", "西北区", "North-west China"))
STORES = (("SH01", "上海徐汇店", "EAST", "Asia/Shanghai"),
          ("SH02", "上海浦东店", "EAST", "Asia/Shanghai"),
          ("HZ01", "杭州西湖店", "EAST", "Asia/Shanghai"),
          ("GZ01", "广州天河店", "SOUTH", "Asia/Shanghai"),
          ("SZ01", "深圳南山店", "SOUTH", "Asia/Shanghai"),
          ("XM01", "厦门思明店", "SOUTH", "Asia/Shanghai"),
          ("XA01", "西安钟楼店", "WEST", "Asia/Shanghai"),
          ("UR01", "乌鲁木齐天山店", "WEST", "Asia/Urumqi"))
USERS: tuple[tuple[str, str, str, str | None], ...] = (
    ("hq", "wang", "王总", None), ("regional", "zhangmin", "张敏", "EAST"),
    ("regional", "liqiang", "李强", "SOUTH"), ("agent", "lina", "李娜", None))
COMPLAINTS = (
    ("SH01", "hotline", "昨天买的卤味拼盘吃完全家拉肚子，孩子还去了医院，要求赔偿医药费", 3880),
    ("SH01", "online", "网上订的牛奶送到时已经过期三天了", 1290),
    ("SH02", "douyin", "收银员态度很差，多收了我二十块钱还不承认", 5620),
    ("SH02", "qr", "门店地面湿滑没有提示牌，老人差点摔倒", 0),
    ("HZ01", "hotline", "买的电饭煲用了一周就坏了，要求退货", 29900),
    ("GZ01", "online", "外卖送来的蛋糕压坏了，奶油全糊在盒子上", 16800),
    ("GZ01", "hotline", "会员积分被莫名清零，打电话问了三次没人处理", 0),
    ("SZ01", "qr", "结账排队四十分钟，只开了两个收银台", 0),
    ("XM01", "douyin", "直播间说买一送一，到店却说活动结束了", 9900),
    ("XA01", "hotline", "面包里吃出了头发，太恶心了", 1500),
    ("UR01", "online", "冷冻水饺送到时已经化了，粘成一团", 4590),
    ("UR01", "qr", "停车场收费标准和门口公示的不一样", 1000),
)

# The stores with a desk of their own (two in EAST, one each in SOUTH and WEST).
DESK_STORES = ("SH01", "HZ01", "GZ01", "UR01")
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


def build(storage: Storage) -> list[dict[str, Any]]:
    """Make the demo chain on *storage*; the logins (role, username, password)."""
    for code, zh, en in REGIONS:
        masterdata.save_region(storage, code, zh, en, actor=DEMO_ACTOR)
    for code, name, region, zone in STORES:
        masterdata.save_store(storage, code, name, region, zone, actor=DEMO_ACTOR)
    logins: list[dict[str, Any]] = []
    for role, username, person, scope in USERS:
        password = f"kesu-Demo-{secrets.randbelow(9000) + 1000}"
        accounts.add_user(storage, username, person, role, password, scope,
                          actor=DEMO_ACTOR)
        logins.append({"role": role, "username": username, "name": person,
                       "region": scope, "password": password})
    for n, (store, channel, text, fen) in enumerate(COMPLAINTS):
        body: dict[str, Any] = {
            "store_code": store, "channel": channel, "text": text, "external_id": f"demo-{n}",
            "customer": {"name": "陈女士", "phone": f"1381234{5670 + n:04d}"}}
        if fen:
            body["amount_paid_fen"] = fen
        channels.create(storage, body, actor="agent:李娜")
    _desks(storage, datetime.now(UTC))
    return logins


@contextmanager
def _loopback(storage: Storage) -> Iterator[str]:
    """The server app on *storage*'s database, served on a free loopback port while the
    block runs; its base URL."""
    import uvicorn

    from sync.server.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(create_app(storage.url), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the demo's loopback server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


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

    def complaint(self, n: int, text: str, steps: tuple[Step, ...]) -> None:
        """Record the complaint at the clock's moment, then do its *steps*."""
        created = self.clock.now()
        tid = create_ticket(self.desk, self.clerk, {
            "text": text, "channel": "desk", "amount_paid": f"{38 + 7 * n}.80",
            "customer": {"name": "顾客", "phone": f"1390571{2300 + n:04d}"}}).ticket.id
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


def _desks(storage: Storage, now: datetime) -> None:
    """Each desk store's complaints of the last days, recorded by its own desk and pushed
    through the sync protocol (see the module's docstring)."""
    oldest = max(hours for _, hours, _, _ in DESK_COMPLAINTS)
    with tempfile.TemporaryDirectory(prefix="kesu-demo-desks-") as tmp, \
            _loopback(storage) as url:
        for store in DESK_STORES:
            node = _DemoDesk(Path(tmp), store, now - timedelta(hours=oldest + 1))
            try:
                for n, (where, hours, text, steps) in enumerate(DESK_COMPLAINTS):
                    if where == store:
                        node.at(now - timedelta(hours=hours))
                        node.complaint(n, text, steps)
                node.clock.set(now)
                ticket_actions.escalate_due(node.desk)  # the timer's run as the demo opens
                with closing(SyncEngine(node.desk.conn, url, clock=node.clock,
                                        timeout=30.0)) as engine:
                    engine.enrol(enrolment.create_code(storage, store, "D1")[0])
                    engine.sync_once()
            finally:
                node.desk.close()
