"""Scenarios as trainers edit them (a draft) and as trainees meet them (immutable versions)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scenario(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    shop_slug = models.SlugField(_("shop"), max_length=80, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), default=1)
    motive = models.CharField(_("motive"), max_length=10, blank=True)
    # The editable YAML; it may be invalid while a trainer works on it.
    draft_yaml = models.TextField(_("draft"))
    draft_valid = models.BooleanField(_("draft valid"), default=False)
    draft_updated_at = models.DateTimeField(_("draft saved"), auto_now=True)
    draft_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saved by"),
    )
    published_version = models.ForeignKey(
        "ScenarioVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published version"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        permissions = [("publish_scenario", _("Can publish and unpublish scenarios"))]

    def __str__(self) -> str:
        return self.title


class ScenarioVersion(models.Model):
    """A published scenario exactly as it was: sessions pin one, so it never changes."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    yaml = models.TextField(_("YAML"))
    data = models.JSONField(_("validated data"))
    content_hash = models.CharField(_("content hash"), max_length=80)
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["scenario", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "number"], name="version_number_unique")
        ]
        verbose_name = _("scenario version")
        verbose_name_plural = _("scenario versions")

    def __str__(self) -> str:
        return f"{self.scenario.slug} v{self.number}"
