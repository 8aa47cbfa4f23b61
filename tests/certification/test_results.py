"""HR's and trainers' results: filters that say what is wrong, each trainee's standing,
the dashboard's figures, the drill-down, and exports a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from certification.selectors.results import Status, dashboard, results_filter_parse, trainee_results
from certification.services.attempts import attempt_decide, attempt_start
from tests.certification.exams import end_with_reports, typed
from tests.factories import CohortFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cert_track, cohort, trainee):
    """Four trainees of one cohort in four states: certified, failed, in progress, enrolled."""
    trainee.shop = "悦衣坊"
    trainee.save()
    failed = UserFactory(username="t_fail", display_name='=HYPERLINK("x")', role=Role.TRAINEE)
    typing_only = UserFactory(username="t_typing", display_name="李四", role=Role.TRAINEE)
    idle = UserFactory(username="t_idle", display_name="赵六", role=Role.TRAINEE)
    cohort.trainees.add(failed, typing_only, idle)
    for person, total in ((trainee, 90.0), (failed, 40.0)):
        typed(person)
        attempt = attempt_start(trainee=person, track=cert_track)
        end_with_reports(attempt, total=total)
        attempt_decide(attempt_id=attempt.pk)
    typed(typing_only)
    return {"certified": trainee, "failed": failed, "typing": typing_only, "idle": idle}


def _filter(viewer, **params):
    return results_filter_parse(viewer, {"track": "cs-cert", **params})


def test_each_trainee_has_the_status_a_person_would_give(people, hr):
    rows = {r.user_id: r for r in trainee_results(hr, _filter(hr))}
    assert rows[people["certified"].pk].status == Status.CERTIFIED
    assert rows[people["failed"].pk].status == Status.FAILED
    assert rows[people["typing"].pk].status == Status.IN_PROGRESS
    assert rows[people["idle"].pk].status == Status.ENROLLED


def test_the_dashboard_counts_the_funnel_and_the_medians(people, hr):
    board = dashboard(hr, _filter(hr, cohort=people["certified"].cohorts.first().code))
    assert board.counts == {
        "enrolled": 4,
        "in_progress": 1,
        "certified": 1,
        "failed": 1,
        "expired": 0,
    }
    assert board.pass_rate == 0.5 and board.decided == 2
    assert [step.count for step in board.funnel] == [4, 3, 2, 1]  # no module required here
    assert board.medians["total"] == 65.0
    assert sorted(board.totals) == [40.0, 90.0]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"track": "no-such-track"}, "track"),
        ({"cohort": "no-such-cohort"}, "cohort"),
        ({"shop": "不存在的店"}, "shop"),
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2026-11-10", "to": "2026-11-01"}, "to"),
        # A NUL byte cannot be stored in PostgreSQL text: refused before any query.
        ({"cohort": "co\x00hort"}, "cohort"),
        ({"shop": "\x00"}, "shop"),
        ({"track": "cs\x00cert"}, "track"),
        ({"from": "2026\x00-01-01"}, "from"),
    ],
)
def test_a_bad_filter_gets_a_message_naming_the_field_and_a_400(
    client, hr, cert_track, params, field
):
    client.force_login(hr)
    response = client.get(reverse("certification:results"), {"track": "cs-cert", **params})
    assert response.status_code == 400
    assert 'data-testid="filter-errors"' in response.content.decode()
    assert f"<li>{field}:" in response.content.decode()


def test_a_trainer_sees_only_the_cohorts_they_train(people, trainer, other_trainer):
    assert {r.user_id for r in trainee_results(trainer, _filter(trainer))} == {
        p.pk for p in people.values()
    }
    assert trainee_results(other_trainer, _filter(other_trainer)) == []


def test_the_page_shows_figures_charts_and_the_table(client, hr, people):
    client.force_login(hr)
    html = client.get(reverse("certification:results"), {"track": "cs-cert"}).content.decode()
    assert html.count("<svg") == 3
    assert 'data-figure="certified"><strong>1</strong>' in html
    assert html.count("data-trainee=") == 4
    assert "=HYPERLINK(&quot;x&quot;)" in html  # escaped, not markup


def test_the_drilldown_shows_a_trainees_record_and_hides_others(client, hr, other_trainer, people):
    client.force_login(hr)
    url = reverse("certification:results_trainee", args=[people["failed"].pk])
    html = client.get(url, {"track": "cs-cert"}).content.decode()
    assert 'data-testid="attempts"' in html and 'data-testid="timeline"' in html
    client.force_login(other_trainer)
    assert client.get(url, {"track": "cs-cert"}).status_code == 404


async def _download(
    user, fmt: str, route: str = "results_export", **params
) -> tuple[int, bytes, dict]:
    client = AsyncClient()
    await client.aforce_login(user)
    response = await client.get(
        reverse(f"certification:{route}", args=[fmt]), {"track": "cs-cert", **params}
    )
    body = b"".join([chunk async for chunk in response.streaming_content])
    return response.status_code, body, response.headers


@pytest.mark.django_db(transaction=True)
def test_the_csv_opens_in_excel_with_every_row_and_no_formula(people, hr):
    from asgiref.sync import async_to_sync

    status, body, headers = async_to_sync(_download)(hr, "csv")
    assert status == 200 and body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 1 + 4
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("x")' in names  # a formula is shown as text
    assert "attachment" in headers["Content-Disposition"]


@pytest.mark.django_db(transaction=True)
def test_the_xlsx_has_the_same_rows(people, hr):
    from asgiref.sync import async_to_sync

    status, body, _headers = async_to_sync(_download)(hr, "xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert status == 200 and len(rows) == 1 + 4
    assert '\'=HYPERLINK("x")' in [row[1] for row in rows[1:]]


def test_exporting_nothing_says_so(client, hr, cert_track):
    empty = CohortFactory(name="空班", code="empty")
    client.force_login(hr)
    response = client.get(
        reverse("certification:results_export", args=["csv"]),
        {"track": "cs-cert", "cohort": empty.code},
        follow=True,
    )
    assert response.status_code == 200
    assert (
        "nothing to export" in response.content.decode()
        or "没有可导出" in response.content.decode()
    )


def test_the_api_gives_the_same_figures_scoped_and_read_only(people, hr, trainer, trainee):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(hr)
    board = api.get("/api/certification/results/", {"track": "cs-cert"}).json()
    assert board["counts"]["certified"] == 1 and board["pass_rate"] == 0.5
    rows = api.get("/api/certification/results/trainees/", {"track": "cs-cert", "limit": 2}).json()
    assert rows["count"] == 4 and len(rows["results"]) == 2
    bad = api.get("/api/certification/results/", {"track": "cs-cert", "to": "yesterday"})
    assert bad.status_code == 400 and "to" in bad.json()["errors"]
    assert api.post("/api/certification/results/", {}).status_code == 405
    api.force_authenticate(trainee)
    assert api.get("/api/certification/results/", {"track": "cs-cert"}).status_code == 403


def test_calibration_counts_corrections_and_dispute_outcomes(client, people, trainer, hr):
    from decimal import Decimal

    from roleplay.models import Report
    from roleplay.services.reviews import dispute_answer, dispute_create, report_correct

    first, second = Report.objects.filter(session__trainee=people["failed"]).order_by("pk")[:2]
    upheld = dispute_create(trainee=people["failed"], report=first, comment="我回复得很快")
    report_correct(actor=trainer, report=first, total=Decimal("50.0"), reason="复核后上调")
    dispute_answer(actor=trainer, dispute=upheld, answer="已上调")
    rejected = dispute_create(trainee=people["failed"], report=second, comment="请复核")
    dispute_answer(actor=trainer, dispute=rejected, answer="评分无误")
    client.force_login(hr)
    html = client.get(reverse("certification:results_calibration")).content.decode()
    assert 'data-figure="scored">4<' in html  # two exams of two buyers
    assert 'data-figure="corrected">1 (25%)' in html
    assert 'data-figure="mean_correction">10.0<' in html  # 40 -> 50
    assert 'data-figure="dispute_outcomes">1 / 1 / 0<' in html
    bad = client.get(reverse("certification:results_calibration"), {"from": "11/01/2026"})
    assert bad.status_code == 400


def test_a_conversation_opens_with_its_hits_in_place_and_its_disputes(
    client, people, hr, other_trainer
):
    from roleplay.models import Report
    from roleplay.services.reviews import dispute_create

    report = Report.objects.filter(session__trainee=people["failed"]).first()
    report.data["compliance"]["hits"] = [
        {
            "message": 0,
            "start": 0,
            "end": 2,
            "rule": "off_platform",
            "severity": "fatal",
            "suggestion": "请在平台内沟通",
        }
    ]
    report.save()
    dispute_create(trainee=people["failed"], report=report, comment="这句话我没说错")
    url = reverse("certification:results_session", args=[people["failed"].pk, report.session_id])
    client.force_login(hr)
    html = client.get(url).content.decode()
    assert '<mark class="hit"' in html and "请在平台内沟通" in html
    assert "这句话我没说错" in html
    wrong = reverse("certification:results_session", args=[people["idle"].pk, report.session_id])
    assert client.get(wrong).status_code == 404  # not that trainee's conversation
    client.force_login(other_trainer)
    assert client.get(url).status_code == 404


def test_the_rules_most_broken_count_scored_replies_in_scope_with_examples(people, hr, cert_pool):
    from roleplay.models import RuleBreach
    from scenarios.models import Scenario
    from tests.roleplay.scored import scored_session

    scenario = Scenario.objects.get(slug=cert_pool[0])
    cohort = people["certified"].cohorts.first()
    outsider = UserFactory(username="t_outside", display_name="外人", role=Role.TRAINEE)
    off_platform = "亲，加我微信私下转账给我，更便宜"
    for person in (people["failed"], people["typing"], outsider):
        scored_session(person, scenario, text=off_platform)
    scored_session(people["idle"], scenario, text="亲，您好，请问有什么可以帮您？")
    rule = RuleBreach.objects.filter(trainee=outsider).get().rule

    board = dashboard(hr, _filter(hr, cohort=cohort.code))
    assert [(r.rule, r.count) for r in board.rules] == [(rule, 2)]  # the outsider's not counted
    assert board.rules[0].examples == [off_platform, off_platform]
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert dashboard(hr, _filter(hr, cohort=cohort.code, **{"from": later})).rules == []


@pytest.mark.django_db(transaction=True)
def test_every_scored_conversation_is_exported_with_its_scores_and_rules(people, hr, cert_pool):
    from asgiref.sync import async_to_sync

    from roleplay.rule_names import rule_name
    from scenarios.models import Scenario
    from tests.roleplay.scored import scored_session

    practice = scored_session(
        people["typing"], Scenario.objects.get(slug=cert_pool[0]), text="加我微信私下转账给我"
    )
    status, body, headers = async_to_sync(_download)(hr, "csv", "results_export_sessions")
    assert status == 200 and body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 1 + 5  # two exam conversations each for two trainees, one practice
    by_name = {}
    for row in rows[1:]:
        by_name.setdefault(row[1], []).append(row)
    assert len(by_name['\'=HYPERLINK("x")']) == 2  # a formula is shown as text
    (typing_row,) = by_name["李四"]
    assert typing_row[8] == str(practice.total)  # the total column
    compliance = practice.data["dimensions"]["compliance"]["score"]
    assert float(typing_row[12]) == compliance < 100  # the compliance column
    assert float(typing_row[15]) == practice.data["response"]["first_s"]
    assert rule_name("off_platform") in typing_row[-1].split("、")
    assert "conversations" in headers["Content-Disposition"]
    status, body, _headers = async_to_sync(_download)(hr, "xlsx", "results_export_sessions")
    sheet = load_workbook(io.BytesIO(body)).active
    assert status == 200 and len(list(sheet.iter_rows(values_only=True))) == 1 + 5


def test_exporting_no_conversation_says_so(client, hr, people):
    client.force_login(hr)
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.get(
        reverse("certification:results_export_sessions", args=["csv"]),
        {"track": "cs-cert", "from": later},
        follow=True,
    )
    assert response.status_code == 200 and response.redirect_chain
    html = response.content.decode()
    assert "nothing to export" in html or "没有可导出" in html


def test_a_flagged_typing_run_does_not_count_as_passed(people, hr):
    typed(people["idle"], flags=["no_input_events"])
    rows = {r.user_id: r for r in trainee_results(hr, _filter(hr))}
    assert rows[people["idle"].pk].status == Status.ENROLLED
    assert rows[people["idle"].pk].typing_cpm is None
    assert rows[people["typing"].pk].typing_cpm == 72.0


def test_the_dashboard_counts_agree_with_each_trainees_status(people, hr, cert_track):
    """The dashboard counts in the database what the table works out per trainee."""
    from collections import Counter

    from certification.models import Certificate

    cohort = people["certified"].cohorts.first()
    for username, change in (("t_expired", "expired"), ("t_revoked", "revoked")):
        person = UserFactory(username=username, display_name=username, role=Role.TRAINEE)
        cohort.trainees.add(person)
        typed(person)
        attempt = attempt_start(trainee=person, track=cert_track)
        end_with_reports(attempt, total=95.0)
        attempt_decide(attempt_id=attempt.pk)
        certificate = Certificate.objects.get(holder=person)
        if change == "expired":
            certificate.expires_at = timezone.now() - timedelta(days=1)
        else:
            certificate.status = Certificate.Status.REVOKED
            certificate.revoked_at = timezone.now()
        certificate.save()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    for params in ({}, {"cohort": cohort.code}, {"to": yesterday}, {"shop": "悦衣坊"}):
        f = _filter(hr, **params)
        rows = trainee_results(hr, f)
        statuses = Counter(row.status for row in rows)
        board = dashboard(hr, f)
        assert board.counts == {
            "enrolled": len(rows),
            **{s: statuses[s] for s in ("in_progress", "certified", "failed", "expired")},
        }, params
        assert [step.count for step in board.funnel] == [
            sum(1 for r in rows if r.modules_done),
            sum(1 for r in rows if r.modules_done and r.typing_done),
            sum(1 for r in rows if r.attempts),
            statuses["certified"],
        ], params
    assert board.counts["enrolled"] == 1  # the shop filter: the certified trainee alone
    f = _filter(hr)
    assert {r.status for r in trainee_results(hr, f)} >= {"expired", "certified", "failed"}


def test_module_progress_counts_agree_on_the_shipped_track(shipped_track, hr):
    """The shipped track requires six modules: the dashboard's funnel and statuses, counted
    in the database, agree with each trainee's row."""
    from collections import Counter

    from certification.track_spec import TrackSpec
    from courses.models import Attempt, Quiz

    spec = TrackSpec.from_data(shipped_track.published_version.data)
    quizzes = [
        Quiz.objects.get(module__course__slug=ref.split("/")[0], module__slug=ref.split("/")[1])
        for ref in spec.modules
    ]
    people = [UserFactory(username=f"m{n}", role=Role.TRAINEE) for n in range(4)]
    now = timezone.now()
    for person, passed in zip(people, (len(quizzes), 3, 0, len(quizzes)), strict=True):
        for number, quiz in enumerate(quizzes[:passed]):
            for attempt in (1, 2):  # a retake after the pass counts once
                Attempt.objects.create(
                    user=person,
                    quiz=quiz,
                    number=attempt,
                    seed=number,
                    submitted_at=now,
                    status="submitted",
                    passed=True,
                )
    typed(people[3])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    for params in ({}, {"to": yesterday}):
        f = results_filter_parse(hr, {"track": shipped_track.slug, **params})
        rows = trainee_results(hr, f)
        board = dashboard(hr, f)
        statuses = Counter(row.status for row in rows)
        assert board.counts["in_progress"] == statuses["in_progress"]
        assert board.counts["enrolled"] == len(rows) == 4
        assert [step.count for step in board.funnel][:2] == [
            sum(1 for r in rows if r.modules_done),
            sum(1 for r in rows if r.modules_done and r.typing_done),
        ]
    assert [
        step.count
        for step in dashboard(hr, results_filter_parse(hr, {"track": shipped_track.slug})).funnel
    ][:2] == [2, 1]


def test_the_api_refuses_a_control_character_in_a_filter_with_a_400(client, hr, people):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=hr)
    url = f"/api/certification/results/trainees/{people['failed'].pk}/"
    response = client.get(
        url,
        {"track": "cs-cert", "cohort": "Ý\x00¾"},
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 400
    assert "cohort" in response.json()["errors"]
