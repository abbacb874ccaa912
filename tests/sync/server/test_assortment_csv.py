"""Reading an assortment file: headers in English or Chinese, UTF-8 with or without BOM
or GB18030, the alerts' own product key, duplicates collapsed, text kept as text, and
every refusal with its reason, line and column."""

from __future__ import annotations

import pytest

from domain.products import product_key
from sync.server.assortment import MAX_BYTES, MAX_ROWS, AssortmentRefused, Row, parse_csv


def _refused(data: bytes) -> AssortmentRefused:
    with pytest.raises(AssortmentRefused) as caught:
        parse_csv(data)
    return caught.value


def test_a_file_with_skus_and_names_keys_them_as_the_alerts_do() -> None:
    rows = parse_csv(b"store,sku,name\r\nSH01,6907777000011,Orange Juice 1L\r\n"
                     b"SH01,, Milk 1L \r\nHZ01,6907777000011,\r\n")
    assert rows == [
        Row("SH01", "sku:6907777000011", "Orange Juice 1L", 2),
        Row("SH01", product_key(None, "Milk 1L") or "", "Milk 1L", 3),
        Row("HZ01", "sku:6907777000011", "6907777000011", 4)]
    assert rows[1].product_key == "name:milk1l"


def test_chinese_headers_any_order_bom_and_blank_lines() -> None:
    text = "\ufeff商品名称,门店,商品编码\n\n鲜橙汁,SH01,6907777000011\n,,\n  \n酸奶,HZ01,\n"
    rows = parse_csv(text.encode("utf-8"))
    assert [(r.store, r.product_key, r.line) for r in rows] == [
        ("SH01", "sku:6907777000011", 3), ("HZ01", "name:酸奶", 6)]


def test_gb18030_as_chinese_excel_saves_it() -> None:
    text = "门店,商品编码,商品名称\r\nSH01,,鲜橙汁 1升\r\n"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    [row] = parse_csv(data)
    assert (row.store, row.product_key, row.label) == ("SH01", "name:鲜橙汁1升", "鲜橙汁 1升")


def test_duplicates_collapse_and_text_is_text() -> None:
    sql = "x'); DROP TABLE store_products; --"
    rows = parse_csv(
        ("store,sku,name\nSH01,,🍊果汁\nSH01,,🍊果汁\nSH01,,\"" + sql.replace('"', '""')
         + "\"\nSH01,,ＡＢＣ　牛奶\nSH01,,🍊果汁\n").encode())
    assert [r.product_key for r in rows] == [
        "name:🍊果汁", product_key(None, sql), "name:ＡＢＣ　牛奶"]
    assert rows[1].label == sql and rows[0].line == 2


def test_refusals_name_the_reason_line_and_column() -> None:
    assert _refused(b"").error == "no_header"
    assert _refused(b"\n\n").error == "no_header"
    no_header = _refused(b"SH01,6907777000011,juice\n")
    assert (no_header.error, no_header.params["line"]) == ("no_header", 1)
    assert no_header.key == "alerts.assortment.error.no_header"
    assert _refused(b"store,sku,name\n").error == "empty"
    neither = _refused(b"store,sku,name\nSH01,1,a\nSH01,  ,  \n")
    assert (neither.error, neither.params["line"], neither.params["column"]) == (
        "no_product", 3, "sku/name")
    no_store = _refused(b"store,sku,name\n,1,a\n")
    assert (no_store.error, no_store.params["line"]) == ("no_store", 2)
    long = _refused(b"store,name\nSH01," + b"x" * 201 + b"\n")
    assert (long.error, long.params["column"]) == ("too_long", "name")
    assert _refused(b"store,name\nSH01,\"unclosed\nSH02").error == "bad_csv"
    assert _refused("store,name\nSH01,果汁\n".encode("utf-16")).error == "encoding"


def test_bounds_on_rows_and_bytes() -> None:
    head = b"store,sku\n"
    exactly = head + b"".join(b"S1,%d\n" % i for i in range(MAX_ROWS))
    assert len(parse_csv(exactly)) == MAX_ROWS
    over = _refused(exactly + b"S1,x\n")
    assert (over.error, over.params["max"]) == ("too_many_rows", MAX_ROWS)
    row = b"S1," + b"9" * 150 + b"\n"
    big = head + row * (MAX_BYTES // len(row) + 1)
    assert len(big) > MAX_BYTES
    assert _refused(big).error == "too_big"
    under = head + row * ((MAX_BYTES - len(head)) // len(row))
    assert len(under) <= MAX_BYTES
    assert len(parse_csv(under)) == 1  # 34,000 duplicates of one row: read, collapsed
