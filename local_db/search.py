"""Full-text search over ticket text that finds 1- and 2-character Chinese terms.

SQLite's ``trigram`` tokenizer cannot match terms shorter than three characters, and
the ``unicode61`` tokenizer treats a whole run of Han characters as one token, so
neither finds ``变质`` inside ``酸奶已经变质了``. Instead the text is tokenized here,
in Python, and FTS5 only splits the result on spaces (``ascii`` tokenizer):

* the text is NFKC-normalised and case-folded (full-width ``ＡＢＣ５`` == ``abc5``);
* a run of CJK characters ``c1 c2 … cn`` becomes its overlapping bigrams
  ``c1c2 c2c3 … c(n-1)cn`` followed by ``cn·`` (``·`` = :data:`END`, "end of run").
  So every character of the run starts exactly one token;
* a run of other letters/digits becomes one word token; everything else (spaces,
  punctuation, emoji) only separates.

The FTS5 table keeps a 1-character prefix index, so a 1-character query ``态`` is the
prefix query ``态*`` (every token that starts with ``态``, i.e. every occurrence of the
character), answered from that prefix index in one lookup. A longer CJK term is the
phrase of its bigrams; consecutive positions of overlapping bigrams can only come from
one run (the ``END`` token sits between runs), so a hit really contains the term.

The table is contentless (storing the token strings would add ~350 MB at a million
tickets; the raw text in ``ticket_search_source`` costs ~150 MB). FTS5 in SQLite
< 3.43 can only remove a row from a contentless table if given the exact tokens it
indexed, so ``ticket_search_source`` keeps the text that was indexed for each row;
replacing an entry deletes the tokens of that text first. Changing
:func:`tokens_for_index` therefore needs a migration that calls :func:`rebuild_index`.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from local_db.connection import transaction

# Marks the last character of a CJK run. A private-use character: it is not a letter
# or digit, so it never occurs inside a token taken from text, and FTS5's ascii
# tokenizer treats every non-ASCII character as part of a token.
END = "\ue000"

# Words longer than this are not indexed (and a query word longer than this matches
# nothing): FTS5 does not like huge tokens and nobody searches for them.
MAX_WORD_CHARS = 64

# Ideographs (incl. extensions and compatibility forms), kana and hangul: scripts
# written without spaces, indexed as bigrams.
_CJK = (
    "\u3005\u3007\u3021-\u3029\u3038-\u303b"
    "\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff"
)
# Group 1: a CJK run. Group 2: a run of other letters and digits (\w minus "_" minus
# CJK). Anything else is a separator.
_SEGMENT = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")

# FTS5's bm25 costs about 2 µs per matching row (it reads each row's length from
# ticket_search_docsize), so ranking every match of a term found in a third of a
# million tickets would take most of a second. When a query matches more than
# RANK_WINDOW tickets, only the newest RANK_WINDOW matches (highest rid) are ranked:
# the answer is then "the most relevant among the recent matches", which is also
# what the desk wants for a term that common. Below it the ranking is over all matches.
RANK_WINDOW = 5_000

# Where the newest RANK_WINDOW matches start; FTS5 walks rowids in C, ~0.1 µs each.
_SQL_WINDOW = (
    "SELECT rowid FROM ticket_search WHERE ticket_search MATCH ? "
    "ORDER BY rowid DESC LIMIT 1 OFFSET ?"
)
# Ties (same bm25: same term count and length) go to the newer ticket.
_SQL_RANK = (
    "SELECT rowid, bm25(ticket_search) AS r FROM ticket_search "
    "WHERE ticket_search MATCH ? AND rowid >= ? ORDER BY r, rowid DESC LIMIT ?"
)


@dataclass(frozen=True)
class SearchHit:
    """One matching ticket: its ``tickets.rid`` and relevance (higher is better)."""

    rid: int
    score: float


def normalize(text: str) -> str:
    """NFKC plus case folding: what both the index and the queries see."""
    return unicodedata.normalize("NFKC", text).casefold()


def _segments(normalized: str) -> Iterator[tuple[bool, str]]:
    """``(is_cjk, run)`` for each CJK run or word in already normalised text."""
    for match in _SEGMENT.finditer(normalized):
        cjk = match.group(1)
        if cjk is not None:
            yield True, cjk
        else:
            yield False, match.group(2)


def tokens_for_index(text: str) -> str:
    """The space-separated tokens FTS5 indexes for *text*.

    >>> tokens_for_index("酸奶变质, Milk 5元")  # doctest: +SKIP
    '酸奶 奶变 变质 质\\ue000 milk 5 元\\ue000'
    """
    out: list[str] = []
    for cjk, run in _segments(normalize(text)):
        if cjk:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
            out.append(run[-1] + END)
        elif len(run) <= MAX_WORD_CHARS:
            out.append(run)
    return " ".join(out)


def _term_query(term: str) -> str | None:
    """The FTS5 phrase for one normalised query term; ``""`` if it can match nothing;
    None if it has no letters at all (pure punctuation: ignored).

    Tokens are only ever letters, digits, CJK and :data:`END`, and each phrase is
    double-quoted, so FTS5 syntax in user input (``"``, ``*``, ``-``, ``OR``, ``NEAR``,
    parentheses) is never interpreted.
    """
    segments = list(_segments(term))
    if not segments:
        return None
    tokens: list[str] = []
    prefix = False
    for j, (cjk, run) in enumerate(segments):
        last = j == len(segments) - 1
        if not cjk:
            if len(run) > MAX_WORD_CHARS:
                return ""  # such words are not indexed
            tokens.append(run)
            continue
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        if not last:
            # Something follows the run inside the term, so in the text the run must
            # end here: "5元a" needs the token 元·.
            tokens.append(run[-1] + END)
        elif len(run) == 1:
            # A single character at the end: any token starting with it (c+next or
            # c+END). Only ever the last token of the phrase, where FTS5 allows "*".
            tokens.append(run)
            prefix = True
    body = " ".join(tokens).replace('"', '""')
    return f'"{body}"' + (" *" if prefix else "")


def build_match(query: str) -> str:
    """The FTS5 MATCH expression for a user query; ``""`` when it can match nothing.

    Terms are split on whitespace and all must match (FTS5's implicit AND).
    """
    phrases: list[str] = []
    for term in dict.fromkeys(normalize(query).split()):  # dedupe, keep order
        phrase = _term_query(term)
        if phrase is None:
            continue
        if phrase == "":
            return ""
        phrases.append(phrase)
    return " ".join(phrases)


def search(conn: sqlite3.Connection, query: str, limit: int = 50) -> list[SearchHit]:
    """Tickets whose text contains every whitespace-separated term of *query*, best first.

    Ranked by FTS5's bm25 (``score`` is minus bm25, so higher is better); when more
    than :data:`RANK_WINDOW` tickets match, among the newest :data:`RANK_WINDOW` of
    them. Any input is safe: FTS5 and SQL syntax is quoted, not interpreted; an empty
    query, or one with no letters or digits, gives ``[]``.
    """
    match = build_match(query)
    if not match or limit <= 0:
        return []
    window = conn.execute(_SQL_WINDOW, (match, RANK_WINDOW - 1)).fetchone()
    lowest_rid = int(window[0]) if window is not None else -(2**63)
    rows = conn.execute(_SQL_RANK, (match, lowest_rid, limit)).fetchall()
    return [SearchHit(rid=int(row[0]), score=-float(row[1])) for row in rows]


def _delete_entry(conn: sqlite3.Connection, rid: int) -> None:
    row = conn.execute("SELECT text FROM ticket_search_source WHERE rid = ?", (rid,)).fetchone()
    if row is None:
        return
    # A contentless table forgets the tokens; 'delete' must be given the same ones.
    conn.execute(
        "INSERT INTO ticket_search(ticket_search, rowid, body) VALUES ('delete', ?, ?)",
        (rid, tokens_for_index(row[0])),
    )
    conn.execute("DELETE FROM ticket_search_source WHERE rid = ?", (rid,))


def index_ticket(conn: sqlite3.Connection, rid: int, text: str) -> None:
    """Insert or replace the search entry of ticket row *rid* with *text*.

    Runs inside the caller's transaction (it neither begins nor commits), so the
    ticket row and its index entry are saved together or not at all.
    """
    old = conn.execute("SELECT text FROM ticket_search_source WHERE rid = ?", (rid,)).fetchone()
    if old is not None:
        if old[0] == text:
            return
        _delete_entry(conn, rid)
    conn.execute(
        "INSERT INTO ticket_search(rowid, body) VALUES (?, ?)", (rid, tokens_for_index(text))
    )
    conn.execute("INSERT INTO ticket_search_source(rid, text) VALUES (?, ?)", (rid, text))


def remove_ticket(conn: sqlite3.Connection, rid: int) -> None:
    """Remove the search entry of ticket row *rid*, if any (inside the caller's transaction)."""
    _delete_entry(conn, rid)


def rebuild_index(conn: sqlite3.Connection, batch: int = 20_000) -> int:
    """Re-index every ticket from ``tickets.text``; return how many were indexed.

    Joins the caller's transaction if there is one, else runs in its own. Ends with
    FTS5's 'optimize' (one merged segment), which makes queries on a big index faster.
    """
    with transaction(conn):
        conn.execute("INSERT INTO ticket_search(ticket_search) VALUES ('delete-all')")
        conn.execute("DELETE FROM ticket_search_source")
        count = 0
        cursor = conn.execute("SELECT rid, text FROM tickets ORDER BY rid")
        while True:
            rows = cursor.fetchmany(batch)
            if not rows:
                break
            conn.executemany(
                "INSERT INTO ticket_search(rowid, body) VALUES (?, ?)",
                [(rid, tokens_for_index(text)) for rid, text in rows],
            )
            conn.executemany(
                "INSERT INTO ticket_search_source(rid, text) VALUES (?, ?)", rows
            )
            count += len(rows)
        conn.execute("INSERT INTO ticket_search(ticket_search) VALUES ('optimize')")
    return count
