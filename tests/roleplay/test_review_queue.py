"""The trainers' review queue: what each row shows, filters kept across pages, visibility,
clear messages for filters that cannot apply, and a query count that does not grow."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from roleplay.models import Dispute, Report, Session
from roleplay.selectors import REVIEW_PAGE_SIZE, ReviewFilter, review_filter_parse, review_queue
from tests.factories import CohortFactory

URL = "/practice/review/"
NOON_UTC = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def scored(trainee, version, *, started_at, mode="practice", total="60.0") -> Report:
    """A scored session as the queue reads it (the report's content is not read there)."""
    session = Session.objects.create(
        trainee=trainee,
        scenario_version=version,
        mode=mode,
        seed=1,
        status=Session.Status.ENDED,
        outcome="lost",
        end_reason=Session.EndReason.BUYER_LEFT,
        started_at=started_at,
        deadline_at=started_at + timedelta(minutes=15),
        ended_at=started_at + timedelta(minutes=5),
    )
    return Report.objects.create(session=session, data={}, total=Decimal(total))


@pytest.fixture
def version(published):
    return published[0].versions.get()


@pytest.fixture
def world(db, version, trainee, other_trainee, trainer, other_trainer, cohort):
    """Reports of ``trainee`` (the trainer's cohort) and of ``other_trainee`` (another
    cohort, another trainer)."""
    other_cohort = CohortFactory(name="2026年12月批次", code="2026-12")
    other_cohort.trainees.add(other_trainee)
    other_cohort.trainers.add(other_trainer)
    practice = scored(trainee, version, started_at=NOON_UTC, total="61.5")
    exam = scored(trainee, version, started_at=NOON_UTC + timedelta(days=1), mode="exam")
    # 2026-11-26 23:30 UTC is 2026-11-27 07:30 in Shanghai: a day later on the trainer's clock.
    late = scored(trainee, version, started_at=datetime(2026, 11, 26, 23, 30, tzinfo=UTC))
    outsider = scored(other_trainee, version, started_at=NOON_UTC)
    Dispute.objects.create(report=exam, comment="考试第二题我答到了")
    return {"practice": practice, "exam": exam, "late": late, "outsider": outsider}


def rows(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="review-row" data-session="(\d+)"', html)]


def session_ids(*reports: Report) -> list[int]:
    return [report.session_id for report in reports]


@pytest.mark.django_db
def test_a_row_shows_date_in_local_time_mode_cohort_trainee_scenario_total_and_dispute(
    client, trainer, world, version
):
    client.force_login(trainer)
    html = client.get(URL).content.decode()
    assert rows(html) == session_ids(world["late"], world["exam"], world["practice"])
    practice_row = html[html.index(f'data-session="{world["practice"].session_id}"') :]
    practice_row = practice_row[: practice_row.index("</tr>")]
    assert "2026-11-25 12:00" in practice_row  # 04:00 UTC, shown on Beijing time
    assert "练习" in practice_row and "2026年11月批次" in practice_row
    assert "王小丫" in practice_row and version.scenario.title in practice_row
    assert "61.5" in practice_row and 'data-testid="open-dispute"' not in practice_row
    exam_row = html[html.index(f'data-session="{world["exam"].session_id}"') :]
    exam_row = exam_row[: exam_row.index("</tr>")]
    assert "考试" in exam_row and "考试第二题我答到了" in exam_row
    assert 'data-testid="open-dispute"' in exam_row


FILTERS = [
    ({"mode": "exam"}, ["exam"]),
    ({"mode": "practice"}, ["late", "practice"]),
    ({"open": "1"}, ["exam"]),
    ({"cohort": "2026-11"}, ["late", "exam", "practice"]),
    # Days on the trainer's clock: 2026-11-27 begins at 16:00 UTC on the 26th.
    ({"from": "2026-11-27"}, ["late"]),
    ({"from": "2026-11-26", "to": "2026-11-26"}, ["exam"]),
    ({"to": "2026-11-25"}, ["practice"]),
    ({"mode": "practice", "from": "2026-11-26"}, ["late"]),
]


@pytest.mark.django_db
def test_filters_narrow_the_queue(client, trainer, world):
    client.force_login(trainer)
    for query, expected in FILTERS:
        response = client.get(URL, query)
        assert response.status_code == 200, query
        got = rows(response.content.decode())
        assert got == session_ids(*(world[name] for name in expected)), query


@pytest.mark.django_db
def test_trainee_filter_and_its_choices(client, trainer, trainee, other_trainee, world):
    client.force_login(trainer)
    html = client.get(URL, {"trainee": trainee.pk}).content.decode()
    assert rows(html) == session_ids(world["late"], world["exam"], world["practice"])
    assert f'<option value="{trainee.pk}" selected>王小丫 (T1001)</option>' in html
    assert "张大壮" not in html  # another trainer's trainee is no choice here


@pytest.mark.django_db
def test_a_trainer_sees_only_their_cohorts_and_an_admin_everyone(
    client, trainer, other_trainer, admin_user, world
):
    client.force_login(other_trainer)
    assert rows(client.get(URL).content.decode()) == session_ids(world["outsider"])
    client.force_login(admin_user)
    assert set(rows(client.get(URL).content.decode())) == set(session_ids(*world.values()))
    client.force_login(trainer)
    response = client.get(URL, {"cohort": "2026-12"})  # the other trainer's cohort
    assert response.status_code == 400
    assert "没有批次“2026-12”。" in response.content.decode()
    assert not rows(response.content.decode())


@pytest.mark.django_db
def test_filters_that_cannot_apply_say_so_instead_of_failing(client, trainer, other_trainee, world):
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(
        URL,
        {
            "cohort": "no such\x00cohort",
            "trainee": str(other_trainee.pk),
            "mode": "drill",
            "from": "2026-13-01",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and not rows(html)
    assert "Unknown cohort “no such\ufffdcohort”." in html
    assert f"Unknown trainee “{other_trainee.pk}”." in html
    assert "Unknown mode “drill”." in html
    assert "“2026-13-01” is not a date (YYYY-MM-DD)." in html
    ended_first = client.get(URL, {"from": "2026-11-27", "to": "2026-11-25"})
    assert ended_first.status_code == 400
    assert "The period ends before it starts." in ended_first.content.decode()
    for trainee_value in ("abc", "9" * 40, "-1", "١"):
        assert client.get(URL, {"trainee": trainee_value}).status_code == 400
    # Dates far out of range match nothing rather than overflow.
    wide = client.get(URL, {"from": "0001-01-01", "to": "9999-12-31"})
    assert wide.status_code == 200 and len(rows(wide.content.decode())) == 3


@pytest.mark.django_db
def test_pages_keep_the_filters(client, trainer, trainee, version, world):
    for n in range(REVIEW_PAGE_SIZE + 3):
        scored(trainee, version, started_at=NOON_UTC - timedelta(hours=n + 1), mode="exam")
    client.force_login(trainer)
    first = client.get(URL, {"mode": "exam", "trainee": trainee.pk}).content.decode()
    assert len(rows(first)) == REVIEW_PAGE_SIZE
    count = re.search(r'data-testid="review-count">([^<]*)<', first)
    assert count and re.search(r"\b29\b", count.group(1))
    next_link = f'href="?trainee={trainee.pk}&amp;mode=exam&amp;page=2"'
    assert next_link in first
    second = client.get(URL, {"mode": "exam", "trainee": trainee.pk, "page": "2"})
    second_rows = rows(second.content.decode())
    assert len(second_rows) == 4 and not set(second_rows) & set(rows(first))
    assert Session.objects.get(pk=second_rows[-1]).mode == "exam"
    # A page number that is no page gives a page, not an error.
    assert client.get(URL, {"mode": "exam", "page": "x"}).status_code == 200
    assert rows(client.get(URL, {"mode": "exam", "page": "999"}).content.decode()) == second_rows


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_rows(
    client, trainer, trainee, version, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(trainer)
    client.get(URL)  # sign-in and permission caches warmed
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    other = CohortFactory(name="第二批", code="second")
    other.trainees.add(trainee)
    other.trainers.add(trainer)
    for n in range(20):
        report = scored(trainee, version, started_at=NOON_UTC - timedelta(hours=n + 1))
        Dispute.objects.create(report=report, comment=f"第{n}条")
    with django_assert_max_num_queries(len(few)):
        html = client.get(URL).content.decode()
    assert len(rows(html)) == 23 and html.count('data-testid="open-dispute"') == 21
    assert "2026年11月批次、第二批" in html or "第二批、2026年11月批次" in html


@pytest.mark.django_db
def test_selector_filter_round_trips_through_its_query(trainer, trainee, world):
    f = review_filter_parse(
        trainer, {"trainee": str(trainee.pk), "mode": "exam", "open": "1", "to": "2026-11-30"}
    )
    assert f == review_filter_parse(trainer, f.as_query())
    assert list(review_queue(trainer, f)) == [world["exam"]]
    assert review_filter_parse(trainer, {}) == ReviewFilter()


@pytest.mark.django_db
def test_the_queue_is_for_trainers_and_administrators(client, trainee, hr):
    for user in (trainee, hr):
        client.force_login(user)
        assert client.get(reverse("roleplay:review_queue")).status_code == 403
