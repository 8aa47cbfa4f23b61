"""The admin shows a staff member what the pages show them: every queryset goes through the
selectors that decide it for the pages (accounts.selectors), so a trainer of one cohort
cannot open another cohort, its people or the rosters here either."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin  # imported first: it registers axes' admin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort, OnboardingBatch, User
from accounts.selectors import (
    cohorts_with_people_visible_to,
    onboarding_batches_visible_to,
    users_visible_to,
)
from accounts.services.passwords import password_set_in_admin
from realtime.sign_ins import sockets_recheck_sign_in


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "employee_number", "shop", "is_active")
    search_fields = ("username", "display_name", "employee_number", "shop")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Trainee record"), {"fields": ("display_name", "employee_number", "shop")}),
        (_("Sign-in"), {"fields": ("must_change_password",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # By primary key: the selector's joins and DISTINCT would get in the way of the
        # admin's own ordering, search and bulk actions.
        visible = users_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:  # "add user": the password typed here is someone else's choice
            password_set_in_admin(actor=request.user, user=obj, created=True)
        elif "is_active" in form.changed_data and not obj.is_active:
            sockets_recheck_sign_in(obj.pk)  # a deactivated user's open sockets close

    def user_change_password(self, request: HttpRequest, id, form_url: str = "") -> HttpResponse:
        # Django's view saves the password and, on success only, redirects to the user's
        # change page; what it leaves for this project (the flag, tokens, the audit record)
        # commits with it.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                done = reverse(f"{self.admin_site.name}:accounts_user_change", args=(user.pk,))
                if response.url == done:
                    password_set_in_admin(actor=request.user, user=user, created=False)
        return response


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "shop", "starts_on")
    search_fields = ("name", "code", "shop")
    prepopulated_fields = {"code": ("name",)}
    filter_horizontal = ("trainees", "trainers", "hr_staff")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cohort]:
        visible = cohorts_with_people_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        # The people offered when editing a cohort are the people the editor may see.
        if db_field.name in ("trainees", "trainers", "hr_staff"):
            kwargs["queryset"] = users_visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(OnboardingBatch)
class OnboardingBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "created_by", "created_at", "status")
    readonly_fields = [field.name for field in OnboardingBatch._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OnboardingBatch]:
        visible = onboarding_batches_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)

    def has_add_permission(self, request) -> bool:
        return False


# Sign-in lock-outs (django-axes): administrators see and clear them here. Axes' own
# "clean up expired attempts" action reads request attributes that exist only while a
# sign-in is processed (a 500 from the admin), and expired attempts are cleaned at every
# sign-in anyway, so the action is removed.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptLockoutAdmin(AccessAttemptAdmin):
    actions = []
