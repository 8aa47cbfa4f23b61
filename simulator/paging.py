"""Pages of a list that can grow (sessions, cohorts, members, scenarios): one size, the
nearest page for a hand-edited number, and the address of another page that keeps the
list's filters."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


def page_of(request: HttpRequest, items, per_page: int = PAGE_SIZE) -> Page:
    """The page ``?page=`` asks for; a number out of range or not a number gives the
    nearest page (``Paginator.get_page``)."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    # The other parameters (filters) for the template's links to other pages.
    query = request.GET.copy()
    query.pop("page", None)
    page.query = query.urlencode()
    return page
