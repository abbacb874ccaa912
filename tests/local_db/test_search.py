"""Search over ticket text: short Chinese terms, phrases, words, ranking, hostile input."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local_db import search as search_mod
from local_db.connection import connect, transaction
from local_db.migrations import migrate
from local_db.search import index_ticket, rebuild_index, search, tokens_for_index

_NOW = "2026-11-22T02:00:00.000Z"


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    c = connect(tmp_path / "kesu.db")
    migrate(c)
    yield c
    c.close()


def _insert_ticket(conn: sqlite3.Connection, text: str) -> int:
    """A minimal ``tickets`` row (every NOT NULL column filled); return its rid."""
    tid = str(uuid.uuid4())
    row = conn.execute(
        "INSERT INTO tickets (id, number, store_code, desk_code, channel, text, category, "
        "subcategory, level, flags, departments, reasons, status, created_by, created_at, "
        "due_at, respond_within_minutes, member_tier, customers, reopen_count, "
        "escalation_step, conflict, policy_version, updated_at, event_count) VALUES "
        "(?, ?, 'XT01', 'D2', 'desk', ?, 'product', 'quality', 3, '[]', '[]', '[]', "
        "'accepted', 'd1', ?, ?, 1440, 'none', 1, 0, 0, 0, 'test', ?, 1) RETURNING rid",
        (tid, f"XT01-D2-{tid[:8]}", text, _NOW, _NOW, _NOW),
    ).fetchone()
    return int(row[0])


def _add(conn: sqlite3.Connection, *texts: str) -> list[int]:
    """Save tickets and their index entries the way the store does: one transaction."""
    rids = []
    with transaction(conn):
        for text in texts:
            rid = _insert_ticket(conn, text)
            index_ticket(conn, rid, text)
            rids.append(rid)
    return rids


def _rids(conn: sqlite3.Connection, query: str) -> list[int]:
    return [hit.rid for hit in search(conn, query)]


def test_two_character_terms(conn: sqlite3.Connection) -> None:
    spoiled, refund, rude = _add(conn, "酸奶已经变质了", "要求退款但是一直没到账", "服务态度差")
    assert _rids(conn, "变质") == [spoiled]
    assert _rids(conn, "退款") == [refund]
    assert _rids(conn, "态度") == [rude]
    assert _rids(conn, "质了") == [spoiled]  # the last bigram of a run


def test_one_character_term(conn: sqlite3.Connection) -> None:
    _, rude, last = _add(conn, "酸奶已经变质了", "服务态度差", "这是什么态")
    assert sorted(_rids(conn, "态")) == sorted([rude, last])  # middle and end of a run
    assert _rids(conn, "差") == [rude]
    assert _rids(conn, "酸") == [1]
    assert _rids(conn, "猫") == []


def test_longer_phrases_need_the_characters_adjacent(conn: sqlite3.Connection) -> None:
    rude, expired, scattered = _add(
        conn, "收银员服务态度很差", "买到过期食品要求赔偿", "服务很好，态度也不错"
    )
    assert _rids(conn, "服务态度") == [rude]
    assert _rids(conn, "过期食品") == [expired]
    assert _rids(conn, "期食") == [expired]
    assert _rids(conn, "服务态度很差") == [rude]
    assert _rids(conn, "务态度") == [rude]
    assert _rids(conn, "态度很") == [rude]
    assert sorted(_rids(conn, "服务")) == sorted([rude, scattered])


def test_phrase_never_spans_a_punctuation_break(conn: sqlite3.Connection) -> None:
    # 东西 ends one run and 西瓜 starts the next: 东西瓜 is not in the text.
    (rid,) = _add(conn, "买的东西，西瓜坏了")
    assert _rids(conn, "东西瓜") == []
    assert _rids(conn, "东西") == [rid]
    assert _rids(conn, "西瓜") == [rid]


def test_english_words_case_insensitive_and_full_width(conn: sqlite3.Connection) -> None:
    milk, vip = _add(conn, "Milk was sour，要求退货", "ＶＩＰ会员卡积分没到账")
    assert _rids(conn, "milk") == [milk]
    assert _rids(conn, "MILK") == [milk]
    assert _rids(conn, "Sour") == [milk]
    assert _rids(conn, "vip") == [vip]
    assert _rids(conn, "VIP会员") == [vip]  # word then CJK in one term
    assert _rids(conn, "mil") == []  # whole words, not fragments


def test_mixed_word_and_cjk_terms_are_exact(conn: sqlite3.Connection) -> None:
    five, fifty = _add(conn, "多收了5元，要求退款", "多收了50元")
    assert _rids(conn, "5元") == [five]
    assert _rids(conn, "50元") == [fifty]
    assert sorted(_rids(conn, "收了")) == sorted([five, fifty])
    assert _rids(conn, "了5元") == [five]
    assert _rids(conn, "收了5") == [five]
    assert _rids(conn, "收5") == []  # 收 does not end its run right before 5


def test_all_terms_must_match(conn: sqlite3.Connection) -> None:
    both, milk_only, refund_only = _add(
        conn, "牛奶变质了要求退款", "牛奶变质了", "面包发霉要求退款"
    )
    assert _rids(conn, "牛奶 退款") == [both]
    assert _rids(conn, "变质　退款") == [both]  # ideographic space separates terms too
    assert _rids(conn, "牛奶 退款 发霉") == []
    assert sorted(_rids(conn, "退款")) == sorted([both, refund_only])
    assert milk_only in _rids(conn, "牛奶")


def test_ranking_prefers_more_occurrences_and_shorter_text(conn: sqlite3.Connection) -> None:
    filler = "顾客在门口排队等候结账的时候"
    once, twice = _add(conn, f"{filler}说要退款", f"{filler}说要退款，马上退款")
    assert _rids(conn, "退款") == [twice, once]
    long, short = _add(conn, f"{filler}{filler}反映变质", "反映变质")
    hits = search(conn, "变质")
    assert [h.rid for h in hits] == [short, long]
    assert hits[0].score > hits[1].score > 0


def test_limit(conn: sqlite3.Connection) -> None:
    _add(conn, *[f"第{i}个投诉要求退款" for i in range(30)])
    assert len(search(conn, "退款", limit=7)) == 7
    assert len(search(conn, "退款")) == 30
    assert search(conn, "退款", limit=0) == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        '"""',
        "*",
        "退款*",
        "-退款",
        "NOT 退款",
        "退款 OR 变质",
        "退款 AND",
        "NEAR(退款 变质)",
        "NEAR(a b, 3)",
        "(退款",
        "退款)",
        "{body}: 退款",
        "body:退款",
        "^退款",
        "'; DROP TABLE tickets; --",
        "\" OR 1=1 --",
        "x' UNION SELECT * FROM staff --",
        "\\",
        "\x00",
        "%_",
        "😡😡😡",
        "a" * 1000,
        " ".join(["退款"] * 300),
        " ".join(f"t{i}" for i in range(300)),
        "退" * 3000,
    ],
)
def test_hostile_input_never_raises(conn: sqlite3.Connection, query: str) -> None:
    (rid,) = _add(conn, "要求退款 body OR NEAR a b")
    hits = search(conn, query)
    assert all(h.rid == rid for h in hits)
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1


def test_operators_in_queries_are_plain_words(conn: sqlite3.Connection) -> None:
    (rid,) = _add(conn, "customer said OR and NEAR to me")
    assert _rids(conn, "or") == [rid]
    assert _rids(conn, "NEAR") == [rid]
    assert _rids(conn, "退款 OR 变质") == []  # AND of three terms, not an OR


def test_emoji_separate_words_and_are_not_searchable(conn: sqlite3.Connection) -> None:
    (rid,) = _add(conn, "😡服务😡态度😡差👎🏻 bad👍good")
    assert _rids(conn, "服务") == [rid]
    assert _rids(conn, "bad") == [rid]
    assert _rids(conn, "good") == [rid]
    assert _rids(conn, "服务态度") == []  # an emoji sits between them
    assert _rids(conn, "😡") == []


def test_one_megabyte_text(conn: sqlite3.Connection) -> None:
    big = ("顾客反映商品质量问题" * 35_000)[:349_000] + "终于找到榴莲"  # ~1 MB of UTF-8
    assert len(big.encode()) > 1_000_000
    (rid,) = _add(conn, big)
    _add(conn, "榴莲不熟")
    assert rid in _rids(conn, "找到榴莲")
    assert _rids(conn, "质量问题") == [rid]


def test_reindex_replaces_old_text(conn: sqlite3.Connection) -> None:
    (rid,) = _add(conn, "鲜牛奶变质")
    with transaction(conn):
        conn.execute("UPDATE tickets SET text = ? WHERE rid = ?", ("面包发霉", rid))
        index_ticket(conn, rid, "面包发霉")
        index_ticket(conn, rid, "面包发霉")  # same text again: a no-op
    assert _rids(conn, "变质") == []
    assert _rids(conn, "牛") == []
    assert _rids(conn, "发霉") == [rid]
    _assert_index_is_sound(conn)


def test_index_entry_rolls_back_with_the_ticket(conn: sqlite3.Connection) -> None:
    with pytest.raises(RuntimeError), transaction(conn):
        rid = _insert_ticket(conn, "冷冻水饺化了")
        index_ticket(conn, rid, "冷冻水饺化了")
        raise RuntimeError("crash before commit")
    assert _rids(conn, "水饺") == []


def test_rebuild_index(conn: sqlite3.Connection) -> None:
    a, b = _add(conn, "鲜牛奶变质", "面包发霉")
    conn.execute("UPDATE tickets SET text = '苹果烂了' WHERE rid = ?", (b,))
    # A ticket saved without an index entry (e.g. by an old version) is picked up too.
    c = _insert_ticket(conn, "要求退款")
    assert _rids(conn, "退款") == []
    assert rebuild_index(conn) == 3
    assert _rids(conn, "变质") == [a]
    assert _rids(conn, "发霉") == []
    assert _rids(conn, "烂了") == [b]
    assert _rids(conn, "退款") == [c]
    _assert_index_is_sound(conn)
    # Inside a caller's transaction it joins it instead of committing.
    with transaction(conn):
        assert rebuild_index(conn) == 3
        assert conn.in_transaction
    assert _rids(conn, "退款") == [c]


def test_tokens() -> None:
    end = search_mod.END
    assert tokens_for_index("服务态度") == f"服务 务态 态度 度{end}"
    assert tokens_for_index("态") == f"态{end}"
    assert tokens_for_index("Ｍｉｌｋ，5元!") == f"milk 5 元{end}"
    assert tokens_for_index("…！？ 😀") == ""


def test_rank_window_keeps_newest_matches(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_mod, "RANK_WINDOW", 3)
    old_best, *_ = _add(conn, "退款退款退款", "顾客要求退款", "顾客要求退款", "顾客要求退款")
    hits = search(conn, "退款")
    assert len(hits) == 3 and old_best not in [h.rid for h in hits]


def _assert_index_is_sound(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO ticket_search(ticket_search, rank) VALUES ('integrity-check', 0)")


# --- property: every substring is found, and every hit contains the query --------------

_ALPHABET = "服务态度变质退款过期食品牛奶的了是不好差"
_texts = st.lists(
    st.text(alphabet=_ALPHABET + "，a ", min_size=1, max_size=12), min_size=1, max_size=6
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=_texts, data=st.data())
def test_substrings_are_found_and_hits_contain_the_query(
    conn: sqlite3.Connection, texts: list[str], data: st.DataObject
) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM tickets")
    rebuild_index(conn)
    rids = _add(conn, *texts)
    by_rid = dict(zip(rids, texts, strict=True))
    i = data.draw(st.integers(0, len(texts) - 1))
    text = texts[i]
    runs = [run for run in text.replace("，", " ").replace("a", " ").split() if run]
    if not runs:
        return
    run = data.draw(st.sampled_from(runs))
    start = data.draw(st.integers(0, len(run) - 1))
    length = data.draw(st.integers(1, min(4, len(run) - start)))
    query = run[start : start + length]
    found = _rids(conn, query)
    assert rids[i] in found
    for rid in found:
        assert query in by_rid[rid]
    # Random short CJK strings (maybe in no text) never give a hit without them.
    other = data.draw(st.text(alphabet=_ALPHABET, min_size=1, max_size=4))
    for rid in _rids(conn, other):
        assert other in by_rid[rid]
