from django.contrib import admin
from django.db import models

from courses.models import Choice, Course, Lesson, Module, Question, Quiz
from simulator.admin_privacy import DeleteCountsOnly
from simulator.json_input import JSONFormField


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ("position", "slug", "title", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Course)
class CourseAdmin(DeleteCountsOnly, admin.ModelAdmin):
    list_display = ("title", "slug", "updated_at")
    inlines = [ModuleInline]


class LessonInline(admin.StackedInline):
    model = Lesson
    fields = ("position", "slug", "title", "minutes", "body", "is_active")
    extra = 0


@admin.register(Module)
class ModuleAdmin(DeleteCountsOnly, admin.ModelAdmin):
    list_display = ("title", "course", "position", "is_active")
    list_filter = ("course", "is_active")
    filter_horizontal = ("prerequisites",)
    inlines = [LessonInline]


class QuestionInline(admin.StackedInline):
    model = Question
    fields = (
        "position",
        "slug",
        "type",
        "prompt",
        "lesson",
        "points",
        "answer_true",
        "accepted",
        "explanation",
        "is_active",
    )
    extra = 0
    show_change_link = True  # choices are edited on the question's own page


@admin.register(Quiz)
class QuizAdmin(DeleteCountsOnly, admin.ModelAdmin):
    list_display = ("title", "module", "pass_mark", "max_attempts", "time_limit_minutes")
    inlines = [QuestionInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(DeleteCountsOnly, admin.ModelAdmin):
    # Deeply nested or non-finite JSON is a form error, not a 500.
    formfield_overrides = {models.JSONField: {"form_class": JSONFormField}}
    list_display = ("slug", "quiz", "type", "is_active")
    list_filter = ("quiz", "type", "is_active")
    search_fields = ("slug", "prompt")
    inlines = [ChoiceInline]
