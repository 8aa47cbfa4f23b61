from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

# Trainers and admins read transcripts and reports, correct scores and settle disputes.
_REVIEW = {
    "roleplay.view_session",
    "roleplay.view_report",
    "roleplay.change_report",
    "roleplay.view_dispute",
    "roleplay.change_dispute",
}


class RoleplayConfig(AppConfig):
    """Live role-play sessions: each pins the exact scenario version it runs."""

    name = "roleplay"
    verbose_name = _("Role-play sessions")

    # Read by accounts.navigation and accounts.roles.
    menu_entries = [
        {
            "order": 50,
            "label": _("Role-play practice"),
            "url_name": "roleplay:index",
            "permission": "accounts.act_as_trainee",
        },
        {
            "order": 100,
            "label": _("Review queue"),
            "url_name": "roleplay:review_queue",
            "permission": "accounts.train_cohorts",
        },
    ]
    role_permissions = {Role.TRAINER: _REVIEW, Role.ADMIN: _REVIEW}
