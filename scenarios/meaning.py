"""The meaning checks of a scenario file: what its JSON Schema cannot express (the shop and
products exist, every goto lands, conditions name known intents and rules, silences end
before the buyer's patience, every step is reachable and has a way out, self-test paths
exist). Each check reads one concern and adds what it finds to the errors, with its place.

The JSON Schema has already reported every value of the wrong type; each check looks only
at values of the type it expects (``_mapping``, ``_items``, ``isinstance``) and skips the
rest, so a malformed file gets the schema's error and never an exception from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scenarios.regex_cost import regex_problem
from scenarios.schema import SCHEMA
from scenarios.step_graph import is_cycle, reached_from, step_edges, strongly_connected
from yamlsource import SourceErrors

if TYPE_CHECKING:
    from scenarios.validation import ShopFacts, ValidationContext

MAX_CONDITION_DEPTH = 4
FORBIDDEN_RULE = "forbidden_statement"
MAX_REGEX_CHARS = SCHEMA["$defs"]["condition"]["properties"]["regex"]["maxLength"]


def _mapping(value) -> dict:
    """``value`` if it is a mapping, else an empty one (the schema reports the wrong type)."""
    return value if isinstance(value, dict) else {}


def _items(value) -> list:
    """``value`` if it is a list, else an empty one (the schema reports the wrong type)."""
    return value if isinstance(value, list) else []


def _walk_conditions(condition, depth: int = 1):
    """Yield (condition, depth) for a condition and everything nested in it."""
    if not isinstance(condition, dict):
        return
    yield condition, depth
    for key in ("all", "any"):
        for child in _items(condition.get(key)):
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
        return any(_is_timeout(child) for child in _items(condition["any"]))
    if "all" in condition:
        return all(_is_timeout(child) for child in _items(condition["all"]))
    return False


@dataclass(frozen=True)
class _Known:
    """What a branch condition is checked against: the intents the scenario may use, the
    compliance rule ids, and the buyer's patience (a silence must end before she leaves)."""

    intents: set[str] | None  # None: the local intents are malformed, names go unchecked
    rule_ids: frozenset[str]
    patience: object

    @classmethod
    def of(cls, document, context: ValidationContext) -> _Known:
        local_intents = document.get("intents") or {}
        intents = None
        if isinstance(local_intents, dict):
            intents = set(context.shared_intents) | set(local_intents)
        return cls(
            intents=intents,
            rule_ids=context.rule_ids | {FORBIDDEN_RULE},
            patience=_mapping(document.get("persona")).get("patience_s"),
        )

    def unknown_intent(self, name) -> bool:
        """A name of an intent that does not exist (text only: the schema reports others)."""
        return isinstance(name, str) and self.intents is not None and name not in self.intents


def _is_seconds(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _steps(document) -> dict:
    return _mapping(document.get("steps"))


def meaning_errors(document, context: ValidationContext, errors: SourceErrors) -> None:
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
    products = _items(document.get("products"))
    for index, product in enumerate(products):
        if isinstance(product, str) and product not in facts.products:
            errors.add(
                products,
                index,
                f"product “{product}” is not in the catalogue of shop “{shop}”",
                path=f"products[{index}]",
            )


def _check_order_items(document, shop: str, facts: ShopFacts, errors: SourceErrors) -> None:
    order = _mapping(_mapping(document.get("persona")).get("order"))
    for index, item in enumerate(_items(order.get("items"))):
        slug, sku = _mapping(item).get("product"), _mapping(item).get("sku")
        if not isinstance(slug, str):
            continue
        where = f"persona.order.items[{index}]"
        if slug not in facts.products:
            errors.add(
                item,
                "product",
                f"product “{slug}” is not in the catalogue of shop “{shop}”",
                path=f"{where}.product",
            )
        elif isinstance(sku, str) and sku and sku not in facts.products[slug]:
            errors.add(
                item, "sku", f"SKU “{sku}” is not a variant of “{slug}”", path=f"{where}.sku"
            )


def _check_nudge(document, errors: SourceErrors) -> None:
    """The buyer nudges before her patience runs out."""
    persona = _mapping(document.get("persona"))
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
    for index, point in enumerate(_items(document.get("required_points"))):
        intent = _mapping(point).get("intent")
        if known.unknown_intent(intent):
            errors.add(
                point,
                "intent",
                f"unknown intent “{intent}”",
                path=f"required_points[{index}].intent",
            )


def _check_start(document, errors: SourceErrors) -> None:
    start = document.get("start")
    if not isinstance(document.get("steps"), dict):
        return  # no steps to look in: the schema reports them
    if isinstance(start, str) and start not in _steps(document):
        errors.add(document, "start", f"start step “{start}” does not exist", path="start")


def _check_steps(document, known: _Known, errors: SourceErrors) -> None:
    """Each step's branches (where they go, what they test), then whether it has a way out."""
    steps = _steps(document)
    for name, step in steps.items():
        if not isinstance(step, dict):
            continue
        for b_index, branch in enumerate(_items(step.get("branches"))):
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
    intent, rule = condition.get("intent"), condition.get("rule")
    if known.unknown_intent(intent):
        errors.add(
            condition,
            "intent",
            f"unknown intent “{intent}”",
            path=f"{where}.when.intent",
        )
    covered = condition.get("covered")
    for name in covered if isinstance(covered, list) else []:
        if known.unknown_intent(name):
            errors.add(
                condition,
                "covered",
                f"unknown intent “{name}”",
                path=f"{where}.when.covered",
            )
    if isinstance(rule, str) and rule not in known.rule_ids:
        errors.add(
            condition,
            "rule",
            f"unknown compliance rule “{rule}”",
            path=f"{where}.when.rule",
        )


def _check_regex(condition: dict, where: str, errors: SourceErrors) -> None:
    """The pattern compiles, and cannot stall the engine on a long reply (regex_cost)."""
    pattern = condition.get("regex")
    if not isinstance(pattern, str) or len(pattern) > MAX_REGEX_CHARS:
        return
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        problem = f"not a valid regular expression: {exc}"
    else:
        problem = regex_problem(pattern)
    if problem is not None:
        errors.add(condition, "regex", problem, path=f"{where}.when.regex")


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
    branches = step.get("branches")
    if not isinstance(branches, list):
        return
    if not any(
        isinstance(b, dict) and (b.get("end") or (b.get("goto") not in (None, name)))
        for b in branches
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
    # Names that are not text are reported by the schema; key=str keeps them sortable.
    for component in strongly_connected(sorted(edges, key=str), edges):
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
        for branch in _items(_mapping(steps[name]).get("branches"))
    )


def _check_self_test_paths(document, errors: SourceErrors) -> None:
    if not isinstance(document.get("steps"), dict):
        return  # no steps to look in: the schema reports them
    steps = _steps(document)
    for t_index, test in enumerate(_items(document.get("tests"))):
        path = _items(_mapping(_mapping(test).get("expect")).get("path"))
        for p_index, name in enumerate(path):
            if isinstance(name, str) and name not in steps:
                errors.add(
                    path,
                    p_index,
                    f"the self-test path names a missing step “{name}”",
                    path=f"tests[{t_index}].expect.path[{p_index}]",
                )
