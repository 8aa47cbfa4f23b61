"""The certification panel on the trainee's home page: the one thing to do next, or the
certificate held."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.certification.exams import typed

pytestmark = pytest.mark.django_db


def _next_step(client) -> str:
    page = client.get(reverse("accounts:home")).content.decode()
    return re.search(r'data-testid="next-step">(.*?)</p>', page, re.S).group(1)


def test_the_home_page_names_the_next_step_towards_certification(client, trainee, cert_track):
    client.force_login(trainee)
    step = _next_step(client)
    assert reverse("certification:typing_test") in step and "打字测试" in step
    typed(trainee)
    step = _next_step(client)
    assert reverse("certification:index") in step and "开始认证考试" in step


def test_without_a_published_track_the_panel_is_not_shown(client, trainee):
    client.force_login(trainee)
    page = client.get(reverse("accounts:home")).content.decode()
    assert 'data-testid="home-certification"' not in page
