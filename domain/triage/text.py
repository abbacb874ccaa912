"""The one form every triage reader sees a complaint in.

Staff and customers write the same thing many ways: traditional characters, full-width
letters, 12315 as 一二三一五 or 幺二三幺五 or 1 2 3 1 5, Douyin as dy or 某音, 🤮 for
vomiting, 「！！！！」. Triage's rules and its model both read the text only after
:meth:`Normaliser.normalise`, and the policy's words go through the very same function,
so a word written in the policy in any of those forms still matches.

The steps, in order (each its own small function, so a test can pin it):

1. traditional → simplified with OpenCC's ``t2s`` dictionaries (the maintained ones that
   ship with the package, not a hand-written table);
2. emoji the policy names become their words (🤮 → 吐), any other emoji a space;
3. NFKC (full-width → half-width) and lower case, then the older policies' variant map;
4. runs of Chinese numerals said as digits (幺二三幺五, 一一零) become digits, and digits
   split by spaces or dashes are joined (1 2 3 1 5 → 12315);
5. platform nicknames and pinyin abbreviations become the platform's name (dy → 抖音);
6. a character repeated three or more times is kept twice (！！！ → !, 啊啊啊啊 → 啊啊);
7. runs of spaces become one, and spaces between Chinese characters are dropped.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping
from typing import Any

import opencc

_SPACES = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")
# Emoji and pictographs, their joiners, variation selectors, keycaps and skin tones.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3]+")
_SPLIT_DIGITS = re.compile(r"(?<=\d)[ \-_]+(?=\d)")
# Punctuation repeated is one mark; any other character repeated 3+ times is two.
_PUNCT = frozenset("!?,.;:~。，、…！？；：-=*#")
_RUN = re.compile(r"([^\d\s])\1+")
_WHITESPACE = frozenset(" \t\n\r\f\v\u3000\xa0")
_ASCII = re.compile(r"[a-z0-9]")

_local = threading.local()
# Full-width ASCII and the ideographic space, as NFKC maps them: a translate in C first
# lets the NFKC quick check pass for most Chinese texts (their commas are full width).
_FULL_WIDTH = {0x3000: " ", **{c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}}


def _t2s() -> opencc.OpenCC:
    # One converter per thread: the GUI thread triages as staff type, the writer on save.
    converter: opencc.OpenCC | None = getattr(_local, "t2s", None)
    if converter is None:
        converter = opencc.OpenCC("t2s")
        _local.t2s = converter
    return converter


def to_simplified(text: str) -> str:
    """Traditional characters → simplified (OpenCC ``t2s``); simplified text is unchanged."""
    return str(_t2s().convert(text)) if text else text


def _alternation(words: list[str]) -> re.Pattern[str]:
    """Longest first; an ASCII word only as a whole word (``dy`` never inside ``body``).

    A look-ahead at the possible first characters lets the regex engine give up at most
    positions at once instead of trying every alternative there.
    """
    alts = []
    for word in sorted(set(words), key=len, reverse=True):
        left = "(?<![a-z0-9])" if _ASCII.match(word[0]) else ""
        right = "(?![a-z0-9])" if _ASCII.match(word[-1]) else ""
        alts.append(left + re.escape(word) + right)
    if not alts:
        return re.compile(r"(?!x)x")
    firsts = "".join(sorted({re.escape(w[0]) for w in words}))
    return re.compile(f"(?=[{firsts}])(?:{'|'.join(alts)})")


class Normaliser:
    """Normalises complaint texts and policy words alike (see the module's steps).

    Built from the policy's ``triage.normalise`` section by :func:`parse_normaliser`; with
    no arguments it still does steps 1, 3, 6 and 7.
    """

    def __init__(self, *, traditional: bool = True, emoji: Mapping[str, str] | None = None,
                 variants: Mapping[int, str] | None = None,
                 digits: Mapping[str, str] | None = None, min_digit_run: int = 3,
                 aliases: Mapping[str, str] | None = None) -> None:
        self.traditional = traditional
        self.emoji = dict(emoji or {})
        self.variants = dict(variants or {})
        self.digits = dict(digits or {})
        self.min_digit_run = min_digit_run
        self.aliases = dict(aliases or {})
        self._emoji_re = _alternation(list(self.emoji)) if self.emoji else None
        digit_class = "".join(re.escape(c) for c in self.digits)
        self._digit_run = (re.compile(f"[{digit_class}]{{{min_digit_run},}}")
                           if digit_class else None)
        self._digit_table = str.maketrans(self.digits)
        self._alias_re = _alternation(list(self.aliases)) if self.aliases else None

    def normalise(self, text: str) -> str:
        """The text in the form triage compares (steps 1–7 of the module)."""
        if self.traditional:
            text = to_simplified(text)
        text = self.replace_emoji(text).translate(_FULL_WIDTH)
        if not unicodedata.is_normalized("NFKC", text):  # a quick check, then the work
            text = unicodedata.normalize("NFKC", text)
        text = text.lower()
        if self.variants:
            text = text.translate(self.variants)
        text = self.spoken_digits(text)
        text = self.platform_names(text)
        text = collapse_repeats(text)
        if _WHITESPACE.isdisjoint(text):  # most complaints: no regex pass needed
            return text
        return _CJK_GAP.sub("", _SPACES.sub(" ", text)).strip()

    def replace_emoji(self, text: str) -> str:
        """Emoji the policy names → their words; any other emoji → a space."""
        if _EMOJI.search(text) is None:
            return text
        if self._emoji_re is not None:
            text = self._emoji_re.sub(lambda m: self.emoji[m.group()], text)
        return _EMOJI.sub(" ", text)

    def spoken_digits(self, text: str) -> str:
        """幺二三幺五 → 12315 (runs of the policy's numerals), 1 2 3 1 5 → 12315."""
        if self._digit_run is not None:
            table = self._digit_table
            text = self._digit_run.sub(lambda m: m.group().translate(table), text)
        if " " in text or "-" in text or "_" in text:
            text = _SPLIT_DIGITS.sub("", text)
        return text

    def platform_names(self, text: str) -> str:
        """Nicknames and abbreviations of platforms → the platform (dy, 某音 → 抖音)."""
        if self._alias_re is None:
            return text
        return self._alias_re.sub(lambda m: self.aliases[m.group()], text)


def _run(match: re.Match[str]) -> str:
    run = match.group()
    if run[0] in _PUNCT:
        return run[0]
    return run if len(run) == 2 else run[:2]


def collapse_repeats(text: str) -> str:
    """！！！ → !, 啊啊啊啊 → 啊啊; digits are never collapsed (1000, 12315)."""
    return _RUN.sub(_run, text)


class NormalisePolicyError(ValueError):
    """The ``triage.normalise`` section is unusable: *path* and *reason* say why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _string_map(node: Any, path: str) -> dict[str, str]:
    if not isinstance(node, Mapping):
        raise NormalisePolicyError(path, "expected an object")
    out: dict[str, str] = {}
    for key, value in node.items():
        if not isinstance(key, str) or not key or not isinstance(value, str):
            raise NormalisePolicyError(f"{path}.{key}", "expected a non-empty key and a string")
        out[key] = value
    return out


def parse_normaliser(triage: Mapping[str, Any]) -> Normaliser:
    """The normaliser of a policy's ``triage`` section (``normalise`` and ``variants``).

    ``variants`` is the hand-made traditional → simplified map of older policies: it is
    still honoured, after OpenCC, so a document published before OpenCC parses alike.
    """
    node = triage.get("normalise", {})
    path = "triage.normalise"
    if not isinstance(node, Mapping):
        raise NormalisePolicyError(path, "expected an object")
    traditional = node.get("traditional_to_simplified", True)
    if not isinstance(traditional, bool):
        raise NormalisePolicyError(f"{path}.traditional_to_simplified", "expected true or false")
    emoji = _string_map(node.get("emoji", {}), f"{path}.emoji")
    numerals = node.get("numerals", {})
    if not isinstance(numerals, Mapping):
        raise NormalisePolicyError(f"{path}.numerals", "expected an object")
    digits = _string_map(numerals.get("digits", {}), f"{path}.numerals.digits")
    for key, value in digits.items():
        if len(key) != 1 or value not in "0123456789" or len(value) != 1:
            raise NormalisePolicyError(f"{path}.numerals.digits.{key}",
                                       "maps one character to one digit")
    min_run = numerals.get("min_run", 3)
    if not isinstance(min_run, int) or isinstance(min_run, bool) or min_run < 2:
        raise NormalisePolicyError(f"{path}.numerals.min_run", "an integer of at least 2")
    base = Normaliser(traditional=traditional, emoji=emoji, digits=digits,
                      min_digit_run=min_run, variants=_variants(triage))
    aliases: dict[str, str] = {}
    alias_node = node.get("aliases", {})
    if not isinstance(alias_node, Mapping):
        raise NormalisePolicyError(f"{path}.aliases", "expected an object")
    for name, forms in alias_node.items():
        apath = f"{path}.aliases.{name}"
        if not isinstance(forms, list) or not all(isinstance(f, str) and f.strip()
                                                  for f in forms):
            raise NormalisePolicyError(apath, "expected a list of non-empty strings")
        target = base.normalise(name)
        # The canonical name maps to itself, so 大众点评 is not re-read as 大众 + 点评.
        for form in [name, *forms]:
            key = base.normalise(form)
            if not key:
                raise NormalisePolicyError(apath, f"{form!r} is empty after normalisation")
            if key in aliases and aliases[key] != target:
                raise NormalisePolicyError(apath, f"{form!r} already names {aliases[key]!r}")
            aliases[key] = target
    return Normaliser(traditional=traditional, emoji=emoji, digits=digits,
                      min_digit_run=min_run, variants=base.variants, aliases=aliases)


def _variants(triage: Mapping[str, Any]) -> dict[int, str]:
    node = triage.get("variants")
    if not node:
        return {}
    if not isinstance(node, Mapping):
        raise NormalisePolicyError("triage.variants", "expected an object")
    src, dst = node.get("from"), node.get("to")
    if not isinstance(src, str) or not isinstance(dst, str) or len(src) != len(dst):
        raise NormalisePolicyError("triage.variants", "needs strings from and to of equal length")
    if len(set(src)) != len(src):
        raise NormalisePolicyError("triage.variants.from", "a character is mapped twice")
    return {ord(a): b for a, b in zip(src, dst, strict=True)}
