"""The rules of triage: the policy's keywords, concept lexicons and flag rules, parsed.

Every word is policy data (``triage`` and ``levels`` of the policy document), so
headquarters tunes them without a release, and every result names the words that
decided it. How the rules read a text (see :mod:`domain.triage.engine`):

* text and policy words are normalised alike (:mod:`domain.triage.text`);
* one pass finds every policy word (:class:`~domain.triage.matcher.Matcher`); a word
  found inside a longer one is dropped (``卫生间`` is a room, not ``卫生`` hygiene; the
  explicit negated phrase ``没有受伤`` swallows ``受伤``);
* each subcategory scores the weights of its distinct words (strong, normal, weak tiers);
* a flag rule fires on one of its words, written out or drawn from a named **concept
  lexicon** (``"@gi_symptom"`` is every word of ``triage.concepts.gi_symptom``), when its
  context holds: ``requires`` anywhere in the text, ``after`` within ``within_chars``
  before the word, ``around`` within ``within_chars`` either side (ate … then a
  symptom, or the symptom, then what was eaten), ``near`` in the same clause within
  ``within_chars``; ``prefixes``/``suffixes`` compose words (发 + 抖音); ``hedged`` words
  are cancelled by a hedge just before them (差点摔倒) or by a worry earlier in their
  clause (担心孩子吃了会拉肚子), and every flag word is cancelled
  by a real negation in its clause (没有 / 没 / 未 … and a few fillers: 没有出现拉肚子);
* any flag means level 1; an inquiry with no loss word means level 3; else level 2.

Generic negation (``不是假货``) lowers subcategory scores within a character or two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.triage.matcher import ASCII_WORD, Hit, Matcher, context_regex, split_word
from domain.triage.text import NormalisePolicyError, Normaliser, parse_normaliser

_FLAG_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TIERS = ("strong_keywords", "keywords", "weak_keywords")
_MAX_WORD_CHARS = 50
_MAX_CONCEPT_DEPTH = 4


class TriagePolicyError(ValueError):
    """The ``triage`` or ``levels`` data of a policy document is unusable."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Subcategory:
    """A subcategory's category and the departments it is routed to."""

    category: str
    name: str
    departments: tuple[str, ...]


@dataclass(frozen=True)
class FlagRule:
    """One way a flag fires: its words (in the matcher) and the context they need."""

    requires: re.Pattern[str] | None  # anywhere in the text
    after: re.Pattern[str] | None  # within ``window`` characters before the word
    around: re.Pattern[str] | None  # within ``window`` characters either side
    near: re.Pattern[str] | None  # in the word's clause, within ``window`` either side
    window: int
    hedged: bool
    unless_flags: tuple[str, ...]


@dataclass(frozen=True)
class Flag:
    """A risk flag: the subcategories, rules, tiers and counts that raise it."""

    name: str
    subcategories: frozenset[str]
    needs_keyword: bool  # the subcategory counts only when chosen on more than weak words
    rules: tuple[FlagRule, ...]
    member_tiers: frozenset[str]
    min_customers: int | None
    recent_threshold: int | None
    window_minutes: int | None


@dataclass(frozen=True)
class Negation:
    """Generic negation of subcategory words, hedges, and real negation of flag words."""

    window: int
    window_ascii: int
    hedge_window: int
    hedge_window_ascii: int
    subcategories: frozenset[str]
    flag_negation: re.Pattern[str] | None  # matches the clause before a word, reversed
    flag_negation_tails: frozenset[str]  # the characters such a negation can end with
    flag_window: int  # how far back in the clause a flag word's negator or worry may stand


@dataclass(frozen=True)
class TriageRules:
    """The parsed and validated ``triage`` section and ``levels`` of a policy document."""

    subcategories: Mapping[str, Subcategory]
    tie_rank: Mapping[str, int]
    default_subcategory: str
    channel_bias: Mapping[str, tuple[str, ...]]
    channel_weight: float
    flags: tuple[Flag, ...]
    negation: Negation
    respond_within: Mapping[int, int]
    normaliser: Normaliser
    matcher: Matcher

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> TriageRules:
        """Parse and validate; :class:`TriagePolicyError` names the first bad path.

        Reads ``levels`` and ``triage``, and checks names against the document's
        ``departments``, ``channels`` and ``member_tiers`` when it has them.
        """
        return _Parser(policy).rules()

    def normalise(self, text: str) -> str:
        """The form both complaint texts and policy words are compared in."""
        return self.normaliser.normalise(text)


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
        self.hits: dict[str, list[Hit]] = {}
        self.normaliser = Normaliser()
        self.concepts: Mapping[str, Any] = {}
        self.subs: dict[str, Subcategory] = {}

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

    def flag(self, node: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            raise TriagePolicyError(path, "expected true or false")
        return value

    def names(self, node: Mapping[str, Any], key: str, path: str, known: Iterable[str],
              what: str) -> list[str]:
        values = self.strings(node, key, path)
        allowed = set(known)
        for i, item in enumerate(values):
            if item not in allowed:
                raise TriagePolicyError(f"{path}[{i}]", f"unknown {what} {item!r}")
        return values

    def normalise(self, text: str) -> str:
        return self.normaliser.normalise(text).strip()

    def word(self, raw: str, path: str) -> tuple[str, bool]:
        """Add-ready (word, exact) of a policy word, validated."""
        if len(raw) > _MAX_WORD_CHARS:
            raise TriagePolicyError(path, f"longer than {_MAX_WORD_CHARS} characters")
        if "*" in raw[:-1] or (raw.endswith("*") and not ASCII_WORD.match(
                self.normalise(raw[:-1])[-1:])):
            raise TriagePolicyError(path, "* may only end an English (ASCII) word")
        word, exact = split_word(raw, self.normalise)
        if not word:
            raise TriagePolicyError(path, "empty after normalisation")
        return word, exact

    def expand(self, words: list[str], path: str, depth: int = 0) -> list[tuple[str, str]]:
        """(raw word, its path) with every ``@concept`` replaced by the concept's words."""
        out: list[tuple[str, str]] = []
        for i, raw in enumerate(words):
            wpath = f"{path}[{i}]"
            if not raw.startswith("@"):
                out.append((raw, wpath))
                continue
            name = raw[1:]
            if name not in self.concepts:
                raise TriagePolicyError(wpath, f"unknown concept {name!r}")
            if depth >= _MAX_CONCEPT_DEPTH:
                raise TriagePolicyError(wpath, "concepts nest too deep (or in a cycle)")
            cpath = f"triage.concepts.{name}"
            out += self.expand(self.strings(self.concepts, name, cpath, required=True),
                               cpath, depth + 1)
        return out

    def add_words(self, words: list[str], path: str, **hit: Any) -> None:
        for raw, wpath in self.expand(words, path):
            word, exact = self.word(raw, wpath)
            self.hits.setdefault(word, []).append(Hit(exact=exact, **hit))

    def context(self, node: Mapping[str, Any], key: str, path: str) -> re.Pattern[str] | None:
        words = self.expand(self.strings(node, key, f"{path}.{key}"), f"{path}.{key}")
        for raw, wpath in words:
            self.word(raw, wpath)
        return context_regex([w for w, _ in words], self.normalise) if words else None

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
        try:
            self.normaliser = parse_normaliser(triage)
        except NormalisePolicyError as exc:
            raise TriagePolicyError(exc.path, exc.reason) from None
        self.concepts = self.obj(triage, "concepts", "triage.concepts", required=False)
        weights = self.obj(triage, "weights", "triage.weights")
        tier_weight = {
            t: self.number(weights, t, f"triage.weights.{t}", integer=False, minimum=1e-9)
            for t in TIERS
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
        self.mark_masking_phrases()
        return TriageRules(
            subcategories=dict(self.subs),
            tie_rank={s: i for i, s in enumerate(order)},
            default_subcategory=default_sub,
            channel_bias=bias,
            channel_weight=channel_weight,
            flags=flags,
            negation=negation,
            respond_within=respond,
            normaliser=self.normaliser,
            matcher=Matcher(self.hits),
        )

    def parse_categories(self, triage: Mapping[str, Any], weight: Mapping[str, float]) -> None:
        departments = self.doc.get("departments")
        categories = self.obj(triage, "categories", "triage.categories")
        if not categories:
            raise TriagePolicyError("triage.categories", "no categories")
        for cat in categories:
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
                self.subs[sub] = Subcategory(cat, sub, tuple(depts))
                seen: dict[str, str] = {}
                for tier in TIERS:
                    words = self.strings(node, tier, f"{path}.{tier}", required=tier == "keywords")
                    for raw, wpath in self.expand(words, f"{path}.{tier}"):
                        word, exact = self.word(raw, wpath)
                        if word in seen:
                            raise TriagePolicyError(wpath, f"{raw!r} is already in {seen[word]}")
                        seen[word] = wpath
                        self.hits.setdefault(word, []).append(Hit(
                            "sub", sub, weight[tier], exact=exact, weak=tier == TIERS[2],
                            strong=tier == TIERS[0]))

    def parse_rule(self, name: str, index: int, rule: Mapping[str, Any], path: str,
                   earlier: list[str]) -> FlagRule:
        words = self.strings(rule, "words", f"{path}.words", required=True)
        hedged = self.flag(rule, "hedged", f"{path}.hedged", False)
        prefixes = self.strings(rule, "prefixes", f"{path}.prefixes")
        suffixes = self.strings(rule, "suffixes", f"{path}.suffixes")
        expanded = self.expand(words, f"{path}.words")
        if prefixes or suffixes:
            # Composed words (发 + 抖音, 抖音 + 见): the bare word alone is not the rule.
            expanded = ([(p + w, wp) for w, wp in expanded for p in prefixes]
                        + [(w + x, wp) for w, wp in expanded for x in suffixes])
        for raw, wpath in expanded:
            word, exact = self.word(raw, wpath)
            self.hits.setdefault(word, []).append(
                Hit("flag", name, rule=index, exact=exact, hedged=hedged))
        window = int(self.number(rule, "within_chars", f"{path}.within_chars", integer=True,
                                 minimum=1, default=40))
        return FlagRule(
            requires=self.context(rule, "requires", path),
            after=self.context(rule, "after", path),
            around=self.context(rule, "around", path),
            near=self.context(rule, "near", path),
            window=window,
            hedged=hedged,
            unless_flags=tuple(self.names(rule, "unless_flags", f"{path}.unless_flags",
                                          earlier, "earlier flag")),
        )

    def parse_flags(self, node: Mapping[str, Any]) -> tuple[Flag, ...]:
        tiers = self.doc.get("member_tiers")
        flags: list[Flag] = []
        for name in node:
            path = f"triage.flags.{name}"
            if not _FLAG_NAME.match(name):
                raise TriagePolicyError(path, "flag names are lower_case identifiers")
            spec = self.obj(node, name, path)
            rules_raw = spec.get("rules", [])
            if not isinstance(rules_raw, list):
                raise TriagePolicyError(f"{path}.rules", "expected a list")
            rules = [
                self.parse_rule(name, i, self.obj({"r": rule}, "r", f"{path}.rules[{i}]"),
                                f"{path}.rules[{i}]", [f.name for f in flags])
                for i, rule in enumerate(rules_raw)
            ]
            member_tiers: list[str] = self.strings(spec, "member_tiers", f"{path}.member_tiers")
            if isinstance(tiers, list):
                self.names(spec, "member_tiers", f"{path}.member_tiers", tiers, "member tier")
            ints: dict[str, int | None] = {}
            for key in ("min_customers", "recent_threshold", "window_minutes"):
                ints[key] = (None if spec.get(key) is None else int(
                    self.number(spec, key, f"{path}.{key}", integer=True, minimum=1)))
            if (ints["recent_threshold"] is None) != (ints["window_minutes"] is None):
                raise TriagePolicyError(path, "recent_threshold and window_minutes go together")
            needs_keyword = self.flag(spec, "subcategory_needs_keyword",
                                      f"{path}.subcategory_needs_keyword", False)
            flags.append(Flag(name, frozenset(self.names(
                spec, "subcategories", f"{path}.subcategories", self.subs, "subcategory")),
                needs_keyword, tuple(rules), frozenset(member_tiers), ints["min_customers"],
                ints["recent_threshold"], ints["window_minutes"]))
        if sum(f.recent_threshold is not None for f in flags) != 1:
            raise TriagePolicyError("triage.flags", "exactly one flag needs recent_threshold "
                                    "and window_minutes (the group rule)")
        return tuple(flags)

    def mark_masking_phrases(self) -> None:
        """Neutral phrases that swallow a keyword or flag word (没过期, 不是假货) hide
        their words from the model too, as they do from the rules."""
        evidence = {w for w, hits in self.hits.items()
                    if any(h.kind in ("sub", "flag") for h in hits)}
        for word, hits in self.hits.items():
            if not any(h.kind == "neutral" for h in hits):
                continue
            inside = {word[i:j] for i in range(len(word)) for j in range(i + 1, len(word) + 1)}
            if inside & evidence:
                self.hits[word] = [Hit(h.kind, h.target, h.weight, h.rule, h.exact, h.hedged,
                                       h.weak, h.strong, masks=True)
                                   if h.kind == "neutral" else h for h in hits]

    def parse_negation(self, node: Mapping[str, Any]) -> Negation:
        path = "triage.negation"
        for key, kind in (("negators", "neg"), ("hedges", "hedge"), ("worries", "worry"),
                          ("phrases", "neutral")):
            self.add_words(self.strings(node, key, f"{path}.{key}"), f"{path}.{key}", kind=kind)

        def window(key: str, default: int = 0) -> int:
            return int(self.number(node, key, f"{path}.{key}", integer=True, minimum=0,
                                   default=default))

        return Negation(
            window("window_chars"), window("window_chars_ascii"),
            window("hedge_window_chars"), window("hedge_window_chars_ascii"),
            frozenset(self.names(node, "subcategories", f"{path}.subcategories", self.subs,
                                 "subcategory")),
            *self.flag_negation(node, path), window("flag_window_chars", 12),
        )

    def flag_negation(self, node: Mapping[str, Any], path: str
                      ) -> tuple[re.Pattern[str] | None, frozenset[str]]:
        """The pattern of a real negation standing just before a flag word (a negator
        then at most ``flag_max_fillers`` fillers: 没有 + 出现 + 拉肚子, not hurt), and the
        characters it can end with."""
        negators = self.strings(node, "flag_negators", f"{path}.flag_negators")
        if not negators:
            return None, frozenset()
        fillers = self.strings(node, "flag_fillers", f"{path}.flag_fillers")
        most = int(self.number(node, "flag_max_fillers", f"{path}.flag_max_fillers",
                               integer=True, minimum=0, default=2))

        # The pattern reads the clause backwards from the word: one anchored match,
        # not a search over every position that could start a negation.
        def alternation(words: list[str], key: str) -> str:
            alts = []
            for i, raw in enumerate(words):
                word = self.word(raw, f"{path}.{key}[{i}]")[0]
                edge = r"(?![a-z])" if ASCII_WORD.match(word[0]) else ""
                alts.append(re.escape(word[::-1]) + edge)
            return "|".join(sorted(alts, key=len, reverse=True))

        filler = (rf"(?:(?:{alternation(fillers, 'flag_fillers')}) ?){{0,{most}}}"
                  if fillers and most else "")
        tails = frozenset(self.normalise(w)[-1] for w in (*negators, *(fillers if most else ())))
        return (re.compile(rf" ?{filler}(?:{alternation(negators, 'flag_negators')})"), tails)
