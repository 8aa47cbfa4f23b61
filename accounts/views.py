"""Pages for signing in, the role-aware home page, cohorts, onboarding and passwords."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import LogoutView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts.forms import (
    CohortCreateForm,
    CohortStaffForm,
    OwnPasswordChangeForm,
    RosterUploadForm,
)
from accounts.password_files import passwords_csv, passwords_xlsx
from accounts.roles import Role
from accounts.roster import MAX_ROSTER_BYTES
from accounts.selectors import (
    cohort_hr_staff,
    cohort_members,
    cohort_trainers,
    cohorts_visible_to,
    cohorts_with_people_visible_to,
    onboarding_batches_recent,
    onboarding_batches_visible_to,
    users_password_resettable_by,
)
from accounts.services import (
    OnboardingRejected,
    cohort_assign_staff,
    cohort_create,
    onboarding_batch_apply,
    onboarding_batch_discard,
    onboarding_preview_create,
)
from accounts.services.initial_passwords import (
    PASSWORDS_TTL,
    PasswordsGone,
    PasswordsKeyMissing,
    cookie_name,
    new_secret,
    passwords_pending_for,
    passwords_purge_expired,
    passwords_take,
    secret_from_cookie,
    secret_to_cookie,
)
from accounts.services.passwords import password_change as password_change_write
from accounts.services.passwords import password_reset
from realtime.sign_ins import sockets_recheck_sign_in
from simulator.paging import page_of
from simulator.service_errors import flash_error


class SignOutView(LogoutView):
    """Django's sign-out, then this browser's open sockets close: they check their sign-in
    once the session is gone (the user's other browsers stay signed in)."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user_id = request.user.pk
        response = super().post(request, *args, **kwargs)
        if user_id is not None:
            sockets_recheck_sign_in(user_id)
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = request.user.primary_role
    context = {
        "role": role,
        "cohorts": cohorts_visible_to(request.user)[:20],
        "recent_batches": (
            onboarding_batches_recent(5) if request.user.has_perm("accounts.onboard_users") else []
        ),
    }
    template = f"accounts/home_{role.value}.html" if role else "accounts/home_none.html"
    return render(request, template, context)


@login_required
@permission_required("accounts.view_cohort", raise_exception=True)
@require_http_methods(["GET", "POST"])
def cohort_list(request: HttpRequest) -> HttpResponse:
    can_add = request.user.has_perm("accounts.add_cohort")
    form = CohortCreateForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if not can_add:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                cohort = cohort_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Cohort “%(name)s” created.") % {"name": cohort})
                return redirect("accounts:cohort_detail", pk=cohort.pk)
    cohorts = page_of(request, cohorts_visible_to(request.user))
    return render(request, "accounts/cohort_list.html", {"cohorts": cohorts, "form": form})


@login_required
@permission_required("accounts.view_cohort", raise_exception=True)
@require_http_methods(["GET", "POST"])
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(cohorts_with_people_visible_to(request.user), pk=pk)
    can_assign = request.user.has_perm("accounts.assign_cohort_staff")
    initial = {"trainers": cohort_trainers(cohort), "hr_staff": cohort_hr_staff(cohort)}
    form = CohortStaffForm(request.POST or None, initial=initial) if can_assign else None
    if request.method == "POST":
        if not can_assign:
            return HttpResponse(status=403)
        if form.is_valid():
            cohort_assign_staff(actor=request.user, cohort=cohort, **form.cleaned_data)
            messages.success(request, _("Trainers and HR contacts saved."))
            return redirect("accounts:cohort_detail", pk=cohort.pk)
    members = cohort_members(cohort)
    page = page_of(request, members, per_page=50)
    context = {
        "cohort": cohort,
        "members": page,
        "member_count": page.paginator.count,
        # Members whose password the viewer may reset (HR of this cohort, admins).
        "resettable": set(
            users_password_resettable_by(request.user)
            .filter(pk__in=[member.pk for member in page])
            .values_list("pk", flat=True)
        ),
        "trainers": cohort_trainers(cohort),
        "hr_staff": cohort_hr_staff(cohort),
        "form": form,
    }
    return render(request, "accounts/cohort_detail.html", context)


@login_required
@permission_required("accounts.onboard_users", raise_exception=True)
@require_http_methods(["GET", "POST"])
def onboarding_upload(request: HttpRequest) -> HttpResponse:
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    passwords_purge_expired()  # expired initial passwords go at the next visit at the latest
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # One byte past the limit is enough to refuse a larger file without reading it all.
        data = upload.read(MAX_ROSTER_BYTES + 1)
        try:
            batch = onboarding_preview_create(actor=request.user, file_name=upload.name, data=data)
        except ValidationError as exc:
            form.add_error(None, exc)  # shown on the file field: the message names the file
        else:
            return redirect("accounts:onboarding_preview", pk=batch.pk)
    context = {"form": form, "recent_batches": onboarding_batches_recent()}
    return render(request, "accounts/onboarding_upload.html", context)


@login_required
@permission_required("accounts.onboard_users", raise_exception=True)
@require_http_methods(["GET", "POST"])
def onboarding_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(onboarding_batches_visible_to(request.user), pk=pk)
    passwords_purge_expired()
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            onboarding_batch_discard(actor=request.user, batch=batch)
            messages.info(request, _("The roster was discarded; nothing was imported."))
            return redirect("accounts:onboarding_upload")
        secret = new_secret()
        try:
            created = onboarding_batch_apply(
                actor=request.user, batch=batch, password_secret=secret
            )
        except OnboardingRejected:
            messages.error(request, _("The roster has problems; nothing was imported."))
            return redirect("accounts:onboarding_preview", pk=batch.pk)
        except ValidationError as exc:
            flash_error(request, exc)
            return redirect("accounts:onboarding_preview", pk=batch.pk)
        # The page lists who was created, never a password: those are fetched once, as a
        # file or as slips, with the half of their key this browser now holds.
        context = {
            "batch": batch,
            "created": created,
            "pending": passwords_pending_for(request.user).filter(batch=batch).first(),
            "ttl_minutes": int(PASSWORDS_TTL.total_seconds() // 60),
        }
        response = render(request, "accounts/onboarding_done.html", context)
        add_never_cache_headers(response)
        response.set_cookie(
            cookie_name(batch.pk),
            secret_to_cookie(secret),
            max_age=int(PASSWORDS_TTL.total_seconds()),
            path=_passwords_cookie_path(batch.pk),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
        return response
    context = {
        "batch": batch,
        "role": Role,
        "pending": passwords_pending_for(request.user).filter(batch=batch).first(),
        "ttl_minutes": int(PASSWORDS_TTL.total_seconds() // 60),
    }
    return render(request, "accounts/onboarding_preview.html", context)


def _passwords_cookie_path(batch_id: int) -> str:
    # The batch's own pages only: the key is sent with no other request.
    return reverse("accounts:onboarding_preview", kwargs={"pk": batch_id})


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)  # includes no-store: no copy in any cache
    return response


@login_required
@permission_required("accounts.onboard_users", raise_exception=True)
@require_http_methods(["POST"])
@sensitive_variables("passwords", "body")
def onboarding_passwords(request: HttpRequest, pk: int, how: str) -> HttpResponse:
    """The initial passwords of an import, once, as ``how`` says (csv, xlsx or slips).

    POST only, so that no prefetch or link preview can spend the one retrieval. Anyone but
    the importer gets 404; after the retrieval or the expiry every format answers 410.
    """
    batch = get_object_or_404(onboarding_batches_visible_to(request.user), pk=pk)
    name = cookie_name(batch.pk)
    try:
        passwords = passwords_take(
            actor=request.user,
            batch=batch,
            secret=secret_from_cookie(request.COOKIES.get(name)),
            how=how,
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except PasswordsGone:
        response = render(request, "accounts/onboarding_passwords_gone.html", status=410)
        response.delete_cookie(name, path=_passwords_cookie_path(batch.pk))
        return _no_store(response)
    except PasswordsKeyMissing:
        response = render(
            request,
            "accounts/onboarding_passwords_gone.html",
            {"other_browser": True},
            status=403,
        )
        return _no_store(response)
    sign_in_url = request.build_absolute_uri(reverse("accounts:login"))
    stamp = timezone.localtime(batch.applied_at or batch.created_at).strftime("%Y%m%d-%H%M")
    if how == "slips":
        response = render(
            request,
            "accounts/onboarding_slips.html",
            {"batch": batch, "passwords": passwords, "sign_in_url": sign_in_url},
        )
    else:
        writer, content_type = _PASSWORD_FILES[how]
        response = HttpResponse(writer(passwords, sign_in_url), content_type=content_type)
        disposition = f'attachment; filename="initial-passwords-{stamp}.{how}"'
        response["Content-Disposition"] = disposition
    response.delete_cookie(name, path=_passwords_cookie_path(batch.pk))
    return _no_store(response)


# The downloadable forms of the initial passwords: extension -> writer and content type.
_PASSWORD_FILES = {
    "csv": (passwords_csv, "text/csv; charset=utf-8"),
    "xlsx": (passwords_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _next_page(request: HttpRequest) -> str | None:
    """The page the user was on before being sent to change their password, if local."""
    target = request.POST.get("next") or request.GET.get("next")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Every signed-in user's own password; the only page open to a user who must change
    it (accounts.password_required)."""
    form = OwnPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change_write(
                user=request.user,
                new_password=form.cleaned_data["new_password1"],
                keep=request.session,  # this sign-in stays
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            messages.success(request, _("Your password was changed."))
            return redirect(_next_page(request) or "accounts:home")
    context = {
        "form": form,
        "forced": request.user.must_change_password,
        "next": _next_page(request) or "",
    }
    return render(request, "accounts/password_change.html", context)


@login_required
@permission_required("accounts.reset_password", raise_exception=True)
@require_http_methods(["GET", "POST"])
@sensitive_variables("temporary")
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """HR (their cohorts' trainees) or an administrator (anyone) resets a password: GET
    asks for confirmation, POST shows the temporary password, once, in its answer."""
    person = get_object_or_404(users_password_resettable_by(request.user), pk=pk)
    cohort_pk = request.GET.get("cohort", "")
    cohort = (
        cohorts_with_people_visible_to(request.user).filter(pk=cohort_pk).first()
        if cohort_pk.isdigit()
        else None
    )
    context = {"person": person, "cohort": cohort}
    if request.method == "POST":
        temporary = password_reset(actor=request.user, user=person)
        # Rendered, never redirected with a message: messages are kept in a cookie.
        return render(
            request,
            "accounts/password_reset_done.html",
            {**context, "temporary_password": temporary},
        )
    return render(request, "accounts/password_reset_confirm.html", context)
