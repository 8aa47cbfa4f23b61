from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

# Trainers and admins write courses and quizzes (in the admin) and read item statistics.
_AUTHORING = {
    f"courses.{action}_{model}"
    for model in ("course", "module", "lesson", "quiz", "question", "choice")
    for action in ("view", "add", "change", "delete")
} | {"courses.view_item_statistics"}


class CoursesConfig(AppConfig):
    """Course modules, lessons, quizzes, attempts and progress."""

    name = "courses"
    verbose_name = _("Courses")

    # Read by accounts.navigation and accounts.roles.
    menu_entries = [
        {
            "order": 20,
            "label": _("Courses"),
            "url_name": "courses:index",
            "permission": "accounts.act_as_trainee",
        },
        {
            "order": 40,
            "label": _("Product drills"),
            "url_name": "courses:drills",
            "permission": "accounts.act_as_trainee",
        },
        {
            "order": 80,
            "label": _("Course authoring"),
            "url_name": "courses:authoring",
            "permission": "courses.view_item_statistics",
        },
    ]
    role_permissions = {Role.TRAINER: _AUTHORING, Role.ADMIN: _AUTHORING}
