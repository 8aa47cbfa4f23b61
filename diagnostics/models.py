"""Timer probes: proof that the Celery workers run countdown tasks on time.

Buyer nudges, patience limits and exam deadlines are all countdown tasks, so an
operator needs to see how late the workers are before trainees notice it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimerProbe(models.Model):
    created_at = models.DateTimeField(_("scheduled at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    countdown_s = models.FloatField(_("countdown (s)"))
    due_at = models.DateTimeField(_("due at"))
    ran_at = models.DateTimeField(_("ran at"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("timer probe")
        verbose_name_plural = _("timer probes")
        permissions = [("run_diagnostics", _("Can see system status and run timer probes"))]

    def __str__(self) -> str:
        return f"probe {self.pk} due {self.due_at:%H:%M:%S.%f}"

    @property
    def lateness_s(self) -> float | None:
        if self.ran_at is None:
            return None
        return (self.ran_at - self.due_at).total_seconds()
