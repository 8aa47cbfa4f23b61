import pytest
from django.core.exceptions import ValidationError

from courses.grading import normalise_fill_in, response_clean, response_grade


def _question(quiz, slug):
    question = quiz.questions.get(slug=slug)
    return question, list(question.choices.all())


def test_fill_in_normalisation():
    assert normalise_fill_in("  ６秒 ") == "6秒"
    assert normalise_fill_in("六秒") == "六秒"
    assert normalise_fill_in("發貨") == "发货"
    assert normalise_fill_in("ABC") == "abc"


@pytest.mark.django_db
def test_each_type_is_graded_all_or_nothing(quiz):
    single, choices = _question(quiz, "b-first-response")
    right = next(c for c in choices if c.correct)
    wrong = next(c for c in choices if not c.correct)
    assert response_grade(single, {"choice": right.pk}, choices) == 1
    assert response_grade(single, {"choice": wrong.pk}, choices) == 0
    assert response_grade(single, None, choices) == 0

    multiple, choices = _question(quiz, "b-polite")
    correct = sorted(c.pk for c in choices if c.correct)
    assert response_grade(multiple, {"choices": correct}, choices) == 1
    assert response_grade(multiple, {"choices": correct[:1]}, choices) == 0
    assert response_grade(multiple, {"choices": sorted(c.pk for c in choices)}, choices) == 0

    true_false, choices = _question(quiz, "b-terse")
    assert response_grade(true_false, {"value": False}, choices) == 1
    assert response_grade(true_false, {"value": True}, choices) == 0

    ordering, choices = _question(quiz, "b-flow")
    in_order = [c.pk for c in sorted(choices, key=lambda c: c.position)]
    assert response_grade(ordering, {"order": in_order}, choices) == 1
    assert response_grade(ordering, {"order": in_order[::-1]}, choices) == 0

    fill_in, choices = _question(quiz, "b-seconds")
    assert response_grade(fill_in, {"text": " ６ "}, choices) == 1
    assert response_grade(fill_in, {"text": "6秒"}, choices) == 1
    assert response_grade(fill_in, {"text": "10"}, choices) == 0


def _tokens(choices) -> dict[str, int]:
    """Token shown → choice id, as an attempt's layout gives them."""
    return {f"t{index}x": c.pk for index, c in enumerate(choices)}


@pytest.mark.django_db
def test_responses_are_checked_against_the_question(quiz):
    single, choices = _question(quiz, "b-first-response")
    tokens = _tokens(choices)
    with pytest.raises(ValidationError, match="not one of this question's choices"):
        response_clean(single, {"choice": 999999}, tokens)
    with pytest.raises(ValidationError, match="not one of this question's choices"):
        response_clean(single, {"choice": choices[0].pk}, tokens)  # an id, not a token
    assert response_clean(single, {"choice": "t1x"}, tokens) == {"choice": choices[1].pk}
    ordering, choices = _question(quiz, "b-flow")
    tokens = _tokens(choices)
    with pytest.raises(ValidationError, match="every item exactly once"):
        response_clean(ordering, {"order": sorted(tokens)[:2]}, tokens)
    with pytest.raises(ValidationError, match="every item exactly once"):
        response_clean(ordering, {"order": ["t0x", "t0x", "t1x", "t2x"]}, tokens)
    with pytest.raises(ValidationError, match="must be a list of choice ids"):
        response_clean(ordering, {"order": [c.pk for c in choices]}, tokens)
    order = ["t3x", "t1x", "t0x", "t2x"]
    assert response_clean(ordering, {"order": order}, tokens) == {
        "order": [tokens[t] for t in order]
    }
    multiple, choices = _question(quiz, "b-polite")
    tokens = _tokens(choices)
    assert response_clean(multiple, {"choices": ["t2x", "t0x"]}, tokens) == {
        "choices": sorted([choices[0].pk, choices[2].pk])
    }
    with pytest.raises(ValidationError, match="not one of this question's choices"):
        response_clean(multiple, {"choices": ["t0x", "nope"]}, tokens)
    fill_in, _ = _question(quiz, "b-seconds")
    with pytest.raises(ValidationError, match="at most 200"):
        response_clean(fill_in, {"text": "x" * 201}, {})
    assert response_clean(fill_in, {"text": "   "}, {}) is None
