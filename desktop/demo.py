"""A demo store: staff of every role with known PINs and two months of tickets in all states.

Used by ``kesu demo`` (and ``make run``) so a new engineer or a store trainer sees a
realistic desk at once. Texts are written for the demo, not taken from test data.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop import ticket_actions as handling
from desktop.alerts import acknowledge, active_alerts
from desktop.compensation import compensate
from desktop.desk import Desk, init_desk
from desktop.staff import Staff, add_staff
from desktop.tickets import create_ticket, get_ticket
from domain.clock import FixedClock, format_time
from domain.errors import KesuError
from domain.lifecycle import first_contact_refusal
from local_db import meta
from local_db.connection import transaction
from local_db.errors import StoreError

# The meta key that marks a database as a demo store: only such a file may be replaced by
# the next ``kesu demo`` (a desk's real database named with --db must never be wiped).
DEMO_MARK = "demo_store"
# Demo stores built before the mark existed carry this file name.
LEGACY_DEMO_NAME = "kesu-demo.db"

DEMO_STAFF = (
    ("c01", "收银员 王小丽", "cashier", "1111"),
    ("c02", "收银员 陈明", "cashier", "1112"),
    ("d01", "服务台 李娜", "desk", "2222"),
    ("d02", "服务台 赵强", "desk", "2223"),
    ("m01", "店长 张伟", "manager", "9999"),
)

DEMO_TEXTS = (
    "在生鲜区买的{fruit}回家发现烂了一半，要求退货",
    "{dairy}打开就是酸的，看了日期已经过期了",
    "熟食档的{deli}吃了以后肚子疼，拉肚子一晚上",
    "{bread}里面吃出一根头发，太恶心了",
    "买的{thing}用了两天就坏了，要求换货",
    "收银员结账时{fruit}扫了两次，多收了钱",
    "服务台的员工态度很差，问了两遍都不理人",
    "促销海报写{thing}买一送一，结账时却不给送",
    "会员积分上周的消费一直没到账",
    "线上下单的{thing}配送晚了三个小时",
    "自提的订单到店了还没备好货，等了半小时",
    "卫生间很脏，地上都是水，味道很大",
    "停车场的电梯又坏了，推着车只能绕路",
    "水产区地面很滑，我差点摔倒",
    "请问你们{thing}下周还会打折吗？",
    "建议{dairy}货架多放一些小包装",
    "买的{thing}称重少了一两，缺斤少两",
    "退货被拒绝了，说超过七天，但是商品本身有质量问题",
    "我要打12315举报你们卖过期的{dairy}",
    "我们三个人都买了{deli}，回去都吐了",
)
FILL = {
    "fruit": ("草莓", "葡萄", "香蕉", "苹果", "芒果"),
    "dairy": ("鲜牛奶", "酸奶", "奶酪"),
    "deli": ("卤鸭脖", "烤鸡", "凉拌菜", "寿司"),
    "bread": ("吐司", "菠萝包", "蛋糕"),
    "thing": ("电热水壶", "保温杯", "洗衣液", "拖鞋", "电饭煲"),
}


@dataclass(frozen=True)
class DemoSummary:
    """What the demo built."""

    path: Path
    tickets: int
    staff: tuple[tuple[str, str, str, str], ...]


def build_demo(path: Path, *, tickets: int = 300, days: int = 60, seed: int = 7,
               now: datetime | None = None) -> DemoSummary:
    """Create a fresh demo database at *path* (replacing an older demo there).

    Callers check :func:`may_replace` first: whatever is at *path* is deleted.
    """
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rng = random.Random(seed)
    end = now or datetime.now(UTC)
    clock = FixedClock(end - timedelta(days=days))
    desk = init_desk(path, store_code="XT01", desk_code="D1", store_name="湘潭万达店",
                     clock=clock)
    with transaction(desk.conn):
        meta.put(desk.conn, DEMO_MARK, "1")
    staff = {sid: add_staff(desk.conn, desk.policy.staff, clock, staff_id=sid, name=name,
                            role=role, pin=pin) for sid, name, role, pin in DEMO_STAFF}
    step = timedelta(days=days) / tickets
    # A pool of customers, so some come back and the intake form shows their history.
    phones = [f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
              for _ in range(max(10, tickets // 2))]
    for i in range(tickets):
        clock.set(end - timedelta(days=days) + step * i)
        template = rng.choice(DEMO_TEXTS)
        text = template.format(**{k: rng.choice(v) for k, v in FILL.items()})
        phone = rng.choice(phones)
        recorder = staff[rng.choice(["c01", "c02", "d01", "d02"])]
        channel = "checkout" if recorder.role == "cashier" else "desk"
        created = create_ticket(desk, recorder, {
            "text": text, "channel": channel, "customer": {"phone": phone},
            "amount_paid": f"{rng.randint(5, 300)}.{rng.randint(0, 99):02d}",
        }).ticket
        _progress(desk, clock, rng, staff, created.id, age_days=(days - i * days / tickets))
    clock.set(end)
    _acknowledge_old_alerts(desk, staff["d01"], end)
    desk.close()
    return DemoSummary(path, tickets, DEMO_STAFF)


def may_replace(path: Path) -> bool:
    """True when building a demo at *path* loses nothing: no file there, an empty one, or
    a demo store (marked, or an older one under the demo's file name)."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    if path.name == LEGACY_DEMO_NAME:
        return True
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return meta.get(conn, DEMO_MARK) == "1"
    except sqlite3.Error:  # not a database, or not a Kesu one
        return False
    finally:
        conn.close()


def _progress(desk: Desk, clock: FixedClock, rng: random.Random, staff: dict[str, Staff],
              tid: str,
              age_days: float) -> None:
    """Move a ticket along the loop as far as its age makes plausible."""
    target = rng.random() * min(1.0, age_days / 3)
    steps = [("contact", "d01"), ("rectifying", "d01"), ("reviewing", "d01"),
             ("accountability", "m01"), ("closed", "m01"), ("rate", "d02")]
    done = int(target * (len(steps) + 1))
    if age_days > 1 and done == 0 and rng.random() < 0.93:
        done = 1  # a real desk answered most complaints older than a day
    saved = clock.now()
    try:
        for action, who in steps[:done]:
            clock.advance(minutes=rng.randint(10, 300))
            if action == "contact":
                handling.contact_customer(desk, staff[who], tid, "phone",
                                          "已电话联系顾客，致歉并说明处理方案")
                roll = rng.random()
                if roll < 0.3:
                    compensate(desk, staff[who], tid, amount=str(rng.choice([20, 50, 100, 300])),
                               kind=rng.choice(["coupon", "refund", "gift"]))
                elif roll < 0.36:  # above the desk's limit: waits for a manager or HQ
                    compensate(desk, staff[who], tid, amount=rng.choice(["800", "1500"]),
                               kind="refund")
            elif action == "rectifying" and _settled_on_the_spot(desk, staff[who], tid):
                # About a third of the simple cases the policy allows end at first contact
                # (chosen by the ticket id, so the random sequence stays as it was).
                handling.resolve_first_contact(desk, staff[who], tid,
                                               "当场答复并致歉，顾客表示满意")
                break
            elif action == "rate":
                handling.rate(desk, staff[who], tid, rng.choice([3, 4, 5, 5, 5]))
            elif action == "closed":
                handling.advance(desk, staff[who], tid, "closed",
                                 accountability={"outcome": "none"})
            else:
                handling.advance(desk, staff[who], tid, action)
    except StoreError:
        raise  # a KesuError too, but a storage failure is no refusal
    except KesuError:
        pass  # e.g. a pending compensation blocks closing: that is a realistic state too
    clock.set(saved)


def _settled_on_the_spot(desk: Desk, actor: Staff, tid: str) -> bool:
    if int(tid[-1], 16) % 3:
        return False
    ticket = get_ticket(desk, tid)
    return first_contact_refusal(ticket, actor, desk.policy.first_contact,
                                 approvals_needed=handling.approvals_needed(desk, tid)) is None


def _acknowledge_old_alerts(desk: Desk, by: Staff, end: datetime) -> None:
    """Alerts of tickets older than a day were seen long ago; today's are still up."""
    recent = format_time(end - timedelta(days=1))
    for alert in active_alerts(desk):
        created = desk.conn.execute("SELECT created_at FROM tickets WHERE id = ?",
                                    (alert.ticket_id,)).fetchone()[0]
        if created < recent:
            acknowledge(desk, by, alert.ticket_id, alert.key)
