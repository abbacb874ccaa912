"""A centre database from an earlier release gets what was added to its tables since."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from sync.server.routes_alerts import changes_since
from sync.server.storage import Storage
from sync.server.tables import centre_tickets


def _indexes(conn: sa.Connection) -> set[str]:
    # sqlite_master, not the inspector: it leaves out expression indexes.
    return {str(r[0]) for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'centre_tickets'")}


def test_a_projection_without_the_queue_indexes_gets_them_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    storage = Storage(url)
    wanted = {str(index.name) for index in centre_tickets.indexes}
    assert wanted, "the projection declares indexes"
    with storage.engine.begin() as conn:
        for name in wanted:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        assert not _indexes(conn) & wanted
    storage.close()
    again = Storage(url)
    try:
        with again.engine.connect() as conn:
            assert wanted <= _indexes(conn)
    finally:
        again.close()


def test_a_database_without_the_assortment_tables_gets_them_and_alerts_still_flow(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'before-assortments.db'}"
    storage = Storage(url)
    with storage.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE store_products")
        conn.exec_driver_sql("DROP TABLE store_assortments")
        assert not {"store_products", "store_assortments"} & set(
            sa.inspect(conn).get_table_names())
    storage.close()
    again = Storage(url)
    try:
        with again.engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert {"store_products", "store_assortments"} <= set(inspector.get_table_names())
            assert "store_products_product" in {
                str(i["name"]) for i in inspector.get_indexes("store_products")}
        # Every store without a list: the desks' read answers as before.
        assert changes_since(again, 0, 10, "XT01")["alerts"] == []
    finally:
        again.close()
