from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort, OnboardingBatch, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "employee_number", "shop", "is_active")
    search_fields = ("username", "display_name", "employee_number", "shop")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Trainee record"), {"fields": ("display_name", "employee_number", "shop")}),
    )


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "shop", "starts_on")
    search_fields = ("name", "code", "shop")
    prepopulated_fields = {"code": ("name",)}
    filter_horizontal = ("trainees", "trainers", "hr_staff")


@admin.register(OnboardingBatch)
class OnboardingBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "created_by", "created_at", "status")
    readonly_fields = [field.name for field in OnboardingBatch._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
