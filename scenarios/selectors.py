"""Reads for scenarios: lists, versions and diffs."""

from __future__ import annotations

import difflib

from django.db.models import Q, QuerySet

from scenarios.models import Scenario, ScenarioVersion


def scenarios_all() -> QuerySet[Scenario]:
    """Every scenario, with its published version (lists and editors show its number)."""
    return Scenario.objects.select_related("published_version")


def scenarios_filtered(
    *, query: str = "", shop: str = "", tag: str = "", status: str = ""
) -> QuerySet[Scenario]:
    scenarios = scenarios_all()
    if "\x00" in query or "\x00" in shop:
        # No title or slug holds a NUL byte, and PostgreSQL refuses one in a query.
        return scenarios.none()
    if query:
        scenarios = scenarios.filter(Q(title__icontains=query) | Q(slug__icontains=query))
    if shop:
        scenarios = scenarios.filter(shop_slug=shop)
    if status == "published":
        scenarios = scenarios.filter(published_version__isnull=False)
    elif status == "unpublished":
        scenarios = scenarios.filter(published_version__isnull=True)
    if tag:
        # Tags are a short JSON list; matching in Python keeps this portable (SQLite, PG).
        return scenarios.filter(pk__in=[s.pk for s in scenarios if tag in (s.tags or [])])
    return scenarios


def scenario_shop_slugs() -> list[str]:
    """The shops that have scenarios, for the list's shop filter."""
    return sorted(set(Scenario.objects.values_list("shop_slug", flat=True)))


def scenarios_published(slugs: list[str] | None = None) -> QuerySet[Scenario]:
    """Scenarios trainees can practise (all, or those of ``slugs``)."""
    scenarios = Scenario.objects.filter(published_version__isnull=False).select_related(
        "published_version"
    )
    return scenarios if slugs is None else scenarios.filter(slug__in=slugs)


def versions_of(scenario: Scenario) -> QuerySet[ScenarioVersion]:
    return scenario.versions.select_related("created_by").order_by("-number")


def version_diff(old: ScenarioVersion, new: ScenarioVersion) -> list[tuple[str, str]]:
    """Lines of a unified diff as (kind, text): kind is add, remove, hunk or same."""
    lines = []
    for line in difflib.unified_diff(
        old.yaml.splitlines(),
        new.yaml.splitlines(),
        fromfile=f"v{old.number}",
        tofile=f"v{new.number}",
        lineterm="",
        n=3,
    ):
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "remove"
        else:
            kind = "same"
        lines.append((kind, line))
    return lines
