"""Trainee pages: published scenarios to practise, and a session's conversation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from roleplay.models import Session
from roleplay.services import session_start
from scenarios.models import Scenario
from scenarios.selectors import scenarios_published

trainee_required = permission_required("accounts.act_as_trainee", raise_exception=True)


@login_required
@trainee_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    sessions = Session.objects.filter(trainee=request.user).select_related(
        "scenario_version__scenario")[:20]
    return render(request, "roleplay/index.html",
                  {"scenarios": scenarios_published(), "sessions": sessions})


@login_required
@trainee_required
@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    scenario = get_object_or_404(Scenario, slug=slug)
    try:
        session = session_start(trainee=request.user, scenario=scenario)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("roleplay:index")
    return redirect("roleplay:session", session.pk)


@login_required
@trainee_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        Session.objects.select_related("scenario_version__scenario"), pk=pk,
        trainee=request.user)
    return render(request, "roleplay/session.html",
                  {"session": session, "messages_": session.messages.all()})
