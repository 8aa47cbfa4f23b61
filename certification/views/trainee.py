"""Certification pages for trainees: each track's parts with the policy for each, starting
an exam attempt, and an attempt's result."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from certification.dimensions import dimension_rows
from certification.selectors.attempts import attempts_of, track_standing, tracks_published
from certification.selectors.certificates import certificates_of_holder, notices_of
from certification.services.attempts import attempt_start
from roleplay.models import Report
from simulator.service_errors import flash_error

trainee_required = permission_required("accounts.act_as_trainee", raise_exception=True)


@login_required
@trainee_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    standings = [track_standing(request.user, track) for track in tracks_published()]
    context = {
        "standings": standings,
        "certificates": certificates_of_holder(request.user),
        "notices": notices_of(request.user)[:5],
    }
    return render(request, "certification/index.html", context)


@login_required
@trainee_required
@require_POST
def attempt_begin(request: HttpRequest, slug: str) -> HttpResponse:
    track = get_object_or_404(tracks_published(), slug=slug)
    try:
        attempt = attempt_start(trainee=request.user, track=track)
    except ValidationError as exc:
        flash_error(request, exc)
        return redirect("certification:index")
    return redirect("roleplay:exam", attempt.exam_id)


@login_required
@trainee_required
@require_GET
def attempt_result(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(attempts_of(request.user), pk=pk)
    standing = track_standing(request.user, attempt.track)
    sessions = list(attempt.exam.sessions.select_related("scenario_version__scenario"))
    reports = {r.session_id: r for r in Report.objects.filter(session__in=sessions)}
    return render(
        request,
        "certification/attempt_result.html",
        {
            "attempt": attempt,
            "rows": dimension_rows(attempt.results),
            "standing": standing,
            "conversations": [(s, reports.get(s.pk)) for s in sessions],
            "certificate": getattr(attempt, "certificate", None) if attempt.passed else None,
        },
    )
