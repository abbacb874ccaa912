"""The stores' assortments: which products each store sells, so a product alert reaches
the stores that sell it (issue 17) and not every store of the chain.

Headquarters uploads a CSV file (columns ``store``, ``sku``, ``name``; Chinese headers
门店 / 商品编码 / 商品名称 too) on the console or with ``kesu-server assortment import``.
:func:`parse_csv` reads it into rows, each keyed by :func:`domain.products.product_key`,
the very key the alerts use; :func:`replace` gives each store named in the file exactly
the file's list (the stores not named keep theirs), in one transaction, with an audit
row per store; :func:`clear` takes a store's list away (it gets every alert again).

:func:`alerts_for_store` is the desks' filter over ``product_alerts``: a store without a
list gets every alert, a store with one gets the alerts on the products in it and those
it complained about itself, and every store gets every close (so no desk keeps a stale
open alert after its list changed). A store that starts to receive an open alert it did
not receive before (its list now names the product, or it has no list any more) needs
it resent: the alert takes a new seq, so the desks' ``since`` cursor passes it again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time
from domain.products import product_key
from sync.server.console import audit
from sync.server.errors import ActionRefused
from sync.server.product_alerts import next_seq
from sync.server.storage import Storage
from sync.server.tables import (
    product_alert_stores,
    product_alerts,
    store_assortments,
    store_products,
    stores,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELL = 200  # characters in a store code, SKU or name
_CHUNK = 1000  # rows per INSERT / codes per IN (...)

# Header cells (stripped, lower-cased) and the column each names.
HEADERS = {
    "store": "store", "门店": "store", "门店编码": "store", "门店代码": "store",
    "sku": "sku", "商品编码": "sku", "条码": "sku",
    "name": "name", "商品名称": "name", "品名": "name",
}


class AssortmentRefused(ActionRefused):
    """A file or request refused; nothing was changed. ``error`` names the reason and
    :attr:`key` the console's message (``alerts.assortment.error.<reason>``), filled in
    with ``params`` (``line``, ``column``, ``store``, ``max`` where they apply)."""

    def __init__(self, reason: str, detail: str, **params: Any) -> None:
        super().__init__(400, reason, detail, **params)

    @property
    def key(self) -> str:
        """The console's message key for this refusal."""
        return f"alerts.assortment.error.{self.error}"


@dataclass(frozen=True)
class Row:
    """One product a store sells, from line *line* of the file."""

    store: str
    product_key: str
    label: str
    line: int


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Chinese Excel saves "CSV" in the system code page: GBK, which GB18030 contains.
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise AssortmentRefused("encoding", "the file is neither UTF-8 nor GB18030") from None


def parse_csv(data: bytes) -> list[Row]:
    """The rows of an assortment file (duplicates collapsed, first line kept); raises
    :class:`AssortmentRefused` for a file that cannot be taken whole.

    Bounded: at most :data:`MAX_BYTES` bytes and :data:`MAX_ROWS` rows (blank lines not
    counted). A cell's text is taken as it is (emoji, SQL, full-width characters), only
    stripped of surrounding white space; the product key is the alerts' own.
    """
    if len(data) > MAX_BYTES:
        raise AssortmentRefused("too_big", f"the file is over {MAX_BYTES} bytes",
                                max=MAX_BYTES // (1024 * 1024))
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns: dict[str, int] | None = None
    rows: dict[tuple[str, str], Row] = {}
    count = 0
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # a blank line (or one of only commas)
            if columns is None:
                columns = _header(cells, line)
                continue
            count += 1
            if count > MAX_ROWS:
                raise AssortmentRefused("too_many_rows", f"more than {MAX_ROWS} rows",
                                        max=MAX_ROWS, line=line)
            row = _row(cells, columns, line)
            rows.setdefault((row.store, row.product_key), row)
    except csv.Error as exc:
        raise AssortmentRefused("bad_csv", f"line {reader.line_num}: {exc}",
                                line=reader.line_num) from None
    if columns is None:
        raise AssortmentRefused("no_header", "the file is empty: no header row", line=1)
    if not rows:
        raise AssortmentRefused("empty", "the file has a header but no product row")
    return list(rows.values())


def _header(cells: Sequence[str], line: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = HEADERS.get(cell.strip().lstrip("\ufeff").lower())
        if name is not None and name not in columns:
            columns[name] = i
    if "store" not in columns or not ({"sku", "name"} & columns.keys()):
        raise AssortmentRefused(
            "no_header", f"line {line}: the header needs the columns store and sku or name",
            line=line)
    return columns


def _cell(cells: Sequence[str], columns: dict[str, int], name: str, line: int) -> str:
    i = columns.get(name)
    value = cells[i].strip() if i is not None and i < len(cells) else ""
    if len(value) > MAX_CELL:
        raise AssortmentRefused("too_long", f"line {line}, {name}: over {MAX_CELL} characters",
                                line=line, column=name, max=MAX_CELL)
    return value


def _row(cells: Sequence[str], columns: dict[str, int], line: int) -> Row:
    store = _cell(cells, columns, "store", line)
    sku = _cell(cells, columns, "sku", line)
    name = _cell(cells, columns, "name", line)
    if not store:
        raise AssortmentRefused("no_store", f"line {line}: no store code", line=line,
                                column="store")
    key = product_key(sku or None, name or None)
    if key is None:
        raise AssortmentRefused("no_product", f"line {line}: neither a SKU nor a name",
                                line=line, column="sku/name")
    return Row(store, key, name or sku, line)


def _lock_stores(conn: Connection, codes: Sequence[str]) -> set[str]:
    """Which of *codes* are listed stores, their rows locked (in code order) until the
    transaction ends: two uploads naming one store wait for each other instead of
    failing on its list's primary key (SQLite: ``Storage.writing`` serialises already)."""
    ordered = sorted(set(codes))
    known: set[str] = set()
    for i in range(0, len(ordered), _CHUNK):
        known.update(str(c) for c in conn.execute(
            sa.select(stores.c.code).where(stores.c.code.in_(ordered[i:i + _CHUNK]))
            .order_by(stores.c.code).with_for_update()).scalars())
    return known


def replace(target: Storage | Connection, rows: Sequence[Row], actor: str) -> dict[str, int]:
    """Give each store named in *rows* exactly those products (the others keep theirs),
    in one transaction, an audit row per store naming *actor*; the stores' counts.

    An unknown store is refused (:class:`AssortmentRefused` ``unknown_store``, naming it
    and the first line it is on) and nothing is changed.
    """
    if isinstance(target, Storage):
        with target.writing() as conn:
            return replace(conn, rows, actor)
    conn = target
    if not rows:
        raise AssortmentRefused("empty", "no product row")
    by_store: dict[str, list[Row]] = {}
    for row in rows:
        by_store.setdefault(row.store, []).append(row)
    known = _lock_stores(conn, list(by_store))
    for code, mine in by_store.items():
        if code not in known:
            raise AssortmentRefused("unknown_store", f"line {mine[0].line}: no store {code}",
                                    store=code, line=mine[0].line, column="store")
    now = format_time(datetime.now(UTC))
    open_keys = _open_alerts(conn)
    resend: set[int] = set()
    counts: dict[str, int] = {}
    for code, mine in by_store.items():
        before = _listed(conn, code, open_keys)
        new_keys = {r.product_key for r in mine}
        if before is not None:  # a store without a list received every alert already
            resend.update(i for k, i in open_keys.items() if k in new_keys and k not in before)
        conn.execute(store_products.delete().where(store_products.c.store == code))
        for i in range(0, len(mine), _CHUNK):
            conn.execute(store_products.insert(), [
                {"store": code, "product_key": r.product_key, "label": r.label}
                for r in mine[i:i + _CHUNK]])
        conn.execute(store_assortments.delete().where(store_assortments.c.store == code))
        conn.execute(store_assortments.insert().values(
            store=code, products=len(mine), updated_at=now, updated_by=actor))
        audit.record(conn, actor, "assortment.replaced", code, products=len(mine))
        counts[code] = len(mine)
    _resend(conn, resend)
    return counts


def clear(target: Storage | Connection, store: str, actor: str) -> bool:
    """Take *store*'s list away (it gets every alert again), noted as *actor*'s; False
    when it had none."""
    if isinstance(target, Storage):
        with target.writing() as conn:
            return clear(conn, store, actor)
    conn = target
    _lock_stores(conn, [store])
    open_keys = _open_alerts(conn)
    before = _listed(conn, store, open_keys)
    if before is None:
        return False
    conn.execute(store_products.delete().where(store_products.c.store == store))
    conn.execute(store_assortments.delete().where(store_assortments.c.store == store))
    audit.record(conn, actor, "assortment.cleared", store)
    _resend(conn, {i for k, i in open_keys.items() if k not in before})
    return True


def _open_alerts(conn: Connection) -> dict[str, int]:
    """The open alerts' product keys and ids (few: at most one per product)."""
    a = product_alerts.c
    return {str(k): int(i) for k, i in conn.execute(
        sa.select(a.product_key, a.id).where(a.status == "open"))}


def _listed(conn: Connection, store: str, keys: Iterable[str]) -> set[str] | None:
    """Which of *keys* the store's list names; None when the store has no list."""
    if conn.execute(sa.select(store_assortments.c.store)
                    .where(store_assortments.c.store == store)).first() is None:
        return None
    wanted = list(keys)
    found: set[str] = set()
    for i in range(0, len(wanted), _CHUNK):
        found.update(str(k) for k in conn.execute(
            sa.select(store_products.c.product_key).where(
                store_products.c.store == store,
                store_products.c.product_key.in_(wanted[i:i + _CHUNK]))).scalars())
    return found


def _resend(conn: Connection, alert_ids: Iterable[int]) -> None:
    """Give each alert a new seq, so desks whose cursor passed it read it again."""
    for alert_id in sorted(alert_ids):
        conn.execute(product_alerts.update().where(product_alerts.c.id == alert_id)
                     .values(seq=next_seq(conn)))


def alerts_for_store(store: str) -> sa.ColumnElement[bool]:
    """True for the rows of ``product_alerts`` that *store*'s desks receive: every alert
    when it has no list; else the open alerts on a product in its list or that it
    complained about, and every closed alert."""
    a = product_alerts.c
    has_list = sa.exists().where(store_assortments.c.store == store)
    sells = sa.exists().where(store_products.c.store == store,
                              store_products.c.product_key == a.product_key)
    complained = sa.exists().where(product_alert_stores.c.alert_id == a.id,
                                   product_alert_stores.c.store == store)
    return sa.or_(a.status != "open", ~has_list, sells, complained)


@dataclass(frozen=True)
class StoreList:
    """A store and its list (``products`` None: no list, it gets every alert)."""

    code: str
    name: str
    region: str
    time_zone: str
    products: int | None
    updated_at: str | None
    updated_by: str | None


def lists(conn: Connection, region: str | None = None) -> list[StoreList]:
    """Every store (of *region*) with its list's size and last change, by code."""
    s, m = stores.c, store_assortments.c
    query = (sa.select(s.code, s.name, s.region, s.time_zone, m.products, m.updated_at,
                       m.updated_by)
             .select_from(stores.outerjoin(store_assortments, m.store == s.code))
             .order_by(s.code))
    if region is not None:
        query = query.where(s.region == region)
    return [StoreList(str(r.code), str(r.name), str(r.region), str(r.time_zone),
                      None if r.products is None else int(r.products), r.updated_at,
                      r.updated_by) for r in conn.execute(query)]


def receivers(conn: Connection, alert_id: int, region: str | None = None
              ) -> tuple[int, int]:
    """(N, M): how many of the M stores (of *region*) receive the alert *alert_id*."""
    in_region = [] if region is None else [stores.c.region == region]
    total = int(conn.execute(sa.select(sa.func.count()).select_from(stores)
                             .where(*in_region)).scalar_one())
    row = conn.execute(sa.select(product_alerts.c.status, product_alerts.c.product_key)
                       .where(product_alerts.c.id == alert_id)).first()
    if row is None or row.status != "open":
        return total, total
    # The stores left out: with a list that lacks the product, and no complaint of theirs.
    m = store_assortments.c
    left_out = int(conn.execute(
        sa.select(sa.func.count()).select_from(
            store_assortments.join(stores, stores.c.code == m.store))
        .where(*in_region,
               ~sa.exists().where(store_products.c.store == m.store,
                                  store_products.c.product_key == row.product_key),
               ~sa.exists().where(product_alert_stores.c.alert_id == alert_id,
                                  product_alert_stores.c.store == m.store))).scalar_one())
    return total - left_out, total
