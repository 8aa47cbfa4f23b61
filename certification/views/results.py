"""Results pages for HR and trainers: the dashboard with filters, the trainee table and a
trainee's drill-down, and the exports. Trainers see their own cohorts only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from itertools import chain

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.selectors import cohorts_visible_to
from certification import charts, exports
from certification.dimensions import LABELS
from certification.selectors.calibration import calibration
from certification.selectors.results import (
    Status,
    dashboard,
    results_filter_parse,
    session_rows,
    shops_in_scope,
    tracks_with_results,
    trainee_drilldown,
    trainee_ids_in_scope,
    trainee_results,
    trainee_session,
)
from roleplay.models import Session
from roleplay.selectors import report_view
from simulator.service_errors import flash_error

results_required = permission_required("certification.view_results", raise_exception=True)

STATUS_LABELS = {
    Status.ENROLLED: gettext_lazy("enrolled"),
    Status.IN_PROGRESS: gettext_lazy("in progress"),
    Status.CERTIFIED: gettext_lazy("certified"),
    Status.FAILED: gettext_lazy("failed"),
    Status.EXPIRED: gettext_lazy("expired"),
}
PAGE_SIZE = 50
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _choices(request: HttpRequest) -> dict:
    return {
        "tracks": tracks_with_results(),
        "cohorts": cohorts_visible_to(request.user).order_by("name"),
        "shops": shops_in_scope(request.user),
        "status_labels": STATUS_LABELS,
    }


@login_required
@results_required
@require_GET
def results_dashboard(request: HttpRequest) -> HttpResponse:
    if not tracks_with_results().exists():
        return render(request, "certification/results/dashboard.html", {"no_tracks": True})
    try:
        f = results_filter_parse(request.user, request.GET)
    except ValidationError as exc:
        context = {**_choices(request), "errors": exc.message_dict, "params": request.GET}
        return render(request, "certification/results/dashboard.html", context, status=400)
    board = dashboard(request.user, f)
    page = Paginator(trainee_ids_in_scope(request.user, f), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = trainee_results(request.user, f, only=list(page.object_list))
    medians = [
        (str(LABELS[name][0]), value, str(LABELS[name][1])) for name, value in board.medians.items()
    ]
    context = {
        **_choices(request),
        "f": f,
        "params": request.GET,
        "query": urlencode(f.as_query()),
        "board": board,
        "medians": medians,
        "page": page,
        "rows": [(row, STATUS_LABELS[row.status]) for row in rows],
        "histogram": charts.histogram(board.totals, title=_("Exam totals")),
        "trend": charts.trend(board.weekly, title=_("Pass rate per week")),
        "funnel_chart": charts.bars(
            [(step.label, step.count) for step in board.funnel], title=_("Funnel")
        ),
    }
    return render(request, "certification/results/dashboard.html", context)


@login_required
@results_required
@require_GET
def results_trainee(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        f = results_filter_parse(request.user, request.GET)
    except ValidationError as exc:
        flash_error(request, exc)
        return redirect("certification:results")
    drill = trainee_drilldown(request.user, f, pk)
    if drill is None:
        raise Http404(_("No such trainee."))
    context = {
        "f": f,
        "query": urlencode(f.as_query()),
        "drill": drill,
        "status": STATUS_LABELS.get(drill.result.status) if drill.result else "",
    }
    return render(request, "certification/results/trainee.html", context)


async def _streamed(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    # An async iterator: under ASGI a synchronous one would be read whole before sending.
    # Each chunk is made in the request's thread, so it may read the database.
    next_chunk = sync_to_async(next, thread_sensitive=True)
    while (chunk := await next_chunk(chunks, None)) is not None:
        yield chunk


def _download(chunks: Iterator[bytes], fmt: str, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_streamed(chunks), content_type=CONTENT_TYPES[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


def _nothing_to_export(request: HttpRequest, f, message: str) -> HttpResponse:
    messages.warning(request, message)
    return redirect(f"{redirect('certification:results').url}?{urlencode(f.as_query())}")


@login_required
@results_required
@require_GET
def results_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """One row per trainee in scope, as the dashboard's table."""
    try:
        f = results_filter_parse(request.user, request.GET)
    except ValidationError as exc:
        flash_error(request, exc)
        return redirect("certification:results")
    rows = trainee_results(request.user, f)
    if not rows:
        return _nothing_to_export(
            request, f, _("No trainee matches these filters: there is nothing to export.")
        )
    labels = {key: str(label) for key, label in STATUS_LABELS.items()}
    headers = exports.trainee_headers()
    values = (exports.trainee_values(row, labels) for row in rows)
    if fmt == "csv":
        chunks = exports.csv_chunks(headers, values)
    else:
        chunks = exports.file_chunks(exports.xlsx_file(headers, values, title=f.track.title))
    return _download(chunks, fmt, f"results-{f.track.slug}")


@login_required
@results_required
@require_GET
def results_export_sessions(request: HttpRequest, fmt: str) -> HttpResponse:
    """One row per scored conversation (practice and exam) of the trainees in scope that
    started in the period: read and written a chunk at a time, however many there are."""
    try:
        f = results_filter_parse(request.user, request.GET)
    except ValidationError as exc:
        flash_error(request, exc)
        return redirect("certification:results")
    rows = session_rows(request.user, f)
    first = next(rows, None)
    if first is None:
        return _nothing_to_export(
            request,
            f,
            _("No scored conversation matches these filters: there is nothing to export."),
        )
    labels = {
        **{key: str(label) for key, label in Session.Mode.choices},
        **{key: str(label) for key, label in Session.EndReason.choices},
    }
    headers = exports.session_headers()
    values = (exports.session_values(row, labels) for row in chain([first], rows))
    if fmt == "csv":
        chunks = exports.csv_chunks(headers, values)
    else:
        chunks = exports.file_chunks(exports.xlsx_file(headers, values, title=_("Conversations")))
    return _download(chunks, fmt, "conversations")


@login_required
@results_required
@require_GET
def results_calibration(request: HttpRequest) -> HttpResponse:
    """How far corrections and disputes agree with the automatic scores."""
    try:
        f = results_filter_parse(request.user, request.GET, track_required=False)
    except ValidationError as exc:
        context = {**_choices(request), "errors": exc.message_dict, "params": request.GET}
        return render(request, "certification/results/calibration.html", context, status=400)
    context = {
        **_choices(request),
        "f": f,
        "params": request.GET,
        "c": calibration(request.user, f),
    }
    return render(request, "certification/results/calibration.html", context)


@login_required
@results_required
@require_GET
def results_session(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """A trainee's conversation for HR and trainers: the transcript with each compliance hit
    in place, the trainer's correction and the trainee's disputes. Read only."""
    session = trainee_session(request.user, pk, session_pk)
    if session is None:
        raise Http404(_("No such conversation."))
    report = getattr(session, "report", None)
    context = {
        "session": session,
        "view": report_view(report) if report else None,
        "disputes": list(report.disputes.all()) if report else [],
        "back": request.GET.urlencode(),
    }
    return render(request, "certification/results/session.html", context)
