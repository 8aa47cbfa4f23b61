"""Role-play sessions and their messages, stamped with server time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Session(models.Model):
    class Mode(models.TextChoices):
        PRACTICE = "practice", _("Practice")
        EXAM = "exam", _("Exam")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        ENDED = "ended", _("Ended")

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="roleplay_sessions")
    # The exact version the trainee met: later edits and publications never change it.
    scenario_version = models.ForeignKey("scenarios.ScenarioVersion", on_delete=models.PROTECT,
                                         related_name="sessions")
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices,
                            default=Mode.PRACTICE)
    seed = models.BigIntegerField(_("seed"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE)
    outcome = models.CharField(_("outcome"), max_length=10, blank=True)
    engine_state = models.JSONField(_("engine state"), default=dict)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("role-play session")
        verbose_name_plural = _("role-play sessions")

    def __str__(self) -> str:
        return f"{self.trainee} · {self.scenario_version}"


class Message(models.Model):
    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        AGENT = "agent", _("Agent")
        SYSTEM = "system", _("System")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    text = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=10, blank=True)
    # Server time only: when the line reached the trainee, or when the reply arrived.
    at = models.DateTimeField(_("server time"))

    class Meta:
        ordering = ["session", "at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:30]}"
