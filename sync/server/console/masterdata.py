"""The chain's master data at the centre: regions and stores (code, name, region, time zone).

A desk may only enrol for a listed store (:func:`sync.server.enrolment.create_code`), and a
channel ticket only be made for one; a regional manager sees the stores of their region.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.event_schema import CODE_RE
from sync.server.console import audit
from sync.server.console.centre_tickets import restamp_region, restamp_store_days
from sync.server.errors import ActionRefused
from sync.server.storage import Storage
from sync.server.tables import regions, stores

MAX_NAME = 64


@dataclass(frozen=True)
class Region:
    """A region of the chain."""

    code: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        """The region's name in *lang* (``zh`` or ``en``)."""
        return self.name_en if lang == "en" and self.name_en else self.name_zh


@dataclass(frozen=True)
class Store:
    """A store of the chain."""

    code: str
    name: str
    region: str
    time_zone: str


def _code(value: object, what: str) -> str:
    if not isinstance(value, str) or not CODE_RE.search(value):
        raise ActionRefused(400, "bad_code", f"{what}: 1-8 capital letters or digits")
    return value


def _name(value: object, what: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_NAME or any(ord(ch) < 32 for ch in text):
        raise ActionRefused(400, "bad_name", f"{what}: 1-{MAX_NAME} characters")
    return text


def _zone(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ActionRefused(400, "bad_time_zone", "time zone: an IANA name, e.g. Asia/Shanghai")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ActionRefused(400, "bad_time_zone",
                            f"time zone {value!r} is not an IANA name") from None
    return value


def save_region(storage: Storage, code: object, name_zh: object, name_en: object, *,
                actor: str | None = None) -> Region:
    """Add or rename a region (noted in the audit as *actor*'s when given)."""
    region = Region(_code(code, "region code"), _name(name_zh, "Chinese name"),
                    _name(name_en, "English name") if name_en else "")
    with storage.writing() as conn:
        values = {"name_zh": region.name_zh, "name_en": region.name_en}
        added = conn.execute(regions.update().where(regions.c.code == region.code)
                             .values(**values)).rowcount == 0
        if added:
            conn.execute(regions.insert().values(code=region.code, **values))
        if actor is not None:
            audit.record(conn, actor, "region.added" if added else "region.renamed",
                         region.code, **values)
    return region


def save_store(storage: Storage, code: object, name: object, region: object,
               time_zone: object = "Asia/Shanghai", *, actor: str | None = None) -> Store:
    """Add a store or change its name, region or time zone (the region must exist).

    A store moved to another region takes its tickets along (the projection's region
    column is restamped in the same transaction), so the new region's manager sees them.
    """
    store = Store(_code(code, "store code"), _name(name, "store name"),
                  _code(region, "region code"), _zone(time_zone))
    with storage.writing() as conn:
        if conn.execute(sa.select(regions.c.code)
                        .where(regions.c.code == store.region)).first() is None:
            raise ActionRefused(404, "unknown_region", f"no region {store.region}")
        before = conn.execute(sa.select(stores).where(stores.c.code == store.code)).first()
        values = {"name": store.name, "region": store.region, "time_zone": store.time_zone}
        if before is None:
            conn.execute(stores.insert().values(code=store.code, **values))
        else:
            conn.execute(stores.update().where(stores.c.code == store.code).values(**values))
        if before is None or before.region != store.region:
            restamp_region(conn, store.code, store.region)
        if before is not None and before.time_zone != store.time_zone:
            restamp_store_days(conn, store.code, ZoneInfo(store.time_zone))
        if actor is not None:
            changed = values if before is None else {
                k: [before._mapping[k], v] for k, v in values.items()
                if before._mapping[k] != v}
            audit.record(conn, actor, "store.added" if before is None else "store.changed",
                         store.code, **changed)
    return store


def list_regions(conn: Connection) -> list[Region]:
    """Every region, by code."""
    return [Region(r.code, r.name_zh, r.name_en) for r in conn.execute(
        sa.select(regions).order_by(regions.c.code))]


def list_stores(conn: Connection, region: str | None = None) -> list[Store]:
    """The stores (of *region*), by code."""
    query = sa.select(stores).order_by(stores.c.code)
    if region is not None:
        query = query.where(stores.c.region == region)
    return [Store(r.code, r.name, r.region, r.time_zone) for r in conn.execute(query)]


def store(conn: Connection, code: str) -> Store | None:
    """The store *code*, or None."""
    r = conn.execute(sa.select(stores).where(stores.c.code == code)).first()
    return None if r is None else Store(r.code, r.name, r.region, r.time_zone)


def region_of(conn: Connection, code: str) -> str | None:
    """The region of store *code*, or None for an unknown store."""
    value = conn.execute(sa.select(stores.c.region).where(stores.c.code == code)).scalar()
    return None if value is None else str(value)


def require_store(conn: Connection, code: str) -> Store:
    """The store *code*; :class:`ActionRefused` 404 ``unknown_store`` when not listed."""
    found = store(conn, code)
    if found is None:
        raise ActionRefused(404, "unknown_store",
                            f"no store {code} in the centre's master data")
    return found
