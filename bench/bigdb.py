"""A big, realistic desk database for the benchmarks, built once and cached.

``big_database(path, n)`` returns a migrated database holding *n* synthetic Chinese
supermarket complaints (and their search index). The file is reused when it already
holds exactly *n* tickets, so only the first benchmark run pays for the build.

``synthetic_ticket_rows(n, seed)`` is the deterministic generator of the ticket rows
(dicts with every ``tickets`` column), kept separate so other builders can reuse it.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from bisect import bisect
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import _support

from local_db.connection import connect
from local_db.migrations import migrate
from local_db.search import rebuild_index

SEED = 20261122

# --- vocabulary: earlier entries are drawn more often (Zipf-like), so the corpus has
# --- common terms (牛奶, 退款, 态度) and rare ones (燕窝, 海参, 榴莲).
TIMES = ["昨天", "今天上午", "今天下午", "刚才", "前天", "上周末", "中午", "晚上八点多",
         "上个月", "大前天", "早上", "周日"]
PLACES = ["生鲜区", "收银台", "熟食区", "服务台", "入口", "停车场", "卫生间", "二楼",
          "自助收银", "线上商城", "水果区", "冷冻柜", "面包房", "电梯", "三楼", "外卖平台",
          "母婴区", "酒水区", "仓储区", "会员中心"]
PRODUCTS = ["鲜牛奶", "酸奶", "面包", "鸡蛋", "大米", "猪肉", "苹果", "蔬菜", "食用油",
            "速冻水饺", "香蕉", "牛肉", "饮料", "蛋糕", "熟食", "饼干", "方便面", "矿泉水",
            "洗衣液", "卫生纸", "奶粉", "三文鱼", "虾仁", "草莓", "西瓜", "豆腐", "火腿肠",
            "冰淇淋", "月饼", "汤圆", "巧克力", "薯片", "可乐", "啤酒", "白酒", "红酒",
            "洗发水", "牙膏", "沐浴露", "纸尿裤", "电饭煲", "电池", "毛巾", "拖鞋",
            "儿童玩具", "保温杯", "烤鸭", "卤菜", "寿司", "坚果", "茶叶", "咖啡", "蜂蜜",
            "橄榄油", "车厘子", "榴莲", "海参", "燕窝", "鲍鱼", "羊排", "帝王蟹", "松茸"]
PROBLEMS = ["已经变质了", "过期了", "有异味", "发霉了", "包装破损", "里面有异物",
            "吃了拉肚子", "不新鲜", "质量有问题", "缺斤少两", "有虫子", "过了保质期",
            "没有生产日期", "标签和实物不符", "是坏的", "漏了", "里面有头发", "有一股酸味",
            "颜色不对", "疑似假货", "吃出了塑料片", "少了一袋", "发胀了", "有沙子"]
PRICE_ISSUES = ["结账多收了钱", "促销价没有生效", "价格标错了", "会员价没有打折",
                "优惠券用不了", "积分没有到账", "买一送一没送", "价签和收银价格不一致"]
STAFF_ISSUES = ["收银员态度很差", "服务态度不好", "理货员不理人", "保安说话难听",
                "排队时间太长", "没人处理", "等了半个小时", "店员推诿责任", "经理一直不出来",
                "客服电话打不通"]
FACILITY_ISSUES = ["地面很滑", "灯坏了", "太脏了", "空调不制冷", "有老鼠", "购物车坏了",
                   "没有热水", "味道很大", "电梯停了", "门口堵住了"]
DEMANDS = ["要求退款", "要求退货", "要求赔偿", "要求换货", "希望给个说法", "要求道歉",
           "请尽快处理", "要求十倍赔偿", "要求假一赔十", "希望加强管理", "要求开发票",
           "要求调监控"]
EXTRAS = ["小票号{n6}", "多收了{n2}元", "会员卡号{n8}", "订单号{n8}", "VIP会员",
          "APP下单", "扫码付款", "用的微信支付", "支付宝付的", "{n2}号收银台", "iPhone拍了照片"]

CATEGORY_OF = {
    "product": ["quality", "spoiled", "foreign_object", "mismatch", "counterfeit"],
    "service": ["attitude", "cashier_error", "after_sales"],
    "fulfillment": ["delivery", "pickup"],
    "policy": ["promotion", "membership"],
    "environment": ["hygiene", "facility", "safety"],
}
DEPARTMENTS = {"product": "quality", "service": "store_ops", "fulfillment": "logistics",
               "policy": "marketing", "environment": "facilities"}
CHANNELS = ["desk", "desk", "desk", "checkout", "hotline", "qr", "online", "douyin", "other"]
STATUSES = ["closed", "closed", "closed", "rated", "accepted", "in_progress", "voided"]
TIERS = ["none", "none", "silver", "gold", "platinum", "diamond"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["女士", "先生", "阿姨", "大爷", "小姐"]
START = datetime(2024, 1, 1, tzinfo=UTC)


def _zipf_weights(n: int, s: float = 0.9) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(n)]


class _Picker:
    """Draws from a vocabulary list with Zipf-like weights (fast: precomputed cum)."""

    def __init__(self, rng: random.Random, items: Sequence[str]) -> None:
        self.rng = rng
        self.items = list(items)
        weights = _zipf_weights(len(items))
        total = 0.0
        self.cum: list[float] = []
        for w in weights:
            total += w
            self.cum.append(total)

    def __call__(self) -> str:
        return self.items[bisect(self.cum, self.rng.random() * self.cum[-1])]


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def synthetic_ticket_rows(n: int, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """Yield *n* ticket rows (every ``tickets`` column), deterministic for *seed*.

    Texts are 10–80 characters of supermarket complaints assembled from clauses;
    ``rid`` is not included (SQLite assigns 1..n in order on an empty table).
    """
    rng = random.Random(seed)
    pick = {name: _Picker(rng, items) for name, items in (
        ("time", TIMES), ("place", PLACES), ("product", PRODUCTS), ("problem", PROBLEMS),
        ("price", PRICE_ISSUES), ("staff", STAFF_ISSUES), ("facility", FACILITY_ISSUES),
        ("demand", DEMANDS), ("extra", EXTRAS))}
    span = 3 * 365 * 24 * 3600
    counters: dict[str, int] = {}
    for _ in range(n):
        kind = rng.choices(["product", "price", "staff", "facility", "delivery"],
                           weights=[50, 15, 18, 10, 7])[0]
        product = pick["product"]()
        if kind == "product":
            first = f"{pick['time']()}在{pick['place']()}买的{product}{pick['problem']()}"
        elif kind == "price":
            first = f"{pick['time']()}买{product}{pick['price']()}"
        elif kind == "staff":
            first = f"{pick['place']()}{pick['staff']()}"
        elif kind == "facility":
            first = f"{pick['place']()}{pick['facility']()}"
        else:
            first = f"线上买的{product}配送晚了{rng.randint(1, 5)}天"
        clauses = [first]
        target = rng.randint(10, 80)
        length = len(first)
        while length < target:
            r = rng.random()
            if r < 0.35:
                clause = pick["demand"]()
            elif r < 0.55:
                clause = pick["extra"]().format(n2=rng.randint(1, 99),
                                                n6=rng.randint(100000, 999999),
                                                n8=rng.randint(10**7, 10**8 - 1))
            elif r < 0.7:
                clause = pick["staff"]()
            elif r < 0.85:
                clause = f"{pick['product']()}{pick['problem']()}"
            else:
                clause = f"{pick['place']()}{pick['facility']()}"
            clauses.append(clause)
            length += len(clause) + 1
        text = "，".join(clauses)[:78] + rng.choice(["。", "！", "", "。。"])

        category = {"product": "product", "price": "policy", "staff": "service",
                    "facility": "environment", "delivery": "fulfillment"}[kind]
        subcategory = rng.choice(CATEGORY_OF[category])
        level = rng.choices([1, 2, 3], weights=[5, 30, 65])[0]
        created = START + timedelta(seconds=rng.randrange(span))
        minutes = {1: 60, 2: 240, 3: 1440}[level]
        status = rng.choice(STATUSES)
        closed = status in ("closed", "rated")
        store = rng.choice(["XT01", "XT02", "CS01"])
        desk = rng.choice(["D1", "D2"])
        day = (created + timedelta(hours=8)).strftime("%Y%m%d")
        key = f"{store}-{desk}-{day}"
        counters[key] = counters.get(key, 0) + 1
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if rng.random() < 0.7 else None
        responded = created + timedelta(minutes=rng.randint(1, minutes))
        yield {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "number": f"{key}-{counters[key]:04d}",
            "store_code": store,
            "desk_code": desk,
            "channel": rng.choice(CHANNELS),
            "text": text,
            "category": category,
            "subcategory": subcategory,
            "level": level,
            "flags": "[]",
            "departments": json.dumps([DEPARTMENTS[category]]),
            "reasons": "[]",
            "status": status,
            "handler": rng.choice(["d1", "d2", "m1", None]),
            "created_by": rng.choice(["d1", "d2", "c1"]),
            "created_at": _time(created),
            "due_at": _time(created + timedelta(minutes=minutes)),
            "respond_within_minutes": minutes,
            "first_response_at": _time(responded) if status != "accepted" else None,
            "closed_at": _time(responded + timedelta(hours=rng.randint(1, 48)))
            if closed else None,
            "rating": rng.randint(1, 5) if status == "rated" else None,
            "customer_name": f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}" if phone else None,
            "customer_phone": phone,
            "member_tier": rng.choice(TIERS),
            "customers": 1,
            "product_name": product if kind in ("product", "price", "delivery") else None,
            "product_sku": f"69{rng.randrange(10**11):011d}" if kind == "product" else None,
            "amount_paid_fen": rng.randint(100, 50000) if kind != "staff" else None,
            "merged_into": None,
            "reopen_count": 0,
            "escalation_step": 0,
            "conflict": 0,
            "policy_version": "2026.11.1",
            "updated_at": _time(created + timedelta(hours=1)),
            "event_count": rng.randint(1, 6),
        }


def _ticket_count(path: Path) -> int | None:
    if not path.exists():
        return None
    conn = connect(path)
    try:
        migrate(conn)
        indexed = conn.execute("SELECT count(*) FROM ticket_search_source").fetchone()[0]
        tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        return int(tickets) if indexed == tickets else None
    except Exception:
        return None
    finally:
        conn.close()


def build(path: Path, n: int, seed: int = SEED, batch: int = 50_000) -> dict[str, Any]:
    """Create *path* from nothing with *n* tickets and the index; return timings (s)."""
    for suffix in ("", "-wal", "-shm", ".build.json"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = connect(path)
    migrate(conn)
    # A throwaway build: skip fsyncs, it is redone from scratch if interrupted.
    conn.execute("PRAGMA synchronous=OFF")
    rows = synthetic_ticket_rows(n, seed)
    columns: list[str] = []
    insert = ""
    t0 = time.perf_counter()
    while True:
        chunk = list(islice(rows, batch))
        if not chunk:
            break
        if not columns:
            columns = list(chunk[0])
            insert = (f"INSERT INTO tickets ({', '.join(columns)}) "
                      f"VALUES ({', '.join('?' for _ in columns)})")
        conn.execute("BEGIN")
        conn.executemany(insert, [[r[c] for c in columns] for r in chunk])
        conn.execute("COMMIT")
    t1 = time.perf_counter()
    rebuild_index(conn)
    t2 = time.perf_counter()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    timings = {"tickets": n, "tickets_s": round(t1 - t0, 1), "index_s": round(t2 - t1, 1)}
    _info_path(path).write_text(json.dumps(timings))
    return timings


def _info_path(path: Path) -> Path:
    return path.with_name(path.name + ".build.json")


def build_info(path: Path) -> dict[str, Any] | None:
    """The timings recorded when *path* was built, if known."""
    try:
        info: dict[str, Any] = json.loads(_info_path(path).read_text())
    except (OSError, ValueError):
        return None
    return info


def big_database(path: Path, n: int = 1_000_000) -> Path:
    """A migrated database at *path* with *n* synthetic tickets, built only if needed."""
    path = Path(path)
    count = _ticket_count(path)
    # Benchmarks that save tickets add a few hundred rows per run: still the same DB.
    if count is None or not n <= count <= n + 100_000:
        build(path, n)
    add_events(path)
    return path


BENCH_DEVICE = "bench-device-0000"


def add_events(path: Path, batch: int = 50_000) -> int:
    """Give every synthetic ticket its ``ticket_created`` event, hash-chained like a desk's.

    A real desk with a million tickets has at least a million events; the save benchmark
    must pay for those indexes too. Returns how many events were added (0 when present).
    """
    from domain.event_schema import canonical_payload
    from domain.events import GENESIS_HASH, event_hash

    conn = connect(path)
    try:
        have = conn.execute("SELECT count(*) FROM events WHERE device_id = ?",
                            (BENCH_DEVICE,)).fetchone()[0]
        if have:
            return 0
        conn.execute("PRAGMA synchronous=OFF")
        prev = GENESIS_HASH
        seq = 0
        rows = conn.execute(
            "SELECT id, number, text, channel, category, subcategory, level, flags, "
            "departments, created_at, due_at, respond_within_minutes, created_by "
            "FROM tickets WHERE number NOT LIKE 'BN01-%' ORDER BY created_at")
        while True:
            chunk = rows.fetchmany(batch)
            if not chunk:
                break
            out = []
            for r in chunk:
                seq += 1
                payload = canonical_payload({
                    "number": r["number"], "text": r["text"], "channel": r["channel"],
                    "triage": {"category": r["category"], "subcategory": r["subcategory"],
                               "level": r["level"], "flags": json.loads(r["flags"]),
                               "departments": json.loads(r["departments"]),
                               "respond_within_minutes": r["respond_within_minutes"]},
                    "due_at": r["due_at"],
                })
                ms = int(datetime.fromisoformat(r["created_at"].replace("Z", "+00:00"))
                         .timestamp() * 1000)
                hlc = f"{ms:015d}.{0:05d}"
                event_id = str(uuid.UUID(int=(ms << 80) | (0x7 << 76) | (0b10 << 62) | seq))
                fields = dict(event_id=event_id, ticket_id=r["id"], type="ticket_created",
                              payload=payload, actor=r["created_by"],
                              device_id=BENCH_DEVICE, device_seq=seq, hlc=hlc,
                              occurred_at=r["created_at"], policy_version="bench",
                              schema_version=1)
                digest = event_hash({"prev_hash": prev, **fields})
                out.append((event_id, r["id"], "ticket_created", payload, r["created_by"],
                            BENCH_DEVICE, seq, hlc, r["created_at"], "bench", 1, prev, digest))
                prev = digest
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO events (event_id, ticket_id, type, payload, actor, device_id, "
                "device_seq, hlc, occurred_at, policy_version, schema_version, prev_hash, hash) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", out)
            conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return seq
    finally:
        conn.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Build (or reuse) the benchmark database.")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    target = _support.CACHE / f"big-{args.tickets}.db"
    if args.force or _ticket_count(target) != args.tickets:
        _support.emit({"built": str(target), **build(target, args.tickets)})
    else:
        _support.emit({"reused": str(target)})
