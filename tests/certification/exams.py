"""Helpers of the certification exam tests: a pool of published scenarios, a track on it,
a typing run that qualifies, and an exam ended with reports whose figures the test picks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from certification.models import CertificationAttempt, Track, TrackVersion, TypingTest
from certification.track_spec import AttemptPolicy, ExamPolicy, TrackSpec
from roleplay.models import Exam, Report, Session
from roleplay.services.exams import exam_expire
from scenarios.services import scenario_create, scenario_publish

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml"
POOL = ("coat-a", "coat-b", "coat-c", "coat-d")


def published_track(spec: TrackSpec, number: int = 1, track: Track | None = None) -> Track:
    track = track or Track.objects.create(slug=spec.slug, title=spec.title, draft_yaml="")
    version = TrackVersion.objects.create(
        track=track, number=number, yaml="", data=spec.to_data(), content_hash=str(number)
    )
    track.published_version = version
    track.save()
    return track


SPEC = TrackSpec(
    slug="cs-cert",
    title="客服上岗认证",
    exam=ExamPolicy(buyers=2, pool=POOL, minutes=25),
    attempts=AttemptPolicy(limit=2, wait_hours=24),
)


def typed(trainee, cpm=72.0, accuracy=0.97, **extra) -> TypingTest:
    now = timezone.now()
    return TypingTest.objects.create(
        trainee=trainee,
        passage_key="p1",
        reference="亲，您好",
        seconds_allowed=180,
        status=TypingTest.Status.FINISHED,
        started_at=now - timedelta(minutes=3),
        finished_at=now,
        seconds=180,
        cpm=cpm,
        accuracy=accuracy,
        result={"cpm": cpm, "accuracy": accuracy, "completion": 1.0},
        **extra,
    )


def end_with_reports(attempt: CertificationAttempt, **report) -> None:
    """End the exam at its time limit, then store each conversation's report as scoring
    would (the figures chosen by the test)."""
    Exam.objects.filter(pk=attempt.exam_id).update(deadline_at=timezone.now())
    assert exam_expire(exam_id=attempt.exam_id)
    for session in Session.objects.filter(exam_id=attempt.exam_id):
        Report.objects.create(
            session=session,
            data={
                "dimensions": {"compliance": {"score": report.get("compliance", 90.0)}},
                "response": {"first_s": report.get("first_s", 3.0), "details": []},
                "typing": {"messages": []},
                "compliance": {"hits": report.get("hits", [])},
            },
            total=Decimal(str(report.get("total", 88.0))),
        )


def publish_pool(trainer) -> tuple[str, ...]:
    from catalog.services import catalog_import

    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    text = FIXTURE.read_text(encoding="utf-8")
    for slug in POOL:
        scenario = scenario_create(
            actor=trainer, yaml_text=text.replace("slug: genuine-coat", f"slug: {slug}", 1)
        )
        scenario_publish(actor=trainer, scenario=scenario)
    return POOL
