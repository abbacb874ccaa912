"""Triage: the rules and the model read a complaint; one decision comes out.

:meth:`Triage.read` does the work that depends only on the text (normalising, finding
the policy's words, the model's prediction); :meth:`Triage.decide` turns a reading into
the category, level, flags and reasons under a :class:`~domain.triage.model.Combination`.
Splitting them lets training try many combinations on a validation split cheaply.

Flags are never lowered by the model: level 1 is any rule flag **or** the model's
level-1 probability at its threshold. When only the model sees level 1, the flag it
names is its most likely text flag, so a level-1 ticket always says which risk it is.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.triage.matcher import ASCII_WORD, clause_end, clause_gap, clause_start, whole_word
from domain.triage.model import (
    LEVEL1,
    MASK,
    SUB_PREFIX,
    Combination,
    ModelOutput,
    ModelPolicyError,
    TriageModel,
    has_evidence,
    parse_model,
)
from domain.triage.result import ComplaintInput, Reason, TriageResult
from domain.triage.rules import Flag, FlagRule, TriagePolicyError, TriageRules

_MAX_KEYWORD_REASONS = 3  # enough to explain a choice on a receipt-sized screen
_NO_PROBABILITY = 1e-9


@dataclass(frozen=True)
class Reading:
    """What the rules and the model found in one complaint, before any decision."""

    complaint: ComplaintInput
    text: str  # normalised
    model_text: str  # what the model reads: the normalised text, negated words masked
    scores: Mapping[str, float]  # subcategory → rule score (channel bias included)
    named: Mapping[str, float]  # subcategory → score of its non-weak words only
    found: Mapping[str, Mapping[str, float]]  # subcategory → word → weight
    keyed: frozenset[str]  # subcategories with at least one non-weak word
    strong: frozenset[str]  # subcategories with a strong keyword (发霉, 异物, mould…)
    biased: tuple[str, ...]
    flag_words: Mapping[tuple[str, int], tuple[tuple[str, int, int], ...]]
    flagged: frozenset[str]  # the flags some word of the text stands for
    inquiry: tuple[str, ...]
    loss: tuple[str, ...]
    model: ModelOutput | None


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """*text* with each span replaced by one mask character (spans may overlap)."""
    if not spans:
        return text
    parts, at = [], 0
    for start, end in sorted(spans):
        if end <= at:
            continue
        parts.append(text[at:max(at, start)])
        parts.append(MASK)
        at = end
    parts.append(text[at:])
    return "".join(parts)


def _logit(p: float) -> float:
    p = min(max(p, _NO_PROBABILITY), 1 - _NO_PROBABILITY)
    return math.log(p / (1 - p))


class Triage:
    """Triages complaints with one set of rules and, when the policy has one, a model."""

    def __init__(self, rules: TriageRules, model: TriageModel | None = None) -> None:
        self._rules = rules
        self._model = model
        self._group = next(f for f in rules.flags if f.recent_threshold is not None)
        self._text_flags = frozenset(
            h.removeprefix("flag:") for h in (model.heads if model else ())
            if h.startswith("flag:"))

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> Triage:
        """The engine of a policy document: its rules, and its model when it has one this
        desk can read. :class:`TriagePolicyError` names the first bad path."""
        rules = TriageRules.from_policy(policy)
        node = policy.get("triage", {})
        try:
            model = parse_model(node.get("model") if isinstance(node, Mapping) else None,
                                rules.subcategories)
        except ModelPolicyError as exc:
            raise TriagePolicyError(exc.path, exc.reason) from None
        return cls(rules, model)

    @property
    def rules(self) -> TriageRules:
        """The parsed rules."""
        return self._rules

    @property
    def model(self) -> TriageModel | None:
        """The learned model beside the rules, or None (rules alone)."""
        return self._model

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
        return self.decide(self.read(complaint), recent_same_subcategory)

    # ------------------------------------------------------------ reading

    def read(self, complaint: ComplaintInput, *, with_model: bool = True) -> Reading:
        """Normalise, find the policy's words and ask the model (when there is one)."""
        rules = self._rules
        neg = rules.negation
        text = rules.normalise(complaint.text)
        matches = rules.matcher.scan(text)
        ends: dict[str, list[int]] = {"neg": [], "hedge": [], "worry": []}
        for _, end, hits in matches:
            for h in hits:
                if h.kind in ends:
                    ends[h.kind].append(end)
        neg_ends, hedge_ends, worry_ends = ends["neg"], ends["hedge"], ends["worry"]

        def preceded(ends: list[int], start: int, window: int, window_ascii: int) -> bool:
            # *ends* is sorted (kept matches never nest), so only the few ends just
            # before *start* are looked at: linear time even on a megabyte of keywords.
            limit = window_ascii if ASCII_WORD.match(text[start]) else window
            i = bisect_right(ends, start) - 1
            while i >= 0 and ends[i] >= start - limit:
                if clause_gap(text, ends[i], start, limit):
                    return True
                i -= 1
            return False

        scores: dict[str, float] = {}
        named: dict[str, float] = {}  # the same without weak words (nouns): for the model
        found: dict[str, dict[str, float]] = {}
        keyed: set[str] = set()
        strong: set[str] = set()
        flag_words: dict[tuple[str, int], list[tuple[str, int, int]]] = {}
        inquiry: list[str] = []
        loss: list[str] = []
        masked: list[tuple[int, int]] = []  # words the rules read as negated or hedged
        for start, end, hits in matches:
            word = whole_word(text, start, end)
            denied: bool | None = None  # a real negation in the clause (found once, lazily)
            for hit in hits:
                if hit.kind == "sub":
                    if hit.target in neg.subcategories and (
                            (neg_ends and preceded(neg_ends, start, neg.window, neg.window_ascii))
                            or (hedge_ends and preceded(hedge_ends, start, neg.hedge_window,
                                                       neg.hedge_window_ascii))
                            or (denied := self._negated(text, start)
                                if denied is None else denied)):
                        masked.append((start, end))
                        continue
                    words = found.setdefault(hit.target, {})
                    if not hit.weak:
                        keyed.add(hit.target)
                        if hit.strong:
                            strong.add(hit.target)
                    if word not in words:  # each distinct word counts once
                        words[word] = hit.weight
                        scores[hit.target] = scores.get(hit.target, 0.0) + hit.weight
                        if not hit.weak:
                            named[hit.target] = named.get(hit.target, 0.0) + hit.weight
                elif hit.kind == "flag":
                    if denied is None:
                        denied = self._negated(text, start)
                    if denied or (hit.hedged and (
                            (hedge_ends and preceded(hedge_ends, start, neg.hedge_window,
                                                    neg.hedge_window_ascii))
                            or (worry_ends and preceded(worry_ends, start, neg.flag_window,
                                                       neg.flag_window * 3)))):
                        masked.append((start, end))
                        continue
                    seen = flag_words.setdefault((hit.target, hit.rule), [])
                    if len(seen) < 16 and all(w != word for w, _, _ in seen):
                        seen.append((word, start, end))
                elif hit.kind == "neutral":
                    if hit.masks:
                        masked.append((start, end))
                elif hit.kind == "inquiry":
                    inquiry.append(word)
                elif hit.kind == "loss":
                    loss.append(word)
        biased = rules.channel_bias.get(complaint.channel, ())
        for sub in biased:
            scores[sub] = scores.get(sub, 0.0) + rules.channel_weight
        model_text = _mask(text, masked)
        model = (self._model.predict(model_text, complaint.channel)
                 if with_model and self._model is not None and has_evidence(model_text)
                 else None)
        return Reading(
            complaint=complaint, text=text, model_text=model_text, scores=scores,
            named=named, found=found,
            keyed=frozenset(keyed), strong=frozenset(strong), biased=biased,
            flag_words={k: tuple(v) for k, v in flag_words.items()},
            flagged=frozenset(name for name, _ in flag_words),
            inquiry=tuple(inquiry), loss=tuple(loss), model=model)

    def _negated(self, text: str, start: int) -> bool:
        """A real negation in the clause just before the flag word at *start*."""
        neg = self._rules.negation
        if neg.flag_negation is None or start == 0:
            return False
        # A negation ends just before the word: most words are ruled out by one look-up.
        before = text[start - 1]
        if before == " " and start > 1:
            before = text[start - 2]
        if before not in neg.flag_negation_tails:
            return False
        begin = clause_start(text, start, neg.flag_window)
        return begin < start and neg.flag_negation.match(text[begin:start][::-1]) is not None

    # ------------------------------------------------------------ deciding

    def decide(self, reading: Reading, recent: Mapping[str, int] | None = None,
               combination: Combination | None = None) -> TriageResult:
        """The triage of a *reading*; *combination* overrides the model's own (training)."""
        rules = self._rules
        model, out = self._model, reading.model
        comb = combination or (model.combination if model else Combination())
        reasons: list[Reason] = []
        sub, p_sub = self._subcategory(reading, comb, reasons)
        info = rules.subcategories[sub]
        keyed = sub in reading.keyed or (out is not None and p_sub >= comb.flag_subcategory_min)

        fired: set[str] = set()
        for flag in rules.flags:
            why = self._flag_reasons(flag, sub, keyed, reading, fired, recent, comb)
            if why:
                fired.add(flag.name)
                reasons += why
        if not fired and out is not None and model is not None and (
                out.level1 >= comb.level1_threshold):
            named = self._model_flag(out)
            fired.add(named)
            grams = model.strongest(reading.model_text, out.grams, LEVEL1)
            reasons.append(Reason("model:level1",
                                  f"{named} {out.level1:.2f}: {', '.join(grams)}"))

        inquiry = bool(reading.inquiry) and not reading.loss
        if fired:
            level = 1
        else:
            if reading.loss:
                level = 2  # a loss to the customer is never level 3 (domain rule)
            elif out is not None:
                z = _logit(out.level3) + (comb.level3_rule_bonus if inquiry else 0.0)
                level = 3 if z >= _logit(comb.level3_threshold) else 2
            else:
                level = 3 if inquiry else 2
            if level == 3 and reading.inquiry:
                reasons.append(Reason("level:inquiry", reading.inquiry[0]))
            elif level == 2 and reading.inquiry and reading.loss:
                reasons.append(Reason("level:loss", reading.loss[0]))
            if out is not None and level == 3 and not inquiry:
                reasons.append(Reason("model:level3", f"{out.level3:.2f}"))
        if model is not None:
            reasons.append(Reason("model", model.version))
        return TriageResult(
            category=info.category,
            subcategory=sub,
            level=level,
            flags=tuple(sorted(fired)),
            departments=info.departments,
            respond_within_minutes=rules.respond_within[level],
            reasons=tuple(reasons),
            model=model.version if model else None,
        )

    def subcategory_of(self, reading: Reading, combination: Combination) -> str:
        """The subcategory :meth:`decide` would choose (training tries many cheaply)."""
        return self._subcategory(reading, combination, [], reasons_wanted=False)[0]

    def _subcategory(self, reading: Reading, comb: Combination,
                     reasons: list[Reason], reasons_wanted: bool = True) -> tuple[str, float]:
        """The subcategory (and the model's probability of it), its reasons appended."""
        rules, out, scores = self._rules, reading.model, reading.scores
        rank = rules.tie_rank
        has_rules = bool(scores) and max(scores.values()) > 0
        sub: str | None = None
        if out is not None and (has_rules or max(out.subcategory.values(), default=0.0)
                                >= comb.subcategory_alone_min):
            # Only a subcategory the rules scored or the model finds at all likely can win.
            # Weak words (the nouns) are the model's to weigh; the rules add what they name.
            probs, named = out.subcategory, reading.named
            if named and max(probs.values()) < comb.model_trust_min:
                weight = 1.0  # the model is unsure: what the rules name decides
            else:
                weight = comb.rule_weight
            mix = {s: (1 - weight) * p for s, p in probs.items()}
            if named:
                top = max(named.values())
                spread = {s: math.exp((v - top) / comb.rule_temperature)
                          for s, v in named.items()}
                total = sum(spread.values())
                for s, v in spread.items():
                    mix[s] = mix.get(s, 0.0) + weight * v / total
            else:
                mix = dict(probs)
            best = max(mix.values())
            tied = [s for s, v in mix.items() if v >= best]  # ties go to the policy's order
            sub = tied[0] if len(tied) == 1 else min(
                tied, key=lambda s: rank.get(s, len(rank)))
            if sub not in rules.subcategories:
                sub = rules.default_subcategory
        elif has_rules:
            sub = max(scores, key=lambda s: (scores[s], -rank[s]))
        if sub is None:
            reasons.append(Reason("default", "no keyword matched"))
            return rules.default_subcategory, 0.0
        if not reasons_wanted:
            return sub, 0.0
        ranked = sorted(reading.found.get(sub, {}).items(), key=lambda kv: -kv[1])
        reasons += [Reason("keyword", w) for w, _ in ranked[:_MAX_KEYWORD_REASONS]]
        if sub in reading.biased and rules.channel_weight > 0 and scores.get(sub):
            reasons.append(Reason("channel", reading.complaint.channel))
        p_sub = out.subcategory.get(sub, 0.0) if out is not None else 0.0
        if out is not None and self._model is not None and not ranked:
            grams = self._model.strongest(reading.model_text, out.grams, SUB_PREFIX + sub)
            reasons.append(Reason("model:subcategory", f"{p_sub:.2f}: {', '.join(grams)}"))
        return sub, p_sub

    def _model_flag(self, out: ModelOutput) -> str:
        """The text flag the model finds likeliest (food safety when it has none)."""
        flags = out.flags
        if not flags:
            return "food_safety"
        return max(sorted(flags), key=flags.__getitem__)

    def _flag_reasons(self, flag: Flag, sub: str, keyed: bool, reading: Reading,
                      fired: set[str], recent: Mapping[str, int] | None,
                      comb: Combination) -> list[Reason]:
        text, complaint = reading.text, reading.complaint
        # A strong keyword of a flag's subcategory keeps the flag even where the model
        # chose another subcategory (mouldy bread it reads as a foreign object), unless
        # the model rules those subcategories out (a coupon that 过期).
        strong: frozenset[str] | tuple[()] = ()
        out = reading.model
        if (reading.strong & flag.subcategories) - {sub} and (out is None or sum(
                out.subcategory.get(s, 0.0) for s in flag.subcategories)
                >= comb.strong_words_min):
            strong = (reading.strong & flag.subcategories) - {sub}
        if not (sub in flag.subcategories or strong or flag.name in reading.flagged
                or complaint.member_tier in flag.member_tiers
                or flag.min_customers is not None or flag.recent_threshold is not None):
            return []  # nothing could raise it: skip the work
        rule_name = f"flag:{flag.name}"
        why: list[Reason] = []
        if sub in flag.subcategories and (keyed or not flag.needs_keyword):
            why.append(Reason(rule_name, f"subcategory {sub}"))
        why += [Reason(rule_name, f"subcategory {s}") for s in sorted(strong)]
        for i, rule in enumerate(flag.rules):
            words = reading.flag_words.get((flag.name, i))
            if not words or fired.intersection(rule.unless_flags):
                continue
            kept: list[str] = []
            for word, start, end in words:
                context = self._context(rule, text, start, end)
                if context is None:
                    continue
                kept.append(f"{word} + {context}" if context else word)
                if len(kept) == _MAX_KEYWORD_REASONS:
                    break
            why += [Reason(rule_name, k) for k in kept]
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

    @staticmethod
    def _context(rule: FlagRule, text: str, start: int, end: int) -> str | None:
        """The context word that lets a flag word at text[start:end] count: "" when the
        rule needs none, None when the rule's context is missing."""
        shown: list[str] = []
        if rule.requires is not None:
            m = rule.requires.search(text)
            if m is None:
                return None
            shown.append(m.group())
        if rule.after is not None:
            m = rule.after.search(text, max(0, start - rule.window), start)
            if m is None:
                return None
            shown.append(m.group())
        if rule.around is not None:
            lo, hi = max(0, start - rule.window), end + rule.window
            m = rule.around.search(text[lo:start] + " " + text[end:hi])
            if m is None:
                return None
            shown.append(m.group())
        if rule.near is not None:
            lo = max(clause_start(text, start, rule.window), start - rule.window)
            hi = min(clause_end(text, end, rule.window), end + rule.window)
            m = rule.near.search(text[lo:start] + " " + text[end:hi])
            if m is None:
                return None
            shown.append(m.group())
        return " + ".join(shown)
