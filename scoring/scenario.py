"""Scenario-level checks: required points and forbidden statements.

They come from the scenario (not the rule pack) and are reported in the same hit format under
the reserved rule ids ``required_point_missing`` and ``forbidden_statement``.

Accepted shapes (in a reply's ``context`` or in a session's ``targets``)::

    "required_points": [
        "运费险",                                  # one keyword
        ["七天无理由", "7天无理由"],                # any one of these
        {"id": "return_policy",                    # every entry of "all" must appear;
         "all": [["七天", "7天"], "无理由"],         #  an entry that is a list means any of it
         "suggestion": "…", "severity": "major"},
        {"id": "size", "any": ["尺码表", "尺码"]},
    ],
    "forbidden": [
        "可以退款",                                 # negated mentions ("不可以退款") are clean
        {"text": "包邮", "suggestion": "…", "severity": "minor", "negatable": false},
    ]

All keywords of one point must appear in the *same* reply: a point is one thing said at once.
Keywords are normalised like replies (Traditional, full-width and case do not matter).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ScoringInputError
from .normalize import fold_phrase, loosen
from .rulepack import SEVERITIES

__all__ = [
    "FORBIDDEN_RULE",
    "REQUIRED_RULE",
    "EMPTY_SCENARIO",
    "ForbiddenStatement",
    "RequiredPoint",
    "ScenarioRules",
    "parse_scenario_rules",
]

REQUIRED_RULE = "required_point_missing"
FORBIDDEN_RULE = "forbidden_statement"
_MAX_ITEMS = 200
_MAX_KEYWORD = 200


@dataclass(frozen=True, slots=True)
class RequiredPoint:
    id: str
    # Every group must be matched by one of its keywords; ``folded`` is what is matched.
    groups: tuple[tuple[str, ...], ...]
    folded: tuple[tuple[str, ...], ...]
    suggestion: str
    severity: str = "major"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "all": [list(g) for g in self.groups]}


@dataclass(frozen=True, slots=True)
class ForbiddenStatement:
    text: str
    folded: str
    suggestion: str
    severity: str = "major"
    negatable: bool = True

    @property
    def loose(self) -> str:
        """What is matched: 您/你 and 的/得/地 spelled either way (``normalize.loosen``)."""
        return loosen(self.folded)


@dataclass(frozen=True, slots=True)
class ScenarioRules:
    required_points: tuple[RequiredPoint, ...] = ()
    forbidden: tuple[ForbiddenStatement, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.required_points or self.forbidden)


EMPTY_SCENARIO = ScenarioRules()


def _keyword(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScoringInputError(field, "must be a non-empty string")
    if len(value) > _MAX_KEYWORD:
        raise ScoringInputError(field, f"longer than {_MAX_KEYWORD} characters")
    folded = fold_phrase(value)
    if not folded.strip():
        raise ScoringInputError(field, "is empty once normalised")
    return folded


def _group(value: Any, field: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """One group as written and as matched."""
    if isinstance(value, str):
        return (value,), (_keyword(value, field),)
    if isinstance(value, list) and value:
        folded = tuple(_keyword(v, f"{field}[{i}]") for i, v in enumerate(value))
        return tuple(value), folded
    raise ScoringInputError(field, "must be a keyword or a non-empty list of keywords")


def _severity(value: Any, field: str) -> str:
    if value not in SEVERITIES:
        raise ScoringInputError(field, f"must be one of {', '.join(SEVERITIES)}")
    return str(value)


def _optional_text(raw: Mapping[str, Any], key: str, field: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ScoringInputError(f"{field}.{key}", "must be a non-empty string")
    return value


def _required_point(value: Any, field: str) -> RequiredPoint:
    if isinstance(value, str | list):
        written, folded = _group(value, field)
        return RequiredPoint(written[0], (written,), (folded,), f"记得向买家说明：{written[0]}")
    if not isinstance(value, Mapping):
        raise ScoringInputError(field, "must be a keyword, a list of keywords or an object")
    allowed = ("id", "all", "any", "suggestion", "severity")
    for key in value:
        if key not in allowed:
            raise ScoringInputError(
                f"{field}.{key}", f"unknown key (allowed: {', '.join(allowed)})"
            )
    if ("all" in value) == ("any" in value):
        raise ScoringInputError(field, 'needs exactly one of "all" or "any"')
    if "any" in value:
        pairs = [_group(value["any"], f"{field}.any")]
    else:
        entries = value["all"]
        if not isinstance(entries, list) or not entries:
            raise ScoringInputError(f"{field}.all", "must be a non-empty list")
        pairs = [_group(v, f"{field}.all[{i}]") for i, v in enumerate(entries)]
    groups = tuple(written for written, _ in pairs)
    folded_groups = tuple(folded for _, folded in pairs)
    first_words = [g[0] for g in groups]
    point_id = value.get("id", "+".join(first_words))
    if not isinstance(point_id, str) or not point_id.strip():
        raise ScoringInputError(f"{field}.id", "must be a non-empty string")
    suggestion = _optional_text(value, "suggestion", field) or (
        "记得向买家说明：" + "、".join(first_words)
    )
    severity = _severity(value.get("severity", "major"), f"{field}.severity")
    return RequiredPoint(point_id, groups, folded_groups, suggestion, severity)


def _forbidden(value: Any, field: str) -> ForbiddenStatement:
    if isinstance(value, str):
        folded = _keyword(value, field)
        return ForbiddenStatement(value, folded, f"场景要求不要说「{value}」，请换一种说法")
    if not isinstance(value, Mapping):
        raise ScoringInputError(field, "must be a phrase or an object with 'text'")
    allowed = ("text", "suggestion", "severity", "negatable")
    for key in value:
        if key not in allowed:
            raise ScoringInputError(
                f"{field}.{key}", f"unknown key (allowed: {', '.join(allowed)})"
            )
    if "text" not in value:
        raise ScoringInputError(f"{field}.text", "is required")
    text = value["text"]
    folded = _keyword(text, f"{field}.text")
    negatable = value.get("negatable", True)
    if not isinstance(negatable, bool):
        raise ScoringInputError(f"{field}.negatable", "must be true or false")
    return ForbiddenStatement(
        text,
        folded,
        _optional_text(value, "suggestion", field) or f"场景要求不要说「{text}」，请换一种说法",
        _severity(value.get("severity", "major"), f"{field}.severity"),
        negatable,
    )


def parse_scenario_rules(raw: Mapping[str, Any], field: str) -> ScenarioRules:
    """Read ``required_points`` and ``forbidden`` from a context or targets object.

    ``field`` is the path of ``raw`` itself (e.g. ``context`` or ``targets``), used in errors.
    Other keys of ``raw`` are left to the caller.
    """
    prefix = f"{field}." if field else ""
    points: list[RequiredPoint] = []
    forbidden: list[ForbiddenStatement] = []
    if raw.get("required_points") is not None:
        items = raw["required_points"]
        if not isinstance(items, list):
            raise ScoringInputError(f"{prefix}required_points", "must be a list")
        if len(items) > _MAX_ITEMS:
            raise ScoringInputError(f"{prefix}required_points", f"more than {_MAX_ITEMS} items")
        points = [_required_point(v, f"{prefix}required_points[{i}]") for i, v in enumerate(items)]
        seen: set[str] = set()
        for i, point in enumerate(points):
            if point.id in seen:
                raise ScoringInputError(
                    f"{prefix}required_points[{i}].id", f"duplicate id {point.id!r}"
                )
            seen.add(point.id)
    if raw.get("forbidden") is not None:
        items = raw["forbidden"]
        if not isinstance(items, list):
            raise ScoringInputError(f"{prefix}forbidden", "must be a list")
        if len(items) > _MAX_ITEMS:
            raise ScoringInputError(f"{prefix}forbidden", f"more than {_MAX_ITEMS} items")
        forbidden = [_forbidden(v, f"{prefix}forbidden[{i}]") for i, v in enumerate(items)]
    if not points and not forbidden:
        return EMPTY_SCENARIO
    return ScenarioRules(tuple(points), tuple(forbidden))
