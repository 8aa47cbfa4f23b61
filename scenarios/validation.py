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
# A scenario is a few hundred values (the largest shipped one about 540); far below the
# loader's limit for every content file, it keeps the schema and meaning checks of any file
# the editor sends well under a second.
MAX_SCENARIO_NODES = 10_000
# Beyond this many errors the rest are counted, not listed: a file of ten thousand unknown
# steps must not make an answer of megabytes.
MAX_ERRORS = 200
# The schema's messages quote the value; a long one is cut.
MAX_MESSAGE_CHARS = 300


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


def _position(document, path: Iterable) -> Position:
    """Where the value at ``path`` was written: its key in the deepest located mapping or
    list on the way (the path may run into a value of the wrong type)."""
    node, located, located_key = document, document, None
    for key in path:
        if not hasattr(node, "position"):
            break
        located, located_key = node, key
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return located.position(located_key)


def _dotted(path: Iterable) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def _path_order(error: jsonschema.ValidationError) -> list[tuple]:
    """Sort key of an error's path; keys of a mapping may be text, numbers or null."""
    return [
        (0, key, "") if isinstance(key, int) else (1, 0, str(key)) for key in error.absolute_path
    ]


def _schema_errors(document, errors: SourceErrors) -> None:
    seen: set[tuple] = set()
    for error in sorted(_VALIDATOR.iter_errors(document), key=_path_order):
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
    message = message.replace("Additional properties are not allowed", "unknown field")
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    return message


def _resolve_intents(document, context: ValidationContext) -> dict[str, dict]:
    resolved = {name: dict(value) for name, value in context.shared_intents.items()}
    local = document.get("intents") or {}
    resolved.update({name: dict(value) for name, value in local.items()})
    return resolved


def _plain_data(document) -> dict:
    return json.loads(json.dumps(document, ensure_ascii=False, default=str))


def _capped(errors: SourceErrors) -> SourceErrors:
    """The first ``MAX_ERRORS`` errors in file order, and a count of the rest."""
    if len(errors) <= MAX_ERRORS:
        return errors
    ordered = sorted(errors.errors)
    capped = SourceErrors(ordered[:MAX_ERRORS])
    rest = len(ordered) - MAX_ERRORS
    capped.add_at(ordered[MAX_ERRORS].position, "", f"… and {rest} more error(s)")
    return capped


def scenario_validate(
    document, context: ValidationContext, *, name: str = "scenario.yaml"
) -> ScenarioSpec:
    """Validate a loaded document; raise ``SourceErrors`` listing every problem."""
    errors = SourceErrors()
    if not isinstance(document, dict):
        # A lone value or a list: its place is the document's start (line 1 for a value).
        position = document.position() if hasattr(document, "position") else None
        errors.add_at(
            position or Position(name, 1, 1),
            "",
            "a scenario file must be a mapping (format, slug, steps …)",
        )
        raise errors
    _schema_errors(document, errors)
    meaning_errors(document, context, errors)
    _capped(errors).raise_if_any()
    return ScenarioSpec(_plain_data(document), _resolve_intents(document, context))


def scenario_from_text(text: str | bytes, name: str, context: ValidationContext) -> ScenarioSpec:
    document = load_text(text, name, max_nodes=MAX_SCENARIO_NODES)
    return scenario_validate(document, context, name=name)


def scenario_from_file(path: Path | str, context: ValidationContext) -> ScenarioSpec:
    document = load_file(path, max_nodes=MAX_SCENARIO_NODES)
    return scenario_validate(document, context, name=str(path))


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
