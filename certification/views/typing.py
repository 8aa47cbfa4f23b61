"""The typing test's pages: the policy and a start button, the run (JSON from the page's
script), and the result of one run."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from certification.dimensions import share_text
from certification.selectors.typing import (
    MIN_COMPLETION,
    typing_complete,
    typing_meets,
    typing_policy,
    typing_test_of,
    typing_tests_of,
)
from certification.services.typing import FLAG_TEXTS, typing_test_finish, typing_test_start
from certification.views.trainee import trainee_required
from simulator.service_errors import Conflict, error_text

# The page script's words, passed through json_script (no strings in the .js file).
TYPING_TEXTS = {
    "starting": gettext_lazy("Starting…"),
    "timeLeft": gettext_lazy("Time left"),
    "submitting": gettext_lazy("Handing in…"),
    "pasteRefused": gettext_lazy("Pasting is not allowed: type the text yourself."),
    "failed": gettext_lazy("The run could not be handed in; trying again…"),
    "startFailed": gettext_lazy("The test could not be started. Reload the page and try again."),
    "timeUp": gettext_lazy("Time is up"),
}


def _share_or_dash(share: float | None) -> str:
    return "—" if share is None else share_text(share)


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@login_required
@trainee_required
@require_GET
def typing_test(request: HttpRequest) -> HttpResponse:
    policy = typing_policy()
    tests = typing_tests_of(request.user).filter(status="finished")[:10]
    context = {
        "policy": policy,
        # Shares are shown as percentages, as everywhere (certification.dimensions).
        "min_accuracy": share_text(policy.min_accuracy, mark=True),
        "min_completion": share_text(MIN_COMPLETION, mark=True),
        "runs": [(test, _share_or_dash(test.accuracy)) for test in tests],
        "run": {
            "start_url": reverse("certification:typing_start"),
            "finish_url": reverse("certification:typing_finish", args=[0]),
            "result_url": reverse("certification:typing_result", args=[0]),
        },
        "texts": {key: str(text) for key, text in TYPING_TEXTS.items()},
    }
    return render(request, "certification/typing/test.html", context)


@login_required
@trainee_required
@require_POST
def typing_start(request: HttpRequest) -> JsonResponse:
    test = typing_test_start(trainee=request.user)
    return JsonResponse(
        {
            "id": test.pk,
            "passage": test.reference,
            "seconds_allowed": test.seconds_allowed,
            "started_at": test.started_at.isoformat(),
            "server_now": timezone.now().isoformat(),
        },
        status=201,
    )


@login_required
@trainee_required
@require_POST
def typing_finish(request: HttpRequest, pk: int) -> JsonResponse:
    if typing_test_of(request.user, pk) is None:  # refused before the body is read
        return _json_error(_("No such typing test."), 404)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _json_error(_("The request body must be JSON."), 400)
    if not isinstance(body, dict):
        return _json_error(_("The request body must be a JSON object."), 400)
    try:
        test = typing_test_finish(
            trainee=request.user,
            test_id=pk,
            typed=body.get("typed", ""),
            events=body.get("events", []),
            pastes=body.get("pastes", 0),
            sent_t=body.get("sent_t"),
        )
    except ObjectDoesNotExist:
        return _json_error(_("No such typing test."), 404)
    except Conflict as exc:
        return _json_error(error_text(exc), 409)
    except ValidationError as exc:
        return _json_error(error_text(exc), 400)
    return JsonResponse(
        {
            "id": test.pk,
            "status": test.status,
            "cpm": test.cpm,
            "accuracy": test.accuracy,
            "flags": test.flags,
            "result_url": reverse("certification:typing_result", args=[test.pk]),
        }
    )


@login_required
@trainee_required
@require_GET
def typing_result(request: HttpRequest, pk: int) -> HttpResponse:
    test = typing_test_of(request.user, pk)
    if test is None:
        raise Http404
    policy = typing_policy()
    context = {
        "test": test,
        "policy": policy,
        "accuracy": _share_or_dash(test.accuracy),
        "completion": _share_or_dash((test.result or {}).get("completion")),
        "min_accuracy": share_text(policy.min_accuracy, mark=True),
        "meets": typing_meets(test, policy),
        "complete": typing_complete(test),
        "flag_texts": [FLAG_TEXTS[flag] for flag in test.flags if flag in FLAG_TEXTS],
    }
    return render(request, "certification/typing/result.html", context)
