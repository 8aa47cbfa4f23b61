"""Role-play pages: practice and exam workbenches, reports, the trainers' review queue."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import cohorts_with_people_visible_to
from roleplay.models import Dispute, Exam, Report, Session
from roleplay.selectors import (
    cohort_weakest_rules,
    cohort_weakest_scenarios,
    exam_active_of,
    exam_sessions,
    exams_of_trainee,
    quick_phrases_grouped,
    report_of,
    report_view,
    review_cohorts,
    review_filter_parse,
    review_page,
    review_trainees,
    sessions_of_trainee,
    sessions_visible_to,
    workbench_session,
)
from roleplay.services.exams import exam_start
from roleplay.services.live import session_start
from roleplay.services.reviews import dispute_answer, dispute_create, report_correct
from scenarios.selectors import scenarios_published
from simulator.paging import page_of
from simulator.service_errors import flash_error

trainee_required = permission_required("accounts.act_as_trainee", raise_exception=True)


@login_required
@trainee_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "roleplay/index.html",
        {
            "scenarios": scenarios_published(),
            "sessions": page_of(request, sessions_of_trainee(request.user), per_page=20),
            "active_exam": exam_active_of(request.user),
        },
    )


@login_required
@trainee_required
@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    scenario = get_object_or_404(scenarios_published(), slug=slug)
    try:
        session = session_start(trainee=request.user, scenario=scenario)
    except ValidationError as exc:
        flash_error(request, exc)
        return redirect("roleplay:index")
    return redirect("roleplay:session", session.pk)


@login_required
@trainee_required
@require_POST
def exam_begin(request: HttpRequest) -> HttpResponse:
    chosen = list(scenarios_published(slugs=request.POST.getlist("scenario")))
    try:
        exam = exam_start(trainee=request.user, scenarios=chosen)
    except ValidationError as exc:
        flash_error(request, exc)
        return redirect("roleplay:index")
    return redirect("roleplay:exam", exam.pk)


# What the workbench script shows, translated on the server and handed over as JSON
# (json_script escapes it); "{n}" is filled in by the script.
WORKBENCH_TEXTS = {
    "buyer": gettext_lazy("Buyer"),
    "you": gettext_lazy("You"),
    "sending": gettext_lazy("sending…"),
    "ended": gettext_lazy("The conversation has ended"),
    "reportReady": gettext_lazy("See the report"),
    "scoring": gettext_lazy("Scoring…"),
    "reconnecting": gettext_lazy("Connection lost; reconnecting…"),
    "conn_connected": gettext_lazy("Connected"),
    "conn_reconnecting": gettext_lazy("Reconnecting…"),
    "conn_offline": gettext_lazy("Offline: check your network; still trying"),
    "conn_signed_out": gettext_lazy("Signed out"),
    "signIn": gettext_lazy("Sign in again"),
    "serverDelayed": gettext_lazy(
        "The server is slow to answer; the buyer waits for you, and this time is not counted."
    ),
    "hintsTitle": gettext_lazy("About your last reply"),
    "stepHint": gettext_lazy("Hint"),
    "cardImage": gettext_lazy("Picture"),
    "cardOrder": gettext_lazy("Order"),
    "cardProduct": gettext_lazy("Product link"),
    "noHits": gettext_lazy("No rule broken. Well said."),
    "order": gettext_lazy("Order"),
    "products": gettext_lazy("Products"),
    "stock": gettext_lazy("stock"),
    "soldOut": gettext_lazy("sold out"),
    "waiting": gettext_lazy("waiting"),
    "left": gettext_lazy("The buyer left"),
    "timeUp": gettext_lazy("Time is up"),
    "clockStopped": gettext_lazy("ended"),
    "unread": gettext_lazy("{n} unread"),
    "sendProduct": gettext_lazy("Send the product link"),
    "noPhrase": gettext_lazy("No quick phrase contains this."),
    "ordersInShop": gettext_lazy("{n} orders in this shop"),
    "transferred": gettext_lazy("Handed to a supervisor"),
    "agentEnded": gettext_lazy("You ended the conversation"),
}


def _workbench_texts() -> dict[str, str]:
    texts = {key: str(text) for key, text in WORKBENCH_TEXTS.items()}
    texts["version"] = _("Scenario version %(n)s") % {"n": "{n}"}
    return texts


def _workbench(request: HttpRequest, sessions: list[Session], exam: Exam | None) -> HttpResponse:
    phrases, groups = quick_phrases_grouped(request.user)
    context = {
        "workbench": {
            "sessions": [workbench_session(s) for s in sessions],
            "exam": exam.pk if exam else None,
            "deadline_at": (exam.deadline_at if exam else sessions[0].deadline_at).isoformat(),
            "server_now": timezone.now().isoformat(),
            "quick_phrases": phrases,
            "quick_groups": groups,
            "login_url": reverse("accounts:login"),
        },
        "workbench_texts": _workbench_texts(),
        "exam": exam,
        "sessions": sessions,
    }
    return render(request, "roleplay/workbench.html", context)


@login_required
@trainee_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(sessions_of_trainee(request.user), pk=pk)
    if session.exam_id:
        return redirect("roleplay:exam", session.exam_id)
    return _workbench(request, [session], None)


@login_required
@trainee_required
@require_GET
def exam_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exam = get_object_or_404(exams_of_trainee(request.user), pk=pk)
    return _workbench(request, exam_sessions(exam), exam)


def _total_from(raw: str) -> Decimal:
    """The corrected total typed in the form; the service checks its range."""
    try:
        total: Decimal | None = Decimal(raw)
    except InvalidOperation:
        total = None
    if total is None or not total.is_finite():  # Decimal reads 'NaN' and 'Infinity' too
        raise ValidationError({"total": _("Enter the corrected score as a number.")})
    return total


def _dispute_of(report_obj: Report, raw: str) -> Dispute:
    """The dispute the form answers: the one the trainer read, not whichever is open now."""
    dispute_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
    dispute = report_obj.disputes.filter(pk=dispute_id).first() if dispute_id else None
    if dispute is None:
        raise ValidationError(_("This dispute is not on this report."))
    return dispute


def _report_action(request: HttpRequest, report_obj: Report) -> None:
    """A trainee's dispute, a trainer's answer to one, or a trainer's correction."""
    action = request.POST.get("action")
    if action == "dispute":
        dispute_create(
            trainee=request.user, report=report_obj, comment=request.POST.get("comment", "")
        )
        messages.success(request, _("Your dispute was sent to the trainer."))
    elif action == "answer":
        dispute_answer(
            actor=request.user,
            dispute=_dispute_of(report_obj, request.POST.get("dispute", "")),
            answer=request.POST.get("answer", ""),
        )
        messages.success(request, _("The dispute was answered; the score is unchanged."))
    else:
        report_correct(
            actor=request.user,
            report=report_obj,
            total=_total_from(request.POST.get("total", "")),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("The score was corrected."))


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(sessions_visible_to(request.user), pk=pk)
    report_obj = report_of(session)
    if request.method == "POST" and report_obj is not None:
        try:
            _report_action(request, report_obj)
        except (ValidationError, PermissionDenied) as exc:
            flash_error(request, exc)
        return redirect("roleplay:report", session.pk)
    context = {
        "session": session,
        "view": report_view(report_obj) if report_obj else None,
        "can_correct": request.user.has_perm("roleplay.change_report"),
        "is_owner": session.trainee_id == request.user.pk,
    }
    return render(request, "roleplay/report.html", context)


@login_required
@permission_required("roleplay.change_report", raise_exception=True)
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    choices = {
        "cohorts": review_cohorts(request.user),
        "trainees": review_trainees(request.user),
        "modes": Session.Mode.choices,
        "params": request.GET,
    }
    try:
        f = review_filter_parse(request.user, request.GET)
    except ValidationError as exc:
        context = {**choices, "errors": exc.message_dict}
        return render(request, "roleplay/review.html", context, status=400)
    page = review_page(request.user, f, request.GET.get("page"))
    context = {
        **choices,
        "page": page,
        # Long lists show the pages near this one and at both ends, "…" between.
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "ellipsis": page.paginator.ELLIPSIS,
        "query": urlencode(f.as_query()),
    }
    return render(request, "roleplay/review.html", context)


@login_required
@permission_required("accounts.view_cohort", raise_exception=True)
@require_GET
def cohort_weakest(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a cohort is weakest: the rules it breaks most, the scenarios it scores lowest."""
    cohort = get_object_or_404(cohorts_with_people_visible_to(request.user), pk=pk)
    context = {
        "cohort": cohort,
        "rules": cohort_weakest_rules(cohort),
        "scenarios": cohort_weakest_scenarios(cohort),
        "can_review": review_cohorts(request.user).filter(pk=cohort.pk).exists(),
    }
    return render(request, "roleplay/cohort_weakest.html", context)
