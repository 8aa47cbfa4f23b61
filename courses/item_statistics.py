"""Item statistics for trainers, from database aggregates over first attempts.

Only each trainee's first graded attempt counts (later attempts are practised, not fresh),
as in Moodle's quiz statistics. Per question:
  facility index      mean score ÷ maximum (0 = nobody right, 1 = everybody right)
  discrimination      Pearson correlation of the item score with the rest of the quiz
                      (total minus this item), so the item does not correlate with itself
Per quiz: attempts, mean, standard deviation, a 10-point histogram of percentages and
Cronbach's alpha (internal consistency).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import Count, FloatField, IntegerField, Max, Sum
from django.db.models.functions import Cast, Floor, Least

from courses.models import Answer, Attempt, Question, Quiz

MIN_RESPONSES = 5  # below this the figures are shown but not judged
TOO_EASY = 0.9
TOO_HARD = 0.2
WEAK_DISCRIMINATION = 0.2


@dataclass
class ItemStatistic:
    question: Question
    responses: int
    facility: float | None
    discrimination: float | None
    flags: list[str] = field(default_factory=list)


@dataclass
class QuizStatistics:
    attempts: int
    mean_percent: float | None
    sd_percent: float | None
    histogram: list[int]  # attempts per 10-point band: 0-9, 10-19, ..., 90-100
    cronbach_alpha: float | None
    items: list[ItemStatistic]


def _first_attempts(quiz: Quiz):
    return Attempt.objects.filter(
        quiz=quiz, number=1, status__in=[Attempt.Status.SUBMITTED, Attempt.Status.EXPIRED]
    )


def _variance(total: float, squares: float, n: int) -> float:
    mean = total / n
    return max(squares / n - mean * mean, 0.0)


def _correlation(n: int, sx: float, sxx: float, sy: float, syy: float, sxy: float) -> float | None:
    var_x = _variance(sx, sxx, n)
    var_y = _variance(sy, syy, n)
    if var_x <= 1e-12 or var_y <= 1e-12:
        return None  # everybody scored the same: correlation is undefined
    covariance = sxy / n - (sx / n) * (sy / n)
    return covariance / math.sqrt(var_x * var_y)


def _flags(facility: float | None, discrimination: float | None, responses: int) -> list[str]:
    if responses < MIN_RESPONSES or facility is None:
        return ["few_responses"]
    flags = []
    if facility > TOO_EASY:
        flags.append("too_easy")
    if facility < TOO_HARD:
        flags.append("too_hard")
    if discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    elif discrimination is not None and discrimination < WEAK_DISCRIMINATION:
        flags.append("weak_discrimination")
    return flags


def quiz_statistics(quiz: Quiz) -> QuizStatistics:
    attempts = _first_attempts(quiz)
    score = Cast("score", FloatField())
    totals = attempts.aggregate(
        n=Count("id"),
        sum_pct=Sum(Cast("percent", FloatField())),
        sum_pct2=Sum(Cast("percent", FloatField()) * Cast("percent", FloatField())),
        sum_t=Sum(score),
        sum_t2=Sum(score * score),
    )
    n = totals["n"]
    bands = (
        attempts.annotate(
            band=Least(Cast(Floor(Cast("percent", FloatField()) / 10), IntegerField()), 9)
        )
        .values("band")
        .annotate(count=Count("id"))
    )
    histogram = [0] * 10
    for row in bands:
        histogram[int(row["band"])] = row["count"]

    item_score = Cast("score", FloatField())
    total_score = Cast("attempt__score", FloatField())
    rows = (
        Answer.objects.filter(attempt__in=attempts)
        .values("question_id")
        .annotate(
            n=Count("id"),
            sx=Sum(item_score),
            sxx=Sum(item_score * item_score),
            st=Sum(total_score),
            stt=Sum(total_score * total_score),
            sxt=Sum(item_score * total_score),
            maximum=Max(Cast("max_score", FloatField())),
        )
    )
    by_question = {row["question_id"]: row for row in rows}
    questions = quiz.questions.filter(pk__in=by_question) | quiz.questions.filter(is_active=True)
    items = []
    item_variances = 0.0
    for question in questions.distinct().order_by("position"):
        row = by_question.get(question.pk)
        if row is None or not row["n"]:
            items.append(ItemStatistic(question, 0, None, None, ["few_responses"]))
            continue
        count = row["n"]
        facility = (row["sx"] / count) / row["maximum"] if row["maximum"] else None
        # Rest of the quiz R = T - x: its sums follow from those of x and T.
        sr = row["st"] - row["sx"]
        srr = row["stt"] - 2 * row["sxt"] + row["sxx"]
        sxr = row["sxt"] - row["sxx"]
        discrimination = _correlation(count, row["sx"], row["sxx"], sr, srr, sxr)
        item_variances += _variance(row["sx"], row["sxx"], count)
        items.append(
            ItemStatistic(
                question,
                count,
                round(facility, 3) if facility is not None else None,
                round(discrimination, 3) if discrimination is not None else None,
                _flags(facility, discrimination, count),
            )
        )

    alpha = None
    k = len([item for item in items if item.responses])
    if n >= 2 and k >= 2:
        total_variance = _variance(totals["sum_t"], totals["sum_t2"], n)
        if total_variance > 1e-12:
            alpha = round(k / (k - 1) * (1 - item_variances / total_variance), 3)
    mean = totals["sum_pct"] / n if n else None
    sd = math.sqrt(_variance(totals["sum_pct"], totals["sum_pct2"], n)) if n else None
    return QuizStatistics(
        attempts=n,
        mean_percent=round(mean, 1) if mean is not None else None,
        sd_percent=round(sd, 1) if sd is not None else None,
        histogram=histogram,
        cronbach_alpha=alpha,
        items=items,
    )


__all__ = ["ItemStatistic", "QuizStatistics", "quiz_statistics"]
