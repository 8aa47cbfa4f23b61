"""Role-play sessions, their messages (stamped with server time), exams, reports, disputes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Exam(models.Model):
    """A certification exam: two or three buyers at once, one time limit, no hints."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        ENDED = "ended", _("Ended")

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roleplay_exams"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    deadline_at = models.DateTimeField(_("deadline"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee"],
                condition=models.Q(status="active"),
                name="one_active_exam_per_trainee",
            )
        ]
        verbose_name = _("role-play exam")
        verbose_name_plural = _("role-play exams")

    def __str__(self) -> str:
        return f"{self.trainee} · {self.started_at:%Y-%m-%d %H:%M}"


class Session(models.Model):
    class Mode(models.TextChoices):
        PRACTICE = "practice", _("Practice")
        EXAM = "exam", _("Exam")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        OUTCOME = "outcome", _("The conversation reached an outcome")
        BUYER_LEFT = "buyer_left", _("The buyer left")
        TIME_UP = "time_up", _("Time was up")
        AGENT_ENDED = "agent_ended", _("The agent ended the conversation")
        TRANSFERRED = "transferred", _("The agent handed the conversation to a supervisor")

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roleplay_sessions"
    )
    # The exact version the trainee met: later edits and publications never change it.
    scenario_version = models.ForeignKey(
        "scenarios.ScenarioVersion", on_delete=models.PROTECT, related_name="sessions"
    )
    exam = models.ForeignKey(
        Exam, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.PRACTICE)
    seed = models.BigIntegerField(_("seed"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    outcome = models.CharField(_("outcome"), max_length=10, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=12, choices=EndReason.choices, blank=True
    )
    engine_state = models.JSONField(_("engine state"), default=dict)
    # One Celery wake-up at a time per session, due at ``timer_at``: the earliest planned
    # timer (a nudge, a silence branch, the patience limit). A wake-up carries the version
    # it was scheduled with and does nothing if a newer one replaced it (a stale timer); a
    # wake-up that finds nothing due yet plans the next one.
    timer_version = models.PositiveIntegerField(default=0)
    timer_at = models.DateTimeField(null=True, blank=True)
    last_seq = models.PositiveIntegerField(default=0)
    # Session-clock seconds of the latest replies (newest last): the rate limit and the
    # previous reply's time, without reading the messages.
    reply_times = models.JSONField(default=list, blank=True)
    # The buyer's clock (her nudges, silences and patience) stands still while a line she
    # said has not reached the trainee's page: ``held_s`` is the time it stood still so far,
    # up to ``held_until``. Only for sessions whose page confirms what it shows
    # (``page_confirms``, set when the workbench first connects); see ``roleplay.holds``.
    held_s = models.FloatField(_("seconds not counted"), default=0.0)
    held_until = models.DateTimeField(null=True, blank=True)
    page_confirms = models.BooleanField(default=False)
    started_at = models.DateTimeField(_("started"))
    deadline_at = models.DateTimeField(_("deadline"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("role-play session")
        verbose_name_plural = _("role-play sessions")

    def __str__(self) -> str:
        return f"{self.trainee} · {self.scenario_version}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Message(models.Model):
    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        AGENT = "agent", _("Agent")
        SYSTEM = "system", _("System")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    text = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=10, blank=True)
    # Order of delivery to the trainee; null while a buyer line is still being "typed".
    seq = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # Server time only: when the line was pushed to the trainee, or when the reply arrived.
    at = models.DateTimeField(_("server time"), null=True, blank=True)
    # A buyer or system line: when the server sent it on a socket whose page then confirmed
    # it (by a receipt or any later frame). Null: no page has shown it yet.
    shown_at = models.DateTimeField(_("shown"), null=True, blank=True)
    client_id = models.CharField(_("client message id"), max_length=64, blank=True)
    step = models.CharField(_("step"), max_length=60, blank=True)
    events = models.JSONField(_("input events"), default=list, blank=True)
    telemetry = models.JSONField(_("telemetry findings"), default=dict, blank=True)
    hits = models.JSONField(_("compliance hits"), default=list, blank=True)
    branch_reason = models.CharField(_("why the buyer answered so"), max_length=300, blank=True)

    class Meta:
        ordering = ["session", "seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["session", "client_id"],
                condition=~models.Q(client_id=""),
                name="message_client_id_once",
            ),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:30]}"


class QuickPhrase(models.Model):
    """A trainee's own quick phrases (快捷短语); inserting one counts as pasted, not typed."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quick_phrases"
    )
    text = models.CharField(_("text"), max_length=300)
    # The heading it is listed under (问候, 查询, 售后…); empty: listed without one.
    group = models.CharField(_("group"), max_length=20, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["trainee", "position", "id"]
        verbose_name = _("quick phrase")
        verbose_name_plural = _("quick phrases")

    def __str__(self) -> str:
        return self.text[:30]


class Report(models.Model):
    """The scored session, with the rule-pack identity so it can be recomputed."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="report")
    data = models.JSONField(_("report"))
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1, null=True)
    scored_at = models.DateTimeField(_("scored"), auto_now_add=True)
    corrected_total = models.DecimalField(
        _("corrected total"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(_("corrected"), null=True, blank=True)

    class Meta:
        verbose_name = _("session report")
        verbose_name_plural = _("session reports")

    def __str__(self) -> str:
        return f"report of {self.session}"

    @property
    def final_total(self):
        return self.corrected_total if self.corrected_total is not None else self.total


class RuleBreach(models.Model):
    """A compliance rule that a scored session's replies broke: one row per report and rule,
    written with the report. Reads over many sessions (the rules HR sees most often broken,
    with examples) count these rows instead of reading every message's hits."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="breaches")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The session's start, copied so a period filter needs no join.
    session_started_at = models.DateTimeField(_("session started"))
    rule = models.CharField(_("rule"), max_length=80)
    replies = models.PositiveIntegerField(_("replies that broke it"))
    example = models.CharField(_("example reply"), max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "rule"], name="one_breach_per_report_rule")
        ]
        indexes = [
            models.Index(fields=["session_started_at", "rule"], name="breach_when_rule"),
            models.Index(fields=["rule", "session_started_at"], name="breach_rule_when"),
        ]
        verbose_name = _("rule broken")
        verbose_name_plural = _("rules broken")

    def __str__(self) -> str:
        return f"{self.rule} × {self.replies}"


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="disputes")
    comment = models.TextField(_("comment"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("score dispute")
        verbose_name_plural = _("score disputes")

    def __str__(self) -> str:
        return f"dispute on {self.report.session}"
