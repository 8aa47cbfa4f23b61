"""Item statistics against an independent, plain-Python computation of the same figures."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal

import pytest

from accounts.roles import Role
from courses.item_statistics import quiz_statistics
from courses.models import Answer, Attempt
from tests.factories import UserFactory

SCORES = [  # per trainee: item scores on q1, q2, q3 (first attempts)
    (1, 1, 1),
    (1, 1, 0),
    (1, 0, 0),
    (0, 1, 0),
    (1, 0, 1),
    (0, 0, 0),
]


def _pearson(xs, ys):
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    return cov / (sx * sy)


def _record(quiz, questions, scores, number=1):
    user = UserFactory(role=Role.TRAINEE)
    total = sum(scores)
    attempt = Attempt.objects.create(
        user=user,
        quiz=quiz,
        number=number,
        seed=1,
        layout=[],
        status="submitted",
        score=total,
        max_score=3,
        percent=Decimal(total * 100) / 3,
        passed=total >= 2,
    )
    for question, score in zip(questions, scores, strict=True):
        Answer.objects.create(attempt=attempt, question=question, score=score, max_score=1)
    return user


@pytest.mark.django_db
def test_facility_discrimination_alpha_and_histogram(quiz):
    questions = list(quiz.questions.order_by("position")[:3])
    users = [_record(quiz, questions, scores) for scores in SCORES]
    # A second attempt must not count: statistics use first attempts only.
    second = Attempt.objects.create(
        user=users[-1],
        quiz=quiz,
        number=2,
        seed=2,
        layout=[],
        status="submitted",
        score=3,
        max_score=3,
        percent=100,
    )
    for question in questions:
        Answer.objects.create(attempt=second, question=question, score=1, max_score=1)

    stats = quiz_statistics(quiz)
    assert stats.attempts == 6
    items = {item.question.slug: item for item in stats.items}
    totals = [sum(row) for row in SCORES]
    variances = []
    for index, question in enumerate(questions):
        xs = [row[index] for row in SCORES]
        rest = [t - x for t, x in zip(totals, xs, strict=True)]
        item = items[question.slug]
        assert item.responses == 6
        assert item.facility == pytest.approx(sum(xs) / 6, abs=1e-3)
        assert item.discrimination == pytest.approx(_pearson(xs, rest), abs=1e-3)
        variances.append(statistics.pvariance(xs))
    assert items[questions[0].slug].facility == pytest.approx(4 / 6, abs=1e-3)  # by hand
    alpha = 3 / 2 * (1 - sum(variances) / statistics.pvariance(totals))
    assert stats.cronbach_alpha == pytest.approx(alpha, abs=1e-3)
    assert stats.histogram == [1, 0, 0, 2, 0, 0, 2, 0, 0, 1]  # 0, 33.3×2, 66.7×2, 100
    assert stats.mean_percent == pytest.approx(
        statistics.fmean(t * 100 / 3 for t in totals), abs=0.05
    )
    unanswered = [item for item in stats.items if item.responses == 0]
    assert all(item.flags == ["few_responses"] for item in unanswered)


@pytest.mark.django_db
def test_flags(quiz):
    questions = list(quiz.questions.order_by("position")[:3])
    # q1 right for everybody (too easy); q3 right only for the weakest (negative).
    rows = [(1, 1, 0), (1, 1, 0), (1, 1, 0), (1, 0, 0), (1, 0, 0), (1, 0, 1)]
    for scores in rows:
        _record(quiz, questions, scores)
    items = {item.question.slug: item for item in quiz_statistics(quiz).items}
    assert "too_easy" in items[questions[0].slug].flags
    assert items[questions[0].slug].discrimination is None  # no variance: undefined
    assert "negative_discrimination" in items[questions[2].slug].flags
    assert "too_hard" in items[questions[2].slug].flags
