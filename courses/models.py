"""Courses: modules of lessons with a quiz each; attempts, answers and reading progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [("view_item_statistics", _("Can see quiz item statistics"))]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="unlocks",
        verbose_name=_("prerequisites"),
    )
    source_file = models.CharField(_("source file"), max_length=200, blank=True)
    # Dropped from a re-imported file: hidden, but kept with its attempts.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="module_slug_per_course")
        ]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    minutes = models.PositiveIntegerField(_("reading minutes"), default=5)
    body = models.TextField(_("body (Markdown)"))
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["module", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="lesson_slug_per_module")
        ]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return self.title


class Quiz(models.Model):
    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="quiz")
    title = models.CharField(_("title"), max_length=200)
    pass_mark = models.PositiveIntegerField(_("pass mark (%)"), default=80)
    max_attempts = models.PositiveIntegerField(_("attempt limit (0 = none)"), default=0)
    retry_wait_minutes = models.PositiveIntegerField(
        _("wait after a failed attempt (min)"), default=0
    )
    time_limit_minutes = models.PositiveIntegerField(_("time limit (min)"), null=True, blank=True)
    # Choices are shuffled on every paper whatever this says: authors write the key first.
    shuffle = models.BooleanField(_("shuffle questions"), default=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        ORDERING = "ordering", _("Ordering")
        FILL_IN = "fill_in", _("Fill in")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    slug = models.SlugField(_("slug"), max_length=80)
    type = models.CharField(_("type"), max_length=12, choices=Type.choices)
    prompt = models.TextField(_("prompt"))
    lesson = models.ForeignKey(
        Lesson, on_delete=models.PROTECT, related_name="questions", verbose_name=_("lesson tested")
    )
    explanation = models.TextField(_("explanation"))
    points = models.PositiveIntegerField(_("points"), default=1)
    answer_true = models.BooleanField(_("true/false answer"), null=True, blank=True)
    accepted = models.JSONField(_("accepted answers (fill-in)"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Questions dropped from a re-imported file are retired, not deleted: attempts keep them.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "slug"], name="question_slug_per_quiz")
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.slug}: {self.prompt[:40]}"


class Choice(models.Model):
    """A choice of a single/multiple question, or an item of an ordering question
    (``position`` is then the correct place)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("text"), max_length=500)
    correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["question", "position"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class LessonRead(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lessons_read"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="lesson_read_once")]
        verbose_name = _("lesson read")
        verbose_name_plural = _("lessons read")

    def __str__(self) -> str:
        return f"{self.user} read {self.lesson}"


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        EXPIRED = "expired", _("Submitted at the time limit")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("attempt number"))
    seed = models.BigIntegerField(_("shuffle seed"))
    # The question ids of this attempt in the order shown, and per question its choice ids
    # in the order shown with the token the trainee sees for each (courses.layout): fixed at
    # start so a reload shows the same paper.
    layout = models.JSONField(_("layout"), default=list)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(
        _("maximum"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    percent = models.DecimalField(
        _("percent"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz", "number"], name="attempt_number_per_user_quiz"
            ),
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=models.Q(status="in_progress"),
                name="one_open_attempt_per_user_quiz",
            ),
        ]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self) -> str:
        return f"{self.user} · {self.quiz} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class DrillAttempt(models.Model):
    """A product-knowledge drill generated from the catalogue when it was started.

    The generated questions, with their answers, stay on the server; the page gets the
    prompts and choices only until the drill is submitted.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drill_attempts"
    )
    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    seed = models.BigIntegerField(_("seed"))
    questions = models.JSONField(_("questions"), default=list)
    responses = models.JSONField(_("responses"), default=list)
    score = models.PositiveIntegerField(_("score"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("product drill")
        verbose_name_plural = _("product drills")

    def __str__(self) -> str:
        return f"{self.user} · {self.shop}"


class Answer(models.Model):
    """The trainee's response to one question of an attempt, and its grade."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    response = models.JSONField(_("response"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("maximum"), max_digits=6, decimal_places=2)
    saved_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question")
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.attempt} · {self.question.slug}"
