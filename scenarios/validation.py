"""Scenario validation: the JSON Schema, then meaning checks, every error with its place.

Pure apart from its inputs: what the catalogue holds, the rule ids and the shared intents
come in a ``ValidationContext``, so the same checks run in the editor, on import, in the
command line and in tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema

from scenarios.meaning import meaning_errors
from scenarios.schema import SCHEMA
from yamlsource import Position, SourceErrors, load_file, load_text

_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@dataclass(frozen=True)
class ShopFacts:
    products: Mapping[str, frozenset[str]]  # product slug -> SKUs


@dataclass(frozen=True)
class ValidationContext:
    shops: Mapping[str, ShopFacts]
    rule_ids: frozenset[str]
    shared_intents: Mapping[str, dict] = field(default_factory=dict)


@dataclass(frozen=True)
class ScenarioSpec:
    """A validated scenario as plain data, with the intents it can use resolved."""

    data: dict
    intents: dict[str, dict]

    @property
    def slug(self) -> str:
        return self.data["slug"]

    def step(self, name: str) -> dict:
        return self.data["steps"][name]


def _node_at(document, path: Iterable) -> tuple[object, object]:
    """The located container holding the last element of ``path``, and that key."""
    node = document
    keys = list(path)
    for key in keys[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return node, None
    return node, (keys[-1] if keys else None)


def _position(document, path: Iterable) -> Position:
    node, key = _node_at(document, path)
    if hasattr(node, "position"):
        return node.position(key)
    return document.position(None)


def _dotted(path: Iterable) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def _schema_errors(document, errors: SourceErrors) -> None:
    seen: set[tuple] = set()
    for error in sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for extra in sorted(set(error.instance) - allowed, key=str):
                key = (*path, extra)
                if key not in seen:
                    seen.add(key)
                    errors.add_at(
                        _position(document, key),
                        _dotted(key),
                        "unknown field (not in the scenario format)",
                    )
            continue
        if error.validator in ("oneOf", "anyOf") and error.context:
            # Report the most specific sub-error instead of "not valid under any schema".
            best = jsonschema.exceptions.best_match(error.context)
            message = best.message
        else:
            message = error.message
        key = (*path, message)
        if key in seen:
            continue
        seen.add(key)
        errors.add_at(_position(document, path), _dotted(path), _plain(message))


def _plain(message: str) -> str:
    return message.replace("Additional properties are not allowed", "unknown field")


def _resolve_intents(document, context: ValidationContext) -> dict[str, dict]:
    resolved = {name: dict(value) for name, value in context.shared_intents.items()}
    local = document.get("intents") or {}
    resolved.update({name: dict(value) for name, value in local.items()})
    return resolved


def _plain_data(document) -> dict:
    return json.loads(json.dumps(document, ensure_ascii=False, default=str))


def scenario_validate(document, context: ValidationContext) -> ScenarioSpec:
    """Validate a loaded document; raise ``SourceErrors`` listing every problem."""
    errors = SourceErrors()
    if not isinstance(document, dict):
        errors.add(document, None, "a scenario file must be a mapping (format, slug, steps …)")
        raise errors
    _schema_errors(document, errors)
    meaning_errors(document, context, errors)
    errors.raise_if_any()
    return ScenarioSpec(_plain_data(document), _resolve_intents(document, context))


def scenario_from_text(text: str, name: str, context: ValidationContext) -> ScenarioSpec:
    return scenario_validate(load_text(text, name), context)


def scenario_from_file(path: Path | str, context: ValidationContext) -> ScenarioSpec:
    return scenario_validate(load_file(path), context)


def shared_intents_load(path: Path | str) -> dict[str, dict]:
    """The shared intents file: ``format: 1`` and ``intents: {name: intent}``."""
    document = load_file(path)
    errors = SourceErrors()
    intents_schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "intents"],
        "properties": {"format": {"const": 1}, "intents": SCHEMA["properties"]["intents"]},
        "$defs": SCHEMA["$defs"],
    }
    for error in jsonschema.Draft202012Validator(intents_schema).iter_errors(document):
        path_ = list(error.absolute_path)
        errors.add_at(_position(document, path_), _dotted(path_), _plain(error.message))
    errors.raise_if_any()
    return _plain_data(document["intents"])
