"""The world the results benchmark measures: trainees in cohorts and shops, their quiz
attempts, typing runs, practice and exam conversations with messages and reports, decided
certification attempts and certificates, and a large quiz for item statistics.

Written straight into PostgreSQL (COPY for the big tables): going through the services
would take hours at this size, and what is measured is reading, not writing. The rows are
shaped as the services leave them (the report document comes from scoring a real shipped
scenario; attempts are decided by ``certification.decision``; rule rows as the report's
scoring writes them), from a fixed seed.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SHOPS = ("悦衣坊", "鲜果园", "智电优选", "母婴之家", "美妆小铺")
RULES = (  # weights: how often each rule's faults appear among replies with a hit
    ("missing_greeting", 30),
    ("terse_reply", 25),
    ("negative_language", 15),
    ("absolute_promise", 10),
    ("but_turn", 8),
    ("off_platform", 5),
    ("impolite_address", 4),
    ("medical_claim", 2),
    ("credential_request", 1),
)
BUYER_LINES = (
    "你好，这件大衣还有M码吗？",
    "什么时候能发货啊",
    "我买的东西怎么还没到",
    "能便宜一点吗，诚心要",
    "颜色和图片一样吗？",
    "收到的有点问题，怎么处理",
)
AGENT_LINES = (
    "亲，您好，M码目前有现货的哦，今天下单48小时内发货。",
    "亲，已经帮您查询物流，包裹正在派送中，请您耐心等待一下哦。",
    "亲，这款是店铺活动价了，您可以领取满减券再优惠一些的。",
    "亲，图片为实物拍摄，不同显示器可能略有色差，请您谅解哦。",
    "非常抱歉给您带来不便，麻烦您拍一下照片，我这边马上为您处理。",
    "好的亲，感谢您的支持，祝您生活愉快，有问题随时联系我们哦。",
)
FAULTY_LINES = {
    "missing_greeting": "M码有的，拍下就行。",
    "terse_reply": "有",
    "negative_language": "这个不归我们管，您自己去问快递吧。",
    "absolute_promise": "绝对不会起球的，百分百保证。",
    "but_turn": "理解您的心情，但是规定就是这样。",
    "off_platform": "加我微信，私下转账更便宜。",
    "impolite_address": "你自己看详情页去。",
    "medical_claim": "这个吃了能治高血压。",
    "credential_request": "把您收到的验证码发给我一下。",
}


@dataclass
class World:
    trainees: list[int] = field(default_factory=list)
    cohorts: list[str] = field(default_factory=list)
    trainers: list[int] = field(default_factory=list)
    hr: int = 0
    stats_quiz: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def _copy(table: str, columns: list[str], rows) -> int:
    """COPY ``rows`` (tuples in ``columns`` order) into ``table``; the number written."""
    from django.db import connection

    n = 0
    with connection.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _report_template() -> dict:
    """A real report: a shipped scenario's first self-test, scored."""
    from pathlib import Path

    import yaml

    from scenarios.context import validation_context
    from scenarios.simulation import score, simulate
    from scenarios.validation import scenario_from_file

    root = Path(__file__).resolve().parents[2]
    path = root / "content" / "scenarios" / "address-check-after-payment.yaml"
    spec = scenario_from_file(path, validation_context(from_files=True))
    test = yaml.safe_load(path.read_text(encoding="utf-8"))["tests"][0]
    return score(spec, simulate(spec, 0, test["replies"])).to_dict()


def _reset_sequences() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    from courses.models import Answer, Attempt
    from roleplay.models import Message, Report, RuleBreach, Session

    statements = connection.ops.sequence_reset_sql(
        no_style(), [Session, Message, Report, RuleBreach, Attempt, Answer]
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def seed(
    trainees: int, sessions_per: int, messages_per: int, stats_trainees: int, stats_questions: int
) -> World:
    """Everything the results pages read, for ``trainees`` trainees."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import Cohort, User
    from accounts.roles import Role
    from certification.decision import Conversation, decide
    from certification.models import Certificate, CertificationAttempt, Track, TypingTest
    from certification.track_spec import TrackSpec
    from courses.models import Attempt, Quiz
    from roleplay.models import Exam, Message, Report, RuleBreach, Session
    from scenarios.models import Scenario

    rng = random.Random(20261201)
    now = timezone.now()
    world = World()
    started = time.perf_counter()

    # People: trainees in 20 cohorts over five shops, ten trainers with two cohorts each, HR.
    password = make_password("bench-password-not-used")
    groups = {role: Group.objects.get(name=role.value) for role in Role}
    people = [
        User(
            username=f"bt{n:05d}",
            display_name=f"学员{n:05d}",
            employee_number=f"E{n:06d}",
            shop=SHOPS[n % len(SHOPS)],
            password=password,
        )
        for n in range(trainees)
    ]
    User.objects.bulk_create(people, batch_size=2000)
    people = list(User.objects.filter(username__startswith="bt").order_by("username"))
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=groups[Role.TRAINEE].pk) for u in people],
        batch_size=5000,
    )
    world.trainees = [u.pk for u in people]
    cohort_count = 20
    cohorts = [
        Cohort.objects.create(name=f"压测批次{c:02d}", code=f"bench-c{c:02d}", shop=SHOPS[c % 5])
        for c in range(cohort_count)
    ]
    world.cohorts = [c.code for c in cohorts]
    Cohort.trainees.through.objects.bulk_create(
        [
            Cohort.trainees.through(cohort_id=cohorts[i % cohort_count].pk, user_id=u.pk)
            for i, u in enumerate(people)
        ],
        batch_size=5000,
    )
    for t in range(10):
        trainer = User.objects.create(username=f"btrainer{t}", password=password)
        trainer.groups.add(groups[Role.TRAINER])
        for cohort in cohorts[2 * t : 2 * t + 2]:
            cohort.trainers.add(trainer)
        world.trainers.append(trainer.pk)
    hr = User.objects.create(username="bhr", password=password)
    hr.groups.add(groups[Role.HR])
    world.hr = hr.pk
    print(f"  people: {time.perf_counter() - started:.0f} s", flush=True)

    track = Track.objects.get(slug="cs-onboarding-certification")
    version = track.published_version
    spec = TrackSpec.from_data(version.data)
    quizzes = []
    for ref in spec.modules:
        course, _sep, module = ref.partition("/")
        quizzes.append(Quiz.objects.get(module__course__slug=course, module__slug=module).pk)
    versions = {
        s.slug: s.published_version_id
        for s in Scenario.objects.filter(published_version__isnull=False)
    }
    pool_versions = [versions[slug] for slug in spec.exam.pool if slug in versions]
    all_versions = list(versions.values())

    # Quiz attempts on the track's modules, typing runs.
    span = timedelta(days=365)
    joined = {
        pk: now - span + timedelta(seconds=rng.uniform(0, span.total_seconds() * 0.8))
        for pk in world.trainees
    }
    quiz_rows = []
    typing_rows = []
    for pk in world.trainees:
        progress = rng.random()
        modules_done = len(quizzes) if progress > 0.25 else rng.randrange(len(quizzes) + 1)
        for i, quiz in enumerate(quizzes[:modules_done]):
            at = joined[pk] + timedelta(days=i + 1)
            quiz_rows.append(
                Attempt(
                    user_id=pk,
                    quiz_id=quiz,
                    number=1,
                    seed=rng.getrandbits(31),
                    layout=[],
                    submitted_at=at,
                    status="submitted",
                    score=9,
                    max_score=10,
                    percent=90,
                    passed=True,
                )
            )
        if modules_done == len(quizzes) and rng.random() < 0.9:
            cpm = rng.gauss(75, 12)
            at = joined[pk] + timedelta(days=len(quizzes) + 1)
            typing_rows.append(
                TypingTest(
                    trainee_id=pk,
                    passage_key="p1",
                    reference="亲，您好",
                    seconds_allowed=180,
                    status="finished",
                    started_at=at - timedelta(minutes=3),
                    finished_at=at,
                    seconds=180,
                    cpm=cpm,
                    accuracy=min(1.0, rng.gauss(0.97, 0.02)),
                    result={"cpm": cpm},
                    pastes=0,
                    flags=[],
                )
            )
    Attempt.objects.bulk_create(quiz_rows, batch_size=5000)
    TypingTest.objects.bulk_create(typing_rows, batch_size=5000)
    typed = {t.trainee_id: t for t in typing_rows}
    print(f"  quizzes and typing: {time.perf_counter() - started:.0f} s", flush=True)

    # Conversations: each trainee's exams first (two buyers each), practice for the rest.
    template = _report_template()
    session_id, message_id, report_id, breach_id = (
        _next_id(Session),
        _next_id(Message),
        _next_id(Report),
        _next_id(RuleBreach),
    )
    rules, weights = zip(*RULES, strict=True)
    sessions, messages_plan, reports, breaches = [], [], [], []
    exam_plan: list[tuple[int, datetime, list[int]]] = []
    for pk in world.trainees:
        exams = 0
        if pk in typed:
            exams = rng.choices((0, 1, 2, 3), weights=(15, 55, 20, 10))[0]
        ability = rng.gauss(0, 1)
        exam_sessions: list[list[int]] = [[] for _ in range(exams)]
        for k in range(sessions_per):
            exam_index = k // 2 if k < 2 * exams else None
            mode = "exam" if exam_index is not None else "practice"
            start = joined[pk] + timedelta(days=10 + k * 3, seconds=rng.uniform(0, 36000))
            start = min(start, now - timedelta(minutes=30))
            sid = session_id
            session_id += 1
            if exam_index is not None:
                exam_sessions[exam_index].append(sid)
            sessions.append(
                (
                    sid,
                    pk,
                    rng.choice(pool_versions if mode == "exam" else all_versions),
                    mode,
                    rng.getrandbits(31),
                    "ended",
                    rng.choice(("成交", "成交", "流失")),
                    "outcome",
                    "{}",
                    0,
                    None,
                    messages_per,
                    "[]",
                    0.0,
                    None,
                    False,
                    start,
                    start + timedelta(minutes=20),
                    start + timedelta(seconds=15 * messages_per),
                    None,
                )
            )
            # Messages: buyer and agent in turn; some replies break a rule.
            broken: dict[str, tuple[int, str]] = {}
            for seq in range(1, messages_per + 1):
                at = start + timedelta(seconds=15 * seq)
                if seq % 2:
                    messages_plan.append(
                        (
                            message_id,
                            sid,
                            "buyer",
                            rng.choice(BUYER_LINES),
                            "",
                            seq,
                            at,
                            at,
                            at,
                            "[]",
                        )
                    )
                else:
                    hits = "[]"
                    text = rng.choice(AGENT_LINES)
                    if rng.random() < 0.08 - 0.03 * ability:
                        rule = rng.choices(rules, weights=weights)[0]
                        text = FAULTY_LINES[rule]
                        hits = json.dumps(
                            [
                                {
                                    "rule": rule,
                                    "severity": "major",
                                    "start": 0,
                                    "end": 2,
                                    "suggestion": "",
                                }
                            ]
                        )
                        count, example = broken.get(rule, (0, text))
                        broken[rule] = (count + 1, example)
                    messages_plan.append(
                        (message_id, sid, "agent", text, "", seq, at, None, None, hits)
                    )
                message_id += 1
            total = max(0.0, min(100.0, round(rng.gauss(78 + 8 * ability, 9), 1)))
            compliance = max(0.0, 100.0 - 15 * sum(c for c, _e in broken.values()))
            first_s = round(max(1.0, rng.gauss(5.0 - ability, 2.0)), 1)
            report = dict(template)
            report["total"] = total
            report["dimensions"] = {
                name: {**dim, "score": total if name != "compliance" else compliance}
                for name, dim in template["dimensions"].items()
            }
            report["response"] = {**template["response"], "first_s": first_s}
            report["compliance"] = {"hits": [{"rule": r, "message": 1} for r in broken]}
            reports.append((report_id, sid, json.dumps(report, ensure_ascii=False), total, now))
            for rule, (count, example) in broken.items():
                breaches.append((breach_id, report_id, pk, start, rule, count, example))
                breach_id += 1
            report_id += 1
            if exam_index is not None and len(exam_sessions[exam_index]) == 2:
                exam_plan.append((pk, start, exam_sessions[exam_index]))
    print(
        f"  {len(sessions)} conversations planned: {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    session_columns = [
        "id",
        "trainee_id",
        "scenario_version_id",
        "mode",
        "seed",
        "status",
        "outcome",
        "end_reason",
        "engine_state",
        "timer_version",
        "timer_at",
        "last_seq",
        "reply_times",
        "held_s",
        "held_until",
        "page_confirms",
        "started_at",
        "deadline_at",
        "ended_at",
        "exam_id",
    ]
    world.counts["sessions"] = _copy(Session._meta.db_table, session_columns, sessions)
    world.counts["messages"] = _copy(
        Message._meta.db_table,
        [
            "id",
            "session_id",
            "role",
            "text",
            "client_id",
            "seq",
            "at",
            "due_at",
            "shown_at",
            "hits",
            "kind",
            "step",
            "events",
            "telemetry",
            "branch_reason",
        ],
        (row + ("", "", "[]", "{}", "") for row in messages_plan),
    )
    del messages_plan
    print(f"  messages: {time.perf_counter() - started:.0f} s", flush=True)
    world.counts["reports"] = _copy(
        Report._meta.db_table,
        ["id", "session_id", "data", "total", "scored_at", "correction_reason"],
        (row + ("",) for row in reports),
    )
    world.counts["rule rows"] = _copy(
        RuleBreach._meta.db_table,
        ["id", "report_id", "trainee_id", "session_started_at", "rule", "replies", "example"],
        breaches,
    )
    _reset_sequences()
    print(f"  reports: {time.perf_counter() - started:.0f} s", flush=True)

    # Exams and their decided attempts; a certificate for each pass, a few revoked.
    numbers: dict[int, int] = {}
    certificates = 0
    for pk, start, session_ids in exam_plan:
        exam = Exam.objects.create(
            trainee_id=pk,
            status="ended",
            deadline_at=start + timedelta(minutes=20),
            ended_at=start + timedelta(minutes=10),
        )
        Session.objects.filter(pk__in=session_ids).update(exam=exam)
        rows = Report.objects.filter(session_id__in=session_ids).values_list("data", flat=True)
        conversations = [
            Conversation(
                compliance=d["dimensions"]["compliance"]["score"],
                first_response_s=d["response"]["first_s"],
                total=d["total"],
                fatal_hits=0,
            )
            for d in rows
        ]
        typing = typed[pk]
        decision = decide(
            marks=spec.marks,
            typing_policy=spec.typing,
            typing_cpm=typing.cpm,
            typing_accuracy=typing.accuracy,
            conversations=conversations,
        )
        numbers[pk] = numbers.get(pk, 0) + 1
        decided_at = start + timedelta(minutes=11)
        attempt = CertificationAttempt.objects.create(
            trainee_id=pk,
            track=track,
            track_version=version,
            number=numbers[pk],
            seed=rng.getrandbits(31),
            drawn=[],
            exam=exam,
            status="decided",
            decided_at=decided_at,
            passed=decision.passed,
            results=decision.to_dict(),
            measured={d.name: d.measured for d in decision.dimensions},
        )
        CertificationAttempt.objects.filter(pk=attempt.pk).update(started_at=start)
        if decision.passed and not Certificate.objects.filter(holder_id=pk).exists():
            revoked = rng.random() < 0.02
            Certificate.objects.create(
                attempt=attempt,
                holder_id=pk,
                track_version=version,
                number=f"BENCH-{attempt.pk:07d}",
                code=secrets.token_urlsafe(24),
                holder_name=f"学员{pk}",
                track_title=track.title,
                issued_at=decided_at,
                expires_at=decided_at + timedelta(days=365),
                results=decision.to_dict(),
                status="revoked" if revoked else "valid",
                revoked_at=decided_at + timedelta(days=30) if revoked else None,
                revoke_reason="压测" if revoked else "",
            )
            certificates += 1
    world.counts["exam attempts"] = len(exam_plan)
    world.counts["certificates"] = certificates
    print(f"  attempts: {time.perf_counter() - started:.0f} s", flush=True)
    world.stats_quiz = _seed_item_statistics(rng, world.trainees[:stats_trainees], stats_questions)
    world.counts["statistics answers"] = stats_trainees * stats_questions
    print(f"  item statistics quiz: {time.perf_counter() - started:.0f} s", flush=True)
    return world


def _seed_item_statistics(rng: random.Random, trainees: list[int], questions: int) -> int:
    """A quiz of ``questions`` single-choice questions answered once by each of ``trainees``;
    right or wrong by a simple ability-difficulty model, so the figures are not degenerate."""
    import math

    from courses.models import Answer, Attempt, Choice, Course, Lesson, Module, Question, Quiz

    course = Course.objects.create(slug="bench-stats", title="压测：题目统计")
    module = Module.objects.create(course=course, slug="bench", title="压测模块")
    lesson = Lesson.objects.create(module=module, slug="bench", title="压测课", body="压测")
    quiz = Quiz.objects.create(module=module, title="压测测验", pass_mark=60)
    items = Question.objects.bulk_create(
        [
            Question(
                quiz=quiz,
                slug=f"q{i:03d}",
                type="single",
                prompt=f"第{i}题",
                explanation="略",
                points=1,
                position=i,
                lesson=lesson,
            )
            for i in range(questions)
        ]
    )
    Choice.objects.bulk_create(
        [
            Choice(question=q, text=f"选项{c}", correct=c == 0, position=c)
            for q in items
            for c in range(4)
        ]
    )
    difficulty = [rng.gauss(0, 1) for _ in items]
    attempt_id, answer_id = _next_id(Attempt), _next_id(Answer)
    attempts, answers = [], []
    now = datetime.now().astimezone()
    for pk in trainees:
        ability = rng.gauss(0, 1)
        right = [rng.random() < 1 / (1 + math.exp(-(ability - d))) for d in difficulty]
        score = sum(right)
        attempts.append(
            (
                attempt_id,
                pk,
                quiz.pk,
                1,
                rng.getrandbits(31),
                "[]",
                now,
                now,
                "submitted",
                score,
                questions,
                round(100 * score / questions, 2),
                score * 100 >= 60 * questions,
            )
        )
        for question, ok in zip(items, right, strict=True):
            answers.append((answer_id, attempt_id, question.pk, "null", 1 if ok else 0, 1, now))
            answer_id += 1
        attempt_id += 1
    _copy(
        Attempt._meta.db_table,
        [
            "id",
            "user_id",
            "quiz_id",
            "number",
            "seed",
            "layout",
            "started_at",
            "submitted_at",
            "status",
            "score",
            "max_score",
            "percent",
            "passed",
        ],
        attempts,
    )
    _copy(
        Answer._meta.db_table,
        ["id", "attempt_id", "question_id", "response", "score", "max_score", "saved_at"],
        answers,
    )
    _reset_sequences()
    return quiz.pk
