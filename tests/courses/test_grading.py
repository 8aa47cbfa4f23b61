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


@pytest.mark.django_db
def test_responses_are_checked_against_the_question(quiz):
    single, choices = _question(quiz, "b-first-response")
    ids = {c.pk for c in choices}
    with pytest.raises(ValidationError, match="not one of this question's choices"):
        response_clean(single, {"choice": 999999}, ids)
    ordering, choices = _question(quiz, "b-flow")
    ids = {c.pk for c in choices}
    with pytest.raises(ValidationError, match="every item exactly once"):
        response_clean(ordering, {"order": sorted(ids)[:2]}, ids)
    fill_in, _ = _question(quiz, "b-seconds")
    with pytest.raises(ValidationError, match="at most 200"):
        response_clean(fill_in, {"text": "x" * 201}, set())
    assert response_clean(fill_in, {"text": "   "}, set()) is None
