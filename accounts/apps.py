from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


def _sync_roles(sender, **kwargs) -> None:
    # Permissions only exist after migrate has created them, so the role groups are
    # (re)built here rather than in a data migration. post_migrate is sent once per app
    # (with models), and each app's permissions are created by its own sending: the groups
    # are built once, at the last app's, when every permission exists. (Once per app cost
    # 2 s on every emptying of the test database.)
    from django.apps import apps

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not last:
        return
    from accounts.services import roles_sync

    roles_sync()


_COHORT_DESK = {
    "accounts.view_cohort",
    "accounts.view_all_cohorts",
    "accounts.assign_cohort_staff",
    "accounts.add_cohort",
    "accounts.onboard_users",
    "accounts.view_user",
    # HR resets their own cohorts' trainees, admins anyone (accounts.selectors decides).
    "accounts.reset_password",
}


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    # Read by accounts.navigation; the gaps in `order` are where later apps' entries go.
    menu_entries = [
        {"order": 10, "label": _("Home"), "url_name": "accounts:home", "permission": None},
        {
            "order": 110,
            "label": _("Cohorts"),
            "url_name": "accounts:cohort_list",
            "permission": "accounts.view_cohort",
        },
        {
            "order": 120,
            "label": _("Onboard new hires"),
            "url_name": "accounts:onboarding_upload",
            "permission": "accounts.onboard_users",
        },
    ]

    # Read by accounts.roles.role_permissions.
    role_permissions = {
        Role.TRAINEE: {"accounts.act_as_trainee"},
        Role.TRAINER: {"accounts.train_cohorts", "accounts.view_cohort"},
        Role.HR: _COHORT_DESK,
        Role.ADMIN: _COHORT_DESK
        | {
            "accounts.change_cohort",
            "accounts.change_user",
        },
    }

    def ready(self) -> None:
        from accounts import schema_extensions  # noqa: F401  (registers on import)
        from accounts.navigation import menu_check

        post_migrate.connect(_sync_roles, dispatch_uid="accounts.sync_roles")
        checks.register(menu_check, checks.Tags.urls)
