from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    """Course modules, lessons, quizzes, attempts and progress."""

    name = "courses"
    verbose_name = _("Courses")
