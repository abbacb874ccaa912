"""Finding the policy's words in a normalised complaint text, in one pass."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

# Characters that end a clause: negation and hedges never reach across them.
CLAUSE_BREAKS = frozenset("，。！？；：、,.!?;:\n…~～")
ASCII_WORD = re.compile(r"[a-z0-9]")


@dataclass(frozen=True)
class Hit:
    """What finding one word means: ``kind`` is sub, flag, inquiry, loss, neg, hedge
    or neutral; ``target`` the subcategory or flag; ``rule`` the flag rule's index."""

    kind: str
    target: str = ""
    weight: float = 0.0
    rule: int = 0
    exact: bool = False  # an ASCII word that must end at a word boundary
    hedged: bool = False  # a flag word that a hedge (差点, almost) just before cancels
    weak: bool = False  # a weak keyword: context only, never enough for a flag
    strong: bool = False  # a strong keyword: names its subcategory all by itself
    masks: bool = False  # a neutral phrase holding a keyword (没过期): hidden from the model


def split_word(raw: str, normalise: Callable[[str], str]) -> tuple[str, bool]:
    """Normalised word and whether it must end at an ASCII word boundary."""
    stem = raw.endswith("*")
    word = normalise(raw[:-1] if stem else raw)
    return word, bool(word) and not stem and bool(ASCII_WORD.match(word[-1]))


class Matcher:
    """All policy words in one dict; finds maximal, possibly crossing matches in one pass.

    For each position the longest word starting there is looked up by slicing only the
    lengths that words starting with that character have: a dozen dict look-ups per
    character at most, and in practice two or three (an Aho-Corasick automaton in pure
    Python is slower than this, and one big regex alternation is slower still because
    the regex engine tries its top-level branches one by one at each position).
    """

    def __init__(self, hits: Mapping[str, list[Hit]]) -> None:
        self._hits = {w: tuple(h) for w, h in hits.items()}
        # Words whose every use is a whole English word: skip them when glued to a letter.
        self._bounded = frozenset(w for w, hs in self._hits.items() if all(h.exact for h in hs))
        # The lengths to try at a position, keyed by its first two characters (a word of
        # one character under its character and every pair it starts): most pairs start
        # no word at all, and the rest only a few lengths.
        lengths: dict[str, set[int]] = {}
        singles = {w for w in self._hits if len(w) == 1}
        for word in self._hits:
            if len(word) >= 2:
                lengths.setdefault(word[:2], set()).add(len(word))
        for ch in singles:
            lengths.setdefault(ch, set()).add(1)
        for pair in list(lengths):
            if len(pair) == 2 and pair[0] in singles:
                lengths[pair].add(1)
        self._lengths = {key: tuple(sorted(ls, reverse=True)) for key, ls in lengths.items()}
        self._singles = frozenset(singles)

    def scan(self, text: str) -> list[tuple[int, int, tuple[Hit, ...]]]:
        """(start, end, hits) of each word found, minus words inside a longer one."""
        hits_of, bounded, lengths_of = self._hits, self._bounded, self._lengths
        size = len(text)
        result: list[tuple[int, int, tuple[Hit, ...]]] = []
        reach = 0  # end of the last word kept: a word ending by then lies inside it
        prev_word_char = False
        singles = self._singles
        for start, ch in enumerate(text):
            lengths = lengths_of.get(text[start:start + 2])
            if lengths is None and ch in singles:
                lengths = (1,)
            word_char = ch.isascii() and ch.isalnum()
            # An English word never starts inside another one ("sue" in "suede").
            if lengths is None or (word_char and prev_word_char):
                prev_word_char = word_char
                continue
            prev_word_char = word_char
            for length in lengths:
                end = start + length
                if end > size or end <= reach:
                    continue
                word = text[start:end]
                hits = hits_of.get(word)
                if hits is None:
                    continue
                glued = end < size and text[end].isascii() and text[end].isalnum()
                if glued:
                    if word in bounded:
                        continue
                    hits = tuple(h for h in hits if not h.exact)
                result.append((start, end, hits))
                reach = end
                break
        return result


def context_regex(words: Iterable[str], normalise: Callable[[str], str]) -> re.Pattern[str]:
    """A plain alternation for a rule's context words (substring match, no maximality)."""
    alts = []
    for raw in words:
        word, exact = split_word(raw, normalise)
        left = "(?<![a-z0-9])" if ASCII_WORD.match(word[:1]) else ""
        alts.append(left + re.escape(word) + ("(?![a-z0-9])" if exact else ""))
    return re.compile("|".join(sorted(alts, key=len, reverse=True)))


def whole_word(text: str, start: int, end: int) -> str:
    """The matched text, an English stem widened to its word ("mould" → "mouldy")."""
    size = len(text)
    if end >= size or not text[end].isascii():  # the usual case: a Chinese word
        return text[start:end]
    while end < size and text[end].isascii() and text[end].isalnum():
        end += 1
    return text[start:end]


def clause_gap(text: str, end: int, start: int, window: int) -> bool:
    """True when *end* is at most *window* characters before *start*, same clause."""
    return 0 <= start - end <= window and not any(c in CLAUSE_BREAKS for c in text[end:start])


def clause_start(text: str, start: int, limit: int) -> int:
    """Where the clause holding *start* begins, looking back at most *limit* characters."""
    floor = max(0, start - limit)
    i = start
    while i > floor and text[i - 1] not in CLAUSE_BREAKS:
        i -= 1
    return i


def clause_end(text: str, end: int, limit: int) -> int:
    """Where the clause holding *end* ends, looking ahead at most *limit* characters."""
    ceiling = min(len(text), end + limit)
    i = end
    while i < ceiling and text[i] not in CLAUSE_BREAKS:
        i += 1
    return i
