"""Scenario validation: the JSON Schema, then meaning checks, every error with its place.

Pure apart from its inputs: what the catalogue holds, the rule ids and the shared intents
come in a ``ValidationContext``, so the same checks run in the editor, on import, in the
command line and in tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema

from scenarios.schema import SCHEMA
from scenarios.step_graph import is_cycle, reached_from, step_edges, strongly_connected
from yamlsource import Position, SourceErrors, load_file, load_text

MAX_CONDITION_DEPTH = 4
FORBIDDEN_RULE = "forbidden_statement"
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


def _walk_conditions(condition, depth: int = 1):
    """Yield (condition, depth) for a condition and everything nested in it."""
    if not isinstance(condition, dict):
        return
    yield condition, depth
    for key in ("all", "any"):
        for child in condition.get(key, []) or []:
            yield from _walk_conditions(child, depth + 1)
    if isinstance(condition.get("not"), dict):
        yield from _walk_conditions(condition["not"], depth + 1)


def _is_timeout(condition) -> bool:
    """A condition that eventually becomes true on its own: tries or silence."""
    if not isinstance(condition, dict):
        return False
    if "tries" in condition or "silence_s" in condition:
        return True
    if "any" in condition:
        return any(_is_timeout(child) for child in condition["any"])
    if "all" in condition:
        return all(_is_timeout(child) for child in condition["all"])
    return False


@dataclass(frozen=True)
class _Known:
    """What a branch condition is checked against: the intents the scenario may use, the
    compliance rule ids, and the buyer's patience (a silence must end before she leaves)."""

    intents: set[str]
    rule_ids: frozenset[str]
    patience: object

    @classmethod
    def of(cls, document, context: ValidationContext) -> _Known:
        local_intents = document.get("intents") or {}
        return cls(
            intents=set(context.shared_intents) | set(local_intents),
            rule_ids=context.rule_ids | {FORBIDDEN_RULE},
            patience=(document.get("persona") or {}).get("patience_s"),
        )


def _is_seconds(value) -> bool:
    return isinstance(value, int | float)


def _steps(document) -> dict:
    return document.get("steps") or {}


def _meaning_errors(document, context: ValidationContext, errors: SourceErrors) -> None:
    """What the schema cannot express, check by check; each check adds what it finds."""
    known = _Known.of(document, context)
    _check_shop(document, context, errors)
    _check_nudge(document, errors)
    _check_required_points(document, known, errors)
    _check_start(document, errors)
    edges = step_edges(_steps(document))
    _check_steps(document, known, errors)
    _check_reachable(document, edges, errors)
    _check_loops(document, edges, errors)
    _check_self_test_paths(document, errors)


def _check_shop(document, context: ValidationContext, errors: SourceErrors) -> None:
    """The shop exists in the catalogue, and so do the products and the order's items."""
    shop = document.get("shop")
    if not isinstance(shop, str):
        return
    facts = context.shops.get(shop)
    if facts is None:
        errors.add(
            document, "shop", f"“{shop}” is not a practice shop in the catalogue", path="shop"
        )
        return
    _check_products(document, shop, facts, errors)
    _check_order_items(document, shop, facts, errors)


def _check_products(document, shop: str, facts: ShopFacts, errors: SourceErrors) -> None:
    products = document.get("products") or []
    for index, product in enumerate(products):
        if product not in facts.products:
            errors.add(
                products,
                index,
                f"product “{product}” is not in the catalogue of shop “{shop}”",
                path=f"products[{index}]",
            )


def _check_order_items(document, shop: str, facts: ShopFacts, errors: SourceErrors) -> None:
    persona = document.get("persona") or {}
    items = ((persona.get("order") or {}).get("items")) or []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        slug, sku = item.get("product"), item.get("sku")
        where = f"persona.order.items[{index}]"
        if slug not in facts.products:
            errors.add(
                item,
                "product",
                f"product “{slug}” is not in the catalogue of shop “{shop}”",
                path=f"{where}.product",
            )
        elif sku and sku not in facts.products[slug]:
            errors.add(
                item, "sku", f"SKU “{sku}” is not a variant of “{slug}”", path=f"{where}.sku"
            )


def _check_nudge(document, errors: SourceErrors) -> None:
    """The buyer nudges before her patience runs out."""
    persona = document.get("persona") or {}
    patience = persona.get("patience_s")
    nudge = persona.get("nudge_after_s")
    if _is_seconds(patience) and _is_seconds(nudge) and nudge >= patience:
        errors.add(
            persona,
            "nudge_after_s",
            f"the nudge ({nudge:g} s) must come before the buyer leaves "
            f"(patience_s {patience:g} s)",
            path="persona.nudge_after_s",
        )


def _check_required_points(document, known: _Known, errors: SourceErrors) -> None:
    for index, point in enumerate(document.get("required_points") or []):
        if isinstance(point, dict) and point.get("intent") not in known.intents:
            errors.add(
                point,
                "intent",
                f"unknown intent “{point.get('intent')}”",
                path=f"required_points[{index}].intent",
            )


def _check_start(document, errors: SourceErrors) -> None:
    start = document.get("start")
    if isinstance(start, str) and start not in _steps(document):
        errors.add(document, "start", f"start step “{start}” does not exist", path="start")


def _check_steps(document, known: _Known, errors: SourceErrors) -> None:
    """Each step's branches (where they go, what they test), then whether it has a way out."""
    steps = _steps(document)
    for name, step in steps.items():
        if not isinstance(step, dict):
            continue
        for b_index, branch in enumerate(step.get("branches") or []):
            if not isinstance(branch, dict):
                continue
            where = f"steps.{name}.branches[{b_index}]"
            _check_goto(branch, steps, where, errors)
            _check_conditions(branch.get("when"), known, where, errors)
        _check_way_out(steps, name, step, errors)


def _check_goto(branch: dict, steps: dict, where: str, errors: SourceErrors) -> None:
    target = branch.get("goto")
    if isinstance(target, str) and target not in steps:
        errors.add(branch, "goto", f"goto “{target}”: there is no such step", path=f"{where}.goto")


def _check_conditions(when, known: _Known, where: str, errors: SourceErrors) -> None:
    """A branch's condition and every condition nested in it, down to the depth allowed."""
    for condition, depth in _walk_conditions(when):
        if depth > MAX_CONDITION_DEPTH:
            message = f"conditions nest deeper than {MAX_CONDITION_DEPTH} levels"
            errors.add(condition, None, message, path=f"{where}.when")
            break
        _check_condition_names(condition, known, where, errors)
        _check_regex(condition, where, errors)
        _check_silence(condition, known, where, errors)


def _check_condition_names(
    condition: dict, known: _Known, where: str, errors: SourceErrors
) -> None:
    if "intent" in condition and condition["intent"] not in known.intents:
        errors.add(
            condition,
            "intent",
            f"unknown intent “{condition['intent']}”",
            path=f"{where}.when.intent",
        )
    if "rule" in condition and condition["rule"] not in known.rule_ids:
        errors.add(
            condition,
            "rule",
            f"unknown compliance rule “{condition['rule']}”",
            path=f"{where}.when.rule",
        )


def _check_regex(condition: dict, where: str, errors: SourceErrors) -> None:
    if "regex" not in condition or not isinstance(condition["regex"], str):
        return
    try:
        re.compile(condition["regex"])
    except re.error as exc:
        errors.add(
            condition, "regex", f"not a valid regular expression: {exc}", path=f"{where}.when.regex"
        )


def _check_silence(condition: dict, known: _Known, where: str, errors: SourceErrors) -> None:
    """A silence the buyer never waits out (she leaves first) can never fire."""
    silence = condition.get("silence_s")
    if _is_seconds(silence) and _is_seconds(known.patience) and silence >= known.patience:
        errors.add(
            condition,
            "silence_s",
            f"never fires: the buyer leaves after {known.patience:g} s (patience_s)",
            path=f"{where}.when.silence_s",
        )


def _check_way_out(steps: dict, name: str, step: dict, errors: SourceErrors) -> None:
    """A step with branches needs one that ends the chat or goes to another step."""
    if "branches" not in step:
        return
    if not any(
        isinstance(b, dict) and (b.get("end") or (b.get("goto") not in (None, name)))
        for b in step.get("branches") or []
    ):
        errors.add(
            steps,
            name,
            f"step “{name}” has no way out: every branch stays here",
            path=f"steps.{name}",
        )


def _check_reachable(document, edges: dict[str, set[str]], errors: SourceErrors) -> None:
    steps = _steps(document)
    start = document.get("start")
    if not (isinstance(start, str) and start in steps):
        return  # _check_start reports a missing start
    reached = reached_from(start, edges)
    for name in steps:
        if name not in reached:
            errors.add(
                steps, name, f"step “{name}” cannot be reached from “{start}”", path=f"steps.{name}"
            )


def _check_loops(document, edges: dict[str, set[str]], errors: SourceErrors) -> None:
    """Every loop of steps has a branch that leaves it on `tries` or `silence_s`, so no
    conversation can go round forever."""
    steps = _steps(document)
    for component in strongly_connected(sorted(edges), edges):
        if not is_cycle(component, edges) or _has_timeout_exit(steps, component):
            continue
        first = sorted(component)[0]
        loop = " → ".join(sorted(component))
        errors.add(
            steps,
            first,
            f"the loop {loop} has no exit on `tries` or `silence_s`: a trainee "
            f"could go round it forever",
            path=f"steps.{first}",
        )


def _has_timeout_exit(steps: dict, component: set[str]) -> bool:
    return any(
        isinstance(branch, dict)
        and _is_timeout(branch.get("when"))
        and (branch.get("end") or branch.get("goto") not in component)
        for name in component
        for branch in steps[name].get("branches") or []
    )


def _check_self_test_paths(document, errors: SourceErrors) -> None:
    steps = _steps(document)
    for t_index, test in enumerate(document.get("tests") or []):
        expect = test.get("expect") if isinstance(test, dict) else None
        path = (expect or {}).get("path") or []
        for p_index, name in enumerate(path):
            if name not in steps:
                errors.add(
                    path,
                    p_index,
                    f"the self-test path names a missing step “{name}”",
                    path=f"tests[{t_index}].expect.path[{p_index}]",
                )


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
    _meaning_errors(document, context, errors)
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
