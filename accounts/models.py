"""Users, their roles (groups) and cohorts (批次) of new hires."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import ROLE_ORDER, Role

employee_number_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$",
    _("Employee numbers use letters, digits, '-' and '_' (at most 32 characters)."),
)


class User(AbstractUser):
    """A person who signs in. New hires sign in with their employee number."""

    display_name = models.CharField(_("name"), max_length=150, blank=True)
    employee_number = models.CharField(
        _("employee number"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        validators=[employee_number_validator],
    )
    shop = models.CharField(_("shop"), max_length=100, blank=True)
    # Set when someone else chose the password (onboarding, an HR reset, the admin): until
    # the user picks their own, pages lead to the change page and the APIs answer 403.
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("The user must choose a new password before doing anything else."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("act_as_trainee", _("Can learn, practise and sit exams")),
            ("onboard_users", _("Can import new hires from a roster file")),
            ("reset_password", _("Can reset the passwords of the people they look after")),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_username()

    @property
    def roles(self) -> list[Role]:
        """The user's roles, widest first."""
        names = {group.name for group in self.groups.all()}
        return [role for role in ROLE_ORDER if role.value in names]

    @property
    def primary_role(self) -> Role | None:
        roles = self.roles
        return roles[0] if roles else None


class Cohort(models.Model):
    """A batch (批次) of new hires who train together, with their trainers and HR contacts."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    shop = models.CharField(_("shop"), max_length=100, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    trainees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cohorts", blank=True, verbose_name=_("trainees")
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="trained_cohorts",
        blank=True,
        verbose_name=_("trainers"),
    )
    hr_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="hr_cohorts",
        blank=True,
        verbose_name=_("HR contacts"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        permissions = [
            ("view_all_cohorts", _("Can see every cohort")),
            ("train_cohorts", _("Can train the cohorts assigned to them")),
            ("assign_cohort_staff", _("Can assign trainers and HR contacts to cohorts")),
        ]

    def __str__(self) -> str:
        return self.name


class OnboardingBatch(models.Model):
    """An uploaded roster of new hires: previewed first, applied once, atomically."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="onboarding_batches",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file"), max_length=255)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    file_errors = models.JSONField(_("file problems"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PREVIEWED
    )
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # Who imported it: the one person who may fetch the batch's initial passwords.
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("onboarding batch")
        verbose_name_plural = _("onboarding batches")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def problem_count(self) -> int:
        return len(self.file_errors) + sum(len(row["problems"]) for row in self.rows)


class OnboardingPasswords(models.Model):
    """The initial passwords of one imported batch, sealed, waiting for their one retrieval.

    ``sealed`` is AES-GCM ciphertext under a key derived from ``SECRET_KEY`` and a random
    secret that only the importer's browser holds (a cookie), so this row alone, or this
    row and the settings, decrypt nothing. The row is deleted by the retrieval, and once
    ``expires_at`` has passed by whichever onboarding request or ``purge_onboarding_passwords``
    run comes first.
    """

    batch = models.OneToOneField(
        OnboardingBatch, on_delete=models.CASCADE, related_name="initial_passwords"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sealed = models.BinaryField()
    count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("initial passwords of an import")
        verbose_name_plural = _("initial passwords of imports")

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.count}"
