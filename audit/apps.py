from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    # Read by accounts.roles.role_permissions (plain role names: audit imports no app).
    role_permissions = {"admin": {"audit.view_auditevent"}}
