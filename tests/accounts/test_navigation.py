"""The menu: each app declares its own entries; every entry a role sees opens for it;
an entry that does not reverse is reported, never skipped."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.navigation import menu_check, menu_entries, navigation_for
from accounts.roles import role_permissions

# Today's menus, in order.
MENUS = {
    "trainee": [
        "accounts:home",
        "courses:index",
        "catalog:shops",
        "courses:drills",
        "roleplay:index",
        "certification:index",
        "certification:typing_test",
    ],
    "trainer": [
        "accounts:home",
        "catalog:shops",
        "courses:authoring",
        "scenarios:index",
        "certification:track_list",
        "roleplay:review_queue",
        "accounts:cohort_list",
        "certification:results",
        "certification:certificates_expiring",
    ],
    "hr": [
        "accounts:home",
        "catalog:shops",
        "accounts:cohort_list",
        "accounts:onboarding_upload",
        "certification:results",
        "certification:certificates_expiring",
    ],
    "admin_user": [
        "accounts:home",
        "courses:index",
        "catalog:shops",
        "courses:drills",
        "roleplay:index",
        "certification:index",
        "certification:typing_test",
        "courses:authoring",
        "scenarios:index",
        "certification:track_list",
        "roleplay:review_queue",
        "accounts:cohort_list",
        "accounts:onboarding_upload",
        "certification:results",
        "certification:certificates_expiring",
        "diagnostics:status",
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(MENUS))
def test_every_menu_entry_of_each_role_reverses_and_opens(client, request, cohort, who):
    user = request.getfixturevalue(who)
    items = navigation_for(user)
    assert [item["url_name"] for item in items] == MENUS[who]
    client.force_login(user)
    for item in items:
        assert item["url"] == reverse(item["url_name"])
        response = client.get(item["url"])
        assert response.status_code == 200, (who, item["url_name"], response.status_code)


@pytest.mark.django_db
def test_the_page_menu_is_the_collected_one(client, trainer):
    client.force_login(trainer)
    html = client.get(reverse("accounts:home")).content.decode()
    nav = html.split('class="mainnav"')[1].split("</nav>")[0]
    positions = [nav.index(f'href="{item["url"]}"') for item in navigation_for(trainer)]
    assert positions == sorted(positions)


def test_every_declared_entry_reverses():
    assert menu_check() == []
    assert all(entry.url_name for entry in menu_entries())


BROKEN = {
    "order": 35,
    "label": "Typing test",
    "url_name": "certification:nowhere",
    "permission": None,
}


@pytest.fixture
def broken_entry(monkeypatch):
    config = apps.get_app_config("catalog")
    monkeypatch.setattr(config, "menu_entries", [*config.menu_entries, BROKEN])


@pytest.mark.django_db
def test_an_entry_that_does_not_reverse_is_reported_not_skipped(broken_entry, trainee, client):
    with pytest.raises(ImproperlyConfigured, match="certification:nowhere.*catalog"):
        navigation_for(trainee)
    errors = menu_check()
    assert [error.id for error in errors] == ["accounts.E002"]
    assert "certification:nowhere" in errors[0].msg
    client.force_login(trainee)
    with pytest.raises(ImproperlyConfigured):
        client.get(reverse("accounts:home"))


def test_entries_sharing_an_order_are_reported(monkeypatch):
    config = apps.get_app_config("catalog")
    monkeypatch.setattr(
        config,
        "menu_entries",
        [*config.menu_entries, {**BROKEN, "order": 20, "url_name": "catalog:shops_again"}],
    )
    errors = menu_check()
    assert [error.id for error in errors] == ["accounts.E001"]
    assert "order 20" in errors[0].msg


def test_a_malformed_entry_is_reported(monkeypatch):
    config = apps.get_app_config("catalog")
    monkeypatch.setattr(config, "menu_entries", [{"label": "Shops", "url": "/shops/"}])
    with pytest.raises(ImproperlyConfigured, match="catalog.menu_entries"):
        menu_entries()


def test_a_permission_declared_for_an_unknown_role_is_reported(monkeypatch):
    config = apps.get_app_config("catalog")
    monkeypatch.setattr(config, "role_permissions", {"manager": {"catalog.view_shop"}})
    with pytest.raises(ImproperlyConfigured, match="'manager' is not a role"):
        role_permissions()


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(MENUS))
def test_every_link_on_a_role_home_page_opens(client, request, cohort, who):
    """The trainee home still promises the typing test and the exam (the plan), but links
    only to pages that exist; likewise every role's home."""
    client.force_login(request.getfixturevalue(who))
    html = client.get(reverse("accounts:home")).content.decode()
    links = set(re.findall(r'href="(/[^"]*)"', html)) - {reverse("accounts:logout")}
    links = {link for link in links if not link.startswith(("/static/", "/i18n/"))}
    assert reverse("accounts:home") in links
    for link in sorted(links):
        assert client.get(link).status_code == 200, (who, link)
