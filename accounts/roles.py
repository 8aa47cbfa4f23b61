"""The four roles, as Django groups, and the permissions each one holds.

Which permissions a role holds is declared by each app for its own data (its AppConfig's
``role_permissions``) and collected here, so accounts lists no other app's permissions.

Views check permissions (``user.has_perm``), never group names, so a deployment can
adjust a role in the admin without code changes; ``roles_sync`` restores the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
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


def role_permissions(configs: Iterable[AppConfig] | None = None) -> dict[Role, set[str]]:
    """Each role's permissions ("app_label.codename"), collected from every installed app.

    Each app declares what each role may do with its own data on its AppConfig, e.g.
    ``role_permissions = {Role.TRAINER: {"courses.view_course", ...}}`` (keys are Role
    values, so an app that may not import accounts can write ``"trainer"``).
    """
    collected: dict[Role, set[str]] = {role: set() for role in Role}
    for config in apps.get_app_configs() if configs is None else configs:
        for key, names in getattr(config, "role_permissions", {}).items():
            try:
                role = Role(key)
            except ValueError:
                raise ImproperlyConfigured(
                    f"{config.label}.role_permissions: {key!r} is not a role."
                ) from None
            malformed = [name for name in names if name.count(".") != 1]
            if malformed:
                raise ImproperlyConfigured(
                    f"{config.label}.role_permissions: {malformed} are not 'app_label.codename'."
                )
            collected[role] |= set(names)
    return collected
