from django.contrib import admin

from diagnostics.models import TimerProbe


@admin.register(TimerProbe)
class TimerProbeAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "countdown_s", "due_at", "ran_at", "worker")
    readonly_fields = ("created_at", "countdown_s", "due_at", "ran_at", "worker", "created_by")
