"""Compile a rule pack into Aho-Corasick automata (pyahocorasick).

Three automata, so that a clean reply pays for as little as possible:

* ``triggers``: every phrase that can start a hit (pattern phrases and both halves of pairs).
  Scanned for every reply.
* ``context``: exceptions, negators, pseudo-negators, cautions and softeners. Scanned only when
  a trigger was found (or a scenario rule needs negation), since they only ever clear a hit.
* ``presence``: the wordings a greeting or closing rule looks for, with their exceptions.
  Scanned only for the first and last reply.

Each automaton maps a folded phrase to ``(length, left_edge, right_edge, entries)``; the edge
classes stop ASCII phrases matching inside longer words: a phrase starting with a letter does
not match after a letter ("hi" in "this"), one ending with a letter may still be followed by a
digit ("qq123456"), and likewise for digits.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import ahocorasick

from .normalize import fold_phrase
from .rulepack import PhraseSpec, Rulepack, RuleSpec

__all__ = ["Matcher", "Trigger", "edge_class"]

# What a trigger occurrence is.
PHRASE = 0
FIRST = 1
THEN = 2

# What a context/presence occurrence is.
EXCEPTION = 0
NEGATOR = 1
PSEUDO_NEGATOR = 2
CAUTION = 3
SOFTENER = 4
PRESENT = 5
PRESENT_EXCEPTION = 6


@dataclass(frozen=True, slots=True)
class Trigger:
    rule: int  # index into Matcher.rules
    side: int  # PHRASE, FIRST or THEN
    pair: int  # index into the rule's pairs; -1 for a phrase
    suggestion: str
    clause_final: bool = False
    softenable: bool = False
    unless: tuple[str, ...] = ()
    unless_window: int = 0


def edge_class(ch: str) -> int:
    """1 for an ASCII letter, 2 for an ASCII digit, 0 for anything else."""
    if not ch.isascii():
        return 0
    if ch.isalpha():
        return 1
    return 2 if ch.isdigit() else 0


def _build(entries: dict[str, list[object]]) -> ahocorasick.Automaton | None:
    if not entries:
        return None
    automaton = ahocorasick.Automaton()
    for key, values in entries.items():
        automaton.add_word(
            key,
            (
                len(key),
                edge_class(key[0]),
                edge_class(key[-1]),
                tuple(values),
            ),
        )
    automaton.make_automaton()
    return automaton


# Folded phrase -> what an occurrence of it means (Trigger, or (role, rule index)).
_Entries = dict[str, list[object]]


class Matcher:
    """A pack's rules, split by kind, with their automata. Built once per pack."""

    def __init__(self, pack: Rulepack) -> None:
        self.pack = pack
        self.rules: tuple[RuleSpec, ...] = tuple(r for r in pack.rules if r.enabled)
        self.terse = tuple(i for i, r in enumerate(self.rules) if r.kind == "terse")
        self.exclamation = tuple(i for i, r in enumerate(self.rules) if r.kind == "exclamation")
        self.presence = tuple(i for i, r in enumerate(self.rules) if r.kind == "presence")
        settings = pack.settings
        self.negation_window = settings.negation_window
        self.caution_window = settings.caution_window
        self.particles = tuple(fold_phrase(p) for p in settings.particles)
        # terse_reply: "at least max_chars + 1 letters or digits" as one C-level regex match,
        # so a normal reply is cleared after looking at its first few characters.
        self.terse_res = {
            i: re.compile(rf"(?:[\W_]*[^\W_]){{{self.rules[i].max_chars + 1}}}") for i in self.terse
        }
        self.marks: dict[int, tuple[str, ...]] = {}
        self.run_res: dict[int, re.Pattern[str]] = {}
        self.mark_res: dict[int, re.Pattern[str]] = {}
        for i in self.exclamation:
            marks = tuple(dict.fromkeys(fold_phrase(m) for m in self.rules[i].marks))
            char_class = "[" + "".join(re.escape(m) for m in marks) + "]"
            self.marks[i] = marks
            self.run_res[i] = re.compile(f"{char_class}{{{self.rules[i].max_run + 1},}}")
            self.mark_res[i] = re.compile(char_class)

        triggers: _Entries = defaultdict(list)
        context: _Entries = defaultdict(list)
        presence: _Entries = defaultdict(list)
        for index, rule in enumerate(self.rules):
            if rule.kind == "pattern":
                _add_pattern(triggers, context, index, rule)
            elif rule.kind == "presence":
                _add_presence(presence, index, rule)
        for role, words in (
            (NEGATOR, settings.negators),
            (PSEUDO_NEGATOR, settings.pseudo_negators),
            (CAUTION, settings.cautions),
        ):
            for text in words:
                context[fold_phrase(text)].append((role, -1))
        self.learned = None
        if pack.learned != "none":
            from .learned import load_layer

            self.learned = load_layer()
        # The enabled pattern rules by id: a learned hit takes its rule's severity and wording.
        self.pattern_rules = {r.id: r for r in self.rules if r.kind == "pattern"}
        self.rule_index = {r.id: i for i, r in enumerate(self.rules)}
        # The layer's rules this pack does not judge by pattern (disabled, or of another
        # kind): the layer never adds a hit for them.
        self.learned_skip = frozenset(
            rule
            for rule in (self.learned.rules if self.learned is not None else ())
            if rule not in self.pattern_rules
        )
        self.triggers = _build(triggers)
        self.context = _build(context)
        self.presence_automaton = _build(presence)
        # Every phrase the pack can look for, once: the benchmark's bare-scan baseline.
        self.all_phrases: tuple[str, ...] = tuple(
            sorted(set(triggers) | set(context) | set(presence))
        )


def _phrase_trigger(index: int, rule: RuleSpec, phrase: PhraseSpec) -> Trigger:
    return Trigger(
        index,
        PHRASE,
        -1,
        phrase.suggestion or rule.suggestion,
        phrase.clause_final,
        phrase.softenable,
        tuple(dict.fromkeys(fold_phrase(w) for w in phrase.unless)),
        phrase.unless_window,
    )


def _add_pattern(triggers: _Entries, context: _Entries, index: int, rule: RuleSpec) -> None:
    """A pattern rule's phrases and pair halves trigger; its exceptions and softeners are
    context."""
    for phrase in rule.phrases:
        triggers[fold_phrase(phrase.text)].append(_phrase_trigger(index, rule, phrase))
    for pair_index, pair in enumerate(rule.pairs):
        suggestion = pair.suggestion or rule.suggestion
        for text in pair.first:
            triggers[fold_phrase(text)].append(Trigger(index, FIRST, pair_index, suggestion))
        for text in pair.then:
            triggers[fold_phrase(text)].append(Trigger(index, THEN, pair_index, suggestion))
    for text in rule.exceptions:
        context[fold_phrase(text)].append((EXCEPTION, index))
    for text in rule.softeners:
        context[fold_phrase(text)].append((SOFTENER, index))
    for text in rule.negators:
        context[fold_phrase(text)].append((NEGATOR, index))
    for text in rule.cautions:
        context[fold_phrase(text)].append((CAUTION, index))


def _add_presence(presence: _Entries, index: int, rule: RuleSpec) -> None:
    for phrase in rule.phrases:
        presence[fold_phrase(phrase.text)].append((PRESENT, index))
    for text in rule.exceptions:
        presence[fold_phrase(text)].append((PRESENT_EXCEPTION, index))
