"""Reads for the typing test: the policy a run is judged by, a trainee's runs, a passing run."""

from __future__ import annotations

from django.db.models import QuerySet

from certification.models import Track, TypingTest
from certification.track_spec import TrackSpec, TypingPolicy

# A run uses the whole time or types at least this share of the passage to count: a few
# characters typed in a few seconds would otherwise "pass" at any speed.
MIN_COMPLETION = 0.9
RECENT_RUNS = 20  # how far back typing_passed looks


def typing_policy() -> TypingPolicy:
    """The policy the typing page states and runs last for. With published tracks, the
    strictest of their marks and the longest run (passing it passes every track's); with
    none, the default (TypingPolicy())."""
    policies = [
        TrackSpec.from_data(data).typing
        for data in Track.objects.filter(published_version__isnull=False)
        .order_by("slug")
        .values_list("published_version__data", flat=True)
    ]
    if not policies:
        return TypingPolicy()
    return TypingPolicy(
        min_cpm=max(p.min_cpm for p in policies),
        min_accuracy=max(p.min_accuracy for p in policies),
        seconds=max(p.seconds for p in policies),
    )


def typing_tests_of(trainee) -> QuerySet[TypingTest]:
    """A trainee's runs, newest first."""
    return TypingTest.objects.filter(trainee=trainee).order_by("-started_at", "-pk")


def typing_test_of(trainee, pk: int) -> TypingTest | None:
    """One of the trainee's own runs; None for anyone else's (pages answer 404)."""
    return typing_tests_of(trainee).filter(pk=pk).first()


def typing_complete(test: TypingTest) -> bool:
    """Whether the run is long enough to measure: the whole time used, or the passage
    (nearly) all typed."""
    completion = (test.result or {}).get("completion") or 0.0
    used_time = test.seconds is not None and test.seconds >= test.seconds_allowed
    return used_time or completion >= MIN_COMPLETION


def typing_meets(test: TypingTest, policy: TypingPolicy) -> bool:
    """A finished, plausible, complete run at the policy's speed and accuracy."""
    return (
        test.plausible
        and test.cpm is not None
        and test.accuracy is not None
        and test.cpm >= policy.min_cpm
        and test.accuracy >= policy.min_accuracy
        and typing_complete(test)
    )


def typing_passed(trainee, policy: TypingPolicy) -> TypingTest | None:
    """The latest finished plausible run that meets ``policy`` (what an exam start asks)."""
    candidates = typing_tests_of(trainee).filter(
        status=TypingTest.Status.FINISHED,
        pastes=0,
        cpm__gte=policy.min_cpm,
        accuracy__gte=policy.min_accuracy,
    )
    for test in candidates.order_by("-finished_at", "-pk")[:RECENT_RUNS]:
        if typing_meets(test, policy):
            return test
    return None
