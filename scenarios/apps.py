from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

# Trainers and admins write, check and publish scenarios.
_AUTHORING = {
    f"scenarios.{action}_{model}"
    for model in ("scenario", "scenarioversion")
    for action in ("view", "add", "change", "delete")
} | {"scenarios.publish_scenario"}


class ScenariosConfig(AppConfig):
    """Role-play scenario definitions, their versions, validator and engine."""

    name = "scenarios"
    verbose_name = _("Scenarios")

    # Read by accounts.navigation and accounts.roles.
    menu_entries = [
        {
            "order": 90,
            "label": _("Scenarios"),
            "url_name": "scenarios:index",
            "permission": "scenarios.change_scenario",
        },
    ]
    role_permissions = {Role.TRAINER: _AUTHORING, Role.ADMIN: _AUTHORING}
