"""Writes for certification attempts: starting one (the server draws the exam's buyers) and
deciding it against the track version it was started under."""

from __future__ import annotations

import random
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.decision import Conversation, decide
from certification.models import CertificationAttempt, Track
from certification.selectors.attempts import exam_reports, track_standing
from certification.services.certificates import certificate_issue
from certification.track_spec import TrackSpec
from roleplay.models import Report
from roleplay.services.exams import exam_start
from scenarios.models import Scenario


def _draw(spec: TrackSpec, seed: int) -> list[Scenario]:
    """The exam's buyers: ``spec.exam.buyers`` scenarios of the pool, drawn with the
    attempt's seed from those published now (in the pool's order, so a seed always
    names the same draw)."""
    published = {
        s.slug: s
        for s in Scenario.objects.filter(
            slug__in=spec.exam.pool, published_version__isnull=False
        ).select_related("published_version")
    }
    pool = [slug for slug in spec.exam.pool if slug in published]
    if len(pool) < spec.exam.buyers:
        raise ValidationError(
            _("The exam cannot start: too few of its scenarios are published. Tell a trainer.")
        )
    return [published[slug] for slug in random.Random(seed).sample(pool, spec.exam.buyers)]


def attempt_start(*, trainee, track: Track) -> CertificationAttempt:
    """Start an exam attempt if the trainee may (``track_standing``): every required
    module passed, a qualifying typing test, attempts left, the waiting time over. The
    buyers are drawn by the server; the trainee does not choose them."""
    if track.published_version_id is None:
        raise ValidationError(_("This track is not published."))
    with transaction.atomic():
        # One start at a time per trainee: their row's lock orders double clicks.
        get_user_model().objects.select_for_update().filter(pk=trainee.pk).first()
        standing = track_standing(trainee, track)
        if not standing.can_start:
            raise ValidationError(standing.reason)
        seed = secrets.randbits(62)
        drawn = _draw(standing.spec, seed)
        exam = exam_start(trainee=trainee, scenarios=drawn, minutes=standing.spec.exam.minutes)
        try:
            with transaction.atomic():
                return CertificationAttempt.objects.create(
                    trainee=trainee,
                    track=track,
                    track_version=standing.version,
                    number=len(standing.attempts) + 1,
                    seed=seed,
                    drawn=[s.slug for s in drawn],
                    exam=exam,
                    results={
                        "typing": {
                            "test": standing.typing.pk,
                            "cpm": standing.typing.cpm,
                            "accuracy": standing.typing.accuracy,
                        },
                        "modules": [m.ref for m in standing.modules],
                    },
                )
        except IntegrityError:
            raise ValidationError(_("Your exam attempt is still in progress.")) from None


def _conversation(report: Report) -> Conversation:
    data = report.data
    compliance = (data.get("dimensions") or {}).get("compliance") or {}
    hits = (data.get("compliance") or {}).get("hits") or []
    return Conversation(
        compliance=compliance.get("score"),
        first_response_s=(data.get("response") or {}).get("first_s"),
        total=float(report.total) if report.total is not None else None,
        fatal_hits=sum(1 for hit in hits if hit.get("severity") == "fatal"),
    )


def attempt_decide(*, attempt_id: int) -> CertificationAttempt | None:
    """Decide an attempt whose exam has every report, once: a second call (the task may
    run twice) returns the stored decision unchanged. None while the exam is not scored."""
    with transaction.atomic():
        attempt = (
            CertificationAttempt.objects.select_for_update(of=("self",))
            .select_related("track_version", "exam")
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None or attempt.status == CertificationAttempt.Status.DECIDED:
            return attempt
        reports = exam_reports(attempt)
        if reports is None:
            return None
        spec = TrackSpec.from_data(attempt.track_version.data)
        typing = attempt.results.get("typing") or {}
        decision = decide(
            marks=spec.marks,
            typing_policy=spec.typing,
            typing_cpm=typing.get("cpm"),
            typing_accuracy=typing.get("accuracy"),
            conversations=[_conversation(r) for r in reports],
        )
        attempt.passed = decision.passed
        attempt.results = {
            **attempt.results,
            **decision.to_dict(),
            "reports": [r.pk for r in reports],
        }
        attempt.measured = {d.name: d.measured for d in decision.dimensions}
        attempt.status = CertificationAttempt.Status.DECIDED
        attempt.decided_at = timezone.now()
        attempt.save(update_fields=["passed", "results", "measured", "status", "decided_at"])
        if attempt.passed:
            # In the decision's transaction: a pass is never stored without its certificate.
            certificate_issue(attempt=attempt)
        return attempt
