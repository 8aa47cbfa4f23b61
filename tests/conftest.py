"""Named users per role, used by permission tests across the suite."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.factories import CohortFactory, UserFactory


@pytest.fixture
def trainee(db):
    return UserFactory(
        username="xiaoya", display_name="王小丫", employee_number="T1001", role=Role.TRAINEE
    )


@pytest.fixture
def other_trainee(db):
    return UserFactory(
        username="dazhuang", display_name="张大壮", employee_number="T1002", role=Role.TRAINEE
    )


@pytest.fixture
def trainer(db):
    return UserFactory(username="teacher_li", display_name="李老师", role=Role.TRAINER)


@pytest.fixture
def other_trainer(db):
    return UserFactory(username="teacher_zhou", display_name="周老师", role=Role.TRAINER)


@pytest.fixture
def hr(db):
    return UserFactory(username="hr_zhao", display_name="赵人事", role=Role.HR)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root_admin", display_name="管理员", role=Role.ADMIN)


@pytest.fixture
def cohort(db, trainee, trainer, hr):
    cohort = CohortFactory(name="2026年11月批次", code="2026-11")
    cohort.trainees.add(trainee)
    cohort.trainers.add(trainer)
    cohort.hr_staff.add(hr)
    return cohort


@pytest.fixture(scope="session", autouse=True)
def _own_celery_queue():
    """A queue of this test run's own, so a worker of another run never takes its tasks."""
    import os

    from django.conf import settings

    from simulator.celery import app

    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-{os.getpid()}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    app.conf.task_default_queue = queue
    yield queue


@pytest.fixture(autouse=True)
def _forget_scenario_specs():
    """Scenario versions never change, so their parsed form is cached per process by id;
    a flushed test database hands the same ids out again, to other scenarios."""
    from roleplay.selectors import _spec_for_version

    _spec_for_version.cache_clear()
    yield


@pytest.fixture(scope="session")
def collected_static(django_db_blocker):
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture(autouse=True)
def _live_writes_settle(request):
    """Before the tables are emptied after a test with live processes, their writes end.

    Autouse fixtures of this file are set up after pytest-django's database fixture, so this
    teardown runs before the database's."""
    yield
    if {"live_asgi", "live_worker"} & set(request.fixturenames):
        from tests.live_processes import database_settle

        database_settle()


@pytest.fixture(scope="session")
def live_asgi(django_db_setup, collected_static):
    """The ASGI server (`manage.py serve`) serving the project over HTTP and WebSocket,
    on the test database."""
    from tests.live_processes import asgi_server

    with asgi_server() as server:
        yield server


@pytest.fixture(scope="session")
def live_worker(django_db_setup):
    """A real Celery worker on the configured broker (file system or Redis)."""
    from tests.live_processes import celery_worker

    with celery_worker() as worker:
        yield worker


@pytest.fixture(autouse=True)
def _default_language():
    """Requests activate their language in this thread; reset it so tests are order-free."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def english(_default_language):
    """Messages in English (the catalogues' msgids), for tests that check their wording."""
    from django.utils import translation

    with translation.override("en"):
        yield
