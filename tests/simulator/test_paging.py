"""Lists that grow come in pages: the count of all, the nearest page for a hand-edited
number, links that keep the list's filters."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_cohort_of_55_shows_50_trainees_a_page_and_counts_them_all(client, cohort, hr):
    for n in range(54):
        cohort.trainees.add(
            UserFactory(username=f"t{n:02d}", employee_number=f"E{n:03d}", role=Role.TRAINEE)
        )
    client.force_login(hr)
    url = reverse("accounts:cohort_detail", args=[cohort.pk])
    first = client.get(url).content.decode()
    assert "55 名学员" in first
    assert len(re.findall(r"<tr><td>", first)) == 50
    assert 'data-testid="pages"' in first and "第 1 页，共 2 页" in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert len(re.findall(r"<tr><td>", second)) == 5
    # A hand-edited number gives the nearest page, not an error.
    assert "第 2 页，共 2 页" in client.get(url, {"page": "99"}).content.decode()
    assert "第 1 页，共 2 页" in client.get(url, {"page": "abc"}).content.decode()


def test_the_scenario_list_pages_keep_its_filters(client, trainer):
    from django.test import RequestFactory

    from simulator.paging import page_of

    request = RequestFactory().get("/scenarios/", {"shop": "yueyi-apparel", "page": "2"})
    page = page_of(request, list(range(60)))
    assert page.number == 2 and list(page) == list(range(25, 50))
    assert page.query == "shop=yueyi-apparel"
