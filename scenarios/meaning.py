"""The meaning checks of a scenario file: what its JSON Schema cannot express (the shop and
products exist, every goto lands, conditions name known intents and rules, silences end
before the buyer's patience, every step is reachable and has a way out, self-test paths
exist). Each check reads one concern and adds what it finds to the errors, with its place.

The JSON Schema has already reported every value of the wrong type; each check looks only
at values of the type it expects (``_mapping``, ``_items``, ``isinstance``) and skips the
rest, so a malformed file gets the schema's error and never an exception from here.

Messages are in the active language (``yamlsource.i18n``); fields are named by their keys
and list indices, which the errors show counted from 1.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scenarios.regex_cost import regex_problem
from scenarios.schema import PERSONA_DEFAULTS, SCHEMA
from scenarios.step_graph import is_cycle, reached_from, step_edges, strongly_connected
from scenarios.typing_replay import PASTE_LEAD_S, typing_seconds
from yamlsource import SourceErrors
from yamlsource.i18n import gettext as _

if TYPE_CHECKING:
    from scenarios.validation import ShopFacts, ValidationContext

MAX_CONDITION_DEPTH = 4
FORBIDDEN_RULE = "forbidden_statement"
# A required point left out: a scenario may cap the total for it, no branch tests it.
REQUIRED_RULE = "required_point_missing"
MAX_REGEX_CHARS = SCHEMA["$defs"]["condition"]["properties"]["regex"]["maxLength"]


def _mapping(value) -> dict:
    """``value`` if it is a mapping, else an empty one (the schema reports the wrong type)."""
    return value if isinstance(value, dict) else {}


def _persona(document) -> dict:
    """The buyer as the engine will see her: what the file says over the defaults."""
    return {**PERSONA_DEFAULTS, **_mapping(document.get("persona"))}


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
    # The start step of an agent-first scenario: nobody waits there, so no patience applies.
    opening: str | None = None
    commitments: frozenset[str] = frozenset()
    faults: frozenset[str] = frozenset()

    @classmethod
    def of(cls, document, context: ValidationContext) -> _Known:
        local_intents = document.get("intents") or {}
        intents = None
        if isinstance(local_intents, dict):
            intents = set(context.shared_intents) | set(local_intents)
        return cls(
            intents=intents,
            rule_ids=context.rule_ids | {FORBIDDEN_RULE},
            patience=_persona(document).get("patience_s"),
            opening=document.get("start") if document.get("opener") == "agent" else None,
            commitments=frozenset(_mapping(document.get("commitments"))),
            faults=frozenset(_mapping(document.get("faults"))),
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
    _check_names(document, known, errors)
    _check_caps(document, known, errors)
    _check_commitments(document, known, errors)
    _check_opener(document, errors)
    _check_required_points(document, known, errors)
    _check_start(document, errors)
    edges = step_edges(_steps(document))
    _check_steps(document, known, errors)
    _check_reachable(document, edges, errors)
    _check_loops(document, edges, errors)
    _check_self_test_paths(document, errors)
    _check_self_test_names(document, known, errors)
    _check_self_test_typing(document, errors)
    _check_closing_is_last(document, errors)


def _check_shop(document, context: ValidationContext, errors: SourceErrors) -> None:
    """The shop exists in the catalogue, and so do the products and the order's items."""
    shop = document.get("shop")
    if not isinstance(shop, str):
        return
    facts = context.shops.get(shop)
    if facts is None:
        errors.add(
            document,
            "shop",
            _("“%(shop)s” is not a practice shop in the catalogue") % {"shop": shop},
            path=("shop",),
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
                _not_in_catalogue(product, shop),
                path=("products", index),
            )


def _not_in_catalogue(product: str, shop: str) -> str:
    return _("product “%(product)s” is not in the catalogue of shop “%(shop)s”") % {
        "product": product,
        "shop": shop,
    }


def _check_order_items(document, shop: str, facts: ShopFacts, errors: SourceErrors) -> None:
    order = _mapping(_mapping(document.get("persona")).get("order"))
    for index, item in enumerate(_items(order.get("items"))):
        slug, sku = _mapping(item).get("product"), _mapping(item).get("sku")
        if not isinstance(slug, str):
            continue
        where = ("persona", "order", "items", index)
        if slug not in facts.products:
            errors.add(item, "product", _not_in_catalogue(slug, shop), path=(*where, "product"))
        elif isinstance(sku, str) and sku and sku not in facts.products[slug]:
            errors.add(
                item,
                "sku",
                _("SKU “%(sku)s” is not a variant of “%(product)s”")
                % {"sku": sku, "product": slug},
                path=(*where, "sku"),
            )


def _check_names(document, known: _Known, errors: SourceErrors) -> None:
    """A cap names a rule, a fault or a commitment: one name cannot be two of them."""
    faults = _mapping(document.get("faults"))
    for name in faults:
        if name in known.rule_ids | {REQUIRED_RULE} or name in known.commitments:
            errors.add(
                faults,
                name,
                _("the name “%(name)s” is already a compliance rule or a commitment")
                % {"name": name},
                path=("faults", name),
            )
    commitments = _mapping(document.get("commitments"))
    for name in commitments:
        if name in known.rule_ids | {REQUIRED_RULE}:
            errors.add(
                commitments,
                name,
                _("the name “%(name)s” is already a compliance rule") % {"name": name},
                path=("commitments", name),
            )


def _check_caps(document, known: _Known, errors: SourceErrors) -> None:
    """A cap names a rule that can be hit (a rule-pack rule, forbidden_statement or
    required_point_missing), one of the scenario's faults, or a commitment (taken back)."""
    caps = _mapping(_mapping(document.get("scoring")).get("caps"))
    cappable = known.rule_ids | {REQUIRED_RULE} | known.faults | known.commitments
    for rule in caps:
        if isinstance(rule, str) and rule not in cappable:
            errors.add(
                caps,
                rule,
                _("unknown compliance rule, fault or commitment “%(rule)s”") % {"rule": rule},
                path=("scoring", "caps", rule),
            )


def _check_commitments(document, known: _Known, errors: SourceErrors) -> None:
    """A commitment's conditions test replies: made and taken back by what the trainee says."""
    for name, commitment in _mapping(document.get("commitments")).items():
        for key in ("made", "withdrawn"):
            when = _mapping(commitment).get(key)
            if when is None:
                continue
            where = ("commitments", str(name))
            _check_conditions(when, known, where, errors, key=key)
            for condition, _depth in _walk_conditions(when):
                if "silence_s" in condition:
                    errors.add(
                        condition,
                        "silence_s",
                        _("an offer is made or taken back by a reply: silence_s never fires here"),
                        path=(*where, key, "silence_s"),
                    )


def _check_opener(document, errors: SourceErrors) -> None:
    """Who speaks first decides which steps have buyer lines: every step has them, except
    the start step of an agent-first scenario, which waits for the trainee and which no
    branch may lead back to (the buyer would have nothing to say on arriving)."""
    steps = _steps(document)
    start = document.get("start")
    agent_first = document.get("opener") == "agent"
    for name, step in steps.items():
        if not isinstance(step, dict):
            continue
        opening = agent_first and name == start
        if opening and "buyer" in step:
            errors.add(
                step,
                "buyer",
                _("the trainee opens this chat (opener: agent): the start step has no buyer lines"),
                path=("steps", str(name), "buyer"),
            )
        elif not opening and "buyer" not in step:
            errors.add(
                steps,
                name,
                _("step “%(step)s” needs buyer lines (buyer)") % {"step": name},
                path=("steps", str(name)),
            )
        for b_index, branch in enumerate(_items(step.get("branches"))):
            if agent_first and isinstance(branch, dict) and branch.get("goto") == start:
                errors.add(
                    branch,
                    "goto",
                    _("goto “%(step)s”: the trainee's opening step cannot be gone back to")
                    % {"step": start},
                    path=("steps", str(name), "branches", b_index, "goto"),
                )


def _check_nudge(document, errors: SourceErrors) -> None:
    """The buyer nudges before her patience runs out."""
    written = _mapping(document.get("persona"))
    persona = _persona(document)
    patience = persona.get("patience_s")
    nudge = persona.get("nudge_after_s")
    if _is_seconds(patience) and _is_seconds(nudge) and nudge >= patience:
        # Told at the value written (one of the two may be a default).
        key = "nudge_after_s" if "nudge_after_s" in written else "patience_s"
        errors.add(
            written,
            key,
            _(
                "the nudge (%(nudge)s s) must come before the buyer leaves "
                "(patience_s %(patience)s s)"
            )
            % {"nudge": f"{nudge:g}", "patience": f"{patience:g}"},
            path=("persona", key),
        )


def _check_required_points(document, known: _Known, errors: SourceErrors) -> None:
    for index, point in enumerate(_items(document.get("required_points"))):
        intent = _mapping(point).get("intent")
        if known.unknown_intent(intent):
            errors.add(
                point,
                "intent",
                _unknown_intent(intent),
                path=("required_points", index, "intent"),
            )


def _unknown_fault(name: str) -> str:
    return _("unknown fault “%(name)s”: name it under faults, with its words for the report") % {
        "name": name
    }


def _unknown_commitment(name: str) -> str:
    return _("unknown commitment “%(name)s”: name it under commitments") % {"name": name}


def _unknown_intent(name: str) -> str:
    return _("unknown intent “%(name)s”") % {"name": name}


def _check_start(document, errors: SourceErrors) -> None:
    start = document.get("start")
    if not isinstance(document.get("steps"), dict):
        return  # no steps to look in: the schema reports them
    if isinstance(start, str) and start not in _steps(document):
        errors.add(
            document,
            "start",
            _("start step “%(step)s” does not exist") % {"step": start},
            path=("start",),
        )


def _check_steps(document, known: _Known, errors: SourceErrors) -> None:
    """Each step's branches (where they go, what they test), then whether it has a way out."""
    steps = _steps(document)
    for name, step in steps.items():
        if not isinstance(step, dict):
            continue
        for b_index, branch in enumerate(_items(step.get("branches"))):
            if not isinstance(branch, dict):
                continue
            where = ("steps", str(name), "branches", b_index)
            _check_goto(branch, steps, where, errors)
            _check_conditions(branch.get("when"), known, where, errors)
            _check_fault(branch, known, where, errors)
        _check_way_out(steps, name, step, errors)
        _check_fallback_missing(name, step, errors)


def _check_fault(branch: dict, known: _Known, where: tuple, errors: SourceErrors) -> None:
    fault = branch.get("fault")
    if isinstance(fault, str) and fault not in known.faults:
        errors.add(
            branch,
            "fault",
            _unknown_fault(fault),
            path=(*where, "fault"),
        )


def _check_fallback_missing(name: str, step: dict, errors: SourceErrors) -> None:
    """Each question is about an intent the step gathers with ``covered``."""
    gathered = {
        intent
        for branch in _items(step.get("branches"))
        for condition, _depth in _walk_conditions(_mapping(branch).get("when"))
        for intent in _items(condition.get("covered"))
    }
    lines = _mapping(step.get("fallback_missing"))
    for intent in lines:
        if intent not in gathered:
            errors.add(
                lines,
                intent,
                _("“%(intent)s” is not gathered at this step: no branch has it in `covered`")
                % {"intent": intent},
                path=("steps", str(name), "fallback_missing", intent),
            )


def _check_goto(branch: dict, steps: dict, where: tuple, errors: SourceErrors) -> None:
    target = branch.get("goto")
    if isinstance(target, str) and target not in steps:
        errors.add(
            branch,
            "goto",
            _("goto “%(step)s”: there is no such step") % {"step": target},
            path=(*where, "goto"),
        )


def _check_conditions(
    when, known: _Known, where: tuple, errors: SourceErrors, key: str = "when"
) -> None:
    """A condition (a branch's ``when``) and every condition nested in it, down to the
    depth allowed."""
    at = (*where, key)
    for condition, depth in _walk_conditions(when):
        if depth > MAX_CONDITION_DEPTH:
            message = _("conditions nest deeper than %(limit)d levels") % {
                "limit": MAX_CONDITION_DEPTH
            }
            errors.add(condition, None, message, path=at)
            break
        _check_condition_names(condition, known, at, errors)
        _check_regex(condition, at, errors)
        _check_silence(condition, known, where, at, errors)


def _check_condition_names(condition: dict, known: _Known, at: tuple, errors) -> None:
    intent, rule = condition.get("intent"), condition.get("rule")
    if known.unknown_intent(intent):
        errors.add(condition, "intent", _unknown_intent(intent), path=(*at, "intent"))
    covered = condition.get("covered")
    for name in covered if isinstance(covered, list) else []:
        if known.unknown_intent(name):
            errors.add(condition, "covered", _unknown_intent(name), path=(*at, "covered"))
    if isinstance(rule, str) and rule not in known.rule_ids:
        errors.add(
            condition,
            "rule",
            _("unknown compliance rule “%(rule)s”") % {"rule": rule},
            path=(*at, "rule"),
        )
    for key in ("committed", "withdrawn"):
        name = condition.get(key)
        if isinstance(name, str) and name not in known.commitments:
            errors.add(
                condition,
                key,
                _unknown_commitment(name),
                path=(*at, key),
            )


def _check_regex(condition: dict, at: tuple, errors: SourceErrors) -> None:
    """The pattern compiles, and cannot stall the engine on a long reply (regex_cost)."""
    pattern = condition.get("regex")
    if not isinstance(pattern, str) or len(pattern) > MAX_REGEX_CHARS:
        return
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        problem = _("not a valid regular expression: %(problem)s") % {"problem": exc}
    else:
        problem = regex_problem(pattern)
    if problem is not None:
        errors.add(condition, "regex", problem, path=(*at, "regex"))


def _check_silence(
    condition: dict, known: _Known, where: tuple, at: tuple, errors: SourceErrors
) -> None:
    """A silence the buyer never waits out (she leaves first) can never fire."""
    silence = condition.get("silence_s")
    if known.opening is not None and tuple(where[:2]) == ("steps", known.opening):
        return
    # At the patience limit itself the silence branch fires first (her last line, then she
    # leaves as the branch says), so only a longer silence never fires.
    if _is_seconds(silence) and _is_seconds(known.patience) and silence > known.patience:
        errors.add(
            condition,
            "silence_s",
            _("never fires: the buyer leaves after %(patience)s s (patience_s)")
            % {"patience": f"{known.patience:g}"},
            path=(*at, "silence_s"),
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
            _("step “%(step)s” has no way out: every branch stays here") % {"step": name},
            path=("steps", str(name)),
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
                steps,
                name,
                _("step “%(step)s” cannot be reached from “%(start)s”")
                % {"step": name, "start": start},
                path=("steps", str(name)),
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
            _(
                "the loop %(loop)s has no exit on `tries` or `silence_s`: a trainee "
                "could go round it forever"
            )
            % {"loop": loop},
            path=("steps", str(first)),
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
                    _("the self-test path names a missing step “%(step)s”") % {"step": name},
                    path=("tests", t_index, "expect", "path", p_index),
                )


def _check_self_test_names(document, known: _Known, errors: SourceErrors) -> None:
    """The faults and commitments a self-test expects are the scenario's own."""
    for t_index, test in enumerate(_items(document.get("tests"))):
        expect = _mapping(_mapping(test).get("expect"))
        faults = _items(expect.get("faults"))
        for f_index, name in enumerate(faults):
            if isinstance(name, str) and name not in known.faults:
                errors.add(
                    faults,
                    f_index,
                    _unknown_fault(name),
                    path=("tests", t_index, "expect", "faults", f_index),
                )
        commitments = _mapping(expect.get("commitments"))
        for name in commitments:
            if name not in known.commitments:
                errors.add(
                    commitments,
                    name,
                    _unknown_commitment(name),
                    path=("tests", t_index, "expect", "commitments", name),
                )


def _check_closing_is_last(document, errors: SourceErrors) -> None:
    """转接主管 / 结束会话 (a reply with ``action``) ends the chat: nothing may follow it."""
    for t_index, test in enumerate(_items(document.get("tests"))):
        replies = _items(_mapping(test).get("replies"))
        for r_index, reply in enumerate(replies[:-1]):
            if "action" in _mapping(reply):
                errors.add(
                    reply,
                    "action",
                    _("the chat ends with this action: it must be the test's last reply"),
                    path=("tests", t_index, "replies", r_index, "action"),
                )


def _check_self_test_typing(document, errors: SourceErrors) -> None:
    """A typed self-test keeps to what a person can do: each reply is typed after the
    buyer's line arrived (after_s is at least its typing time at ``typing_cpm``)."""
    for t_index, test in enumerate(_items(document.get("tests"))):
        cpm = _mapping(test).get("typing_cpm")
        for r_index, reply in enumerate(_items(_mapping(test).get("replies"))):
            problem = _typing_problem(_mapping(reply), cpm)
            if problem:
                errors.add(
                    reply,
                    "after_s",
                    problem,
                    path=("tests", t_index, "replies", r_index, "after_s"),
                )


def _typing_problem(reply: dict, cpm) -> str | None:
    after, text = reply.get("after_s"), reply.get("text")
    if not (_is_seconds(after) and isinstance(text, str)):
        return None
    if reply.get("quick_phrase") is True:
        if after < PASTE_LEAD_S:
            return _("a quick phrase takes %(needed)s s to pick: after_s must be at least that") % {
                "needed": f"{PASTE_LEAD_S:g}"
            }
        return None
    if not (_is_seconds(cpm) and cpm > 0):
        return None
    needed = math.ceil(typing_seconds(text, cpm) * 10) / 10
    if after >= needed:
        return None
    return _(
        "typing this reply at %(cpm)s characters a minute takes %(needed)s s: after_s must be "
        "at least that (or mark it quick_phrase)"
    ) % {"cpm": f"{cpm:g}", "needed": f"{needed:g}"}
