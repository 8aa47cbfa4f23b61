"""A learned layer under the rules: character n-gram weights that recognise a fault's wording.

The rules recognise the word classes and frames they were written for; a fault in other words
("您自己手机太旧了连不上很正常") slips through. This layer is a logistic model per meaning rule
over the character 1-3-grams of the normalised reply, trained on the tuning part of the
evaluation corpus (``python -m scoring train-layer``), stored as data
(``scoring/models/compliance_ngrams.json``) and part of a pack's identity (its SHA-256 is in
the pack hash), so that a score is reproduced exactly. It runs offline, in microseconds.

It works both ways around the rules:

* it **adds** a hit for a rule the rules did not find, when the model's probability is above
  the rule's threshold. A rule the rules already found in a reply is left to them (their
  evidence and suggestion are the more specific). A learned hit is explained like any other:
  its evidence is the clause holding the n-grams that weighed most, the hit names the rule and
  the rule's suggested wording, and the report says the wording resembled the rule's faults;
* it **clears** a rule's hit when the model is all but sure the reply does not break that
  rule (probability below the rule's veto): a phrase list matches words, and in wording it was
  not written for ("正常下单最安全", "不需要您提供任何卡号") the words can be there without the
  fault. The veto is set so that it would have cleared at most ``VETO_RECALL_COST`` of the
  tuning part's real faults.

Both are chosen on the tuning part by five-fold cross-validation: the threshold as the lowest
at which the model alone flags with a precision of at least ``TARGET_PRECISION``, the veto as
the highest grid value under which no more than ``VETO_RECALL_COST`` of the faults fall. The
held-aside part is never read by the training.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_LAYER_PATH",
    "LearnedLayer",
    "features",
    "load_layer",
    "train_layer",
]

DEFAULT_LAYER_PATH = Path(__file__).resolve().parent / "models" / "compliance_ngrams.json"
FORMAT = 2
NGRAM_SIZES = (1, 2, 3)
TARGET_PRECISION = 0.97
VETO_RECALL_COST = 0.01
_THRESHOLD_GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)
_VETO_GRID = (0.1, 0.05, 0.03, 0.02, 0.01, 0.005)
_EPOCHS = 15
_LEARNING_RATE = 0.2
_L2 = 1e-4
_SEED = 1
# Weights smaller than this change no decision; leaving them out keeps the file small.
_KEEP = 0.005
_CLAUSE_BREAKS = frozenset(",.!?;:~。\n\r")


def _fold(low: str) -> str:
    # 你 and 您 mean the same to a fault of meaning (impolite address is its own rule).
    return low.replace("你", "您")


def features(low: str) -> set[str]:
    """The character 1-3-grams of an already-normalised reply."""
    text = _fold(low)
    grams: set[str] = set()
    for size in NGRAM_SIZES:
        for i in range(len(text) - size + 1):
            grams.add(text[i : i + size])
    return grams


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class LearnedLayer:
    rules: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]  # n-gram -> one weight per rule
    bias: tuple[float, ...]
    thresholds: tuple[float, ...]
    vetoes: tuple[float, ...]
    trained_on: str
    sha256: str

    def probabilities(self, low: str) -> list[float]:
        # The rows of the reply's known n-grams, summed column by column: zip does the
        # transposing and sum the adding in C, which keeps this off the live path's budget.
        rows = [row for row in map(self.weights.get, features(low)) if row is not None]
        if not rows:
            return [_sigmoid(b) for b in self.bias]
        return [
            _sigmoid(sum(col, b)) for b, col in zip(self.bias, zip(*rows, strict=True), strict=True)
        ]

    def cleared(self, probabilities: Sequence[float]) -> set[str]:
        """The rules the model is all but sure a reply with these probabilities does not
        break: a rule's hit on it is cleared."""
        return {
            rule
            for rule, p, veto in zip(self.rules, probabilities, self.vetoes, strict=True)
            if p < veto
        }

    def hits(
        self, low: str, skip: Iterable[str], probabilities: Sequence[float] | None = None
    ) -> list[tuple[int, int, str, float]]:
        """(start, end, rule, probability) for each rule the model finds and ``skip`` does
        not hold; the span is the clause whose n-grams weighed most for the rule."""
        skipped = set(skip)
        found = []
        if probabilities is None:
            probabilities = self.probabilities(low)
        for i, p in enumerate(probabilities):
            rule = self.rules[i]
            if rule in skipped or p <= self.thresholds[i]:
                continue
            start, end = self._evidence(low, i)
            found.append((start, end, rule, p))
        return found

    def _evidence(self, low: str, index: int) -> tuple[int, int]:
        folded = _fold(low)
        best, span = -math.inf, (0, len(low))
        start = 0
        for i in range(len(folded) + 1):
            if i < len(folded) and folded[i] not in _CLAUSE_BREAKS:
                continue
            clause = folded[start:i]
            if clause.strip():
                score = sum(
                    row[index] for gram in features(clause) if (row := self.weights.get(gram))
                )
                if score > best:
                    best, span = score, (start, i)
            start = i + 1
        return span

    def identity(self) -> dict[str, Any]:
        return {"kind": "char-ngram logistic", "trained_on": self.trained_on, "sha256": self.sha256}


def load_layer(path: str | Path | None = None) -> LearnedLayer:
    return _load(str(path or DEFAULT_LAYER_PATH))


@lru_cache(maxsize=4)
def _load(path: str) -> LearnedLayer:
    raw = Path(path).read_bytes()
    data = json.loads(raw.decode("utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a learned layer of format {FORMAT}")
    rules = tuple(data["rules"])
    return LearnedLayer(
        rules=rules,
        weights={gram: tuple(row) for gram, row in data["weights"].items()},
        bias=tuple(data["bias"]),
        thresholds=tuple(data["thresholds"]),
        vetoes=tuple(data["vetoes"]),
        trained_on=data["trained_on"],
        sha256="sha256:" + hashlib.sha256(raw).hexdigest(),
    )


# ---------------------------------------------------------------------------------- training


def _train_one(
    samples: Sequence[tuple[set[str], int]], seed: int
) -> tuple[dict[str, float], float]:
    weights: dict[str, float] = {}
    bias = 0.0
    order = list(range(len(samples)))
    rnd = random.Random(seed)
    decay = 1 - _LEARNING_RATE * _L2
    for _ in range(_EPOCHS):
        rnd.shuffle(order)
        for i in order:
            grams, label = samples[i]
            p = _sigmoid(bias + sum(weights.get(g, 0.0) for g in grams))
            step = _LEARNING_RATE * (p - label)
            bias -= step
            for g in grams:
                weights[g] = weights.get(g, 0.0) * decay - step
    return weights, bias


def _threshold(probabilities: Sequence[float], labels: Sequence[int]) -> float:
    """The lowest grid threshold at which the model alone is precise enough; above 1 (never
    fires) when none is."""
    for threshold in _THRESHOLD_GRID:
        flagged = [y for p, y in zip(probabilities, labels, strict=True) if p > threshold]
        if flagged and sum(flagged) / len(flagged) >= TARGET_PRECISION:
            return threshold
    return 1.01


def _veto(probabilities: Sequence[float], labels: Sequence[int]) -> float:
    """The highest grid value under which at most ``VETO_RECALL_COST`` of the faults fall;
    0 (never clears) when none is."""
    faults = [p for p, y in zip(probabilities, labels, strict=True) if y]
    for veto in _VETO_GRID:
        if faults and sum(p < veto for p in faults) <= VETO_RECALL_COST * len(faults):
            return veto
    return 0.0


def train_layer(
    items: Sequence[tuple[str, frozenset[str]]], rules: Sequence[str], trained_on: str
) -> dict[str, Any]:
    """The layer's data (to be written as JSON) from (normalised text, rules broken) pairs."""
    grams = [features(text) for text, _ in items]
    order = list(range(len(items)))
    random.Random(7).shuffle(order)
    folds = [order[k::5] for k in range(5)]
    all_weights: dict[str, list[float]] = {}
    biases: list[float] = []
    thresholds: list[float] = []
    vetoes: list[float] = []
    for r_index, rule in enumerate(rules):
        labels = [1 if rule in broken else 0 for _, broken in items]
        held: dict[int, float] = {}
        for fold in folds:
            out = set(fold)
            train = [(grams[i], labels[i]) for i in order if i not in out]
            weights, bias = _train_one(train, _SEED)
            for i in fold:
                held[i] = _sigmoid(bias + sum(weights.get(g, 0.0) for g in grams[i]))
        cross = [held[i] for i in range(len(items))]
        thresholds.append(_threshold(cross, labels))
        vetoes.append(_veto(cross, labels))
        weights, bias = _train_one(list(zip(grams, labels, strict=True)), _SEED)
        biases.append(round(bias, 4))
        for gram, w in weights.items():
            if abs(w) >= _KEEP:
                all_weights.setdefault(gram, [0.0] * len(rules))[r_index] = round(w, 4)
    return {
        "format": FORMAT,
        "trained_on": trained_on,
        "rules": list(rules),
        "bias": biases,
        "thresholds": thresholds,
        "vetoes": vetoes,
        "weights": dict(sorted(all_weights.items())),
    }
