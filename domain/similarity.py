"""Near-duplicate detection for complaint texts: how alike two texts are, from 0 to 1.

Complaints are short, mostly Chinese and unsegmented, so word-level measures do not
work; overlapping character bigrams do. The score is the Sørensen–Dice coefficient of
the two bigram multisets, which is kinder than Jaccard to one or two changed characters
in a short text (a re-typed complaint) while unrelated complaints stay far apart.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

# Unicode general categories kept by ``normalise``: letters and digits. Punctuation,
# symbols (emoji are "So"), marks, spaces and control characters carry no meaning
# for "is this the same complaint".
_KEPT_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "No"})


def normalise(text: str) -> str:
    """NFKC, lower-case, and drop punctuation, whitespace, symbols and emoji.

    Full-width letters and digits become ASCII (NFKC), so "ＡＢＣ１２３" equals "abc123".
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch) in _KEPT_CATEGORIES)


# Texts longer than this are not cached, so the cache stays a few megabytes at most.
_CACHE_MAX_CHARS = 1000


def _bigrams(text: str) -> Counter[str]:
    # A save compares one new text against up to a few hundred stored ones, and the
    # same stored texts come back on the next save: cache the usual, short ones.
    if len(text) <= _CACHE_MAX_CHARS:
        return _cached_bigrams(text)
    return _compute_bigrams(text)


@lru_cache(maxsize=2048)
def _cached_bigrams(text: str) -> Counter[str]:
    return _compute_bigrams(text)


def _compute_bigrams(text: str) -> Counter[str]:
    norm = normalise(text)
    if len(norm) < 2:
        return Counter([norm]) if norm else Counter()
    return Counter(norm[i : i + 2] for i in range(len(norm) - 1))


def text_similarity(a: str, b: str) -> float:
    """Similarity of two texts in [0, 1]: Dice coefficient of character-bigram multisets.

    Texts equal after :func:`normalise` score 1.0; texts with nothing left to compare
    (only emoji or punctuation) score 1.0 when identical and 0.0 otherwise. A re-typed
    complaint with a few characters changed scores about 0.8 or more; different
    complaints score well below.
    """
    grams_a = _bigrams(a)
    grams_b = _bigrams(b)
    total = sum(grams_a.values()) + sum(grams_b.values())
    if total == 0:
        return 1.0 if a.strip() == b.strip() else 0.0
    if not grams_a or not grams_b:
        return 0.0
    shared = sum((grams_a & grams_b).values())
    return 2.0 * shared / total
