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
                    errors.add_at(_position(document, key), _dotted(key),
                                  "unknown field (not in the scenario format)")
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


def _strongly_connected(nodes: list[str], edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (a deep scenario must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _meaning_errors(document, context: ValidationContext, errors: SourceErrors) -> None:
    steps = document.get("steps") or {}
    persona = document.get("persona") or {}
    local_intents = document.get("intents") or {}
    intents = set(context.shared_intents) | set(local_intents)
    rule_ids = context.rule_ids | {FORBIDDEN_RULE}

    shop = document.get("shop")
    facts = context.shops.get(shop) if isinstance(shop, str) else None
    if isinstance(shop, str) and facts is None:
        errors.add(document, "shop", f"“{shop}” is not a practice shop in the catalogue",
                   path="shop")
    if facts is not None:
        products = document.get("products") or []
        for index, product in enumerate(products):
            if product not in facts.products:
                errors.add(products, index,
                           f"product “{product}” is not in the catalogue of shop “{shop}”",
                           path=f"products[{index}]")
        items = ((persona.get("order") or {}).get("items")) or []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            slug, sku = item.get("product"), item.get("sku")
            where = f"persona.order.items[{index}]"
            if slug not in facts.products:
                errors.add(item, "product", f"product “{slug}” is not in the catalogue of "
                                            f"shop “{shop}”", path=f"{where}.product")
            elif sku and sku not in facts.products[slug]:
                errors.add(item, "sku", f"SKU “{sku}” is not a variant of “{slug}”",
                           path=f"{where}.sku")

    patience = persona.get("patience_s")
    nudge = persona.get("nudge_after_s")
    if isinstance(patience, int | float) and isinstance(nudge, int | float) and nudge >= patience:
        errors.add(persona, "nudge_after_s",
                   f"the nudge ({nudge:g} s) must come before the buyer leaves "
                   f"(patience_s {patience:g} s)", path="persona.nudge_after_s")

    for index, point in enumerate(document.get("required_points") or []):
        if isinstance(point, dict) and point.get("intent") not in intents:
            errors.add(point, "intent", f"unknown intent “{point.get('intent')}”",
                       path=f"required_points[{index}].intent")

    start = document.get("start")
    if isinstance(start, str) and start not in steps:
        errors.add(document, "start", f"start step “{start}” does not exist", path="start")

    edges: dict[str, set[str]] = {name: set() for name in steps}
    for name, step in steps.items():
        if not isinstance(step, dict):
            continue
        branches = step.get("branches") or []
        for b_index, branch in enumerate(branches):
            if not isinstance(branch, dict):
                continue
            where = f"steps.{name}.branches[{b_index}]"
            target = branch.get("goto")
            if isinstance(target, str):
                if target not in steps:
                    errors.add(branch, "goto", f"goto “{target}”: there is no such step",
                               path=f"{where}.goto")
                else:
                    edges[name].add(target)
            for condition, depth in _walk_conditions(branch.get("when")):
                if depth > MAX_CONDITION_DEPTH:
                    message = f"conditions nest deeper than {MAX_CONDITION_DEPTH} levels"
                    errors.add(condition, None, message, path=f"{where}.when")
                    break
                if "intent" in condition and condition["intent"] not in intents:
                    errors.add(condition, "intent", f"unknown intent “{condition['intent']}”",
                               path=f"{where}.when.intent")
                if "rule" in condition and condition["rule"] not in rule_ids:
                    errors.add(condition, "rule", f"unknown compliance rule "
                                                  f"“{condition['rule']}”",
                               path=f"{where}.when.rule")
                if "regex" in condition and isinstance(condition["regex"], str):
                    try:
                        re.compile(condition["regex"])
                    except re.error as exc:
                        errors.add(condition, "regex", f"not a valid regular expression: {exc}",
                                   path=f"{where}.when.regex")
                silence = condition.get("silence_s")
                if isinstance(silence, int | float) and isinstance(patience, int | float) and (
                    silence >= patience
                ):
                    errors.add(condition, "silence_s",
                               f"never fires: the buyer leaves after {patience:g} s "
                               f"(patience_s)", path=f"{where}.when.silence_s")
        if "branches" in step and not any(
            isinstance(b, dict) and (b.get("end") or (b.get("goto") not in (None, name)))
            for b in branches
        ):
            errors.add(steps, name, f"step “{name}” has no way out: every branch stays here",
                       path=f"steps.{name}")

    if isinstance(start, str) and start in steps:
        reached = {start}
        frontier = [start]
        while frontier:
            for target in edges.get(frontier.pop(), ()):
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
        for name in steps:
            if name not in reached:
                errors.add(steps, name, f"step “{name}” cannot be reached from “{start}”",
                           path=f"steps.{name}")

    for component in _strongly_connected(sorted(edges), edges):
        cyclic = len(component) > 1 or any(n in edges[n] for n in component)
        if not cyclic:
            continue
        has_exit = False
        for name in component:
            for branch in steps[name].get("branches") or []:
                if not isinstance(branch, dict) or not _is_timeout(branch.get("when")):
                    continue
                if branch.get("end") or branch.get("goto") not in component:
                    has_exit = True
        if not has_exit:
            first = sorted(component)[0]
            loop = " → ".join(sorted(component))
            errors.add(steps, first,
                       f"the loop {loop} has no exit on `tries` or `silence_s`: a trainee "
                       f"could go round it forever", path=f"steps.{first}")

    for t_index, test in enumerate(document.get("tests") or []):
        expect = test.get("expect") if isinstance(test, dict) else None
        path = (expect or {}).get("path") or []
        for p_index, name in enumerate(path):
            if name not in steps:
                errors.add(path, p_index, f"the self-test path names a missing step “{name}”",
                           path=f"tests[{t_index}].expect.path[{p_index}]")


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
    intents_schema = {"type": "object", "additionalProperties": False,
                      "required": ["format", "intents"],
                      "properties": {"format": {"const": 1},
                                     "intents": SCHEMA["properties"]["intents"]},
                      "$defs": SCHEMA["$defs"]}
    for error in jsonschema.Draft202012Validator(intents_schema).iter_errors(document):
        path_ = list(error.absolute_path)
        errors.add_at(_position(document, path_), _dotted(path_), _plain(error.message))
    errors.raise_if_any()
    return _plain_data(document["intents"])
