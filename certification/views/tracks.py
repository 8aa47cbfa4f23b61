"""Trainer pages for certification tracks: the list, the editor (live validation and a
preview of the policy as trainees will read it), a new track, publishing."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.models import Track
from certification.selectors.tracks import (
    track_policy,
    track_versions,
    tracks_all,
)
from certification.services.tracks import (
    track_check,
    track_draft_save,
    track_publish,
    track_slug_error,
)
from certification.track_spec import TrackSpec
from simulator.api import source_errors_data
from simulator.service_errors import error_text, flash_error
from yamlsource import MAX_FILE_BYTES, SourceErrors

author_required = permission_required("certification.change_track", raise_exception=True)

# The page script's words, passed through json_script (no strings in the .js file).
EDITOR_TEXTS = {
    "where": gettext_lazy("Line {line}, column {col}"),
    "noErrors": gettext_lazy("No errors."),
    "fixToPreview": gettext_lazy("Fix the errors to see what trainees will be told."),
    "failed": gettext_lazy("The text could not be checked; it will be checked when saved."),
}

# What a new track starts from: the defaults of the issue, and the parts to fill in.
NEW_TRACK_YAML = """\
slug: new-track
title: 新认证
description: |
  这项认证要求……
modules: []
typing:
  min_cpm: 60
  min_accuracy: 0.95
  seconds: 180
exam:
  buyers: 2
  minutes: 20
  pool: []
marks:
  compliance: 80
  first_response_median_s: 6
  first_response_max_s: 10
  total: 75
  fatal_hits: 0
attempts:
  limit: 3
  wait_hours: 24
validity_months: 12
"""


def _checked(yaml_text: str, track: Track | None) -> tuple[TrackSpec | None, list]:
    """The spec of the text (None when invalid) and its errors, in file order."""
    name = f"{track.slug}.yaml" if track is not None else "track.yaml"
    try:
        spec = track_check(yaml_text, name)
    except SourceErrors as errors:
        return None, sorted(errors.errors)
    if track is not None:
        renamed = track_slug_error(track, spec)
        if renamed:
            return None, sorted(renamed.errors)
    return spec, []


def _editor(
    request: HttpRequest, track: Track | None, yaml_text: str, *, status: int = 200
) -> HttpResponse:
    spec, errors = _checked(yaml_text, track)
    return render(
        request,
        "certification/tracks/editor.html",
        {
            "track": track,
            "yaml_text": yaml_text,
            "errors": errors,
            "policy": track_policy(spec) if spec is not None else None,
            "versions": track_versions(track) if track is not None else [],
            "texts": {key: str(text) for key, text in EDITOR_TEXTS.items()},
        },
        status=status,
    )


@login_required
@author_required
@require_GET
def track_list(request: HttpRequest) -> HttpResponse:
    return render(request, "certification/tracks/list.html", {"tracks": tracks_all()})


@login_required
@author_required
@require_http_methods(["GET", "POST"])
def track_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _editor(request, None, NEW_TRACK_YAML)
    yaml_text = request.POST.get("yaml", "")
    try:
        track = track_draft_save(actor=request.user, yaml_text=yaml_text)
    except SourceErrors:
        messages.error(request, _("The track has errors; nothing was saved."))
        return _editor(request, None, yaml_text)
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
        return _editor(request, None, yaml_text)
    messages.success(request, _("Track created as a draft; publish it when it is ready."))
    return redirect("certification:track_edit", track.slug)


@login_required
@author_required
@require_http_methods(["GET", "POST"])
def track_edit(request: HttpRequest, slug: str) -> HttpResponse:
    track = get_object_or_404(tracks_all(), slug=slug)
    if request.method == "GET":
        return _editor(request, track, track.draft_yaml)
    yaml_text = request.POST.get("yaml", "")
    try:
        track = track_draft_save(actor=request.user, yaml_text=yaml_text, track=track)
    except (SourceErrors, ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
        return redirect("certification:track_edit", slug)
    if track.draft_valid:
        messages.success(request, _("Draft saved."))
    else:
        messages.warning(request, _("Draft saved with errors; fix them before publishing."))
    return redirect("certification:track_edit", slug)


@login_required
@author_required
@require_POST
def track_publish_view(request: HttpRequest, slug: str) -> HttpResponse:
    track = get_object_or_404(tracks_all(), slug=slug)
    previous = track.published_version_id
    try:
        version = track_publish(actor=request.user, track=track)
    except SourceErrors as errors:
        messages.error(
            request, _("The draft has %(n)d error(s); nothing was published.") % {"n": len(errors)}
        )
    except PermissionDenied as exc:
        flash_error(request, exc)
    else:
        if version.pk == previous:
            messages.info(
                request,
                _("Nothing changed since version %(n)d; it stays published.")
                % {"n": version.number},
            )
        else:
            messages.success(request, _("Published as version %(n)d.") % {"n": version.number})
    return redirect("certification:track_edit", slug)


@login_required
@author_required
@require_POST
def track_validate(request: HttpRequest) -> JsonResponse:
    """Check the editor's text as the trainer types: errors with line and column, and the
    policy preview when there are none. Saves nothing."""
    if len(request.body) > MAX_FILE_BYTES + 1024:
        return JsonResponse({"error": _("The text is larger than 1 MB.")}, status=400)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("yaml"), str):
        return JsonResponse({"error": _('Send JSON: {"yaml": text}.')}, status=400)
    slug = body.get("slug")
    track = tracks_all().filter(slug=slug).first() if isinstance(slug, str) and slug else None
    try:
        spec = track_check(body["yaml"], f"{track.slug}.yaml" if track else "track.yaml")
        errors = track_slug_error(track, spec) if track is not None else SourceErrors()
    except SourceErrors as found:
        spec, errors = None, found
    except ValidationError as exc:
        return JsonResponse({"error": error_text(exc)}, status=400)
    if errors:
        return JsonResponse({"valid": False, "errors": source_errors_data(errors), "policy": None})
    return JsonResponse({"valid": True, "errors": [], "policy": track_policy(spec)})
