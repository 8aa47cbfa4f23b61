from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScenariosConfig(AppConfig):
    """Role-play scenario definitions, their versions, validator and engine."""

    name = "scenarios"
    verbose_name = _("Scenarios")
