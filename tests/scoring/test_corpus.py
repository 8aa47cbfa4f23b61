"""The shipped evaluation corpus: its shape, and the rules' figures on it held at their floors
(CI fails when a change to the rules or the engine costs precision or recall)."""

from __future__ import annotations

from collections import Counter

import pytest

from scoring.evaluate import (
    CORPUS_DIR,
    CORPUS_RULES,
    MEANING_RULES,
    check_floors,
    default_corpus,
    evaluate_files,
    load_corpus,
    load_floors,
)
from scoring.rulepack import load_rulepack


@pytest.fixture(scope="module")
def parts() -> dict[str, list]:
    return {path.stem: load_corpus(path) for path in default_corpus()}


def test_the_corpus_has_a_tuning_part_and_a_held_aside_part(parts: dict[str, list]) -> None:
    assert set(parts) == {"dev", "holdout"}
    assert sum(len(items) for items in parts.values()) >= 1500
    assert len(parts["holdout"]) >= 600


@pytest.mark.parametrize("part", ["dev", "holdout"])
def test_each_part_covers_every_rule_with_as_many_near_misses(
    parts: dict[str, list], part: str
) -> None:
    items = parts[part]
    per_rule = Counter(rule for item in items for rule in item.rules)
    for rule in MEANING_RULES:
        assert per_rule[rule] >= 45, (part, rule)
    # The format rules are mechanical (a character, a mark, a length): a dozen lines each show
    # whether their exceptions (quotes, 迷你, 不但是…) hold.
    for rule in set(CORPUS_RULES) - set(MEANING_RULES):
        assert per_rule[rule] >= 12, (part, rule)
    clean = sum(1 for item in items if not item.rules)
    assert clean >= len(items) - clean
    families = {item.family for item in items if item.rules}
    assert len(families) >= 20  # many phrasings, not one per rule


def test_no_reply_is_in_both_parts(parts: dict[str, list]) -> None:
    dev = {item.text for item in parts["dev"]}
    assert not [item.id for item in parts["holdout"] if item.text in dev]


def test_the_rules_hold_their_floors() -> None:
    results = evaluate_files(default_corpus(), load_rulepack().matcher)
    floors = load_floors()
    assert set(floors) == {r.name for r in results}
    assert check_floors(results, floors) == []
    assert (CORPUS_DIR / "README.md").exists()
