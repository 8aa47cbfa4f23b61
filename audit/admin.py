from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, so nobody edits or deletes it from the admin."""

    list_display = ("created_at", "actor_name", "action", "target_type", "target_repr")
    list_filter = ("action", "target_type")
    search_fields = ("actor_name", "target_repr", "target_id", "reason")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        # The log spans every cohort (staff changes, onboarding, score overrides on
        # trainees' sessions), and an event cannot be traced to a cohort from here: it is
        # for those who see every cohort, like the pages that list every cohort's people.
        events = super().get_queryset(request)
        if request.user.has_perm("accounts.view_all_cohorts"):
            return events
        return events.none()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
