"""How well the compliance rules judge: a labelled corpus of replies against the rules' hits.

The corpus (``scoring/corpus/*.jsonl``, format in its README) holds replies labelled with
the rules they break. A part is one file; its figures are the share of replies judged exactly
right (the same set of rules as the label) and each rule's precision and recall. A part whose
name starts with ``holdout`` is held aside: its misses are not shown unless asked for, so that
nobody tunes a rule to them (its figures are always shown).

The floors (``scoring/corpus/floors.json``) are the figures each part must keep; CI runs
``python -m scoring evaluate`` and fails when one drops below its floor.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compliance import check_normalized
from .errors import ScoringInputError
from .matcher import Matcher
from .normalize import normalize
from .rulepack import POSITIONS
from .scenario import EMPTY_SCENARIO

__all__ = [
    "CORPUS_DIR",
    "CORPUS_RULES",
    "FLOORS_FILE",
    "MEANING_RULES",
    "Item",
    "PartResult",
    "RuleFigures",
    "check_floors",
    "evaluate_files",
    "evaluate_items",
    "floors_from",
    "is_held_aside",
    "load_corpus",
    "load_floors",
]

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
FLOORS_FILE = CORPUS_DIR / "floors.json"
# The rules a single reply can be judged on; the greeting and closing rules depend on the
# reply's place in a conversation and are left out of the corpus.
CORPUS_RULES = (
    "off_platform",
    "credential_request",
    "medical_claim",
    "absolute_promise",
    "negative_language",
    "impolite_address",
    "but_turn",
    "exclamation_overuse",
    "terse_reply",
)
# The rules about what is said (the learned layer serves these); the others judge form.
MEANING_RULES = CORPUS_RULES[:5]
_FIELDS = {"id", "text", "rules", "family", "note", "position"}


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str
    rules: frozenset[str]
    family: str
    position: str = "middle"


@dataclass(slots=True)
class RuleFigures:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0

    @property
    def precision(self) -> float | None:
        flagged = self.true_pos + self.false_pos
        return self.true_pos / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        labelled = self.true_pos + self.false_neg
        return self.true_pos / labelled if labelled else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "labelled": self.true_pos + self.false_neg,
            "flagged": self.true_pos + self.false_pos,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
        }


@dataclass(frozen=True, slots=True)
class Miss:
    item: Item
    got: frozenset[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "text": self.item.text,
            "family": self.item.family,
            "expected": sorted(self.item.rules),
            "got": sorted(self.got),
            "missed": sorted(self.item.rules - self.got),
            "wrongly_flagged": sorted(self.got - self.item.rules),
        }


@dataclass(slots=True)
class PartResult:
    name: str
    replies: int = 0
    exact: int = 0
    clean: int = 0
    clean_flagged: int = 0
    rules: dict[str, RuleFigures] = field(
        default_factory=lambda: {rule: RuleFigures() for rule in CORPUS_RULES}
    )
    misses: list[Miss] = field(default_factory=list)

    @property
    def exact_rate(self) -> float:
        return self.exact / self.replies if self.replies else 0.0

    @property
    def false_alarm_rate(self) -> float | None:
        """The share of clean replies that got any hit: what a trainee would call unfair."""
        return self.clean_flagged / self.clean if self.clean else None

    @property
    def held_aside(self) -> bool:
        return is_held_aside(self.name)

    def to_dict(self, *, with_misses: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "part": self.name,
            "held_aside": self.held_aside,
            "replies": self.replies,
            "exact_match": _round(self.exact_rate),
            "clean_replies": self.clean,
            "false_alarm_rate": _round(self.false_alarm_rate),
            "rules": {rule: figures.to_dict() for rule, figures in self.rules.items()},
            "misses_count": len(self.misses),
        }
        if with_misses:
            data["misses"] = [miss.to_dict() for miss in self.misses]
        return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def is_held_aside(part: str) -> bool:
    return part.startswith("holdout")


def _bad(path: Path, line: int, message: str) -> ScoringInputError:
    return ScoringInputError(f"{path.name} line {line}", message)


def _parse_line(path: Path, number: int, text: str) -> Item:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(path, number, f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise _bad(path, number, "must be a JSON object")
    unknown = sorted(set(obj) - _FIELDS)
    if unknown:
        raise _bad(path, number, f"unknown field(s): {', '.join(unknown)}")
    for key in ("id", "text", "family"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise _bad(path, number, f"{key}: a non-empty string is required")
    rules = _rules(path, number, obj.get("rules"))
    position = obj.get("position", "middle")
    if position not in POSITIONS:
        raise _bad(path, number, f"position: must be one of {', '.join(POSITIONS)}")
    if "note" in obj and not isinstance(obj["note"], str):
        raise _bad(path, number, "note: must be a string")
    return Item(obj["id"], obj["text"], frozenset(rules), obj["family"], position)


def _rules(path: Path, number: int, rules: Any) -> list[str]:
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise _bad(path, number, "rules: a list of rule ids is required ([] when clean)")
    unknown_rules = sorted(set(rules) - set(CORPUS_RULES))
    if unknown_rules:
        raise _bad(
            path,
            number,
            f"rules: unknown rule(s) {', '.join(unknown_rules)}; "
            f"the corpus judges {', '.join(CORPUS_RULES)}",
        )
    if len(set(rules)) != len(rules):
        raise _bad(path, number, "rules: a rule is listed twice")
    return rules


def load_corpus(path: Path) -> list[Item]:
    """Every reply of one corpus file; a ScoringInputError naming the file and line of the
    first bad one (a corpus with a wrong line is not half-evaluated)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScoringInputError(path.name, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScoringInputError(path.name, f"invalid UTF-8 at byte {exc.start}") from None
    items: list[Item] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        item = _parse_line(path, number, line)
        if item.id in seen:
            raise _bad(path, number, f"id {item.id!r} already used on line {seen[item.id]}")
        seen[item.id] = number
        items.append(item)
    if not items:
        raise ScoringInputError(path.name, "holds no replies")
    return items


def judge(item: Item, matcher: Matcher) -> frozenset[str]:
    """The corpus rules the engine finds broken in one reply."""
    hits = check_normalized(normalize(item.text), item.position, EMPTY_SCENARIO, matcher)
    return frozenset(h.rule for h in hits if h.rule in CORPUS_RULES)


def evaluate_items(name: str, items: Iterable[Item], matcher: Matcher) -> PartResult:
    result = PartResult(name)
    for item in items:
        got = judge(item, matcher)
        result.replies += 1
        if not item.rules:
            result.clean += 1
            result.clean_flagged += bool(got)
        if got == item.rules:
            result.exact += 1
        else:
            result.misses.append(Miss(item, got))
        for rule in CORPUS_RULES:
            expected, found = rule in item.rules, rule in got
            figures = result.rules[rule]
            figures.true_pos += expected and found
            figures.false_pos += found and not expected
            figures.false_neg += expected and not found
    return result


def evaluate_files(paths: Sequence[Path], matcher: Matcher) -> list[PartResult]:
    """One result per file; every file is read and checked before any is judged. Ids must be
    unique across the files, so that a line moved from one part to the other is not in both."""
    loaded = [(path, load_corpus(path)) for path in paths]
    owner: dict[str, str] = {}
    for path, items in loaded:
        for item in items:
            if item.id in owner and owner[item.id] != path.name:
                raise ScoringInputError(
                    path.name, f"id {item.id!r} is also used in {owner[item.id]}"
                )
            owner[item.id] = path.name
    return [evaluate_items(path.stem, items, matcher) for path, items in loaded]


def default_corpus() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.jsonl"))


def load_floors(path: Path = FLOORS_FILE) -> dict[str, Any]:
    try:
        floors = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScoringInputError(path.name, f"cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ScoringInputError(
            path.name, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(floors, dict):
        raise ScoringInputError(path.name, "must be a JSON object keyed by part")
    return floors


def check_floors(results: Sequence[PartResult], floors: Mapping[str, Any]) -> list[str]:
    """Every figure below its floor, as a sentence; empty when all hold. A part with floors
    that was not evaluated is not a failure (one file may be evaluated alone)."""
    failures: list[str] = []
    for result in results:
        part = floors.get(result.name)
        if not isinstance(part, Mapping):
            continue
        if "exact_match" in part and result.exact_rate < part["exact_match"]:
            failures.append(
                f"{result.name}: exact match {result.exact_rate:.4f} "
                f"below its floor {part['exact_match']}"
            )
        ceiling = part.get("false_alarm_rate_max")
        rate = result.false_alarm_rate
        if ceiling is not None and rate is not None and rate > ceiling:
            failures.append(
                f"{result.name}: false alarms on clean replies {rate:.4f} above {ceiling}"
            )
        for rule, marks in (part.get("rules") or {}).items():
            figures = result.rules.get(rule)
            if figures is None:
                failures.append(f"{result.name}: floor for unknown rule {rule}")
                continue
            for measure in ("precision", "recall"):
                floor = marks.get(measure)
                value = getattr(figures, measure)
                if floor is not None and (value is None or value < floor):
                    shown = "none" if value is None else f"{value:.4f}"
                    failures.append(
                        f"{result.name}: {rule} {measure} {shown} below its floor {floor}"
                    )
    return failures


def floors_from(results: Sequence[PartResult]) -> dict[str, Any]:
    """Floors at today's figures (two decimals, rounded against the part): recorded after a
    change that raised them, so that any later drop fails CI."""
    floors: dict[str, Any] = {}
    for result in results:
        part: dict[str, Any] = {"exact_match": _down(result.exact_rate)}
        if result.false_alarm_rate is not None:
            part["false_alarm_rate_max"] = math.ceil(result.false_alarm_rate * 100 - 1e-9) / 100
        part["rules"] = {
            rule: {
                measure: _down(value)
                for measure in ("precision", "recall")
                if (value := getattr(figures, measure)) is not None
            }
            for rule, figures in result.rules.items()
        }
        floors[result.name] = part
    return floors


def _down(value: float) -> float:
    return math.floor(value * 100 + 1e-9) / 100


def format_text(results: Sequence[PartResult], *, show_held_aside: bool) -> str:
    """The figures as a person reads them, misses of the tuning parts included."""
    lines: list[str] = []
    for result in results:
        aside = " (held aside)" if result.held_aside else ""
        lines.append(f"== {result.name}{aside}: {result.replies} replies")
        lines.append(
            f"exact match {result.exact_rate:.1%} ({result.exact}/{result.replies}); "
            f"false alarms on clean replies {_pct(result.false_alarm_rate)} "
            f"({result.clean_flagged}/{result.clean})"
        )
        lines.append(f"{'rule':<22}{'labelled':>9}{'flagged':>9}{'precision':>11}{'recall':>9}")
        for rule, figures in result.rules.items():
            lines.append(
                f"{rule:<22}{figures.true_pos + figures.false_neg:>9}"
                f"{figures.true_pos + figures.false_pos:>9}"
                f"{_fig(figures.precision):>11}{_fig(figures.recall):>9}"
            )
        if result.held_aside and not show_held_aside:
            lines.append(
                f"{len(result.misses)} misses not shown: this part is held aside "
                "(--show-held-aside shows them; read them only when retiring the part)"
            )
        else:
            for miss in result.misses:
                missed = ",".join(sorted(miss.item.rules - miss.got))
                extra = ",".join(sorted(miss.got - miss.item.rules))
                lines.append(
                    f"MISS {miss.item.id} [{miss.item.family}] missed={missed or '-'} "
                    f"wrong={extra or '-'}: {miss.item.text}"
                )
        lines.append("")
    return "\n".join(lines)


def _fig(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"
