"""Reading answers from HTML form posts: quiz answers into the response shapes of
grading.py, product-drill answers into choice numbers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _


def _number(value: str, question: int) -> int:
    """A number a form field offers (a rank, a choice number): a few ASCII digits.

    ``str.isdigit()`` is no test: it accepts "²", which ``int()`` then refuses (and ``int()``
    refuses more than 4,300 digits too).
    """
    if value.isascii() and value.isdecimal() and len(value) <= 9:
        return int(value)
    raise ValidationError(
        _("Question %(number)d: “%(value)s” is not one of its choices.")
        % {"number": question, "value": value}
    )


def answers_from_post(paper: list[dict], post: QueryDict) -> dict[str, dict | None]:
    """One entry per question of the paper; fields are named q<id> (ordering: q<id>_<item>).

    Choices are named by the paper's tokens, never by choice ids (see ``courses.layout``).
    """
    answers: dict[str, dict | None] = {}
    for question in paper:
        key = f"q{question['id']}"
        kind = question["type"]
        if kind == "single":
            value = post.get(key)
            answers[str(question["id"])] = {"choice": value} if value else None
        elif kind == "multiple":
            answers[str(question["id"])] = {"choices": post.getlist(key)}
        elif kind == "true_false":
            value = post.get(key)
            answers[str(question["id"])] = (
                {"value": value == "true"} if value in ("true", "false") else None
            )
        elif kind == "ordering":
            answers[str(question["id"])] = _ordering_from_post(question, post)
        elif kind == "fill_in":
            answers[str(question["id"])] = {"text": post.get(key, "")}
    return answers


def _ordering_from_post(question: dict, post: QueryDict) -> dict | None:
    """A rank per item (1 = first); an incomplete or tied ranking is "not answered"."""
    ranks = {}
    for choice in question["choices"]:
        rank = post.get(f"q{question['id']}_{choice['id']}")
        if rank:
            ranks[choice["id"]] = _number(rank, question["number"])
    if len(ranks) == len(question["choices"]) and len(set(ranks.values())) == len(ranks):
        return {"order": sorted(ranks, key=ranks.get)}
    return None


def drill_responses_from_post(count: int, post: QueryDict) -> list[int | None]:
    """The choice number picked for each of ``count`` drill questions (fields d0, d1, …);
    an empty field is "not answered". Every field in error is named.
    """
    responses: list[int | None] = []
    errors: list[str] = []
    for index in range(count):
        value = post.get(f"d{index}", "")
        try:
            responses.append(_number(value, index + 1) if value else None)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return responses
