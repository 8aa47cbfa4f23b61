"""Scenario validation: the JSON Schema, then meaning checks, every error with its place.

Pure apart from its inputs: what the catalogue holds, the rule ids and the shared intents
come in a ``ValidationContext``, so the same checks run in the editor, on import, in the
command line and in tests. Messages are in the active language (``yamlsource.i18n``); the
schema's own are put in plain words by ``scenarios.schema_messages``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema

from scenarios.meaning import meaning_errors
from scenarios.schema import PERSONA_DEFAULTS, SCHEMA
from scenarios.schema_messages import add_schema_errors
from yamlsource import Position, SourceErrors, load_file, load_text
from yamlsource.i18n import gettext as _
from yamlsource.i18n import ngettext

_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
# A scenario is a few hundred values (the largest shipped one about 540); far below the
# loader's limit for every content file, it keeps the schema and meaning checks of any file
# the editor sends well under a second.
MAX_SCENARIO_NODES = 10_000
# Beyond this many errors the rest are counted, not listed: a file of ten thousand unknown
# steps must not make an answer of megabytes.
MAX_ERRORS = 200


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
    more = ngettext("… and %(n)d more error", "… and %(n)d more errors", rest) % {"n": rest}
    capped.add_at(ordered[MAX_ERRORS].position, "", more)
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
            _("a scenario file must be a mapping of fields (format, slug, steps …)"),
        )
        raise errors
    add_schema_errors(document, _VALIDATOR, errors)
    meaning_errors(document, context, errors)
    _capped(errors).raise_if_any()
    data = _plain_data(document)
    data["persona"] = {**PERSONA_DEFAULTS, **data["persona"]}
    return ScenarioSpec(data, _resolve_intents(document, context))


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
    add_schema_errors(document, jsonschema.Draft202012Validator(intents_schema), errors)
    errors.raise_if_any()
    return _plain_data(document["intents"])
