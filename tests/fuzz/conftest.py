"""Data the fuzzers run against: every object route of the API has a real id to hit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "courses" / "fixtures" / "basic" / "course.yaml"
SCENARIO = ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml"


@dataclass(frozen=True)
class Seeded:
    """Ids of the seeded objects, by the path parameter that names them."""

    cohort: int
    lesson: int
    quiz: int
    open_attempt: int
    closed_attempt: int
    scenario: str
    timer_probe: int
    session: int
    report: int
    other_trainee: int


@pytest.fixture
def seeded(cohort, trainee, other_trainee, trainer, admin_user) -> Seeded:
    from catalog.services import catalog_import
    from courses.importing import course_import
    from courses.services import attempt_start, attempt_submit
    from diagnostics.services import timer_probe_schedule
    from roleplay.services.live import session_expire, session_start
    from roleplay.services.reports import session_score
    from scenarios.services import scenario_create, scenario_publish

    cohort.trainees.add(other_trainee)
    course = course_import(COURSE)
    module = course.modules.get(slug="basics")
    quiz = module.quiz
    closed = attempt_submit(user=trainee, attempt=attempt_start(user=trainee, quiz=quiz))
    opened = attempt_start(user=trainee, quiz=quiz)

    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    scenario = scenario_create(actor=trainer, yaml_text=SCENARIO.read_text(encoding="utf-8"))
    scenario_publish(actor=trainer, scenario=scenario)

    session = session_start(trainee=trainee, scenario=scenario)
    with time_machine.travel(session.deadline_at + timedelta(seconds=1), tick=False):
        session_expire(session_id=session.pk)
    report = session_score(session_id=session.pk)

    probe = timer_probe_schedule(actor=admin_user, countdown_s=1.0)
    return Seeded(
        cohort=cohort.pk,
        lesson=module.lessons.first().pk,
        quiz=quiz.pk,
        open_attempt=opened.pk,
        closed_attempt=closed.pk,
        scenario=scenario.slug,
        timer_probe=probe.pk,
        session=session.pk,
        report=report.pk,
        other_trainee=other_trainee.pk,
    )


@pytest.fixture(scope="session")
def context():
    """The shipped catalogue and rule pack for scenario validation, without a database."""
    from scenarios.context import validation_context

    return validation_context(from_files=True)
