from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoleplayConfig(AppConfig):
    """Live role-play sessions: each pins the exact scenario version it runs."""

    name = "roleplay"
    verbose_name = _("Role-play sessions")
