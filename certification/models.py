"""Certification: tracks (what it takes to be certified), typing tests, certification
attempts with their decision, and certificates.

Tracks are versioned like scenarios: an attempt pins the version it was started under and
is decided against it, so later edits change no past decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Track(models.Model):
    """A certification track as trainers edit it; what trainees take is a published version."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    draft_yaml = models.TextField(_("draft"))
    draft_valid = models.BooleanField(_("draft valid"), default=False)
    draft_updated_at = models.DateTimeField(_("draft saved"), auto_now=True)
    draft_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("draft saved by"),
    )
    published_version = models.ForeignKey(
        "TrackVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published version"),
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("certification track")
        verbose_name_plural = _("certification tracks")
        permissions = [("publish_track", _("Can publish certification tracks"))]

    def __str__(self) -> str:
        return self.title


class TrackVersion(models.Model):
    """A published track exactly as it was: attempts pin one, so it never changes.
    ``data`` is the validated spec (certification.track_format.TrackSpec.to_data())."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="versions")
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
        ordering = ["track", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["track", "number"], name="track_version_unique")
        ]
        verbose_name = _("track version")
        verbose_name_plural = _("track versions")

    def __str__(self) -> str:
        return f"{self.track} v{self.number}"


class TypingTest(models.Model):
    """One run of the typing test: the passage shown, what was typed, the input events the
    page recorded, and the server's measurement and plausibility findings."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        ABANDONED = "abandoned", _("abandoned")

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="typing_tests"
    )
    passage_key = models.CharField(_("passage"), max_length=120)
    reference = models.TextField(_("reference text"))
    seconds_allowed = models.PositiveIntegerField(_("time allowed (s)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("started"))  # server time: when the passage was shown
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    typed = models.TextField(_("typed text"), blank=True)
    events = models.JSONField(_("input events"), default=list, blank=True)
    pastes = models.PositiveIntegerField(_("pastes refused"), default=0)
    seconds = models.FloatField(_("seconds used"), null=True, blank=True)
    cpm = models.FloatField(_("characters per minute"), null=True, blank=True)
    accuracy = models.FloatField(_("accuracy"), null=True, blank=True)
    result = models.JSONField(_("measurement"), default=dict, blank=True)
    flags = models.JSONField(_("plausibility flags"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["trainee", "-started_at"], name="typing_trainee_recent")]
        verbose_name = _("typing test")
        verbose_name_plural = _("typing tests")

    def __str__(self) -> str:
        return f"{self.trainee} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def plausible(self) -> bool:
        return self.status == self.Status.FINISHED and not self.flags and not self.pastes


class CertificationAttempt(models.Model):
    """A trainee's attempt at a track version's exam, and its decision."""

    class Status(models.TextChoices):
        IN_EXAM = "in_exam", _("exam in progress")
        DECIDING = "deciding", _("being decided")
        DECIDED = "decided", _("decided")

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certification_attempts"
    )
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="attempts")
    track_version = models.ForeignKey(
        TrackVersion, on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveIntegerField(_("attempt number"))
    seed = models.BigIntegerField(_("draw seed"))
    drawn = models.JSONField(_("scenarios drawn"), default=list)  # slugs, in order
    exam = models.OneToOneField(
        "roleplay.Exam",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certification_attempt",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.IN_EXAM
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    # Per dimension: {"name", "measured", "mark", "ok", "reason"}; and the inputs used.
    results = models.JSONField(_("results"), default=dict, blank=True)
    # Each dimension's measured figure by name, written with the decision: what reads over
    # thousands of attempts (HR's medians and table) need, without the whole results.
    measured = models.JSONField(_("measured figures"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "track", "number"], name="certification_attempt_number"
            )
        ]
        indexes = [
            models.Index(fields=["trainee", "track", "-started_at"], name="attempt_trainee_track"),
            models.Index(fields=["status", "decided_at"], name="attempt_status_decided"),
        ]
        permissions = [("view_results", _("Can see certification results and reports"))]
        verbose_name = _("certification attempt")
        verbose_name_plural = _("certification attempts")

    def __str__(self) -> str:
        return f"{self.trainee} {self.track_version} #{self.number}"


class Certificate(models.Model):
    """What a passed attempt earns: a number people quote, an unguessable verification
    code, and the measured results as they were decided."""

    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    attempt = models.OneToOneField(
        CertificationAttempt, on_delete=models.PROTECT, related_name="certificate"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    track_version = models.ForeignKey(
        TrackVersion, on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    code = models.CharField(_("verification code"), max_length=64, unique=True)
    holder_name = models.CharField(_("holder"), max_length=150)
    track_title = models.CharField(_("track"), max_length=200)
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"))
    results = models.JSONField(_("measured results"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    expiry_notified_at = models.DateTimeField(_("expiry notice sent"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="certificate_status_expiry"),
            models.Index(fields=["holder", "-issued_at"], name="certificate_holder_recent"),
        ]
        permissions = [("revoke_certificate", _("Can revoke certificates"))]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number


class Notice(models.Model):
    """An in-app notice to one user (a certificate about to expire, or expired)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certification_notices"
    )
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.text
