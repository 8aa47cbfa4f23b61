"""Trainer pages: the scenario list, the editor (live validation, diagram, dry-run),
publishing, versions and diffs, import and export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scenarios.diagram import scenario_diagram
from scenarios.models import Scenario
from scenarios.selectors import (
    scenario_shop_slugs,
    scenarios_all,
    scenarios_filtered,
    version_diff,
    versions_of,
)
from scenarios.services import (
    scenario_check,
    scenario_clone,
    scenario_draft_save,
    scenario_import,
    scenario_publish,
    scenario_unpublish,
)
from simulator.paging import page_of
from simulator.service_errors import flash_error
from yamlsource import SourceErrors

author_required = permission_required("scenarios.change_scenario", raise_exception=True)

# Version numbers are stored as integers; a larger number is no version (and PostgreSQL
# would refuse to compare it with an integer column).
_LARGEST_VERSION = 2**31 - 1


class _BadParameter(Exception):
    """A query parameter that is not what the page takes; answered with a 400 page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _version_number(request: HttpRequest, key: str) -> int:
    """The version number in the query parameter ``key``: digits, else ``_BadParameter``;
    a number no version can have is a 404."""
    value = request.GET.get(key, "")
    if not (value.isascii() and value.isdigit()):
        raise _BadParameter(
            _("%(name)s: “%(value)s” is not a version number.") % {"name": key, "value": value[:40]}
        )
    digits = value.lstrip("0") or "0"
    if len(digits) > len(str(_LARGEST_VERSION)) or int(digits) > _LARGEST_VERSION:
        raise Http404
    return int(digits)


def _bad_request(request: HttpRequest, scenario: Scenario, problem: _BadParameter) -> HttpResponse:
    return render(
        request,
        "scenarios/bad_request.html",
        {"scenario": scenario, "message": problem.message},
        status=400,
    )


@login_required
@author_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("q", "shop", "tag", "status")}
    scenarios = scenarios_filtered(
        query=filters["q"], shop=filters["shop"], tag=filters["tag"], status=filters["status"]
    )
    return render(
        request,
        "scenarios/index.html",
        {
            "scenarios": page_of(request, scenarios),
            "filters": filters,
            "shops": scenario_shop_slugs(),
        },
    )


def _editor_context(scenario: Scenario, yaml_text: str, errors: SourceErrors | None) -> dict:
    diagram = None
    if errors is None:
        try:
            diagram = scenario_diagram(scenario_check(yaml_text, f"{scenario.slug}.yaml").data)
        except SourceErrors as found:
            errors = found
    return {
        "scenario": scenario,
        "yaml_text": yaml_text,
        "errors": sorted(errors.errors) if errors else [],
        "diagram": diagram,
        "versions": versions_of(scenario),
    }


@login_required
@author_required
@require_http_methods(["GET", "POST"])
def editor(request: HttpRequest, slug: str) -> HttpResponse:
    scenario = get_object_or_404(scenarios_all(), slug=slug)
    if request.method == "POST":
        try:
            result = scenario_draft_save(
                actor=request.user, scenario=scenario, yaml_text=request.POST.get("yaml", "")
            )
        except (ValidationError, PermissionDenied) as exc:
            flash_error(request, exc)
            return redirect("scenarios:editor", slug)
        if result.errors:
            messages.warning(
                request,
                _("Draft saved with %(n)d error(s); fix them before publishing.")
                % {"n": len(result.errors)},
            )
        else:
            messages.success(request, _("Draft saved."))
        return redirect("scenarios:editor", slug)
    return render(
        request, "scenarios/editor.html", _editor_context(scenario, scenario.draft_yaml, None)
    )


@login_required
@author_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    scenario = get_object_or_404(scenarios_all(), slug=slug)
    try:
        if request.POST.get("action") == "unpublish":
            scenario_unpublish(actor=request.user, scenario=scenario)
            messages.success(request, _("Withdrawn from trainees."))
        else:
            version = scenario_publish(actor=request.user, scenario=scenario)
            messages.success(request, _("Published as version %(n)d.") % {"n": version.number})
    except SourceErrors as errors:
        messages.error(
            request, _("The draft has %(n)d error(s); nothing was published.") % {"n": len(errors)}
        )
    except PermissionDenied as exc:
        flash_error(request, exc)
    return redirect("scenarios:editor", slug)


@login_required
@author_required
@require_POST
def clone(request: HttpRequest, slug: str) -> HttpResponse:
    scenario = get_object_or_404(scenarios_all(), slug=slug)
    try:
        copy = scenario_clone(
            actor=request.user, scenario=scenario, new_slug=request.POST.get("slug", "").strip()
        )
    except SourceErrors as errors:
        messages.error(request, str(errors))
        return redirect("scenarios:editor", slug)
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
        return redirect("scenarios:editor", slug)
    return redirect("scenarios:editor", copy.slug)


@login_required
@author_required
@require_GET
def export(request: HttpRequest, slug: str) -> HttpResponse:
    scenario = get_object_or_404(scenarios_all(), slug=slug)
    text = scenario.draft_yaml
    name = f"{slug}.yaml"
    if request.GET.get("version"):
        try:
            number = _version_number(request, "version")
        except _BadParameter as problem:
            return _bad_request(request, scenario, problem)
        version = get_object_or_404(versions_of(scenario), number=number)
        text, name = version.yaml, f"{slug}-v{version.number}.yaml"
    response = HttpResponse(text, content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@author_required
@require_POST
def import_files(request: HttpRequest) -> HttpResponse:
    files = [(upload.name, upload.read()) for upload in request.FILES.getlist("files")]
    if not files:
        messages.error(request, _("Choose one or more .yaml files."))
        return redirect("scenarios:index")
    try:
        imported = scenario_import(actor=request.user, files=files)
    except SourceErrors as errors:
        return render(
            request, "scenarios/import_errors.html", {"errors": sorted(errors.errors)}, status=400
        )
    except PermissionDenied as exc:
        flash_error(request, exc)
        return redirect("scenarios:index")
    messages.success(request, _("Imported %(n)d scenario(s) as drafts.") % {"n": len(imported)})
    return redirect("scenarios:index")


@login_required
@author_required
@require_GET
def diff(request: HttpRequest, slug: str) -> HttpResponse:
    scenario = get_object_or_404(scenarios_all(), slug=slug)
    try:
        numbers = [_version_number(request, key) for key in ("a", "b")]
    except _BadParameter as problem:
        return _bad_request(request, scenario, problem)
    old = get_object_or_404(versions_of(scenario), number=numbers[0])
    new = get_object_or_404(versions_of(scenario), number=numbers[1])
    return render(
        request,
        "scenarios/diff.html",
        {"scenario": scenario, "old": old, "new": new, "lines": version_diff(old, new)},
    )
