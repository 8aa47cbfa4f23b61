"""A trainee's progress on the home page: practice scores over time, a chart per dimension,
the rules they break most, and only their own chats."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from roleplay.selectors import practice_progress, trainee_weakest_rules
from tests.roleplay.scored import scored_session

pytestmark = pytest.mark.django_db


def test_practice_chats_are_listed_oldest_first_with_each_dimension(
    published, trainee, other_trainee, scheduled
):
    scenario, second = published
    first = scored_session(trainee, scenario)
    later = scored_session(trainee, second, text="亲，您好！这款大衣是正品，支持验货，请放心购买。")
    scored_session(other_trainee, scenario)  # someone else's: never on this trainee's page
    points = practice_progress(trainee)
    assert [p.session_id for p in points] == [first.session_id, later.session_id]
    assert set(points[0].scores) == {
        "response",
        "typing",
        "compliance",
        "outcome",
        "required_points",
    }
    assert points[0].total == float(first.total)
    assert points[1].scenario == second.title


def test_a_trainers_correction_is_the_total_shown(published, trainee, trainer, scheduled):
    report = scored_session(trainee, published[0])
    report.corrected_total = 77
    report.save(update_fields=["corrected_total"])
    assert practice_progress(trainee)[0].total == 77.0


def test_the_home_page_shows_a_chart_per_dimension_and_the_rules_broken_most(
    client, published, trainee, other_trainee, scheduled
):
    scored_session(trainee, published[0])
    scored_session(trainee, published[1])
    scored_session(other_trainee, published[0], text="加我微信，私下转账更便宜")
    client.force_login(trainee)
    page = client.get(reverse("accounts:home")).content.decode()
    for name in ("total", "response", "typing", "compliance", "outcome", "required_points"):
        assert f'data-testid="trend-{name}"' in page
    # Two chats: two points on each chart that had data, none from the other trainee.
    total_chart = re.search(r'data-testid="trend-total".*?</svg>', page, re.S).group(0)
    assert total_chart.count('class="point"') == 2
    mine = {row["rule"] for row in trainee_weakest_rules(trainee)}
    theirs = {row["rule"] for row in trainee_weakest_rules(other_trainee)}
    assert "off_platform" in theirs and "off_platform" not in mine
    assert 'data-rule="off_platform"' not in page


def test_a_trainee_without_practice_is_told_where_to_start(client, trainee):
    client.force_login(trainee)
    page = client.get(reverse("accounts:home")).content.decode()
    assert 'data-testid="no-practice"' in page
    assert reverse("roleplay:index") in page
