from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = _("Diagnostics")

    # Read by accounts.navigation and accounts.roles.
    menu_entries = [
        {
            "order": 140,
            "label": _("System status"),
            "url_name": "diagnostics:status",
            "permission": "diagnostics.run_diagnostics",
        },
    ]
    role_permissions = {Role.ADMIN: {"diagnostics.run_diagnostics"}}
