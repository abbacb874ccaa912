"""``kesu-server demo``: a demo chain to look at the console with.

Three regions, eight stores (one in Ürümqi's time zone), one login per role (headquarters,
two regional managers, a hotline agent), complaints from every centre channel made now
through the real intake (:func:`sync.server.channels.create`), and six days of a living
chain from four store desks: complaints recorded days ago, answered late or never,
escalated up the ladder by the desk's own timer, and compensation requests above the store
manager's limit that wait at the centre, on both sides of the policy's
``compensation.regional_limit_fen`` (the region's manager's, or headquarters'). Two
stores have an assortment list: SH02's has the juice three desk stores complain about,
UR01's has not, so its desk does not receive the juice's product alert.

Nothing writes the projection (``centre_tickets``, ``centre_compensations``). The desks
are real desk databases in a process of their own (:mod:`desktop.chain_demo`, driven by
the desk library with a clock set in the past), enrolled with one-time codes
(:func:`sync.server.enrolment.create_code`) and pushed by their sync engine over HTTP to
the server app on the same database, which :func:`_loopback` runs for the build on an
ephemeral loopback port (uvicorn in a thread: the real protocol, as a desk speaks it).
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.clock import format_time
from sync.server import assortment, channels, enrolment, script_library, watch_terms
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

# Two stores' assortments (:mod:`sync.server.assortment`), so the demo shows the alerts'
# filter: SH02 sells the juice the demo's desks complain about (it receives the alert),
# the Ürümqi desk store does not (its desk never sees it); the others have no list and get
# every alert.
ASSORTMENT = """门店,商品编码,商品名称
SH02,6907777000011,鲜榨橙汁 1L
SH02,6907777000028,纯牛奶 250ml
SH02,,卤味拼盘
UR01,6907777000035,冷冻水饺 1kg
UR01,6907777000028,纯牛奶 250ml
UR01,,手抓饭
"""

# The stores with a desk of their own (two in EAST, one each in SOUTH and WEST).
DESK_STORES = ("SH01", "HZ01", "GZ01", "UR01")


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
    with storage.writing() as conn:  # watched before the desks push (counts as they come)
        watch_terms.add_term(conn, "发酸", None, 1, DEMO_ACTOR)
    assortment.replace(storage, assortment.parse_csv(ASSORTMENT.encode("utf-8")), DEMO_ACTOR)
    _desks(storage, datetime.now(UTC))
    _scripts(storage, datetime.now(UTC))
    return logins


# How often the demo's desk stores used the starter scripts: (store, script, copied,
# helpful), reported as the desks would (POST /v1/scripts/usage).
SCRIPT_USES = (("SH01", "food-safety-illness", 3, 2), ("SH01", "general-apology", 5, 1),
               ("HZ01", "staff-attitude", 2, 2), ("GZ01", "checkout-error", 4, 3),
               ("GZ01", "spoiled-expired", 1, 0), ("UR01", "spoiled-expired", 2, 1))


def _scripts(storage: Storage, now: datetime) -> None:
    """The starter script library, published, and some use of it by the desk stores."""
    with storage.writing() as conn:
        library = script_library.publish_starter(conn, DEMO_ACTOR, now)
        version = library.version if library else script_library.current_version(conn)
        for n, (store, script_id, copied, helpful) in enumerate(SCRIPT_USES):
            at = format_time(now - timedelta(hours=n + 1))
            uses = [script_library.Use(str(uuid.uuid4()), script_id, version, kind, None, at)
                    for kind, count in (("copied", copied), ("helpful", helpful))
                    for _ in range(count)]
            script_library.record_uses(conn, store, uses, now)


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


def _desks(storage: Storage, now: datetime) -> None:
    """Each desk store's complaints of the last days, recorded by its own desk in a
    process of its own (:mod:`desktop.chain_demo`) and pushed through the sync protocol
    to the app on a loopback port (see the module's docstring)."""
    codes = {store: enrolment.create_code(storage, store, "D1")[0] for store in DESK_STORES}
    with _loopback(storage) as url:
        order = json.dumps({"url": url, "codes": codes, "now": format_time(now)})
        subprocess.run([sys.executable, "-m", "desktop.chain_demo"], input=order, text=True,
                       check=True, timeout=300)
