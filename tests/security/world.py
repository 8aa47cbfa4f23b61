"""The data set the permission matrix runs against: the named users of tests/conftest.py,
two cohorts, and for each of the two trainees one of everything a route can name (an open
quiz attempt, a drill, a scored practice session, an exam, a token).

"own" objects belong to ``trainee`` and to the cohort that ``trainer`` and ``hr`` serve;
"other" objects belong to ``other_trainee``, in a second cohort trained by
``other_trainer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from accounts.models import Cohort, User
from accounts.roles import Role
from tests.factories import (
    ChoiceFactory,
    CohortFactory,
    CourseFactory,
    LessonFactory,
    ModuleFactory,
    QuestionFactory,
    QuizFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_FIXTURE = ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml"

ROLES = ("anonymous", "trainee", "other_trainee", "trainer", "other_trainer", "hr", "admin_user")
SIDES = ("own", "other")

# Markers that only the key of the matrix quiz carries: a trainee's page may show them
# only after the attempt is submitted (the review), never on an open paper.
EXPLANATION_MARKER = "解析标记EXPLAIN"
FILL_IN_MARKER = "填空答案标记ACCEPTED"


@dataclass
class World:
    users: dict[str, User]
    cohorts: dict[str, Cohort]
    shop: object
    scenarios: list
    course: object
    module: object
    lesson: object
    quiz: object
    # side ("own"/"other") -> object of that trainee
    attempts: dict = field(default_factory=dict)
    drills: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    exams: dict = field(default_factory=dict)
    track: object = None
    certification_attempts: dict = field(default_factory=dict)
    typing_tests: dict = field(default_factory=dict)
    certificates: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    batch: object = None
    probe: object = None
    admin_objects: dict = field(default_factory=dict)  # "app.model" -> {side: object}
    session_keys: dict = field(default_factory=dict)  # role -> a signed-in session's key

    def trainee_of(self, side: str) -> User:
        return self.users["trainee" if side == "own" else "other_trainee"]


def _certification(world: World) -> None:
    """A published track and, for each trainee, a certification attempt whose exam is the
    trainee's exam."""
    from certification.models import CertificationAttempt, Track, TrackVersion
    from certification.track_spec import ExamPolicy, TrackSpec

    spec = TrackSpec(
        slug="matrix-track",
        title="客服上岗认证",
        exam=ExamPolicy(buyers=2, pool=tuple(s.slug for s in world.scenarios)),
    )
    track = Track.objects.create(slug=spec.slug, title=spec.title, draft_yaml="")
    version = TrackVersion.objects.create(
        track=track, number=1, yaml="", data=spec.to_data(), content_hash="1"
    )
    track.published_version = version
    track.save()
    world.track = track
    from certification.services.certificates import certificate_issue
    from certification.services.typing import typing_test_start

    for side in SIDES:
        world.typing_tests[side] = typing_test_start(trainee=world.trainee_of(side))
        passed = CertificationAttempt.objects.create(
            trainee=world.trainee_of(side),
            track=track,
            track_version=version,
            number=2,
            seed=2,
            drawn=list(spec.exam.pool),
            status=CertificationAttempt.Status.DECIDED,
            passed=True,
            decided_at=timezone.now(),
            results={"dimensions": [], "typing": {"cpm": 70.0, "accuracy": 0.97}},
        )
        world.certificates[side] = certificate_issue(attempt=passed)
        world.certification_attempts[side] = CertificationAttempt.objects.create(
            trainee=world.trainee_of(side),
            track=track,
            track_version=version,
            number=1,
            seed=1,
            drawn=list(spec.exam.pool),
            exam=world.exams[side],
        )


def _users() -> dict[str, User]:
    # The same people as the fixtures of tests/conftest.py, made once per module here.
    return {
        "trainee": UserFactory(
            username="xiaoya", display_name="王小丫", employee_number="T1001", role=Role.TRAINEE
        ),
        "other_trainee": UserFactory(
            username="dazhuang", display_name="张大壮", employee_number="T1002", role=Role.TRAINEE
        ),
        "trainer": UserFactory(username="teacher_li", display_name="李老师", role=Role.TRAINER),
        "other_trainer": UserFactory(
            username="teacher_zhou", display_name="周老师", role=Role.TRAINER
        ),
        "hr": UserFactory(username="hr_zhao", display_name="赵人事", role=Role.HR),
        "admin_user": UserFactory(username="root_admin", display_name="管理员", role=Role.ADMIN),
    }


def _matrix_quiz():
    """A quiz whose key is recognisable in a page: unique choice texts, explanations and
    fill-in answers carrying markers."""
    course = CourseFactory(slug="matrix-course", title="权限矩阵课程")
    module = ModuleFactory(course=course, slug="matrix-module", title="权限矩阵模块", position=0)
    lesson = LessonFactory(module=module, slug="matrix-lesson", title="权限矩阵课", position=0)
    quiz = QuizFactory(module=module, title="权限矩阵测验", time_limit_minutes=None)

    def question(kind: str, number: int, items: int, right: int, **fields):
        made = QuestionFactory(
            quiz=quiz,
            lesson=lesson,
            type=kind,
            slug=f"matrix-{kind}",
            prompt=f"矩阵题{number}？",
            explanation=f"{EXPLANATION_MARKER}{number}",
            position=number,
            **fields,
        )
        for index in range(items):
            ChoiceFactory(
                question=made,
                text=f"矩阵{number}号选项{'ABCDE'[index]}",
                correct=index < right,
                position=index,
            )

    question("single", 1, 4, 1)
    question("multiple", 2, 5, 2)
    question("ordering", 3, 4, 0)
    question("true_false", 4, 0, 0, answer_true=True)
    question("fill_in", 5, 0, 0, accepted=[FILL_IN_MARKER])
    return course, module, lesson, quiz


def _scored_session(trainee, scenario):
    """A practice session that ended and was scored (its report page has a report)."""
    from django.db import transaction

    from roleplay.models import Session
    from roleplay.services.after_commit import AfterCommit
    from roleplay.services.live import session_end, session_start
    from roleplay.services.reports import session_score

    session = session_start(trainee=trainee, scenario=scenario)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        # The pushes and the scoring task it plans are dropped: scored right below.
        session_end(session, timezone.now(), Session.EndReason.BUYER_LEFT, AfterCommit())
        session.save()
    session_score(session_id=session.pk)
    return session


def _admin_rows(world: World) -> None:
    """One row (per side where it matters) of every model the admin lists."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token, TokenProxy

    from audit.models import AuditEvent
    from catalog.models import Product
    from courses.models import Question

    trainee, other = world.users["trainee"], world.users["other_trainee"]
    for user in (trainee, other):
        Token.objects.create(user=user)
    for user in (trainee, other):
        AccessAttempt.objects.create(
            username=user.username,
            ip_address="127.0.0.1",
            failures_since_start=1,
            user_agent="test",
            path_info="/login/",
            get_data="",
            post_data="",
        )
        AccessLog.objects.create(
            username=user.username, ip_address="127.0.0.1", user_agent="test", path_info="/login/"
        )
        AccessFailureLog.objects.create(
            username=user.username, ip_address="127.0.0.1", user_agent="test", path_info="/login/"
        )

    def sides(model, own_filter: dict, other_filter: dict) -> dict:
        return {
            "own": model.objects.get(**own_filter),
            "other": model.objects.get(**other_filter),
        }

    def anyone(model) -> dict:
        row = model._default_manager.order_by("pk").first()
        return {"own": row, "other": row}

    world.admin_objects = {
        "accounts.user": {"own": trainee, "other": other},
        "accounts.cohort": dict(world.cohorts),
        "accounts.onboardingbatch": {"own": world.batch, "other": world.batch},
        "authtoken.tokenproxy": sides(TokenProxy, {"user": trainee}, {"user": other}),
        "axes.accessattempt": sides(
            AccessAttempt, {"username": trainee.username}, {"username": other.username}
        ),
        "axes.accesslog": sides(
            AccessLog, {"username": trainee.username}, {"username": other.username}
        ),
        "axes.accessfailurelog": sides(
            AccessFailureLog, {"username": trainee.username}, {"username": other.username}
        ),
        "audit.auditevent": anyone(AuditEvent),
        "auth.group": anyone(Group),
        "diagnostics.timerprobe": {"own": world.probe, "other": world.probe},
        "catalog.shop": {"own": world.shop, "other": world.shop},
        "catalog.product": anyone(Product),
        "courses.course": {"own": world.course, "other": world.course},
        "courses.module": {"own": world.module, "other": world.module},
        "courses.quiz": {"own": world.quiz, "other": world.quiz},
        "courses.question": anyone(Question),
    }


def world_build() -> World:
    from catalog.models import Shop
    from catalog.services import catalog_import
    from courses.services import attempt_start, drill_start
    from diagnostics.models import TimerProbe
    from roleplay.services.exams import exam_start
    from scenarios.services import scenario_create, scenario_publish

    users = _users()
    cohort = CohortFactory(name="2026年11月批次", code="2026-11")
    cohort.trainees.add(users["trainee"])
    cohort.trainers.add(users["trainer"])
    cohort.hr_staff.add(users["hr"])
    other_cohort = CohortFactory(name="2026年12月批次", code="2026-12")
    other_cohort.trainees.add(users["other_trainee"])
    other_cohort.trainers.add(users["other_trainer"])

    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    shop = Shop.objects.order_by("slug").first()
    text = SCENARIO_FIXTURE.read_text(encoding="utf-8")
    scenarios = []
    for slug in ("genuine-coat", "genuine-coat-b"):
        scenario = scenario_create(
            actor=users["trainer"], yaml_text=text.replace("slug: genuine-coat", f"slug: {slug}")
        )
        scenario_publish(actor=users["trainer"], scenario=scenario)
        scenarios.append(scenario)

    course, module, lesson, quiz = _matrix_quiz()
    world = World(
        users=users,
        cohorts={"own": cohort, "other": other_cohort},
        shop=shop,
        scenarios=scenarios,
        course=course,
        module=module,
        lesson=lesson,
        quiz=quiz,
    )
    for side in SIDES:
        trainee = world.trainee_of(side)
        world.attempts[side] = attempt_start(user=trainee, quiz=quiz)
        world.drills[side] = drill_start(user=trainee, shop=shop)
        world.sessions[side] = _scored_session(trainee, scenarios[0])
        world.exams[side] = exam_start(trainee=trainee, scenarios=scenarios)
    _certification(world)

    from accounts.services import onboarding_preview_create

    world.batch = onboarding_preview_create(
        actor=users["hr"],
        file_name="新人花名册.csv",
        data="姓名,工号,店铺,批次\n王一,T0001,店,2026-11\n".encode(),
    )
    world.probe = TimerProbe.objects.create(countdown_s=1, due_at=timezone.now())
    _admin_rows(world)
    return world
