"""The learned half of triage: a compact linear model over character n-grams.

It reads the same normalised text as the rules and gives, for each complaint, a
probability for every subcategory, for level 1, for level 3 and for each text flag.
Triage combines those with the rules (:mod:`domain.triage.engine`): level 1 when any
rule flag holds **or** the model's level-1 probability reaches the threshold chosen on
the validation split.

The model ships inside the policy document (``triage.model``), so headquarters publishes
a retrained model as a new policy version and desks pull it like any policy. It is small
and needs nothing heavy at run time: the n-gram weights are int8, packed, compressed and
base64-encoded (a few hundred kilobytes), and predicting is a dict look-up per n-gram in
plain Python (no numpy, no scikit-learn on the save path). :mod:`domain.triage.training`
makes one with scikit-learn; only ``kesu-server triage retrain`` and the scripts load it.

``format`` says how the model is written. A desk that does not know a format ignores
the model and triages with the rules alone: an old desk keeps working.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

MODEL_FORMAT = 1
READABLE_FORMATS = frozenset({MODEL_FORMAT})
CHANNEL_MARK = "\x00"  # the channel's feature name, never found in a normalised text
# The channel's feature value: fixed, so a two-word complaint is not decided by where it
# was taken (the n-grams share 1/sqrt(count) between them, the channel does not).
CHANNEL_VALUE = 0.1
MASK = "\u25a1"  # stands in the model's input for words the rules found negated
SUB_PREFIX = "sub:"
FLAG_PREFIX = "flag:"
LEVEL1, LEVEL3 = "level1", "level3"
_HEADER = struct.Struct("<I")


class ModelPolicyError(ValueError):
    """The ``triage.model`` section is unusable: *path* and *reason* say why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def features(text: str, orders: Sequence[int], max_chars: int) -> set[str]:
    """The n-grams of a model input *text* (its first *max_chars*), spaces left out,
    and its English whole words.

    Training and prediction both call this, so they can never disagree on a feature;
    the channel is one more feature, :func:`channel_feature`, valued ``CHANNEL_VALUE``.
    """
    t = text[:max_chars]
    size = len(t)
    grams: set[str] = set()
    for n in orders:
        if n == 1:
            grams.update(t)
        elif size >= n:
            # Slicing by prepared slice objects keeps the loop in C (measured: cheaper
            # than packing code points into ints, whose arithmetic runs in Python).
            grams.update(map(t.__getitem__, _slices(n, size - n + 1)))
    grams.discard(" ")
    if t.isascii() or _LATIN.search(t):
        # Character n-grams read English poorly: its whole words are features too.
        grams.update(WORD_MARK + w for w in _WORD.findall(t))
    return grams


_SLICES: dict[int, list[slice]] = {}


def _slices(n: int, count: int) -> list[slice]:
    """The first *count* slices of width *n*: [0:n], [1:n+1], …"""
    ready = _SLICES.get(n)
    if ready is None or len(ready) < count:
        ready = [slice(i, i + n) for i in range(max(count, 4096))]
        _SLICES[n] = ready
    return ready[:count]


_WORD = re.compile(r"[a-z][a-z']{2,}")
_LATIN = re.compile(r"[a-z]{3}")
WORD_MARK = "\x01"  # a whole-word feature, never found in a normalised text


def channel_feature(channel: str) -> str:
    """The feature name of a channel."""
    return CHANNEL_MARK + channel


def has_evidence(text: str) -> bool:
    """Whether a text holds anything to learn from (a letter, digit or character)."""
    return any(ch.isalnum() for ch in text)


@dataclass(frozen=True)
class Combination:
    """How the model's output and the rules are combined; chosen on the validation split.

    * ``level1_threshold``: level 1 when the model's level-1 probability reaches it;
    * ``rule_weight`` and ``rule_temperature``: a subcategory's score mixes the two
      views, (1 − w) × P(model) + w × P(rules), where P(rules) spreads the rules' scores
      of named words by exp(score / temperature); a mixture (not a product) lets the
      rules decide where the model is lost, as in text it rarely saw;
    * ``level3_threshold`` and ``level3_rule_bonus``: with no flag and no loss word,
      level 3 when logit P(level 3) + the bonus (when the rules see an inquiry word)
      reaches logit(threshold);
    * ``flag_subcategory_min``: the model's subcategory raises that subcategory's flag
      (spoiled → food safety) only at this probability or more, or with a rule keyword;
    * ``subcategory_alone_min``: when no rule keyword matched, the model's subcategory is
      taken only at this probability or more (else the policy's default);
    * ``model_trust_min``: below this top probability the model is unsure (text unlike
      what it learned from, such as English), and the rules' named words decide;
    * ``strong_words_min``: a strong keyword of a flag's subcategory (发霉, 异物) raises
      the flag even when the subcategory chosen is another, as long as the model gives
      the flag's subcategories together at least this probability (above 1: never).
    """

    level1_threshold: float = 0.5
    rule_weight: float = 0.3
    rule_temperature: float = 2.0
    level3_threshold: float = 0.5
    level3_rule_bonus: float = 1.0
    flag_subcategory_min: float = 0.5
    subcategory_alone_min: float = 0.5
    model_trust_min: float = 0.0
    strong_words_min: float = 2.0


@dataclass(frozen=True)
class ModelOutput:
    """One prediction: subcategory probabilities, P(level 1), P(level 3), the flags'
    logits (turned into probabilities only when asked: rarely needed)."""

    subcategory: Mapping[str, float]
    level1: float
    level3: float
    flag_logits: Mapping[str, float]
    grams: Set[str]

    @property
    def flags(self) -> dict[str, float]:
        """P(flag) for each text flag the model has a head for."""
        return {name: _sigmoid(z) for name, z in self.flag_logits.items()}


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


# Every n-gram's weights, one int8 per head, are packed into one Python integer with a
# 16-bit field per head holding q + 128: summing the integers of a text's n-grams sums
# every head at once in C (one big-int addition per n-gram instead of one per head), and
# one ``struct.unpack`` reads the sums. A field holds the sum of 257 n-grams at most, so
# longer texts are summed in chunks of that many.
_FIELD_BITS = 16
_FIELD_MASK = (1 << _FIELD_BITS) - 1
_OFFSET = 128
_CHUNK = _FIELD_MASK // 255


class TriageModel:
    """A decoded model, ready to predict; cheap to call and safe to share."""

    def __init__(self, *, version: str, heads: Sequence[str], bias: Sequence[float],
                 scale: Sequence[float], table: Mapping[str, int], orders: Sequence[int],
                 max_chars: int, combination: Combination,
                 about: Mapping[str, Any] | None = None) -> None:
        self.version = version
        self.heads = tuple(heads)
        self.bias = tuple(bias)
        self.scale = tuple(scale)
        self.table = dict(table)
        self.orders = tuple(orders)
        self.max_chars = max_chars
        self.combination = combination
        self.about = dict(about or {})
        self._subs = [(i, h[len(SUB_PREFIX):]) for i, h in enumerate(self.heads)
                      if h.startswith(SUB_PREFIX)]
        self._flags = [(i, h[len(FLAG_PREFIX):]) for i, h in enumerate(self.heads)
                       if h.startswith(FLAG_PREFIX)]
        self._level1 = self.heads.index(LEVEL1)
        self._level3 = self.heads.index(LEVEL3)
        self._fields = struct.Struct(f"<{len(self.heads)}H")
        self._keys = frozenset(self.table)  # set ∩ frozenset walks the smaller side
        self._neutral = sum(_OFFSET << (_FIELD_BITS * h) for h in range(len(self.heads)))

    @property
    def subcategories(self) -> tuple[str, ...]:
        """The subcategories the model knows, in head order."""
        return tuple(name for _, name in self._subs)

    def head(self, name: str) -> int:
        """The index of a head (``sub:quality``, ``level1``, ``flag:injury`` …)."""
        return self.heads.index(name)

    def weight(self, gram: str, head: int) -> float:
        """The weight of one n-gram for one head (0 for an n-gram the model lacks)."""
        packed = self.table.get(gram)
        if packed is None:
            return 0.0
        q = ((packed >> (_FIELD_BITS * head)) & _FIELD_MASK) - _OFFSET
        return q * self.scale[head]

    def _sums(self, found: list[int]) -> list[int]:
        """Each head's sum of q + 128 over the packed weights *found*."""
        fields, size = self._fields, self._fields.size
        totals = [0] * len(self.heads)
        for start in range(0, len(found), _CHUNK):
            packed = sum(found[start:start + _CHUNK])
            for h, v in enumerate(fields.unpack(packed.to_bytes(size, "little"))):
                totals[h] += v
        return totals

    def predict(self, text: str, channel: str) -> ModelOutput:
        """The model's view of an already normalised *text* from *channel*."""
        grams = features(text, self.orders, self.max_chars)
        table = self.table
        found = [table[g] for g in grams & self._keys]  # the intersection is in C
        if len(found) <= _CHUNK:
            sums = self._fields.unpack(sum(found).to_bytes(self._fields.size, "little"))
        else:
            sums = tuple(self._sums(found))
        via = self._fields.unpack(table.get(channel_feature(channel), self._neutral)
                                  .to_bytes(self._fields.size, "little"))
        count, inv = len(found), 1.0 / math.sqrt(max(1, len(grams)))
        logits = [b + s * ((t - count * _OFFSET) * inv + (v - _OFFSET) * CHANNEL_VALUE)
                  for b, s, t, v in zip(self.bias, self.scale, sums, via, strict=True)]
        top = max(logits[i] for i, _ in self._subs)
        exps = [(name, math.exp(logits[i] - top)) for i, name in self._subs]
        total_exp = sum(e for _, e in exps)
        return ModelOutput(
            subcategory={name: e / total_exp for name, e in exps},
            level1=_sigmoid(logits[self._level1]),
            level3=_sigmoid(logits[self._level3]),
            flag_logits={name: logits[i] for i, name in self._flags},
            grams=grams,
        )

    def strongest(self, text: str, grams: Iterable[str], head: str,
                  count: int = 3) -> list[str]:
        """The phrases of *text* that pushed *head* up most: the strongest n-grams of two
        or more characters (single ones only when there are none), joined where they
        touch in the text (吃完 + 完就 + 就吐 → 吃完就吐). Staff see these as the model's
        reasons, so they read as words, not as fragments."""
        index = self.head(head)
        shift, table = _FIELD_BITS * index, self.table
        pushed = sorted(
            ((((packed >> shift) & _FIELD_MASK) - _OFFSET, key) for key in grams
             if (packed := table.get(key)) is not None
             and ((packed >> shift) & _FIELD_MASK) > _OFFSET), reverse=True)
        words = [(w, g[1:]) for w, g in pushed if g.startswith(WORD_MARK)]
        longer = [(w, g) for w, g in pushed if len(g) > 1 and g.isalnum()]
        picked = (longer or [(w, g) for w, g in pushed if len(g) == 1 and g.isalnum()])
        weight_at: dict[int, float] = {}
        for w, gram in picked[:2 * count]:
            at = text.find(gram)
            if at < 0:
                continue
            for i in range(at, at + len(gram)):
                weight_at[i] = weight_at.get(i, 0.0) + w
        spans: list[tuple[float, str]] = []
        run: list[int] = []
        for i in sorted(weight_at):
            if run and i != run[-1] + 1:
                spans.append((sum(weight_at[j] for j in run), text[run[0]:run[-1] + 1]))
                run = []
            run.append(i)
        if run:
            spans.append((sum(weight_at[j] for j in run), text[run[0]:run[-1] + 1]))
        spans += [(w * 2, g) for w, g in words[:count]]
        spans.sort(reverse=True)
        chosen: list[str] = []
        for _, phrase in spans:
            phrase = phrase.strip(" ,.!?;:，。！？")
            if phrase and phrase not in chosen:
                chosen.append(phrase[:12])
                if len(chosen) == count:
                    break
        return chosen


# ---------------------------------------------------------------- the policy form


def encode_weights(heads: Sequence[str], rows: Mapping[str, Sequence[float]]
                   ) -> tuple[list[float], str]:
    """(per-head scale, blob) of each n-gram's float weights (one per head).

    Each head is quantised to int8 with its own scale; the blob is, zlib-compressed
    and base64-encoded: the n-grams' byte length, the n-grams joined by newlines, then
    for each n-gram one byte per head holding q + 128.
    """
    size = len(heads)
    peak = [0.0] * size
    for row in rows.values():
        for head, weight in enumerate(row):
            peak[head] = max(peak[head], abs(weight))
    scale = [p / 127 if p > 0 else 1.0 for p in peak]
    grams = sorted(rows)
    packed = bytearray()
    for gram in grams:
        packed += bytes(max(1, min(255, round(w / scale[h]) + _OFFSET))
                        for h, w in enumerate(rows[gram]))
    text = "\n".join(grams).encode("utf-8")
    raw = _HEADER.pack(len(text)) + text + bytes(packed)
    return scale, base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def _decode_blob(blob: str, heads: int) -> dict[str, int]:
    raw = zlib.decompress(base64.b64decode(blob, validate=True))
    (size,) = _HEADER.unpack_from(raw)
    grams = raw[_HEADER.size:_HEADER.size + size].decode("utf-8").split("\n")
    body = memoryview(raw)[_HEADER.size + size:]
    if len(body) != heads * len(grams):
        raise ValueError(f"{len(body)} weight bytes for {len(grams)} n-grams of {heads} heads")
    field = _FIELD_BITS // 8
    spread = bytearray(field * heads)
    table: dict[str, int] = {}
    for i, gram in enumerate(grams):
        # One byte per head spread to the low byte of each 16-bit field, read at once.
        spread[0::field] = body[i * heads:(i + 1) * heads]
        table[gram] = int.from_bytes(spread, "little")
    return table


def _number(node: Mapping[str, Any], key: str, path: str, low: float, high: float) -> float:
    value = node.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            low <= value <= high) or not math.isfinite(value):
        raise ModelPolicyError(f"{path}.{key}", f"expected a number from {low:g} to {high:g}")
    return float(value)


def parse_model(node: Any, subcategories: Iterable[str] = ()) -> TriageModel | None:
    """The model of a policy's ``triage.model``; None when absent or of a format this
    desk cannot read (the rules then work alone). Anything else malformed raises
    :class:`ModelPolicyError` with its path.

    *subcategories* are the policy's: a model head for any other is refused.
    """
    path = "triage.model"
    if node is None:
        return None
    if not isinstance(node, Mapping):
        raise ModelPolicyError(path, "expected an object")
    fmt = node.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        raise ModelPolicyError(f"{path}.format", "expected an integer")
    if fmt not in READABLE_FORMATS:
        return None
    known = set(subcategories)
    try:
        return _parse_cached(_Key(node), frozenset(known))
    except ModelPolicyError:
        raise
    except (ValueError, KeyError, TypeError, struct.error, zlib.error, binascii.Error,
            UnicodeDecodeError, IndexError) as exc:
        raise ModelPolicyError(f"{path}.weights", f"unreadable: {exc}") from None


class _Key:
    """Hashes a model section by its version and blob: decoding happens once per model."""

    def __init__(self, node: Mapping[str, Any]) -> None:
        self.node = node
        self._key = (str(node.get("version")), str(node.get("weights")),
                     repr(node.get("heads")), repr(node.get("bias")),
                     repr(node.get("scale")), repr(node.get("combination")),
                     repr(node.get("features")))

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other._key == self._key


@lru_cache(maxsize=8)
def _parse_cached(cache_key: _Key, known: frozenset[str]) -> TriageModel:
    node, path = cache_key.node, "triage.model"
    version = node.get("version")
    if not isinstance(version, str) or not version.strip() or len(version) > 64:
        raise ModelPolicyError(f"{path}.version", "expected a short non-empty string")
    heads = node.get("heads")
    if not isinstance(heads, list) or not all(isinstance(h, str) for h in heads):
        raise ModelPolicyError(f"{path}.heads", "expected a list of strings")
    if len(heads) > 255 or len(set(heads)) != len(heads):
        raise ModelPolicyError(f"{path}.heads", "at most 255 distinct heads")
    for i, head in enumerate(heads):
        if head.startswith(SUB_PREFIX):
            if known and head[len(SUB_PREFIX):] not in known:
                raise ModelPolicyError(f"{path}.heads[{i}]", f"unknown subcategory {head!r}")
        elif not head.startswith(FLAG_PREFIX) and head not in (LEVEL1, LEVEL3):
            raise ModelPolicyError(f"{path}.heads[{i}]", f"unknown head {head!r}")
    if LEVEL1 not in heads or LEVEL3 not in heads or not any(
            h.startswith(SUB_PREFIX) for h in heads):
        raise ModelPolicyError(f"{path}.heads", "needs level1, level3 and subcategory heads")
    vectors: dict[str, list[float]] = {}
    for key in ("bias", "scale"):
        values = node.get(key)
        if (not isinstance(values, list) or len(values) != len(heads) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                for v in values)):
            raise ModelPolicyError(f"{path}.{key}", "expected one finite number per head")
        vectors[key] = [float(v) for v in values]
    feats = node.get("features")
    if not isinstance(feats, Mapping):
        raise ModelPolicyError(f"{path}.features", "expected an object")
    orders = feats.get("ngrams")
    if (not isinstance(orders, list) or not orders or not all(
            isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 6 for n in orders)):
        raise ModelPolicyError(f"{path}.features.ngrams", "expected n-gram sizes from 1 to 6")
    max_chars = int(_number(feats, "max_chars", f"{path}.features", 1, 1_000_000))
    comb = node.get("combination", {})
    if not isinstance(comb, Mapping):
        raise ModelPolicyError(f"{path}.combination", "expected an object")
    cpath = f"{path}.combination"
    defaults = Combination()
    numbers: dict[str, float] = {
        key: (_number(comb, key, cpath, *bounds) if key in comb else getattr(defaults, key))
        for key, bounds in (("level1_threshold", (0.0, 1.0)), ("rule_weight", (0.0, 1.0)),
                            ("rule_temperature", (0.01, 100.0)),
                            ("level3_threshold", (0.0, 1.0)),
                            ("level3_rule_bonus", (-100.0, 100.0)),
                            ("flag_subcategory_min", (0.0, 1.0)),
                            ("subcategory_alone_min", (0.0, 1.0)),
                            ("model_trust_min", (0.0, 1.0)),
                            ("strong_words_min", (0.0, 2.0)))
    }
    combination = replace(defaults, **numbers)
    weights = node.get("weights")
    if not isinstance(weights, str):
        raise ModelPolicyError(f"{path}.weights", "expected the encoded weights")
    table = _decode_blob(weights, len(heads))
    about = node.get("about", {})
    return TriageModel(version=version, heads=heads, bias=vectors["bias"],
                       scale=vectors["scale"], table=table,
                       orders=orders, max_chars=max_chars, combination=combination,
                       about=about if isinstance(about, Mapping) else {})
