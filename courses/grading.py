"""Checking and grading one response to one question. No database writes here.

Response shapes (what the page and the API send per question):
    single      {"choice": <token>}
    multiple    {"choices": [<token>, ...]}
    true_false  {"value": true | false}
    ordering    {"order": [<token>, ...]}          every item exactly once
    fill_in     {"text": "..."}                    at most 200 characters

A token is the identifier of a choice on one attempt's paper (``courses.layout``): choice ids
never reach the trainee, since they follow the file order, key first. ``response_clean``
turns tokens into choice ids; stored responses and grading use choice ids.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError

from courses.models import Question

MAX_FILL_IN = 200


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def normalise_fill_in(text: str) -> str:
    """Trim, NFKC (full-width → half-width), case-fold, Traditional → Simplified."""
    text = unicodedata.normalize("NFKC", text).strip().casefold()
    text = " ".join(text.split())
    return _to_simplified().convert(text)


def _choice_ids(value, label: str, tokens: Mapping[str, int]) -> list[int]:
    """The choice ids of a list of tokens; an unknown token names nothing of this question."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(f"{label} must be a list of choice ids")
    if not all(item in tokens for item in value):
        raise ValidationError(f"{label}: an id is not one of this question's choices")
    return [tokens[item] for item in value]


def response_clean(question: Question, response, tokens: Mapping[str, int]) -> dict | None:
    """Validate a response against the question and turn its tokens into choice ids
    (``tokens``: token shown on this attempt's paper → choice id); ``None`` means "not
    answered"."""
    if response is None:
        return None
    if not isinstance(response, dict):
        raise ValidationError("the answer must be an object")
    clean = _CLEANERS.get(question.type)
    if clean is None:
        raise ValidationError(f"unknown question type {question.type}")
    return clean(response, tokens)


def _single_clean(response: dict, tokens: Mapping[str, int]) -> dict | None:
    choice = response.get("choice")
    if choice is None:
        return None
    if not isinstance(choice, str) or choice not in tokens:
        raise ValidationError("choice is not one of this question's choices")
    return {"choice": tokens[choice]}


def _multiple_clean(response: dict, tokens: Mapping[str, int]) -> dict:
    chosen = _choice_ids(response.get("choices", []), "choices", tokens)
    return {"choices": sorted(set(chosen))}


def _true_false_clean(response: dict, tokens: Mapping[str, int]) -> dict | None:
    value = response.get("value")
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ValidationError("value must be true or false")
    return {"value": value}


def _ordering_clean(response: dict, tokens: Mapping[str, int]) -> dict:
    order = _choice_ids(response.get("order", []), "order", tokens)
    if sorted(order) != sorted(tokens.values()):
        raise ValidationError("order must list every item exactly once")
    return {"order": order}


def _fill_in_clean(response: dict, tokens: Mapping[str, int]) -> dict | None:
    text = response.get("text", "")
    if not isinstance(text, str):
        raise ValidationError("text must be a string")
    if len(text) > MAX_FILL_IN:
        raise ValidationError(f"text must be at most {MAX_FILL_IN} characters")
    return {"text": text} if text.strip() else None


# One cleaner per question type, each checking the response shape in the module docstring.
_CLEANERS: dict[str, Callable[[dict, Mapping[str, int]], dict | None]] = {
    Question.Type.SINGLE: _single_clean,
    Question.Type.MULTIPLE: _multiple_clean,
    Question.Type.TRUE_FALSE: _true_false_clean,
    Question.Type.ORDERING: _ordering_clean,
    Question.Type.FILL_IN: _fill_in_clean,
}


def response_grade(question: Question, response: dict | None, choices: list) -> Decimal:
    """Points earned: all-or-nothing for every type (partial credit would reward guessing
    on multiple choice)."""
    if response is None:
        return Decimal(0)
    full = Decimal(question.points)
    kind = question.type
    if kind == Question.Type.SINGLE:
        correct = {c.pk for c in choices if c.correct}
        return full if {response["choice"]} == correct else Decimal(0)
    if kind == Question.Type.MULTIPLE:
        correct = sorted(c.pk for c in choices if c.correct)
        return full if response["choices"] == correct else Decimal(0)
    if kind == Question.Type.TRUE_FALSE:
        return full if response["value"] == question.answer_true else Decimal(0)
    if kind == Question.Type.ORDERING:
        correct_order = [c.pk for c in sorted(choices, key=lambda c: c.position)]
        return full if response["order"] == correct_order else Decimal(0)
    if kind == Question.Type.FILL_IN:
        accepted = {normalise_fill_in(text) for text in question.accepted}
        return full if normalise_fill_in(response["text"]) in accepted else Decimal(0)
    return Decimal(0)
