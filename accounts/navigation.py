"""The navigation each role sees, collected from the installed apps.

Each app declares its own entries on its AppConfig, so accounts knows no other app's pages::

    menu_entries = [
        {"order": 30, "label": _("Practice shops"), "url_name": "catalog:shops",
         "permission": None},  # None: every signed-in user
    ]

Plain data rather than a class from here, because ``catalog`` imports no other app.
The menu is sorted by ``order``; an entry whose URL name does not reverse is an error
(``menu_check`` reports it at start-up, ``navigation_for`` raises), never skipped: a link
comes back when the app that serves its page is built and declares it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.apps import AppConfig, apps
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuEntry:
    app_label: str  # the app that declared it, for error messages
    order: int
    label: Promise | str
    url_name: str
    permission: str | None  # "app_label.codename"; None: every signed-in user


_DECLARED_FIELDS = {f.name for f in fields(MenuEntry)} - {"app_label"}


def _entries_of(config: AppConfig) -> list[MenuEntry]:
    entries = []
    for declared in getattr(config, "menu_entries", ()):
        if set(declared) != _DECLARED_FIELDS:
            raise ImproperlyConfigured(
                f"{config.label}.menu_entries: {declared!r} must have exactly the keys "
                f"{sorted(_DECLARED_FIELDS)}."
            )
        entries.append(MenuEntry(app_label=config.label, **declared))
    return entries


def menu_entries(configs: list[AppConfig] | None = None) -> list[MenuEntry]:
    """Every app's declared entries in menu order. Two entries sharing an order or a URL
    name are an error, so the order is fully declared rather than left to app order."""
    configs = apps.get_app_configs() if configs is None else configs
    entries = [entry for config in configs for entry in _entries_of(config)]
    for key in ("order", "url_name"):
        seen: dict[object, MenuEntry] = {}
        for entry in entries:
            value = getattr(entry, key)
            if value in seen:
                raise ImproperlyConfigured(
                    f"Menu entries {seen[value].app_label}:{seen[value].url_name} and "
                    f"{entry.app_label}:{entry.url_name} share the {key} {value!r}."
                )
            seen[value] = entry
    return sorted(entries, key=lambda entry: entry.order)


def _url(entry: MenuEntry) -> str:
    try:
        return reverse(entry.url_name)
    except NoReverseMatch as exc:
        raise ImproperlyConfigured(
            f"Menu entry {entry.url_name!r} declared by the {entry.app_label!r} app does "
            f"not reverse: {exc}"
        ) from exc


def navigation_for(user) -> list[dict]:
    return [
        {"label": entry.label, "url": _url(entry), "url_name": entry.url_name}
        for entry in menu_entries()
        if entry.permission is None or user.has_perm(entry.permission)
    ]


def menu_check(app_configs: list[AppConfig] | None = None, **kwargs) -> list[checks.CheckMessage]:
    """System check: every declared entry is well formed and reverses."""
    try:
        entries = menu_entries(app_configs)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="accounts.E001")]
    errors = []
    for entry in entries:
        try:
            _url(entry)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), obj=entry.app_label, id="accounts.E002"))
    return errors
