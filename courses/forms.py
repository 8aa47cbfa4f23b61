"""Reading quiz answers from an HTML form post into the response shapes of grading.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("“%(value)s” is not a valid choice.") % {"value": value}) from None


def answers_from_post(paper: list[dict], post: QueryDict) -> dict[str, dict | None]:
    """One entry per question of the paper; fields are named q<id> (ordering: q<id>_<item>)."""
    answers: dict[str, dict | None] = {}
    for question in paper:
        key = f"q{question['id']}"
        kind = question["type"]
        if kind == "single":
            value = post.get(key)
            answers[str(question["id"])] = {"choice": _int(value)} if value else None
        elif kind == "multiple":
            answers[str(question["id"])] = {"choices": [_int(v) for v in post.getlist(key)]}
        elif kind == "true_false":
            value = post.get(key)
            answers[str(question["id"])] = (
                {"value": value == "true"} if value in ("true", "false") else None
            )
        elif kind == "ordering":
            ranks = {}
            for choice in question["choices"]:
                rank = post.get(f"{key}_{choice['id']}")
                if rank:
                    ranks[choice["id"]] = _int(rank)
            if len(ranks) == len(question["choices"]) and len(set(ranks.values())) == len(ranks):
                answers[str(question["id"])] = {"order": sorted(ranks, key=ranks.get)}
            else:
                answers[str(question["id"])] = None  # incomplete ranking = not answered
        elif kind == "fill_in":
            answers[str(question["id"])] = {"text": post.get(key, "")}
    return answers
