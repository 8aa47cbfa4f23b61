"""Reads for a trainee's standing on a track: what is done, what is missing, whether an
exam attempt may start now and if not why, and the attempts so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import Certificate, CertificationAttempt, Track, TrackVersion, TypingTest
from certification.selectors.typing import typing_passed
from certification.track_spec import TrackSpec
from courses.models import Course, Module
from courses.selectors import ModuleProgress, course_progress
from roleplay.models import Exam, Report, Session


@dataclass(frozen=True)
class ModuleStatus:
    ref: str  # "course/module", as the track names it
    title: str
    passed: bool
    module: Module | None


@dataclass(frozen=True)
class Standing:
    track: Track
    version: TrackVersion
    spec: TrackSpec
    modules: list[ModuleStatus]
    typing: TypingTest | None  # the latest run that meets the policy
    attempts: list[CertificationAttempt]  # newest first
    active: CertificationAttempt | None  # an exam in progress or being decided
    certificate: Certificate | None  # a valid one for this track
    next_allowed_at: datetime | None
    can_start: bool
    reason: str  # why not, when ``can_start`` is false

    @property
    def attempts_left(self) -> int | None:
        limit = self.spec.attempts.limit
        return None if not limit else max(0, limit - len(self.attempts))


def tracks_published() -> QuerySet[Track]:
    return Track.objects.filter(published_version__isnull=False).select_related("published_version")


def _module_statuses(trainee, refs: tuple[str, ...]) -> list[ModuleStatus]:
    """Each required module and whether its quiz is passed. A course's progress is read
    once for all of its modules (``course_progress`` reads the whole course)."""
    progress: dict[str, dict[str, ModuleProgress]] = {}
    statuses = []
    for ref in refs:
        course_slug, _sep, module_slug = ref.partition("/")
        if course_slug not in progress:
            course = Course.objects.filter(slug=course_slug).first()
            progress[course_slug] = (
                {item.module.slug: item for item in course_progress(trainee, course)}
                if course
                else {}
            )
        item = progress[course_slug].get(module_slug)
        if item is None:  # not an active module of the course
            statuses.append(ModuleStatus(ref, ref, False, None))
            continue
        passed = item.quiz_passed if item.quiz else item.complete
        statuses.append(ModuleStatus(ref, item.module.title, passed, item.module))
    return statuses


def certificate_valid(trainee, track: Track, now: datetime | None = None) -> Certificate | None:
    now = now or timezone.now()
    return (
        Certificate.objects.filter(
            holder=trainee,
            track_version__track=track,
            status=Certificate.Status.VALID,
            expires_at__gt=now,
        )
        .order_by("-issued_at")
        .first()
    )


# A valid certificate may be renewed this close to its expiry.
RENEWAL_WINDOW = timedelta(days=30)


def track_standing(trainee, track: Track, now: datetime | None = None) -> Standing:
    now = now or timezone.now()
    version = track.published_version
    spec = TrackSpec.from_data(version.data)
    modules = _module_statuses(trainee, spec.modules)
    typing = typing_passed(trainee, spec.typing)
    attempts = list(
        CertificationAttempt.objects.filter(trainee=trainee, track=track)
        .select_related("track_version", "exam")
        .order_by("-number")
    )
    active = next((a for a in attempts if a.status != CertificationAttempt.Status.DECIDED), None)
    certificate = certificate_valid(trainee, track, now)
    next_allowed_at = None
    last = attempts[0] if attempts else None
    if last is not None and last.passed is False and spec.attempts.wait_hours:
        next_allowed_at = (last.decided_at or last.started_at) + timedelta(
            hours=spec.attempts.wait_hours
        )
        if next_allowed_at <= now:
            next_allowed_at = None
    reason = ""
    if active is not None:
        reason = _("Your exam attempt is still in progress.")
    elif certificate is not None and certificate.expires_at - now > RENEWAL_WINDOW:
        reason = _("You hold a valid certificate for this track.")
    elif not all(m.passed for m in modules):
        reason = _("Pass the quizzes of every required module first.")
    elif typing is None:
        reason = _("Pass the typing test first.")
    elif spec.attempts.limit and len(attempts) >= spec.attempts.limit:
        reason = _("You have used all %(n)d exam attempts.") % {"n": spec.attempts.limit}
    elif next_allowed_at is not None:
        reason = _("The next attempt is allowed from %(when)s.") % {
            "when": timezone.localtime(next_allowed_at).strftime("%Y-%m-%d %H:%M")
        }
    return Standing(
        track=track,
        version=version,
        spec=spec,
        modules=modules,
        typing=typing,
        attempts=attempts,
        active=active,
        certificate=certificate,
        next_allowed_at=next_allowed_at,
        can_start=not reason,
        reason=reason,
    )


def attempts_of(trainee) -> QuerySet[CertificationAttempt]:
    return CertificationAttempt.objects.filter(trainee=trainee).select_related(
        "track", "track_version", "exam"
    )


def attempt_records_of(trainee) -> QuerySet[CertificationAttempt]:
    """The trainee's attempts, newest first, with what their results show: the exam's
    conversations (scenario and report) and the certificate a pass earned. The
    conversations are prefetched, so a page of attempts costs the same few queries
    however long it is."""
    conversations = Session.objects.select_related("report", "scenario_version__scenario")
    return (
        attempts_of(trainee)
        .select_related("certificate")
        .prefetch_related(Prefetch("exam__sessions", queryset=conversations.order_by("pk")))
        .order_by("-started_at", "-pk")
    )


def attempt_for_exam(exam_id: int) -> CertificationAttempt | None:
    return CertificationAttempt.objects.filter(exam_id=exam_id).first()


def attempts_to_decide() -> QuerySet[CertificationAttempt]:
    """Attempts whose exam has ended but that are not decided yet (the worker's re-arm)."""
    return CertificationAttempt.objects.exclude(status=CertificationAttempt.Status.DECIDED).filter(
        exam__status=Exam.Status.ENDED
    )


def exam_reports(attempt: CertificationAttempt) -> list[Report] | None:
    """The reports of every conversation of the attempt's exam, or None while one is
    missing (a conversation still open or not scored yet)."""
    sessions = list(attempt.exam.sessions.order_by("pk")) if attempt.exam_id else []
    reports = {r.session_id: r for r in Report.objects.filter(session__in=sessions)}
    if not sessions or len(reports) < len(sessions):
        return None
    return [reports[s.pk] for s in sessions]
