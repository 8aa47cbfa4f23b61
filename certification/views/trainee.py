"""Certification pages for trainees: the track, its parts and the policy for each."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

trainee_required = permission_required("accounts.act_as_trainee", raise_exception=True)


@login_required
@trainee_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "certification/index.html", {})
