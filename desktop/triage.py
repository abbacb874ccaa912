"""Triage: category, subcategory, level, risk flags and routing of a complaint text.

Plain keyword rules, all of them policy data (``triage`` and ``levels`` of the policy
document): headquarters tunes the words without a release, and every result carries
the words that decided it, so staff can see why and correct it.

How a text is read:

* text and policy words are normalised alike (NFKC, lower case, the policy's
  traditional → simplified variant map, spaces between Chinese characters dropped);
* one pass over the text finds every policy word (a dict keyed by word, looked up by
  the lengths words starting with each character have); a word found inside a longer
  word is dropped (``卫生间`` is a room, not ``卫生`` hygiene; the explicit negated
  phrase ``没有受伤`` swallows ``受伤``). English words match whole words, or any
  ending when the policy writes them with a trailing ``*``;
* each subcategory scores the weights of its distinct words (strong, normal, weak
  tiers); the best wins, ties go to the policy's ``tie_break`` order;
* risk flags come from flag words (some only with a context word, some not after a
  hedge such as ``差点``), the subcategory, the member tier, the number of customers
  and the store's recent tickets. Any flag means level 1; an inquiry with no loss
  word means level 3; anything else level 2.

Generic negation (``不是假货``) only lowers subcategory scores: flags are never
negated generically, because a missed food-safety or injury case costs far more than
a false alarm. Only the explicit negated phrases of the policy silence a flag word.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Characters that end a clause: negation and hedges never reach across them.
_CLAUSE_BREAKS = frozenset("，。！？；：、,.!?;:\n…~～")
_ASCII_WORD = re.compile(r"[a-z0-9]")
_SPACES = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")
_FLAG_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TIERS = ("strong_keywords", "keywords", "weak_keywords")
_MAX_WORD_CHARS = 50
_MAX_KEYWORD_REASONS = 3  # enough to explain a choice on a receipt-sized screen


class TriagePolicyError(ValueError):
    """The ``triage`` or ``levels`` data of a policy document is unusable."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class ComplaintInput:
    """What triage looks at: the complaint text and who made it, how."""

    text: str
    channel: str = "desk"
    member_tier: str = "none"
    customers: int = 1


@dataclass(frozen=True)
class Reason:
    """One rule that contributed to a triage result, and what fired it."""

    rule: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"rule": self.rule, "detail": self.detail}


@dataclass(frozen=True)
class TriageResult:
    """The automatic triage of one complaint."""

    category: str
    subcategory: str
    level: int
    flags: tuple[str, ...]
    departments: tuple[str, ...]
    respond_within_minutes: int
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form; ``department`` is the first (leading) department."""
        return {
            "category": self.category,
            "subcategory": self.subcategory,
            "level": self.level,
            "flags": list(self.flags),
            "department": self.departments[0] if self.departments else "",
            "departments": list(self.departments),
            "respond_within_minutes": self.respond_within_minutes,
            "reasons": [r.as_dict() for r in self.reasons],
        }


# ---------------------------------------------------------------- word matching


@dataclass(frozen=True)
class _Hit:
    """What finding one word means: ``kind`` is sub, flag, inquiry, loss, neg, hedge
    or neutral; ``target`` the subcategory or flag; ``rule`` the flag rule's index."""

    kind: str
    target: str = ""
    weight: float = 0.0
    rule: int = 0
    exact: bool = False  # an ASCII word that must end at a word boundary
    hedged: bool = False  # a flag word that a hedge (差点, almost) just before cancels
    weak: bool = False  # a weak keyword: context only, never enough for a flag


def _normalise(text: str, variants: Mapping[int, str]) -> str:
    """NFKC (full-width → ASCII), lower case, variant map, spaces between Chinese dropped."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(variants)
    return _CJK_GAP.sub("", _SPACES.sub(" ", folded))


def _split_word(raw: str, normalise: Callable[[str], str]) -> tuple[str, bool]:
    """Normalised word and whether it must end at an ASCII word boundary."""
    stem = raw.endswith("*")
    word = normalise(raw[:-1] if stem else raw)
    return word, bool(word) and not stem and bool(_ASCII_WORD.match(word[-1]))


class _Matcher:
    """All policy words in one dict; finds maximal, possibly crossing matches in one pass.

    For each position the longest word starting there is looked up by slicing only the
    lengths that words starting with that character have: a dozen dict look-ups per
    character at most, and in practice two or three (an Aho-Corasick automaton in pure
    Python is slower than this, and one big regex alternation is slower still because
    the regex engine tries its top-level branches one by one at each position).
    """

    def __init__(self, hits: Mapping[str, list[_Hit]]) -> None:
        self._hits = {w: tuple(h) for w, h in hits.items()}
        # Words whose every use is a whole English word: skip them when glued to a letter.
        self._bounded = frozenset(w for w, hs in self._hits.items() if all(h.exact for h in hs))
        lengths: dict[str, set[int]] = {}
        for word in self._hits:
            lengths.setdefault(word[0], set()).add(len(word))
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}

    def scan(self, text: str) -> list[tuple[int, int, tuple[_Hit, ...]]]:
        """(start, end, hits) of each word found, minus words inside a longer one."""
        hits_of, bounded, lengths_of = self._hits, self._bounded, self._lengths
        size = len(text)
        result: list[tuple[int, int, tuple[_Hit, ...]]] = []
        reach = 0  # end of the last word kept: a word ending by then lies inside it
        prev_word_char = False
        for start, ch in enumerate(text):
            lengths = lengths_of.get(ch)
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


def _context_regex(words: Iterable[str], normalise: Callable[[str], str]) -> re.Pattern[str]:
    """A plain alternation for a rule's context words (substring match, no maximality)."""
    alts = []
    for raw in words:
        word, exact = _split_word(raw, normalise)
        left = "(?<![a-z0-9])" if _ASCII_WORD.match(word[:1]) else ""
        alts.append(left + re.escape(word) + ("(?![a-z0-9])" if exact else ""))
    return re.compile("|".join(sorted(alts, key=len, reverse=True)))


def _whole_word(text: str, start: int, end: int) -> str:
    """The matched text, an English stem widened to its word ("mould" → "mouldy")."""
    while end < len(text) and text[end].isascii() and text[end].isalnum():
        end += 1
    return text[start:end]


def _clause_gap(text: str, end: int, start: int, window: int) -> bool:
    """True when *end* is at most *window* characters before *start*, same clause."""
    return 0 <= start - end <= window and not any(c in _CLAUSE_BREAKS for c in text[end:start])


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class _Subcategory:
    category: str
    name: str
    departments: tuple[str, ...]


@dataclass(frozen=True)
class _FlagRule:
    requires: re.Pattern[str] | None
    hedged: bool
    unless_flags: tuple[str, ...]


@dataclass(frozen=True)
class _Flag:
    name: str
    subcategories: frozenset[str]
    needs_keyword: bool  # the subcategory counts only when chosen on more than weak words
    rules: tuple[_FlagRule, ...]
    member_tiers: frozenset[str]
    min_customers: int | None
    recent_threshold: int | None
    window_minutes: int | None


@dataclass(frozen=True)
class _Negation:
    window: int
    window_ascii: int
    hedge_window: int
    hedge_window_ascii: int
    subcategories: frozenset[str]


@dataclass(frozen=True)
class TriageRules:
    """The parsed and validated ``triage`` section and ``levels`` of a policy document."""

    subcategories: Mapping[str, _Subcategory]
    tie_rank: Mapping[str, int]
    default_subcategory: str
    channel_bias: Mapping[str, tuple[str, ...]]
    channel_weight: float
    flags: tuple[_Flag, ...]
    negation: _Negation
    respond_within: Mapping[int, int]
    variants: Mapping[int, str]
    matcher: _Matcher

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> TriageRules:
        """Parse and validate; :class:`TriagePolicyError` names the first bad path.

        Reads ``levels`` and ``triage``, and checks names against the document's
        ``departments``, ``channels`` and ``member_tiers`` when it has them.
        """
        return _Parser(policy).rules()

    def normalise(self, text: str) -> str:
        """The form both complaint texts and policy words are compared in."""
        return _normalise(text, self.variants)


# ---------------------------------------------------------------- policy parsing


def _is_number(value: object) -> bool:
    # bool is an int subclass: a weight of `true` is a mistake, not 1.
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Parser:
    """Validates the policy document while building the rules, path by path."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        if not isinstance(doc, Mapping):
            raise TriagePolicyError("$", "the policy document must be a JSON object")
        self.doc = doc
        self.hits: dict[str, list[_Hit]] = {}
        self.variants: dict[int, str] = {}
        self.subs: dict[str, _Subcategory] = {}

    # -- small typed getters
    def obj(self, node: Mapping[str, Any], key: str, path: str,
            required: bool = True) -> Mapping[str, Any]:
        value = node.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, Mapping):
            raise TriagePolicyError(path, "missing" if value is None else "expected an object")
        return value

    def strings(self, node: Mapping[str, Any], key: str, path: str,
                required: bool = False) -> list[str]:
        value = node.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise TriagePolicyError(path, "missing" if value is None else "expected a list")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise TriagePolicyError(f"{path}[{i}]", "expected a non-empty string")
        return value

    def number(self, node: Mapping[str, Any], key: str, path: str, *, integer: bool,
               minimum: float, default: float | None = None) -> float:
        value = node.get(key, default)
        if value is None:
            raise TriagePolicyError(path, "missing")
        if not _is_number(value) or (integer and not isinstance(value, int)):
            raise TriagePolicyError(path, "expected an integer" if integer else "expected a number")
        if value < minimum:
            raise TriagePolicyError(path, f"must be at least {minimum:g}")
        return float(value)

    def names(self, node: Mapping[str, Any], key: str, path: str, known: Iterable[str],
              what: str) -> list[str]:
        values = self.strings(node, key, path)
        allowed = set(known)
        for i, item in enumerate(values):
            if item not in allowed:
                raise TriagePolicyError(f"{path}[{i}]", f"unknown {what} {item!r}")
        return values

    def normalise(self, text: str) -> str:
        return _normalise(text, self.variants).strip()

    def word(self, raw: str, path: str) -> tuple[str, bool]:
        """Add-ready (word, exact) of a policy word, validated."""
        if len(raw) > _MAX_WORD_CHARS:
            raise TriagePolicyError(path, f"longer than {_MAX_WORD_CHARS} characters")
        if "*" in raw[:-1] or (raw.endswith("*") and not _ASCII_WORD.match(
                self.normalise(raw[:-1])[-1:])):
            raise TriagePolicyError(path, "* may only end an English (ASCII) word")
        word, exact = _split_word(raw, self.normalise)
        if not word:
            raise TriagePolicyError(path, "empty after normalisation")
        return word, exact

    def add_words(self, words: list[str], path: str, **hit: Any) -> None:
        for i, raw in enumerate(words):
            word, exact = self.word(raw, f"{path}[{i}]")
            self.hits.setdefault(word, []).append(_Hit(exact=exact, **hit))

    # -- sections
    def rules(self) -> TriageRules:
        doc = self.doc
        levels = self.obj(doc, "levels", "levels")
        respond = {
            n: int(self.number(self.obj(levels, str(n), f"levels.{n}"), "respond_within_minutes",
                               f"levels.{n}.respond_within_minutes", integer=True, minimum=1))
            for n in (1, 2, 3)
        }
        triage = self.obj(doc, "triage", "triage")
        self.parse_variants(triage)
        weights = self.obj(triage, "weights", "triage.weights")
        tier_weight = {
            t: self.number(weights, t, f"triage.weights.{t}", integer=False, minimum=1e-9)
            for t in _TIERS
        }
        self.parse_categories(triage, tier_weight)
        default = self.obj(triage, "default", "triage.default")
        default_sub = str(default.get("subcategory"))
        if (default_sub not in self.subs
                or self.subs[default_sub].category != default.get("category")):
            raise TriagePolicyError("triage.default", "not a category/subcategory pair")
        tie = self.names(triage, "tie_break", "triage.tie_break", self.subs, "subcategory")
        if len(set(tie)) != len(tie):
            raise TriagePolicyError("triage.tie_break", "a subcategory is listed twice")
        order = tie + [s for s in self.subs if s not in tie]
        bias_node = self.obj(triage, "channel_bias", "triage.channel_bias", required=False)
        channels = doc.get("channels")
        bias: dict[str, tuple[str, ...]] = {}
        for channel in bias_node:
            path = f"triage.channel_bias.{channel}"
            if isinstance(channels, Mapping | list) and channel not in channels:
                raise TriagePolicyError(path, f"unknown channel {channel!r}")
            bias[channel] = tuple(self.names(bias_node, channel, path, self.subs, "subcategory"))
        channel_weight = self.number(weights, "channel", "triage.weights.channel",
                                     integer=False, minimum=0, default=0)
        flags = self.parse_flags(self.obj(triage, "flags", "triage.flags"))
        level3 = self.obj(triage, "level3", "triage.level3")
        self.add_words(self.strings(level3, "inquiry_keywords", "triage.level3.inquiry_keywords",
                                    required=True), "triage.level3.inquiry_keywords",
                       kind="inquiry")
        self.add_words(self.strings(level3, "loss_keywords", "triage.level3.loss_keywords"),
                       "triage.level3.loss_keywords", kind="loss")
        negation = self.parse_negation(self.obj(triage, "negation", "triage.negation",
                                                required=False))
        return TriageRules(
            subcategories=dict(self.subs),
            tie_rank={s: i for i, s in enumerate(order)},
            default_subcategory=default_sub,
            channel_bias=bias,
            channel_weight=channel_weight,
            flags=flags,
            negation=negation,
            respond_within=respond,
            variants=dict(self.variants),
            matcher=_Matcher(self.hits),
        )

    def parse_variants(self, triage: Mapping[str, Any]) -> None:
        node = self.obj(triage, "variants", "triage.variants", required=False)
        if not node:
            return
        src, dst = node.get("from"), node.get("to")
        if not isinstance(src, str) or not isinstance(dst, str) or len(src) != len(dst):
            raise TriagePolicyError("triage.variants", "needs strings from and to of equal length")
        if len(set(src)) != len(src):
            raise TriagePolicyError("triage.variants.from", "a character is mapped twice")
        self.variants = {ord(a): b for a, b in zip(src, dst, strict=True)}

    def parse_categories(self, triage: Mapping[str, Any], weight: Mapping[str, float]) -> None:
        departments = self.doc.get("departments")
        categories = self.obj(triage, "categories", "triage.categories")
        if not categories:
            raise TriagePolicyError("triage.categories", "no categories")
        for cat, cat_node in categories.items():
            cpath = f"triage.categories.{cat}"
            cat_node = self.obj(categories, cat, cpath)
            subs = self.obj(cat_node, "subcategories", f"{cpath}.subcategories")
            if not subs:
                raise TriagePolicyError(f"{cpath}.subcategories", "no subcategories")
            for sub in subs:
                path = f"{cpath}.subcategories.{sub}"
                if sub in self.subs:
                    raise TriagePolicyError(path, "subcategory names must be unique")
                node = self.obj(subs, sub, path)
                known = departments if isinstance(departments, Mapping) else None
                depts = self.strings(node, "departments", f"{path}.departments", required=True)
                if not depts:
                    raise TriagePolicyError(f"{path}.departments", "needs a department")
                if known is not None:
                    self.names(node, "departments", f"{path}.departments", known, "department")
                self.subs[sub] = _Subcategory(cat, sub, tuple(depts))
                seen: dict[str, str] = {}
                for tier in _TIERS:
                    words = self.strings(node, tier, f"{path}.{tier}", required=tier == "keywords")
                    for i, raw in enumerate(words):
                        wpath = f"{path}.{tier}[{i}]"
                        word, exact = self.word(raw, wpath)
                        if word in seen:
                            raise TriagePolicyError(wpath, f"{raw!r} is already in {seen[word]}")
                        seen[word] = wpath
                        self.hits.setdefault(word, []).append(_Hit(
                            "sub", sub, weight[tier], exact=exact, weak=tier == _TIERS[2]))

    def parse_flags(self, node: Mapping[str, Any]) -> tuple[_Flag, ...]:
        tiers = self.doc.get("member_tiers")
        flags: list[_Flag] = []
        for name in node:
            path = f"triage.flags.{name}"
            if not _FLAG_NAME.match(name):
                raise TriagePolicyError(path, "flag names are lower_case identifiers")
            spec = self.obj(node, name, path)
            rules_raw = spec.get("rules", [])
            if not isinstance(rules_raw, list):
                raise TriagePolicyError(f"{path}.rules", "expected a list")
            rules = []
            for i in range(len(rules_raw)):
                rpath = f"{path}.rules[{i}]"
                rule = self.obj({"r": rules_raw[i]}, "r", rpath)
                words = self.strings(rule, "words", f"{rpath}.words", required=True)
                hedged = rule.get("hedged", False)
                if not isinstance(hedged, bool):
                    raise TriagePolicyError(f"{rpath}.hedged", "expected true or false")
                self.add_words(words, f"{rpath}.words", kind="flag", target=name, rule=i,
                               hedged=hedged)
                requires = self.strings(rule, "requires", f"{rpath}.requires")
                for j, raw in enumerate(requires):
                    self.word(raw, f"{rpath}.requires[{j}]")
                unless = self.names(rule, "unless_flags", f"{rpath}.unless_flags",
                                    [f.name for f in flags], "earlier flag")
                rules.append(_FlagRule(
                    _context_regex(requires, self.normalise) if requires else None,
                    hedged, tuple(unless)))
            member_tiers: list[str] = self.strings(spec, "member_tiers", f"{path}.member_tiers")
            if isinstance(tiers, list):
                self.names(spec, "member_tiers", f"{path}.member_tiers", tiers, "member tier")
            ints: dict[str, int | None] = {}
            for key in ("min_customers", "recent_threshold", "window_minutes"):
                ints[key] = (None if spec.get(key) is None else int(
                    self.number(spec, key, f"{path}.{key}", integer=True, minimum=1)))
            if (ints["recent_threshold"] is None) != (ints["window_minutes"] is None):
                raise TriagePolicyError(path, "recent_threshold and window_minutes go together")
            needs_keyword = spec.get("subcategory_needs_keyword", False)
            if not isinstance(needs_keyword, bool):
                raise TriagePolicyError(f"{path}.subcategory_needs_keyword",
                                        "expected true or false")
            flags.append(_Flag(name, frozenset(self.names(
                spec, "subcategories", f"{path}.subcategories", self.subs, "subcategory")),
                needs_keyword, tuple(rules), frozenset(member_tiers), ints["min_customers"],
                ints["recent_threshold"], ints["window_minutes"]))
        if sum(f.recent_threshold is not None for f in flags) != 1:
            raise TriagePolicyError("triage.flags", "exactly one flag needs recent_threshold "
                                    "and window_minutes (the group rule)")
        return tuple(flags)

    def parse_negation(self, node: Mapping[str, Any]) -> _Negation:
        path = "triage.negation"
        for key, kind in (("negators", "neg"), ("hedges", "hedge"), ("phrases", "neutral")):
            self.add_words(self.strings(node, key, f"{path}.{key}"), f"{path}.{key}", kind=kind)

        def window(key: str) -> int:
            return int(self.number(node, key, f"{path}.{key}", integer=True, minimum=0,
                                   default=0))

        return _Negation(
            window("window_chars"), window("window_chars_ascii"),
            window("hedge_window_chars"), window("hedge_window_chars_ascii"),
            frozenset(self.names(node, "subcategories", f"{path}.subcategories", self.subs,
                                 "subcategory")),
        )


# ---------------------------------------------------------------- the engine


class Triage:
    """Triages complaints with one set of rules; cheap to call, safe to share."""

    def __init__(self, rules: TriageRules) -> None:
        self._rules = rules
        self._group = next(f for f in rules.flags if f.recent_threshold is not None)

    def group_window_minutes(self) -> int:
        """How far back the store's tickets count for the group rule (policy: 120)."""
        assert self._group.window_minutes is not None
        return self._group.window_minutes

    def group_threshold(self) -> int:
        """Tickets of one subcategory in the window, this one included, that make a group."""
        assert self._group.recent_threshold is not None
        return self._group.recent_threshold

    def triage(self, complaint: ComplaintInput,
               recent_same_subcategory: Mapping[str, int] | None = None) -> TriageResult:
        """Category, subcategory, level, flags, routing and reasons of *complaint*.

        *recent_same_subcategory* maps a subcategory to the number of the store's
        tickets of it within :meth:`group_window_minutes`, not counting this one.
        """
        rules = self._rules
        neg = rules.negation
        text = rules.normalise(complaint.text)
        matches = rules.matcher.scan(text)
        neg_ends = [e for _, e, hits in matches for h in hits if h.kind == "neg"]
        hedge_ends = [e for _, e, hits in matches for h in hits if h.kind == "hedge"]

        def preceded(ends: list[int], start: int, window: int, window_ascii: int) -> bool:
            # *ends* is sorted (kept matches never nest), so only the few ends just
            # before *start* are looked at: linear time even on a megabyte of keywords.
            limit = window_ascii if _ASCII_WORD.match(text[start]) else window
            i = bisect_right(ends, start) - 1
            while i >= 0 and ends[i] >= start - limit:
                if _clause_gap(text, ends[i], start, limit):
                    return True
                i -= 1
            return False

        scores: dict[str, float] = {}
        found: dict[str, dict[str, float]] = {}  # subcategory → word → weight
        keyed: set[str] = set()  # subcategories with at least one non-weak word
        flag_words: dict[tuple[str, int], list[str]] = {}
        inquiry: list[str] = []
        loss: list[str] = []
        for start, end, hits in matches:
            word = _whole_word(text, start, end)
            for hit in hits:
                if hit.kind == "sub":
                    if (hit.target in neg.subcategories and neg_ends
                            and preceded(neg_ends, start, neg.window, neg.window_ascii)):
                        continue
                    words = found.setdefault(hit.target, {})
                    if not hit.weak:
                        keyed.add(hit.target)
                    if word not in words:  # each distinct word counts once
                        words[word] = hit.weight
                        scores[hit.target] = scores.get(hit.target, 0.0) + hit.weight
                elif hit.kind == "flag":
                    if hit.hedged and hedge_ends and preceded(
                            hedge_ends, start, neg.hedge_window, neg.hedge_window_ascii):
                        continue
                    seen = flag_words.setdefault((hit.target, hit.rule), [])
                    if word not in seen:
                        seen.append(word)
                elif hit.kind == "inquiry":
                    inquiry.append(word)
                elif hit.kind == "loss":
                    loss.append(word)
        biased = rules.channel_bias.get(complaint.channel, ())
        for sub in biased:
            scores[sub] = scores.get(sub, 0.0) + rules.channel_weight

        reasons: list[Reason] = []
        if scores and max(scores.values()) > 0:
            sub = max(scores, key=lambda s: (scores[s], -rules.tie_rank[s]))
            ranked = sorted(found.get(sub, {}).items(), key=lambda kv: -kv[1])
            reasons += [Reason("keyword", w) for w, _ in ranked[:_MAX_KEYWORD_REASONS]]
            if sub in biased and rules.channel_weight > 0:
                reasons.append(Reason("channel", complaint.channel))
        else:
            sub = rules.default_subcategory
            reasons.append(Reason("default", "no keyword matched"))
        info = rules.subcategories[sub]

        fired: set[str] = set()
        for flag in rules.flags:
            why = self._flag_reasons(flag, sub, sub in keyed, text, flag_words, fired,
                                     complaint, recent_same_subcategory)
            if why:
                fired.add(flag.name)
                reasons += why

        if fired:
            level = 1
        elif inquiry and not loss:
            level = 3
            reasons.append(Reason("level:inquiry", inquiry[0]))
        else:
            level = 2
            if inquiry:
                reasons.append(Reason("level:loss", loss[0]))
        return TriageResult(
            category=info.category,
            subcategory=sub,
            level=level,
            flags=tuple(sorted(fired)),
            departments=info.departments,
            respond_within_minutes=rules.respond_within[level],
            reasons=tuple(reasons),
        )

    @staticmethod
    def _flag_reasons(flag: _Flag, sub: str, keyed: bool, text: str,
                      flag_words: Mapping[tuple[str, int], list[str]], fired: set[str],
                      complaint: ComplaintInput,
                      recent: Mapping[str, int] | None) -> list[Reason]:
        rule_name = f"flag:{flag.name}"
        why: list[Reason] = []
        if sub in flag.subcategories and (keyed or not flag.needs_keyword):
            why.append(Reason(rule_name, f"subcategory {sub}"))
        for i, rule in enumerate(flag.rules):
            words = flag_words.get((flag.name, i))
            if not words or fired.intersection(rule.unless_flags):
                continue
            if rule.requires is not None:
                context = rule.requires.search(text)
                if context is None:
                    continue
                why += [Reason(rule_name, f"{w} + {context.group()}")
                        for w in words[:_MAX_KEYWORD_REASONS]]
            else:
                why += [Reason(rule_name, w) for w in words[:_MAX_KEYWORD_REASONS]]
        if complaint.member_tier in flag.member_tiers:
            why.append(Reason(flag.name, complaint.member_tier))
        if flag.min_customers is not None and complaint.customers >= flag.min_customers:
            why.append(Reason(rule_name, f"{complaint.customers} customers"))
        if flag.recent_threshold is not None and recent:
            count = recent.get(sub, 0) + 1
            if count >= flag.recent_threshold:
                why.append(Reason(f"{flag.name}:recent",
                                  f"{count} {sub} in {flag.window_minutes} min"))
        return why
