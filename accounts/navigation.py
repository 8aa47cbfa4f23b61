"""The navigation each role sees. Entries whose page does not exist yet are left out."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    permission: str | None  # None: every signed-in user


NAV_ITEMS = [
    NavItem(_("Home"), "accounts:home", None),
    NavItem(_("Courses"), "courses:index", "accounts.act_as_trainee"),
    NavItem(_("Practice shops"), "catalog:shops", None),
    NavItem(_("Product drills"), "courses:drills", "accounts.act_as_trainee"),
    NavItem(_("Role-play practice"), "roleplay:index", "accounts.act_as_trainee"),
    NavItem(_("Typing test"), "certification:typing_test", "accounts.act_as_trainee"),
    NavItem(_("My results"), "certification:my_results", "accounts.act_as_trainee"),
    NavItem(_("Course authoring"), "courses:authoring", "courses.view_item_statistics"),
    NavItem(_("Scenarios"), "scenarios:index", "scenarios.change_scenario"),
    NavItem(_("Review queue"), "roleplay:review_queue", "accounts.train_cohorts"),
    NavItem(_("Cohorts"), "accounts:cohort_list", "accounts.view_cohort"),
    NavItem(_("Onboard new hires"), "accounts:onboarding_upload", "accounts.onboard_users"),
    NavItem(_("Certification results"), "certification:results", "accounts.view_all_cohorts"),
    NavItem(_("System status"), "diagnostics:status", "diagnostics.run_diagnostics"),
]


def navigation_for(user) -> list[dict]:
    items = []
    for item in NAV_ITEMS:
        if item.permission is not None and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # the app providing this page is not installed yet
        items.append({"label": item.label, "url": url, "url_name": item.url_name})
    return items
