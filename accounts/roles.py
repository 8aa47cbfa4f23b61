"""The four roles, as Django groups, and the permissions each one holds.

Views check permissions (``user.has_perm``), never group names, so a deployment can
adjust a role in the admin without code changes; ``roles_sync`` restores the defaults.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    TRAINEE = "trainee"
    TRAINER = "trainer"
    HR = "hr"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.TRAINEE: _("Trainee"),
    Role.TRAINER: _("Trainer"),
    Role.HR: _("HR"),
    Role.ADMIN: _("Administrator"),
}

# Precedence when a user holds several roles: the home page shows the widest one.
ROLE_ORDER = [Role.ADMIN, Role.HR, Role.TRAINER, Role.TRAINEE]

_AUTHORING = {
    f"{app}.{action}_{model}"
    for app, models in {
        "courses": ("course", "module", "lesson", "quiz", "question", "choice"),
        "catalog": ("shop", "courier", "promotion", "product", "relatedproduct", "variant"),
        "scenarios": ("scenario", "scenarioversion"),
    }.items()
    for model in models
    for action in ("view", "add", "change", "delete")
} | {"courses.view_item_statistics", "scenarios.publish_scenario",
     "roleplay.view_session", "roleplay.view_report", "roleplay.change_report",
     "roleplay.view_dispute", "roleplay.change_dispute"}

# "app_label.codename" for each role. Apps add their own entries as they are built.
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.TRAINEE: {"accounts.act_as_trainee"},
    Role.TRAINER: {
        "accounts.train_cohorts",
        "accounts.view_cohort",
        *_AUTHORING,
    },
    Role.HR: {
        "accounts.view_cohort",
        "accounts.view_all_cohorts",
        "accounts.assign_cohort_staff",
        "accounts.add_cohort",
        "accounts.onboard_users",
        "accounts.view_user",
    },
    Role.ADMIN: {
        "accounts.view_cohort",
        "accounts.view_all_cohorts",
        "accounts.assign_cohort_staff",
        "accounts.add_cohort",
        "accounts.change_cohort",
        "accounts.onboard_users",
        "accounts.view_user",
        "accounts.change_user",
        "audit.view_auditevent",
        "diagnostics.run_diagnostics",
        *_AUTHORING,
    },
}
