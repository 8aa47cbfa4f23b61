"""Health check, the administrators' system status page and timer probes."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from diagnostics.selectors import health_checks, timer_probes_recent
from diagnostics.services import timer_probe_schedule
from simulator.background import background_failures
from simulator.service_errors import error_text


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when database, broker and channel layer all answer, else 503. Background work
    given up in the last 15 minutes marks the status "degraded" (still 200: the parts
    answer, but something was lost on the way and an operator should look).

    Anonymous callers (load balancers) get the verdicts; details such as error messages
    are for administrators only.
    """
    checks = health_checks()
    ok = all(check.ok for check in checks)
    failures = [failure for failure in background_failures() if failure.recent]
    detailed = request.user.is_authenticated and request.user.has_perm(
        "diagnostics.run_diagnostics"
    )
    background: dict = {"recent_failures": sum(failure.count for failure in failures)}
    if detailed:
        background["failures"] = [
            {**asdict(failure), "last_at": failure.last_at.isoformat()} for failure in failures
        ]
    body = {
        "status": "fail" if not ok else "degraded" if failures else "ok",
        "checks": {
            check.name: asdict(check) if detailed else {"ok": check.ok, "backend": check.backend}
            for check in checks
        },
        "background": background,
    }
    return JsonResponse(body, status=200 if ok else 503)


@login_required
@permission_required("diagnostics.run_diagnostics", raise_exception=True)
@require_GET
def status(request: HttpRequest) -> HttpResponse:
    context = {
        "checks": health_checks(),
        "probes": timer_probes_recent(),
        "failures": background_failures(),
    }
    return render(request, "diagnostics/status.html", context)


@login_required
@permission_required("diagnostics.run_diagnostics", raise_exception=True)
@require_POST
def timer_probe_create(request: HttpRequest) -> HttpResponse:
    try:
        timer_probe_schedule(
            actor=request.user, countdown_s=float(request.POST.get("countdown_s", "2"))
        )
    except (ValueError, ValidationError) as exc:
        # The prefix says which field: the service's message does not name it.
        messages.error(request, _("Countdown: %(error)s") % {"error": error_text(exc)})
    return redirect("diagnostics:status")
